"""Who is signed in, and who may see which round: the checks views share."""
from __future__ import annotations

from flask import abort, session
from flask_login import current_user

from quizapp.snapshots import RoundSnapshot, load_round

# The signed-in player's id, written by auth's sign-in beside Flask-Login's own record and cleared at logout.
# The answer path reads it from the signed cookie without loading the user's row; the cookie's signature
# vouches for it, and the answer's foreign key refuses a player who no longer exists.
PLAYER_KEY = "player"


def remember_player(user_id: int) -> None:
    """Note the signed-in player in the session (call it where Flask-Login's login_user is called)."""
    session[PLAYER_KEY] = user_id


def signed_in_user_id() -> int | None:
    """The signed-in player's id, from the signed session cookie, without loading the user's row."""
    player_id = session.get(PLAYER_KEY)
    if isinstance(player_id, int) and not isinstance(player_id, bool):
        return player_id
    # A session signed in some other way (before the key existed): Flask-Login's public proxy knows.
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
