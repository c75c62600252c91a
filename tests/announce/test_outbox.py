"""Every surface that publishes a round or changes its times plans its announcements in the outbox."""
from __future__ import annotations

import io
import json
from datetime import timedelta

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Announcement, Round, User, utcnow
from quizapp.rules.lifecycle import as_utc
from tests.announce.conftest import add_channel
from tests.rounds.test_editor import editor_form

HOUR = timedelta(hours=1)


def outbox() -> dict[tuple[int, str], Announcement]:
    db.session.rollback()
    return {(row.channel_id, row.event): row for row in db.session.scalars(select(Announcement))}


def host() -> User:
    db.session.rollback()
    return db.session.scalar(select(User).where(User.username == "host"))


def only_round() -> Round:
    db.session.rollback()
    return db.session.scalars(select(Round)).one()


def publish(curator, **fields):  # type: ignore[no-untyped-def]
    response = curator.post_form("/curator/rounds/new/facts", "/curator/rounds/new/facts", editor_form(**fields))
    assert response.status_code == 303, response.get_data(as_text=True)
    return only_round()


def test_publishing_plans_each_event_for_the_series_and_site_channels(curator, make, receiver):
    week = make.series(host(), "Week")
    mine, site = add_channel(week, receiver.url), add_channel(None, receiver.url)
    add_channel(make.series(host(), "Another week"), receiver.url)
    round_ = publish(curator, series="Week")
    rows = outbox()
    assert set(rows) == {(channel, event) for channel in (mine.id, site.id)
                         for event in ("round.opened", "round.closing", "round.revealed")}
    closes_at = as_utc(round_.closes_at)
    assert as_utc(rows[mine.id, "round.closing"].due_at) == closes_at - HOUR
    assert as_utc(rows[mine.id, "round.revealed"].due_at) == closes_at
    assert as_utc(rows[mine.id, "round.opened"].due_at) == as_utc(round_.opens_at)


def test_a_draft_plans_nothing(curator, make, receiver):
    add_channel(None, receiver.url)
    curator.post_form("/curator/rounds/new/facts", "/curator/rounds/new/facts", editor_form(action="save"))
    assert outbox() == {}


def test_a_round_shorter_than_the_lead_gets_no_closing_soon(curator, make, receiver):
    site = add_channel(None, receiver.url)
    publish(curator, closes_choice="1h")
    assert (site.id, "round.closing") not in outbox()
    assert (site.id, "round.revealed") in outbox()


def test_extending_moves_the_unsent_closing_and_reveal(curator, make, receiver):
    site = add_channel(None, receiver.url)
    round_ = publish(curator)
    delivery_id = outbox()[site.id, "round.closing"].delivery_id
    page = f"/curator/rounds/{round_.id}/edit"
    response = curator.post_form(page, f"/curator/rounds/{round_.id}/extend",
                                 {"closes_choice": "1w", "closes_at": "", "tz": "UTC"})
    assert response.status_code == 303
    closes_at = as_utc(only_round().closes_at)
    rows = outbox()
    assert as_utc(rows[site.id, "round.closing"].due_at) == closes_at - HOUR
    assert as_utc(rows[site.id, "round.revealed"].due_at) == closes_at
    assert rows[site.id, "round.closing"].delivery_id == delivery_id  # the same announcement, moved


def test_closing_now_skips_closing_soon_and_reveals_at_once(curator, make, receiver):
    site = add_channel(None, receiver.url)
    round_ = make.facts_round(curator=host(), status="open")
    round_.opens_at = utcnow() - timedelta(days=1)
    db.session.commit()
    page = f"/curator/rounds/{round_.id}/edit"
    assert curator.post_form(page, f"/curator/rounds/{round_.id}/close", {}).status_code == 303
    rows = outbox()
    # Both were due at once, so the queue ran them (immediate mode in tests): "closes soon" after the close is overdue.
    assert rows[site.id, "round.closing"].state == "skipped"
    assert rows[site.id, "round.revealed"].state == "sent"
    assert [json.loads(r.body)["event"] for r in receiver.received] == ["round.revealed"]


def test_deleting_a_round_drops_its_announcements(curator, make, receiver):
    add_channel(None, receiver.url)
    round_ = publish(curator, opens_at=(utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    assert outbox()
    page = f"/curator/rounds/{round_.id}/delete"
    assert curator.post_form(page, page, {}).status_code == 303
    assert outbox() == {}


def test_moving_a_round_to_another_series_moves_its_announcements(curator, make, receiver):
    week, other = make.series(host(), "Week"), make.series(host(), "Other")
    mine, theirs = add_channel(week, receiver.url), add_channel(other, receiver.url)
    round_ = publish(curator, series="Week", opens_at=(utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    page = f"/curator/rounds/{round_.id}/edit"
    curator.post_form(page, page, editor_form(series="Other", action="save"))
    assert {channel for channel, _event in outbox()} == {theirs.id}
    assert mine.id not in {channel for channel, _event in outbox()}


ROUNDS_FILE = {"format": "two-truths/rounds@1", "rounds": [
    {"kind": "poll", "title": "Which?", "series": "Week", "closes_at": "2099-01-01T00:00:00Z",
     "opens_at": "2098-12-01T00:00:00Z", "options": [{"text": "A"}, {"text": "B"}]},
    {"kind": "poll", "title": "A draft", "series": "Week", "options": [{"text": "A"}, {"text": "B"}]},
]}


def test_importing_an_upload_plans_the_published_rounds_only(curator, make, receiver):
    site = add_channel(None, receiver.url)
    data = {"file": (io.BytesIO(json.dumps(ROUNDS_FILE).encode()), "rounds.json")}
    response = curator.post_form("/curator/import", "/curator/import", data, content_type="multipart/form-data")
    assert response.status_code == 303
    rows = outbox()
    assert {event for _channel, event in rows} == {"round.opened", "round.closing", "round.revealed"}
    assert {row.round.title for row in rows.values()} == {"Which?"}
    assert all(channel == site.id for channel, _event in rows)


def test_importing_on_the_command_line_plans_announcements(app, make, runner, receiver, tmp_path):
    curator = make.user("host", curator=True)
    week = make.series(curator, "Week")
    channel = add_channel(week, receiver.url)
    path = tmp_path / "rounds.json"
    path.write_text(json.dumps(ROUNDS_FILE))
    result = runner.invoke(args=["import-rounds", str(path), "--curator", "host"])
    assert result.exit_code == 0, result.output
    assert {key for key in outbox()} == {(channel.id, event)
                                         for event in ("round.opened", "round.closing", "round.revealed")}
