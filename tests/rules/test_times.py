from datetime import UTC, datetime, timedelta, timezone

from quizapp.rules.times import EARLIEST, LATEST, later_by, within_bounds


def test_rounds_may_be_scheduled_from_the_first_instant_of_2000():
    assert within_bounds(datetime(2000, 1, 1, tzinfo=UTC))
    assert not within_bounds(datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC))


def test_rounds_may_be_scheduled_up_to_but_not_at_2100():
    assert within_bounds(LATEST - timedelta(microseconds=1))
    assert not within_bounds(datetime(2100, 1, 1, tzinfo=UTC))
    assert not within_bounds(datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC))


def test_bounds_are_judged_in_utc_whatever_the_offset():
    # 2100-01-01 00:30 in +01:00 is 2099-12-31 23:30 UTC: still inside.
    assert within_bounds(datetime(2100, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))))
    # 2000-01-01 00:30 in +01:00 is 1999-12-31 23:30 UTC: outside.
    assert not within_bounds(datetime(2000, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))))


def test_naive_times_are_read_as_utc():
    assert within_bounds(EARLIEST.replace(tzinfo=None))
    assert not within_bounds(LATEST.replace(tzinfo=None))


def test_adding_to_the_last_datetime_gives_none_instead_of_overflowing():
    assert later_by(datetime(9999, 12, 31, 23, 0, tzinfo=UTC), timedelta(hours=1)) is None


def test_adding_inside_the_calendar_adds():
    assert later_by(EARLIEST, timedelta(days=7)) == datetime(2000, 1, 8, tzinfo=UTC)
