"""Creating accounts: the one place usernames are checked for validity and lookalikes."""
from __future__ import annotations

import unicodedata

from sqlalchemy import or_, select

from quizapp.extensions import db
from quizapp.models import User
from quizapp.rules.usernames import (
    LENGTH_MESSAGE,
    normalise,
    skeleton,
    validate_username,
)


class UsernameError(ValueError):
    """The name is invalid or taken; the message is for the user."""


def username_problem(name: str) -> str | None:
    """Return why this username cannot be used, or None."""
    from flask_babel import gettext as _

    problem = validate_username(name)
    if problem == LENGTH_MESSAGE:
        return _("Use 3 to 32 characters.")
    if problem:
        return _("Use letters, digits, _ and - only.")
    taken = db.session.scalar(
        select(User.id).where(or_(User.username_key == normalise(name), User.username_skeleton == skeleton(name)))
    )
    if taken is not None:
        return _("That name is taken. Try another one.")
    return None


def new_user(name: str, password: str | None = None, *, curator: bool = False) -> User:
    """Add a user to the session (the caller commits); raise UsernameError when the name cannot be used."""
    # Stored in NFKC so what was validated is what is shown.
    name = unicodedata.normalize("NFKC", name)
    problem = username_problem(name)
    if problem:
        raise UsernameError(problem)
    user = User(
        username=name,
        username_key=normalise(name),
        username_skeleton=skeleton(name),
        is_curator=curator,
    )
    if password is not None:
        user.set_password(password)
    db.session.add(user)
    return user


def find_user(name: str) -> User | None:
    """Find a user by name, case-insensitively after NFKC."""
    return db.session.scalar(select(User).where(User.username_key == normalise(name)))
