"""Sending announcements to local stand-ins for Telegram, Discord, Slack and a webhook receiver."""
from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import pytest

from quizapp.announce import addresses
from quizapp.announce.delivery import deliver, due_soon
from quizapp.announce.outbox import plan_round
from quizapp.extensions import db
from quizapp.models import Announcement, Round, utcnow
from quizapp.rules.lifecycle import as_utc
from tests.announce.conftest import PUBLIC_URL, add_channel
from tests.announce.receivers import Receiver, serving


def planned(round_: Round) -> dict[str, Announcement]:
    """Plan the round's announcements and commit them, without queueing anything."""
    rows = plan_round(round_)
    db.session.commit()
    return {row.event: row for row in rows}


def state(row_id: int) -> Announcement:
    db.session.rollback()
    return db.session.get(Announcement, row_id)


def opened_round(make, series=None, title="Ten facts"):  # type: ignore[no-untyped-def]
    round_ = make.facts_round(title=title)
    if series is not None:
        round_.series = series
        db.session.commit()
    return round_


def test_a_webhook_gets_the_documented_json_signed_with_its_secret(make, receiver):
    channel = add_channel(None, receiver.url + "/hook", secret="k3y")
    round_ = opened_round(make)
    row = planned(round_)["round.opened"]
    deliver(row.id, utcnow())
    [got] = receiver.received
    expected = "sha256=" + hmac.new(b"k3y", got.body, hashlib.sha256).hexdigest()
    assert got.path == "/hook"
    assert got.headers["X-TwoTruths-Signature"] == expected
    assert got.headers["X-TwoTruths-Delivery"] == row.delivery_id
    body = got.json()
    assert body["event"] == "round.opened"
    assert body["occurred_at"] == as_utc(round_.opens_at).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert body["round"] == {"id": round_.id, "kind": "facts", "title": "Ten facts",
                             "url": f"{PUBLIC_URL}/rounds/{round_.id}?lang=en",
                             "opens_at": body["round"]["opens_at"], "closes_at": body["round"]["closes_at"],
                             "series": None}
    assert state(row.id).state == "sent" and state(row.id).attempts == 1
    assert channel.id == state(row.id).channel_id


def test_telegram_gets_send_message_with_the_chat_and_a_line_in_the_channels_language(app, make, receiver):
    app.config["TELEGRAM_API_URL"] = receiver.url
    add_channel(None, "", kind="telegram", secret="123:ABC", chat_id="@quiz", language="ru")
    round_ = opened_round(make)
    deliver(planned(round_)["round.opened"].id, utcnow())
    [got] = receiver.received
    assert got.path == "/bot123:ABC/sendMessage"
    assert got.json()["chat_id"] == "@quiz"
    assert got.json()["text"].startswith("Новый раунд: Ten facts")
    assert f"{PUBLIC_URL}/rounds/{round_.id}?lang=ru" in got.json()["text"]


@pytest.mark.parametrize(("kind", "key"), [("discord", "content"), ("slack", "text")])
def test_discord_and_slack_get_the_line_with_the_reveal_link(make, receiver, kind, key):
    series = make.series(make.user(curator=True), "Week of Ann")
    add_channel(series, receiver.url + "/services/T/B/x", kind=kind, secret="")
    round_ = opened_round(make, series)
    row = planned(round_)["round.revealed"]
    deliver(row.id, as_utc(round_.closes_at))
    [got] = receiver.received
    assert got.json() == {key: f"The reveal is up: Week of Ann: Ten facts. See what everyone guessed: "
                               f"{PUBLIC_URL}/rounds/{round_.id}/reveal?lang=en"}


def test_a_receiver_answering_500_twice_gets_it_on_the_third_attempt_once(make):
    with serving(Receiver(script=[(500, {}, b"down"), (503, {}, b"down")])) as receiver:
        add_channel(None, receiver.url)
        row = planned(opened_round(make))["round.opened"]
        now = utcnow()
        first = deliver(row.id, now)
        assert first == now + timedelta(seconds=1)  # ANNOUNCE_RETRY_DELAYS = [1, 2, 4] in these tests
        assert deliver(row.id, now) == first  # not before its retry time: the task is put back for then
        second = deliver(row.id, first)
        assert second == first + timedelta(seconds=2)
        assert deliver(row.id, second) is None
        assert deliver(row.id, second + timedelta(seconds=9)) is None  # already sent: nothing more
    assert len(receiver.received) == 3
    assert {got.headers["X-TwoTruths-Delivery"] for got in receiver.received} == {row.delivery_id}
    assert state(row.id).state == "sent" and state(row.id).attempts == 3
    assert state(row.id).last_error == "HTTP 503: down"


def test_429_waits_as_long_as_retry_after_says(make):
    with serving(Receiver(script=[(429, {"Retry-After": "30"}, b"slow down")])) as receiver:
        add_channel(None, receiver.url)
        row = planned(opened_round(make))["round.opened"]
        now = utcnow()
        assert deliver(row.id, now) == now + timedelta(seconds=30)


def test_telegrams_retry_after_in_the_body_is_honoured(app, make):
    body = b'{"ok": false, "error_code": 429, "parameters": {"retry_after": 12}}'
    with serving(Receiver(script=[(429, {}, body)])) as receiver:
        app.config["TELEGRAM_API_URL"] = receiver.url
        add_channel(None, "", kind="telegram", secret="1:A", chat_id="@q")
        row = planned(opened_round(make))["round.opened"]
        now = utcnow()
        assert deliver(row.id, now) == now + timedelta(seconds=12)


def test_a_permanent_4xx_stops_at_once(make):
    with serving(Receiver(script=[(404, {}, b"no such webhook")])) as receiver:
        add_channel(None, receiver.url)
        row = planned(opened_round(make))["round.opened"]
        assert deliver(row.id, utcnow()) is None
    assert state(row.id).state == "failed"
    assert state(row.id).last_error == "HTTP 404: no such webhook"


def test_retries_stop_after_the_last_delay(make):
    with serving(Receiver(default=(502, {}, b""))) as receiver:
        add_channel(None, receiver.url)
        row = planned(opened_round(make))["round.opened"]
        moment = utcnow()
        while (again := deliver(row.id, moment)) is not None:
            moment = again
    assert len(receiver.received) == 4  # one attempt, then one after each of the three delays
    assert state(row.id).state == "failed"


def test_a_receiver_that_is_down_is_retried(make):
    with serving(Receiver()) as receiver:
        url = receiver.url
    add_channel(None, url)  # nothing listens there any more
    row = planned(opened_round(make))["round.opened"]
    now = utcnow()
    assert deliver(row.id, now) == now + timedelta(seconds=1)
    assert state(row.id).last_error.startswith("no answer")


def test_a_task_run_before_its_row_is_due_is_put_back_for_then(make, receiver):
    add_channel(None, receiver.url)
    round_ = make.facts_round(status="scheduled")
    row = planned(round_)["round.opened"]
    opens_at = as_utc(round_.opens_at)
    assert deliver(row.id, opens_at - timedelta(seconds=1)) == opens_at
    assert receiver.received == []


def test_a_claimed_row_is_not_sent_by_a_second_consumer(make, receiver):
    add_channel(None, receiver.url)
    row = planned(opened_round(make))["round.opened"]
    now = utcnow()
    db.session.execute(
        Announcement.__table__.update().where(Announcement.id == row.id).values(claimed_until=now + timedelta(seconds=3))
    )
    db.session.commit()
    assert deliver(row.id, now) is None
    assert receiver.received == []
    assert due_soon(now) == [(row.id, now + timedelta(seconds=3))]  # the sweep tries again when the claim runs out
    deliver(row.id, now + timedelta(seconds=3))
    assert len(receiver.received) == 1


def test_a_row_whose_round_times_changed_without_planning_is_skipped(make, receiver):
    add_channel(None, receiver.url)
    round_ = opened_round(make)
    row = planned(round_)["round.closing"]
    round_.closes_at = as_utc(round_.closes_at) + timedelta(days=1)  # as a surface that forgot to plan would
    db.session.commit()
    deliver(row.id, as_utc(row.due_at))
    assert receiver.received == []
    assert state(row.id).state == "skipped"


def test_an_opening_announced_after_the_reveal_is_skipped(make, receiver):
    add_channel(None, receiver.url)
    round_ = opened_round(make)
    row = planned(round_)["round.opened"]
    deliver(row.id, as_utc(round_.closes_at))
    assert receiver.received == []
    assert state(row.id).state == "skipped"


def test_the_sweep_finds_rows_due_within_a_minute_and_not_later(make, receiver):
    add_channel(None, receiver.url)
    round_ = make.facts_round(status="scheduled")
    rows = planned(round_)
    opens_at = as_utc(round_.opens_at)
    assert due_soon(opens_at - timedelta(minutes=2)) == []
    assert due_soon(opens_at - timedelta(seconds=30)) == [(rows["round.opened"].id, opens_at)]


def test_a_webhook_that_now_resolves_to_a_private_address_is_refused_at_delivery(app, make, receiver, monkeypatch):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    add_channel(None, "https://hooks.example.org/x")
    row = planned(opened_round(make))["round.opened"]
    monkeypatch.setattr(addresses, "resolve", lambda host, port: ["10.0.0.7"])
    assert deliver(row.id, utcnow()) is None
    assert state(row.id).state == "failed"
    assert "private" in state(row.id).last_error


def test_every_address_of_a_name_must_be_public(app, monkeypatch):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    with app.test_request_context():
        monkeypatch.setattr(addresses, "resolve", lambda host, port: ["93.184.215.14", "127.0.0.1"])
        assert addresses.url_problem("https://hooks.example.org/x") is not None
        monkeypatch.setattr(addresses, "resolve", lambda host, port: ["93.184.215.14"])
        assert addresses.url_problem("https://hooks.example.org/x") is None
        assert addresses.url_problem("ftp://hooks.example.org/x") is not None
        assert addresses.url_problem("https://user:pw@hooks.example.org/x") is not None


def test_a_delivery_goes_to_the_address_checked_not_to_a_second_lookup(make, receiver, monkeypatch):
    port = receiver.url.rsplit(":", 1)[1]
    add_channel(None, f"http://receiver.example.test:{port}/hook")  # a name no real resolver knows
    row = planned(opened_round(make))["round.opened"]
    monkeypatch.setattr(addresses, "resolve", lambda host, port: ["127.0.0.1"])
    deliver(row.id, utcnow())
    [got] = receiver.received
    assert got.headers["Host"] == f"receiver.example.test:{port}"
    assert state(row.id).state == "sent"


def test_a_name_that_does_not_resolve_is_retried(make, monkeypatch):
    add_channel(None, "https://hooks.example.test/x")
    row = planned(opened_round(make))["round.opened"]

    def no_such_name(host, port):  # type: ignore[no-untyped-def]
        raise OSError("Name or service not known")

    monkeypatch.setattr(addresses, "resolve", no_such_name)
    now = utcnow()
    assert deliver(row.id, now) == now + timedelta(seconds=1)
    assert "can't be found" in state(row.id).last_error
