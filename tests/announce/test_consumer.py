"""The real consumer process, on SQLite and on Redis: announcements on time, once each, through faults."""
from __future__ import annotations

import json
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


def test_each_receiver_gets_opened_and_revealed_once_on_time(consumer, make):
    with serving(Receiver()) as steady, serving(Receiver(script=[(500, {}, b""), (500, {}, b"")])) as flaky:
        week = make.series(make.user(curator=True), "Week")
        add_channel(week, steady.url + "/steady")
        add_channel(None, flaky.url + "/flaky")
        # Long enough for the flaky receiver's retries: an opening announced after the reveal would be skipped.
        round_ = scheduled_round(make, opens_in=1, closes_in=7, series=week)
        scheduled_round(make, opens_in=1, closes_in=7, published=False, series=week)
        wait_until(lambda: len(steady.received) == 2 and len(flaky.received) == 4 and all_sent())
        time.sleep(1.5)  # nothing more comes
    for receiver in (steady, flaky):
        sent = [got for got in receiver.received if got.status == 200]
        assert [got.json()["event"] for got in sent] == ["round.opened", "round.revealed"]
        assert {got.json()["round"]["id"] for got in sent} == {round_.id}
        assert sent[0].json()["round"]["url"] == f"{PUBLIC_URL}/rounds/{round_.id}?lang=en"
        # The first attempt at each comes on time (the flaky receiver's last one a few retry delays later).
        opened, revealed = (min(got.at for got in receiver.received if got.json()["event"] == event)
                            for event in ("round.opened", "round.revealed"))
        assert as_utc(round_.opens_at) <= opened < as_utc(round_.opens_at) + ON_TIME
        assert as_utc(round_.closes_at) <= revealed < as_utc(round_.closes_at) + ON_TIME
    assert [got.status for got in flaky.received] == [500, 500, 200, 200]
