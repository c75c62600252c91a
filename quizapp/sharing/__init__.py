"""Sharing and following: link previews, their card images, and Atom feeds."""
from flask import Blueprint

bp = Blueprint("sharing", __name__)

from quizapp.sharing import views  # noqa: E402,F401  (registers the routes)
from quizapp.sharing.bots import init_app  # noqa: E402,F401
