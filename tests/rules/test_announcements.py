"""When announcements are due, which still go out, retry delays, and which addresses count as public."""
from datetime import UTC, datetime, timedelta

import pytest

from quizapp.rules.announcements import (
    Event,
    Verdict,
    is_public_address,
    mask_secret,
    planned_events,
    retry_delay,
    verdict,
)

OPENS = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def plan(closes_after=timedelta(days=1), published=True):
    return planned_events(published, OPENS, OPENS + closes_after, HOUR)


def test_a_published_round_announces_its_opening_closing_soon_and_reveal():
    assert plan() == {Event.OPENED: OPENS, Event.CLOSING: OPENS + timedelta(hours=23),
                      Event.REVEALED: OPENS + timedelta(days=1)}


def test_a_draft_announces_nothing():
    assert plan(published=False) == {}
    assert planned_events(True, OPENS, None, HOUR) == {}


def test_a_round_no_longer_than_the_lead_gets_no_closing_soon():
    assert Event.CLOSING not in plan(closes_after=HOUR)
    assert Event.CLOSING in plan(closes_after=HOUR + timedelta(seconds=1))


def test_naive_times_are_read_as_utc():
    naive = planned_events(True, OPENS.replace(tzinfo=None), (OPENS + HOUR).replace(tzinfo=None), HOUR)
    assert naive[Event.OPENED] == OPENS


def test_an_announcement_waits_for_its_time_then_is_sent():
    planned = plan()
    assert verdict(Event.OPENED, OPENS, planned, OPENS - timedelta(seconds=1)) is Verdict.WAIT
    assert verdict(Event.OPENED, OPENS, planned, OPENS) is Verdict.SEND


def test_an_announcement_planned_for_other_times_is_stale():
    extended = plan(closes_after=timedelta(days=2))
    old_closing = OPENS + timedelta(hours=23)
    assert verdict(Event.CLOSING, old_closing, extended, old_closing) is Verdict.STALE
    assert verdict(Event.CLOSING, OPENS + timedelta(hours=47), extended, OPENS + timedelta(hours=47)) is Verdict.SEND


def test_nothing_is_sent_for_a_round_that_became_a_draft():
    assert verdict(Event.OPENED, OPENS, {}, OPENS) is Verdict.STALE


def test_closing_soon_after_the_close_and_opened_after_the_reveal_are_overdue():
    planned = plan()
    reveal = OPENS + timedelta(days=1)
    assert verdict(Event.CLOSING, reveal - HOUR, planned, reveal) is Verdict.OVERDUE
    assert verdict(Event.OPENED, OPENS, planned, reveal) is Verdict.OVERDUE
    assert verdict(Event.OPENED, OPENS, planned, reveal - timedelta(seconds=1)) is Verdict.SEND


def test_a_late_reveal_is_still_announced():
    planned = plan()
    assert verdict(Event.REVEALED, OPENS + timedelta(days=1), planned, OPENS + timedelta(days=9)) is Verdict.SEND


@pytest.mark.parametrize(("attempts", "expected"), [(1, 5.0), (2, 15.0), (3, 60.0), (4, None), (0, None)])
def test_retries_back_off_then_stop(attempts, expected):
    assert retry_delay(attempts, [5, 15, 60]) == expected


def test_retry_after_is_honoured_when_longer_than_the_backoff_up_to_a_limit():
    assert retry_delay(1, [5, 15], retry_after=30) == 30
    assert retry_delay(1, [5, 15], retry_after=2) == 5
    assert retry_delay(1, [5, 15], retry_after=10**9, longest=600) == 600


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "192.168.0.1", "172.16.5.4", "169.254.169.254",
                                     "::1", "fe80::1", "fc00::1", "0.0.0.0", "::ffff:127.0.0.1", "100.64.0.1",
                                     "224.0.0.1"])
def test_private_loopback_and_link_local_addresses_are_not_public(address):
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::1111", "::ffff:8.8.8.8"])
def test_internet_addresses_are_public(address):
    assert is_public_address(address)


def test_a_secret_shows_only_its_last_four_characters():
    assert mask_secret("123456:ABCDEFGHijkl") == "…ijkl"
    assert mask_secret("short") == "…"
    assert mask_secret("") == ""
