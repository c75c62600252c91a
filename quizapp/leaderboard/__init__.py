"""Leaderboards: overall and per series, closed rounds only."""
from flask import Blueprint

bp = Blueprint("leaderboard", __name__)

from quizapp.leaderboard import views  # noqa: E402,F401  (routes attach themselves to bp)
