"""Series lookups shared by the round editor and the importer."""
from __future__ import annotations

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Series, User


def find_series(curator: User, title: str) -> Series | None:
    """The curator's series of that title, created when new; None for no title."""
    title = title.strip()
    if not title:
        return None
    series = db.session.scalar(select(Series).where(Series.curator_id == curator.id, Series.title == title))
    if series is None:
        series = Series(curator_id=curator.id, title=title)
        db.session.add(series)
    return series
