"""Players: the round list, the round page, answering, the live count."""
from flask import Blueprint

bp = Blueprint("play", __name__)

from quizapp.play import views  # noqa: E402,F401  (routes attach themselves to bp)
