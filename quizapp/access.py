"""Who may see what: the checks views share."""
from __future__ import annotations

from typing import TypeVar

from flask import abort, g, session
from flask_login import current_user

from quizapp import queries
from quizapp.models import Round
from quizapp.queries import RoundView

Shown = TypeVar("Shown", Round, RoundView)


def signed_in_user_id() -> int | None:
    """The signed-in user's id, from the signed session cookie, without loading the user's row.

    The answer path needs only the id: the cookie's signature vouches for it, and the foreign keys refuse a
    write for a user who no longer exists. Pages that show who is signed in use current_user as usual.
    """
    if "_login_user" in g:  # already loaded for this request: agree with it
        return current_user.id if current_user.is_authenticated else None
    user_id = session.get("_user_id")
    return int(user_id) if isinstance(user_id, str) and user_id.isascii() and user_id.isdigit() else None


def visible_round(round_id: int) -> Round:
    """Load a round the viewer may see: published, or their own draft; 404 otherwise."""
    return _visible(queries.round_with_items(round_id))


def visible_round_view(round_id: int) -> RoundView:
    """visible_round for read-only pages: the same check, on a round loaded without ORM objects."""
    return _visible(queries.round_view(round_id))


def _visible(round_: Shown | None) -> Shown:
    if round_ is None:
        abort(404)
    if not round_.published and signed_in_user_id() != round_.curator_id:
        abort(404)
    return round_
