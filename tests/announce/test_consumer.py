"""The real consumer process, on SQLite and on Redis: announcements on time, once each, through faults."""
from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from quizapp.announce.outbox import plan_round
from quizapp.extensions import db
from quizapp.models import Announcement, Round, utcnow
from quizapp.rules.lifecycle import as_utc
from quizapp.tasks import wake
from tests.announce.conftest import PUBLIC_URL, add_channel
from tests.announce.consumer import Consumer, free_port, redis_or_skip, wait_until
from tests.announce.receivers import Receiver, serving
from tests.conftest import POSTGRES_URL, build_test_app, empty_schema

SETTINGS = {
    "WEBHOOK_ALLOW_PRIVATE": True,
    "PUBLIC_URL": PUBLIC_URL,
    "ANNOUNCE_RETRY_DELAYS": [1] * 20,
    "ANNOUNCE_TIMEOUT_SECONDS": 1.5,
    "ANNOUNCE_CLAIM_SECONDS": 2,
    "ANNOUNCE_CLOSING_LEAD_SECONDS": 2,
}
ON_TIME = timedelta(seconds=3)  # the scheduler looks once a second; a delivery takes milliseconds


@pytest.fixture(params=["sqlite", "redis"])
def tasks_url(request, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "redis":
        return redis_or_skip()
    return f"sqlite:///{tmp_path / 'tasks.sqlite'}"


@pytest.fixture
def settings(tasks_url: str, tmp_path) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {**SETTINGS, "TASKS_URL": tasks_url, "TASKS_NAME": f"test-announce-{uuid.uuid4().hex[:8]}"}


@pytest.fixture
def app(settings, tmp_path) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    url = POSTGRES_URL or f"sqlite:///{tmp_path / 'test.sqlite'}"
    with empty_schema(build_test_app(url, CARD_CACHE_FOLDER=tmp_path / "cards", **settings)) as app:
        yield app
        app.extensions["huey"].storage.flush_all()  # only this test's queue: its name is its own


@pytest.fixture
def consumer(app: Flask, settings, tmp_path) -> Iterator[Consumer]:  # type: ignore[no-untyped-def]
    env = {f"QUIZAPP_{key}": value if isinstance(value, str) else json.dumps(value) for key, value in settings.items()}
    env |= {"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "QUIZAPP_SECRET_KEY": "test-secret",
            "QUIZAPP_RATELIMIT_STORAGE_URI": "memory://"}
    running = Consumer(env, tmp_path / "consumer.log").start()
    yield running
    running.stop()


def scheduled_round(make, opens_in: float, closes_in: float, *, published: bool = True, series=None) -> Round:  # type: ignore[no-untyped-def]
    """A round opening and closing so many seconds from now, announced as the editor would."""
    round_ = make.facts_round(status="open" if published else "draft")
    round_.series = series
    now = utcnow()
    round_.opens_at, round_.closes_at = now + timedelta(seconds=opens_in), now + timedelta(seconds=closes_in)
    rows = plan_round(round_)
    db.session.commit()
    wake(rows)
    return round_


def all_sent() -> bool:
    db.session.rollback()
    return all(row.state == "sent" for row in db.session.scalars(select(Announcement)))


def test_each_receiver_gets_opened_closing_and_revealed_once_on_time(consumer, make):
    with serving(Receiver()) as steady, serving(Receiver(script=[(500, {}, b""), (500, {}, b"")])) as flaky:
        week = make.series(make.user(curator=True), "Week")
        add_channel(week, steady.url + "/steady")
        add_channel(None, flaky.url + "/flaky")
        # Long enough for the flaky receiver's retries: an opening announced after the reveal would be skipped.
        round_ = scheduled_round(make, opens_in=1, closes_in=7, series=week)
        scheduled_round(make, opens_in=1, closes_in=7, published=False, series=week)
        wait_until(lambda: len(steady.received) == 3 and len(flaky.received) == 5 and all_sent())
        time.sleep(1.5)  # nothing more comes
    events = ["round.opened", "round.closing", "round.revealed"]
    for receiver in (steady, flaky):
        sent = [got for got in receiver.received if got.status == 200]
        assert sorted(got.json()["event"] for got in sent) == sorted(events)
        assert {got.json()["round"]["id"] for got in sent} == {round_.id}
        assert sent[0].json()["round"]["url"] == f"{PUBLIC_URL}/rounds/{round_.id}?lang=en"
        # The first attempt at each comes on time (the flaky receiver's last one a few retry delays later).
        first = {event: min(got.at for got in receiver.received if got.json()["event"] == event) for event in events}
        due = {"round.opened": as_utc(round_.opens_at), "round.closing": as_utc(round_.closes_at) - timedelta(seconds=2),
               "round.revealed": as_utc(round_.closes_at)}
        for event in events:
            assert due[event] <= first[event] < due[event] + ON_TIME, event
    assert sorted(got.status for got in flaky.received) == [200, 200, 200, 500, 500]


SQLITE_ONLY = pytest.mark.parametrize("tasks_url", ["sqlite"], indirect=True)


@SQLITE_ONLY
def test_a_receiver_down_then_back_gets_the_announcement_once(consumer, make):
    port = free_port()
    add_channel(None, f"http://127.0.0.1:{port}/hook")
    round_ = scheduled_round(make, opens_in=0, closes_in=60)
    wait_until(lambda: attempts_of(round_, "round.opened") >= 2)  # refused, then retried
    with serving(Receiver(), port=port) as back:
        wait_until(lambda: state_of(round_, "round.opened") == "sent")
        time.sleep(1.5)
    assert [got.json()["event"] for got in back.received] == ["round.opened"]


@SQLITE_ONLY
def test_a_round_extended_after_its_closing_soon_was_queued_is_announced_at_the_new_time_only(app, consumer, make,
                                                                                              receiver):
    add_channel(None, receiver.url)
    round_ = scheduled_round(make, opens_in=-30, closes_in=4)  # closing soon queued for 2 s from now (lead 2 s)
    round_.closes_at = as_utc(round_.closes_at) + timedelta(seconds=3)  # extended, as the extend button does
    rows = plan_round(round_)
    db.session.commit()
    wake(rows)
    moved_to = as_utc(round_.closes_at) - timedelta(seconds=2)
    wait_until(lambda: any(got.json()["event"] == "round.closing" for got in receiver.received))
    time.sleep(1.5)
    closings = [got for got in receiver.received if got.json()["event"] == "round.closing"]
    assert len(closings) == 1
    assert moved_to <= closings[0].at < moved_to + ON_TIME


@SQLITE_ONLY
def test_a_consumer_killed_mid_delivery_delivers_after_a_restart_with_the_same_delivery_id(consumer, make):
    hold = threading.Event()
    with serving(Receiver(hold=hold)) as slow:
        add_channel(None, slow.url)
        round_ = scheduled_round(make, opens_in=0, closes_in=60)
        assert slow.arrived.wait(10)
        consumer.kill()  # while the receiver still holds the delivery unanswered
        hold.set()
        consumer.start()
        wait_until(lambda: state_of(round_, "round.opened") == "sent")
    opened = [got for got in slow.received if got.json()["event"] == "round.opened"]
    assert len(opened) == 2
    assert len({got.headers["X-TwoTruths-Delivery"] for got in opened}) == 1  # the receiver can tell the repeat


def state_of(round_: Round, event: str) -> str | None:
    db.session.rollback()
    return db.session.scalar(select(Announcement.state).where(Announcement.round_id == round_.id,
                                                              Announcement.event == event))


def attempts_of(round_: Round, event: str) -> int:
    db.session.rollback()
    return db.session.scalar(select(Announcement.attempts).where(Announcement.round_id == round_.id,
                                                                 Announcement.event == event)) or 0


@SQLITE_ONLY
def test_publishing_queues_the_announcements_and_never_waits_on_the_receiver(app, curator, make):
    from tests.rounds.test_editor import editor_form

    hold = threading.Event()
    with serving(Receiver(hold=hold)) as slow:
        add_channel(None, slow.url)
        new = "/curator/rounds/new/facts"
        response = curator.post_form(new, new, editor_form())  # opens now: its announcement is due at once
        received = list(slow.received)
        hold.set()
    assert response.status_code == 303
    assert received == []  # no consumer runs here, and the request sent nothing itself
    assert app.extensions["huey"].pending_count() == 3  # opened, closing soon, revealed: queued for the consumer
    assert state_of(db.session.scalars(select(Round)).one(), "round.opened") == "pending"
