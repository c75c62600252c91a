"""Derive a round's status from its times, and convert the times curators type in."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class RoundStatus(StrEnum):
    """Where a round is in draft -> scheduled -> open -> closed."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


QUICK_DURATIONS: dict[str, timedelta] = {
    "1h": timedelta(hours=1),
    "1d": timedelta(days=1),
    "3d": timedelta(days=3),
    "1w": timedelta(days=7),
}


def as_utc(dt: datetime) -> datetime:
    """Return dt as an aware UTC datetime, reading a naive value as UTC."""
    if dt.tzinfo is UTC:
        return dt  # already so (utcnow(), and the answer path's copy of a round): the common case, on every answer
    # SQLite hands back naive datetimes for values that were stored as UTC.
    if dt.tzinfo is None or dt.utcoffset() is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def round_status(
    published: bool, opens_at: datetime | None, closes_at: datetime | None, now: datetime
) -> RoundStatus:
    """Return the round's status at now; it closes at closes_at exactly.

    A published round without opens_at is open from the start, one without closes_at stays
    open. Naive datetimes are read as UTC, so aware and naive values can be mixed.
    """
    if not published:
        return RoundStatus.DRAFT
    now = as_utc(now)
    if opens_at is not None and now < as_utc(opens_at):
        return RoundStatus.SCHEDULED
    if closes_at is not None and now >= as_utc(closes_at):
        return RoundStatus.CLOSED
    return RoundStatus.OPEN


def local_to_utc(local: datetime, tz_name: str) -> datetime:
    """Return the aware UTC time of a naive wall-clock time in the IANA zone tz_name.

    Wall times the clock skips or repeats at a DST change are read with fold=0, that is with
    the offset in force before the change: in Europe/Berlin 02:30 on the spring-forward day is
    01:30 UTC (= 03:30 summer time), and 02:30 on the fall-back day is its first occurrence,
    00:30 UTC. Raises ValueError for an unknown zone or an aware local time.
    """
    if local.tzinfo is not None:
        raise ValueError("local must be a naive wall-clock time")
    try:
        zone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise ValueError(f"unknown time zone: {tz_name!r}") from error
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)
