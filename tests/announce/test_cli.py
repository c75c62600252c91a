"""`flask --app quizapp channels add|list|test|remove`."""
from __future__ import annotations

import hashlib
import hmac
import re

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Announcement, Channel
from tests.announce.receivers import Receiver, serving


def channels() -> list[Channel]:
    db.session.rollback()
    return list(db.session.scalars(select(Channel).order_by(Channel.id)))


def test_add_a_webhook_to_a_series_by_name_with_a_made_up_secret(runner, make, receiver):
    curator = make.user("ann", curator=True)
    series = make.series(curator, "Week of Ann")
    result = runner.invoke(args=["channels", "add", "--series", "Week of Ann", "--kind", "webhook",
                                 "--url", receiver.url, "--language", "ru"])
    assert result.exit_code == 0, result.output
    [channel] = channels()
    assert (channel.series_id, channel.kind, channel.url, channel.language) == (series.id, "webhook", receiver.url, "ru")
    assert re.search(r"shown this once: ([0-9a-f]{64})", result.output).group(1) == channel.secret


def test_add_a_site_telegram_channel_whose_token_is_never_listed_in_full(runner):
    result = runner.invoke(args=["channels", "add", "--site", "--kind", "telegram", "--secret", "123456:SECRETTOKEN",
                                 "--chat", "@quiz"])
    assert result.exit_code == 0, result.output
    listed = runner.invoke(args=["channels", "list"]).output
    assert "@quiz" in listed and "site" in listed and "…OKEN" in listed
    assert "SECRETTOKEN" not in listed


def test_a_name_shared_by_several_curators_series_is_refused_as_ambiguous(runner, make, receiver):
    first, second = make.series(make.user(curator=True), "Week"), make.series(make.user(curator=True), "Week")
    result = runner.invoke(args=["channels", "add", "--series", "Week", "--kind", "slack", "--url", receiver.url])
    assert result.exit_code == 1
    assert "several curators" in result.output and f"{first.id}" in result.output and f"{second.id}" in result.output
    assert channels() == []
    by_id = runner.invoke(args=["channels", "add", "--series", str(second.id), "--kind", "slack", "--url", receiver.url])
    assert by_id.exit_code == 0, by_id.output


def test_bad_input_gets_a_clear_message(runner, make, app):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    cases = [
        (["--site", "--series", "1", "--kind", "slack", "--url", "https://x.example"], "either --series"),
        (["--kind", "slack", "--url", "https://x.example"], "either --series"),
        (["--series", "Nope", "--kind", "slack", "--url", "https://x.example"], "no series named"),
        (["--series", "99", "--kind", "slack", "--url", "https://x.example"], "no series with id 99"),
        (["--site", "--kind", "webhook", "--url", "ftp://x.example"], "--url: The address must start"),
        (["--site", "--kind", "webhook", "--url", "http://127.0.0.1:9/"], "private, loopback or link-local"),
        (["--site", "--kind", "telegram"], "bot's token"),
        (["--site", "--kind", "slack", "--url", "https://x.example", "--language", "fr"], "languages"),
    ]
    for args, message in cases:
        result = runner.invoke(args=["channels", "add", *args])
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output
    assert runner.invoke(args=["channels", "add", "--site", "--kind", "sms", "--url", "x"]).exit_code == 2
    assert channels() == []


def test_test_sends_a_signed_message_and_reports_a_failure(runner, receiver):
    runner.invoke(args=["channels", "add", "--site", "--kind", "webhook", "--url", receiver.url, "--secret", "k"])
    [channel] = channels()
    result = runner.invoke(args=["channels", "test", str(channel.id)])
    assert result.exit_code == 0, result.output
    [got] = receiver.received
    assert got.json()["event"] == "channel.test"
    assert got.headers["X-TwoTruths-Signature"] == "sha256=" + hmac.new(b"k", got.body, hashlib.sha256).hexdigest()
    with serving(Receiver(default=(410, {}, b"gone"))) as gone:
        runner.invoke(args=["channels", "add", "--site", "--kind", "slack", "--url", gone.url])
        failed = runner.invoke(args=["channels", "test", str(channels()[-1].id)])
    assert failed.exit_code == 1 and "HTTP 410: gone" in failed.output
    assert runner.invoke(args=["channels", "test", "99"]).exit_code == 1


def test_remove_takes_the_channel_and_its_announcements(runner, make, receiver):
    make.facts_round(status="scheduled")
    runner.invoke(args=["channels", "add", "--site", "--kind", "slack", "--url", receiver.url])
    [channel] = channels()
    db.session.rollback()
    assert db.session.scalars(select(Announcement)).all()  # the scheduled round is announced on the new channel
    result = runner.invoke(args=["channels", "remove", str(channel.id)])
    assert result.exit_code == 0, result.output
    assert channels() == []
    assert db.session.scalars(select(Announcement)).all() == []
    assert runner.invoke(args=["channels", "remove", str(channel.id)]).exit_code == 1
