"""Accounts: play now as a guest, register, log in and out, curators."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from quizapp.auth import views  # noqa: E402,F401  (routes attach themselves to bp)
