"""The channels page: curators keep their series' channels and the site's; secrets are never shown back."""
from __future__ import annotations

from sqlalchemy import select

from quizapp.announce.delivery import deliver
from quizapp.announce.outbox import plan_round
from quizapp.extensions import db
from quizapp.models import Channel, User, utcnow
from tests.announce.conftest import add_channel
from tests.announce.receivers import Receiver, serving

PAGE = "/curator/channels/"


def host() -> User:
    db.session.rollback()
    return db.session.scalar(select(User).where(User.username == "host"))


def channels() -> list[Channel]:
    db.session.rollback()
    return list(db.session.scalars(select(Channel).order_by(Channel.id)))


def add(curator, **fields):  # type: ignore[no-untyped-def]
    data = {"target": "site", "kind": "webhook", "url": "", "secret": "", "chat_id": "", "language": "en"} | fields
    return curator.post_form(PAGE, PAGE, data)


def test_a_curator_adds_a_webhook_to_their_series_and_sees_its_secret_once(curator, make, receiver):
    series = make.series(host(), "Week of Ann")
    response = add(curator, target=str(series.id), url=receiver.url + "/hook")
    assert response.status_code == 303
    [channel] = channels()
    assert channel.series_id == series.id and channel.url == receiver.url + "/hook"
    first = curator.get(PAGE).get_data(as_text=True)
    assert channel.secret in first  # flashed once
    assert channel.secret not in curator.get(PAGE).get_data(as_text=True)


def test_a_telegram_token_is_never_shown_back(curator, make):
    response = add(curator, kind="telegram", secret="123456:VERYSECRETTOKEN", chat_id="@quiz")
    assert response.status_code == 303
    page = curator.get(PAGE).get_data(as_text=True)
    assert "@quiz" in page and "…OKEN" in page
    assert "VERYSECRETTOKEN" not in page


def test_bad_input_comes_back_with_messages_by_the_fields(curator, app):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    private = add(curator, url="http://127.0.0.1:8080/")
    assert private.status_code == 422
    assert "private, loopback or link-local" in private.get_data(as_text=True)
    telegram = add(curator, kind="telegram")
    assert telegram.status_code == 422 and "bot&#39;s token" in telegram.get_data(as_text=True)
    assert add(curator, kind="sms", url="https://x.example").status_code == 422
    assert add(curator, target="999", url="https://x.example").status_code == 422  # not one of the curator's series
    assert add(curator, url="x" * 600).status_code == 422
    assert channels() == []


def test_another_curators_series_channel_can_be_neither_seen_nor_removed(curator, make, receiver):
    other = make.user("other", curator=True)
    theirs = add_channel(make.series(other, "Their week"), receiver.url + "/theirs")
    assert "/theirs" not in curator.get(PAGE).get_data(as_text=True)
    response = curator.post_form(PAGE, f"/curator/channels/{theirs.id}/remove", {})
    assert response.status_code == 403
    assert len(channels()) == 1


def test_removing_a_channel(curator, receiver):
    channel_id = add_channel(None, receiver.url).id
    response = curator.post_form(PAGE, f"/curator/channels/{channel_id}/remove", {})
    assert response.status_code == 303
    assert channels() == []
    assert curator.post_form(PAGE, f"/curator/channels/{channel_id}/remove", {}).status_code == 404


def test_each_channel_shows_its_recent_deliveries_and_last_error(curator, make):
    with serving(Receiver(script=[(500, {}, b"receiver exploded")])) as receiver:
        channel = add_channel(None, receiver.url)
        round_ = make.facts_round(curator=host(), title="Ten facts about Ann")
        rows = {row.event: row for row in plan_round(round_)}
        db.session.commit()
        deliver(rows["round.opened"].id, utcnow())
    page = curator.get(PAGE).get_data(as_text=True)
    assert f'id="channel-{channel.id}"' in page
    assert "Ten facts about Ann" in page and "retrying" in page
    assert "HTTP 500: receiver exploded" in page


def test_players_may_not_manage_channels(new_player):
    assert new_player("ann").get(PAGE).status_code == 403


def test_the_page_in_russian(curator, receiver):
    add_channel(None, receiver.url)
    page = curator.get(PAGE, headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Объявления" in page and "Добавить канал" in page




def test_send_a_test_queues_it_and_the_page_shows_how_it_went(curator):
    with serving(Receiver(script=[(200, {}, b""), (403, {}, b"bot was kicked")])) as receiver:
        channel_id = add_channel(None, receiver.url, secret="k").id
        # Tests run tasks at once; with a consumer the page shows the outcome once it has run.
        assert curator.post_form(PAGE, f"/curator/channels/{channel_id}/test", {}).status_code == 303
        assert "Test message delivered" in curator.get(PAGE).get_data(as_text=True)
        curator.post_form(PAGE, f"/curator/channels/{channel_id}/test", {})
        page = curator.get(PAGE).get_data(as_text=True)
    assert [got.json()["event"] for got in receiver.received] == ["channel.test", "channel.test"]
    assert "Test failed" in page and "HTTP 403: bot was kicked" in page


def test_the_page_reads_every_channels_deliveries_at_once(curator, make):
    """However many channels and deliveries it lists, the page runs the same queries."""
    from tests.statements import Statements

    def queries_with(count: int) -> int:
        for _ in range(count):
            channel = add_channel(None, "https://hooks.example/hook")
            round_ = make.facts_round(curator=host(), title="Ten facts about Ann")
            for row in plan_round(round_):
                if row.channel_id == channel.id:
                    row.state, row.attempts = "sent", 1
            db.session.commit()
        curator.get(PAGE)  # templates compiled
        with Statements() as seen:
            page = curator.get(PAGE).get_data(as_text=True)
        assert page.count("Ten facts about Ann") >= count
        return seen.count

    assert queries_with(1) == queries_with(3)
