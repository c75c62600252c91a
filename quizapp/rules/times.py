"""The span of time a round may be scheduled in, and arithmetic that stays inside what datetime can hold."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from quizapp.rules.lifecycle import as_utc

# Wide enough for any real schedule, narrow enough that adding a week or any zone's offset to a time in it
# never leaves the years datetime can hold (1 to 9999), whichever zone a viewer reads it in.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)  # excluded


def within_bounds(moment: datetime) -> bool:
    """Tell whether a round may open or close at moment: EARLIEST <= moment < LATEST (naive means UTC)."""
    return EARLIEST <= as_utc(moment) < LATEST


def later_by(start: datetime, delta: timedelta) -> datetime | None:
    """Return start + delta, or None where that is past the last datetime (a stored time may be anything)."""
    try:
        return start + delta
    except OverflowError:
        return None
