"""After the close: the reveal page and the public results JSON."""
from flask import Blueprint

bp = Blueprint("results", __name__)

from quizapp.results import views  # noqa: E402,F401  (routes attach themselves to bp)
