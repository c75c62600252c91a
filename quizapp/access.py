"""Who may see what: the checks views share."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from quizapp import queries
from quizapp.models import Round


def visible_round(round_id: int) -> Round:
    """Load a round the viewer may see: published, or their own draft; 404 otherwise."""
    round_ = queries.round_with_items(round_id)
    if round_ is None:
        abort(404)
    if not round_.published and not (current_user.is_authenticated and current_user.id == round_.curator_id):
        abort(404)
    return round_
