"""Announcements: channels where rounds are announced, the outbox they are sent from, and their management."""
from flask import Blueprint

bp = Blueprint("announce", __name__, url_prefix="/curator/channels")

from quizapp.announce import views  # noqa: E402,F401  (routes attach themselves to bp)
