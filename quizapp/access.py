"""Who is signed in, and who may see which round: the checks views share."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import abort, session
from flask_login import current_user

from quizapp.extensions import login_manager
from quizapp.logs import log_event
from quizapp.models import User
from quizapp.snapshots import RoundSnapshot, load_round

# The signed-in player as [id, session generation], written at sign-in beside Flask-Login's own record and
# cleared at logout. The answer path reads it from the signed cookie without loading the user's row; the
# answer's INSERT itself checks that the account still has that generation (quizapp/play/writes.py).
PLAYER_KEY = "player"


@dataclass(frozen=True)
class Claim:
    """Who the session says it is, not yet checked against the account: its id and session generation."""

    player_id: int
    generation: int


def remember_player(user: User) -> None:
    """Note the signed-in player and their account's session generation in the session."""
    session[PLAYER_KEY] = [user.id, user.session_generation]


def claimed_player() -> Claim | None:
    """The player the signed cookie names, without loading the account: for the answer path, which checks it
    in its own INSERT. Everything else asks signed_in_user_id()."""
    value = session.get(PLAYER_KEY)
    if isinstance(value, list) and len(value) == 2 and all(type(part) is int for part in value):
        return Claim(value[0], value[1])
    return None


def session_is_current(user: User) -> bool:
    """Whether this request's session still acts for the user: its generation is the account's."""
    claim = claimed_player()
    # A session signed in before generations existed names none: it counts as the first one.
    generation = claim.generation if claim is not None and claim.player_id == user.id else 0
    return generation == user.session_generation


def signed_in_user_id() -> int | None:
    """The signed-in player's id, once Flask-Login has loaded the account and its session is current."""
    return current_user.id if current_user.is_authenticated else None


def may_see(round_: RoundSnapshot, viewer_id: int | None) -> bool:
    """Published rounds are everyone's; a draft is its curator's alone."""
    return round_.published or viewer_id == round_.curator_id


def visible_round(round_id: int) -> RoundSnapshot:
    """The round, if the viewer may see it; 404 otherwise (a stranger can't tell a draft from a missing round)."""
    round_ = load_round(round_id)
    if round_ is None or not may_see(round_, signed_in_user_id()):
        abort(404)
    return round_


def curator_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send visitors to log in and refuse players with 403."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_curator:
            log_event("forbidden", logging.WARNING, user_id=current_user.id)
            abort(403)
        return view(*args, **kwargs)

    return wrapped
