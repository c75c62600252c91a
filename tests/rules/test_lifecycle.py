import re
import time
from datetime import UTC, datetime, timedelta, timezone, tzinfo

import pytest

from quizapp.rules.lifecycle import (
    QUICK_DURATIONS,
    RoundStatus,
    as_utc,
    local_to_utc,
    round_status,
)

OPENS = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
CLOSES = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def status_at(now, *, published=True, opens_at=OPENS, closes_at=CLOSES):
    return round_status(published, opens_at, closes_at, now)


def test_unpublished_round_is_a_draft_whatever_the_time():
    assert status_at(OPENS + timedelta(hours=1), published=False) is RoundStatus.DRAFT


def test_published_round_before_opening_is_scheduled():
    assert status_at(OPENS - timedelta(seconds=1)) is RoundStatus.SCHEDULED


def test_round_opens_at_opens_at_exactly():
    assert status_at(OPENS) is RoundStatus.OPEN


def test_round_is_open_until_the_last_second():
    assert status_at(CLOSES - timedelta(microseconds=1)) is RoundStatus.OPEN


def test_round_closes_at_closes_at_exactly():
    assert status_at(CLOSES) is RoundStatus.CLOSED


def test_round_stays_closed_after_closing():
    assert status_at(CLOSES + timedelta(days=30)) is RoundStatus.CLOSED


def test_published_round_without_opens_at_is_open_from_the_start():
    assert status_at(datetime(2000, 1, 1, tzinfo=UTC), opens_at=None) is RoundStatus.OPEN


def test_published_round_without_closes_at_stays_open():
    assert status_at(datetime(2100, 1, 1, tzinfo=UTC), closes_at=None) is RoundStatus.OPEN


def test_naive_times_from_sqlite_are_read_as_utc():
    naive_closes = CLOSES.replace(tzinfo=None)
    assert status_at(CLOSES, closes_at=naive_closes) is RoundStatus.CLOSED
    assert status_at(CLOSES - timedelta(seconds=1), closes_at=naive_closes) is RoundStatus.OPEN


def test_naive_now_is_read_as_utc():
    assert status_at(OPENS.replace(tzinfo=None) - timedelta(seconds=1)) is RoundStatus.SCHEDULED


def test_times_in_other_offsets_compare_by_instant():
    # 11:00 at UTC+1 is 10:00 UTC: the opening instant.
    plus_one = timezone(timedelta(hours=1))
    assert status_at(datetime(2026, 11, 27, 11, 0, tzinfo=plus_one)) is RoundStatus.OPEN


def test_status_values_are_the_stored_strings():
    assert [s.value for s in RoundStatus] == ["draft", "scheduled", "open", "closed"]
    assert RoundStatus.OPEN == "open"


def test_quick_durations():
    assert QUICK_DURATIONS == {
        "1h": timedelta(hours=1),
        "1d": timedelta(days=1),
        "3d": timedelta(days=3),
        "1w": timedelta(days=7),
    }


def test_as_utc_reads_naive_as_utc():
    assert as_utc(datetime(2026, 1, 1, 12, 0)) == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert as_utc(datetime(2026, 1, 1, 12, 0)).tzinfo is UTC


def test_as_utc_converts_aware_values_to_utc():
    plus_three = timezone(timedelta(hours=3))
    converted = as_utc(datetime(2026, 1, 1, 12, 0, tzinfo=plus_three))
    assert converted.tzinfo is UTC
    assert converted.replace(tzinfo=None) == datetime(2026, 1, 1, 9, 0)


@pytest.mark.parametrize(
    ("local", "zone", "utc"),
    [
        pytest.param((2026, 1, 15, 12, 0), BERLIN, (2026, 1, 15, 11, 0), id="berlin-winter"),
        pytest.param((2026, 7, 15, 12, 0), BERLIN, (2026, 7, 15, 10, 0), id="berlin-summer"),
        pytest.param((2026, 7, 15, 12, 0), "Europe/Moscow", (2026, 7, 15, 9, 0), id="moscow"),
        pytest.param((2026, 1, 15, 12, 0), NEW_YORK, (2026, 1, 15, 17, 0), id="ny-winter"),
        pytest.param((2026, 7, 15, 12, 0), NEW_YORK, (2026, 7, 15, 16, 0), id="ny-summer"),
        pytest.param((2026, 7, 15, 12, 0), "UTC", (2026, 7, 15, 12, 0), id="utc"),
    ],
)
def test_local_time_converts_to_utc(local, zone, utc):
    converted = local_to_utc(datetime(*local), zone)
    assert converted == datetime(*utc, tzinfo=UTC)
    assert converted.tzinfo is UTC


@pytest.mark.parametrize(
    ("local", "zone", "utc"),
    [
        # The clock skips 02:00-03:00: fold=0 reads 02:30 with the winter offset.
        pytest.param((2026, 3, 29, 2, 30), BERLIN, (2026, 3, 29, 1, 30), id="berlin-gap"),
        # The clock repeats 02:00-03:00: fold=0 picks the first, summer-time 02:30.
        pytest.param((2026, 10, 25, 2, 30), BERLIN, (2026, 10, 25, 0, 30), id="berlin-fold"),
        pytest.param((2026, 3, 8, 2, 30), NEW_YORK, (2026, 3, 8, 7, 30), id="ny-gap"),
        pytest.param((2026, 11, 1, 1, 30), NEW_YORK, (2026, 11, 1, 5, 30), id="ny-fold"),
    ],
)
def test_dst_gaps_and_repeats_use_the_offset_before_the_change(local, zone, utc):
    assert local_to_utc(datetime(*local), zone) == datetime(*utc, tzinfo=UTC)


def test_an_hour_across_spring_forward_is_an_hour_of_real_time():
    before = local_to_utc(datetime(2026, 3, 29, 1, 30), BERLIN)
    after = local_to_utc(datetime(2026, 3, 29, 3, 30), BERLIN)
    assert after - before == timedelta(hours=1)


@pytest.mark.parametrize(
    "zone", ["Mars/Olympus_Mons", "Europe", "", "../etc/passwd", "/etc/localtime"]
)
def test_unknown_time_zone_is_a_value_error(zone):
    with pytest.raises(ValueError, match=f"^unknown time zone: {re.escape(repr(zone))}$"):
        local_to_utc(datetime(2026, 1, 1, 12, 0), zone)


def test_aware_local_time_is_a_value_error():
    with pytest.raises(ValueError, match="^local must be a naive wall-clock time$"):
        local_to_utc(datetime(2026, 1, 1, 12, 0, tzinfo=UTC), BERLIN)


def test_a_repeated_wall_clock_time_means_its_first_occurrence_whatever_fold_it_carries():
    # A browser's datetime-local has no fold; one that arrives with fold=1 must still mean the first 02:30.
    assert local_to_utc(datetime(2026, 10, 25, 2, 30, fold=1), BERLIN) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


class NoOffset(tzinfo):
    """A time zone that does not know its offset: Python treats such a datetime as naive."""

    def utcoffset(self, dt):  # type: ignore[no-untyped-def]
        return None


def test_as_utc_reads_a_time_without_a_known_offset_as_utc_whatever_the_servers_zone(monkeypatch):
    # datetime.astimezone() would read it in the server's own zone instead: make that zone not UTC.
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        assert as_utc(datetime(2026, 1, 1, 12, 0, tzinfo=NoOffset())) == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    finally:
        monkeypatch.undo()
        time.tzset()
