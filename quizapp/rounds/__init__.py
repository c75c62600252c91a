"""Curators: the dashboard, the round editor, publishing, closing."""
from flask import Blueprint

bp = Blueprint("rounds", __name__, url_prefix="/curator")

from quizapp.rounds import views  # noqa: E402,F401  (routes attach themselves to bp)
