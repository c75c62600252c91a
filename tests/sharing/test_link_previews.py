"""Link previews: every shareable page unfurls, for a crawler with no cookie, into tags and a card image."""
from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from io import BytesIO

import pytest
from PIL import Image

from quizapp.extensions import db
from quizapp.models import Round, Series, utcnow

TELEGRAM = {"User-Agent": "TelegramBot (like TwitterBot)"}
TWITTER = {"User-Agent": "Twitterbot/1.0"}
# Russian statements, one with a combining acute accent (U+0301) as the community writes stress marks.
STATEMENTS = ["Я родила́сь в Казани", "Я прыгала с парашютом", "Я говорю по-японски", "У меня три кошки"]
TAG = re.compile(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"')


def tags(html: str) -> dict[str, str]:
    return {name: unescape(value) for name, value in TAG.findall(html)}


def feed_links(html: str) -> list[str]:
    return [unescape(href) for href in
            re.findall(r'<link rel="alternate" type="application/atom\+xml" title="[^"]*" href="([^"]+)"', html)]


def local(url: str) -> str:
    """The path and query of an absolute URL the test app built (http://localhost/...)."""
    return url.removeprefix("http://localhost")


@pytest.fixture
def world(app, make):  # type: ignore[no-untyped-def]
    host = make.user("арсений", curator=True)
    series = Series(curator_id=host.id, title="Неделя Арсения")
    db.session.add(series)
    open_round = make.facts_round([(text, i in (1, 2)) for i, text in enumerate(STATEMENTS)], curator=host,
                                  title="Четыре факта обо мне: угадайте, где ложь")
    open_round.series = series
    closed = make.facts_round([(text, i in (1, 2)) for i, text in enumerate(STATEMENTS)], curator=host,
                              title="Прошлая неделя", status="closed")
    closed.series = series
    poll = make.poll(["Чай", "Кофе"], curator=host, title="Чай или кофе?")
    db.session.commit()
    players = [make.user(f"player{i}") for i in range(4)]
    for player in players:
        make.answer(closed, player, [closed.statements[0].id, closed.statements[1].id])
    make.answer(open_round, players[0], [open_round.statements[0].id, open_round.statements[1].id])
    return {"open": open_round.id, "closed": closed.id, "poll": poll.id, "series": series.id}


def pages(ids: dict[str, int]) -> list[str]:
    return ["/", "/leaderboard", f"/series/{ids['series']}", f"/rounds/{ids['open']}", f"/rounds/{ids['poll']}",
            f"/rounds/{ids['closed']}", f"/rounds/{ids['closed']}/reveal", f"/rounds/{ids['closed']}/leaderboard"]


@pytest.mark.parametrize("crawler", [TELEGRAM, TWITTER])
def test_every_shareable_page_unfurls_for_a_crawler_without_a_cookie(app, world, crawler):
    client = app.test_client()
    for url in pages(world):
        response = client.get(url, headers=crawler)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers, url
        found = tags(response.get_data(as_text=True))
        for name in ("description", "og:title", "og:description", "og:url", "og:image", "og:image:width",
                     "og:image:height", "og:image:alt", "og:locale", "og:site_name", "twitter:card"):
            assert found.get(name), (url, name)
        assert found["twitter:card"] == "summary_large_image"
        assert found["og:url"].startswith("http://localhost/")
        assert (found["og:image:width"], found["og:image:height"]) == ("1200", "630")
        image = client.get(local(found["og:image"]), headers=crawler)
        assert image.status_code == 200, found["og:image"]
        assert image.mimetype == "image/png"
        assert "Set-Cookie" not in image.headers
        assert len(image.data) < 300 * 1024
        with Image.open(BytesIO(image.data)) as png:
            assert png.format == "PNG" and png.size == (1200, 630)


def test_the_description_follows_the_round_with_live_numbers(app, world):
    client = app.test_client()
    open_page = tags(client.get(f"/rounds/{world['open']}", headers=TELEGRAM).get_data(as_text=True))
    assert re.fullmatch(r"4 statements, 2 are lies: guess which · 1 guessing · closes in \d+ \w+",
                        open_page["description"]), open_page["description"]
    reveal = tags(client.get(f"/rounds/{world['closed']}/reveal", headers=TELEGRAM).get_data(as_text=True))
    # Every player marked statements 1 and 2: lie 3 fooled all four.
    assert reveal["description"] == "Revealed: lie 3 fooled 100.0% · 4 players"


def test_a_shared_link_names_its_language(app, world):
    client = app.test_client()
    html = client.get(f"/rounds/{world['open']}?lang=ru", headers=TELEGRAM).get_data(as_text=True)
    found = tags(html)
    assert found["og:locale"] == "ru_RU"
    assert found["og:locale:alternate"] == "en_US"
    assert found["og:url"] == f"http://localhost/rounds/{world['open']}?lang=ru"
    assert "lang=ru" in found["og:image"]
    assert found["description"].startswith("4 утверждения, 2 из них ложь")
    assert '<html lang="ru">' in html
    assert all("lang=ru" in link for link in feed_links(html))
    english = tags(client.get(f"/rounds/{world['open']}", headers=TELEGRAM).get_data(as_text=True))
    assert english["og:locale"] == "en_US"
    assert client.get(f"/rounds/{world['open']}/card.png?lang=ru").data != client.get(
        f"/rounds/{world['open']}/card.png?lang=en").data


@pytest.mark.parametrize("lang", ["xx", "", "ru_RU", "%FF", "рус", "en&lang=ru"])
def test_an_unknown_language_is_ignored(app, world, lang):
    response = app.test_client().get(f"/rounds/{world['open']}?lang={lang}", headers=TELEGRAM)
    assert response.status_code in (200, 400)  # 400 only for bytes that are not UTF-8
    if response.status_code == 200:
        assert tags(response.get_data(as_text=True))["og:locale"] in ("en_US", "ru_RU")


def test_public_url_makes_the_links_absolute(app, world):
    app.config["PUBLIC_URL"] = "https://two-truths.example/quiz"
    found = tags(app.test_client().get(f"/rounds/{world['open']}", headers=TELEGRAM).get_data(as_text=True))
    assert found["og:url"] == f"https://two-truths.example/quiz/rounds/{world['open']}?lang=en"
    assert found["og:image"].startswith(f"https://two-truths.example/quiz/rounds/{world['open']}/card.png?lang=en")


def test_drafts_have_no_card(app, make):
    draft = make.facts_round(status="draft")
    client = app.test_client()
    assert client.get(f"/rounds/{draft.id}/card.png").status_code == 404
    assert client.get("/rounds/999999/card.png").status_code == 404
    assert client.get("/series/999999/card.png").status_code == 404


def test_a_card_is_kept_and_answers_conditional_requests(app, world):
    client = app.test_client()
    first = client.get(f"/rounds/{world['open']}/card.png")
    assert first.headers["Cache-Control"].startswith("public")
    assert "max-age=" in first.headers["Cache-Control"]
    again = client.get(f"/rounds/{world['open']}/card.png", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert list((app.instance_path and app.config["CARD_CACHE_FOLDER"]).glob("*.png"))


def test_after_the_close_the_card_tells_the_story_of_the_reveal(app, world):
    client = app.test_client()
    open_card = client.get(f"/rounds/{world['open']}/card.png").data
    with app.app_context():
        db.session.get(Round, world["open"]).closes_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get(f"/rounds/{world['open']}/card.png").data != open_card


def test_a_closed_rounds_preview_follows_the_round_and_the_address_it_is_shared_from(app, world, make):
    client = app.test_client()
    reveal = f"/rounds/{world['closed']}/reveal"
    before = tags(client.get(reveal, headers=TELEGRAM).get_data(as_text=True))
    assert before["og:title"] == "Reveal: Прошлая неделя"
    assert before["description"] == "Revealed: lie 3 fooled 100.0% · 4 players"
    with app.app_context():
        closed = db.session.get(Round, world["closed"])
        closed.title = "Позапрошлая неделя"  # the host may still retitle a closed round
        # An answer sent before the close and committed after it: the reveal counts five players now.
        make.answer(closed, make.user("late"), [closed.statements[2].id, closed.statements[3].id])
        db.session.commit()
    after = tags(client.get(reveal, headers=TELEGRAM).get_data(as_text=True))
    assert after["og:title"] == "Reveal: Позапрошлая неделя"
    assert after["description"] == "Revealed: lie 3 fooled 80.0% · 5 players"
    assert after["og:image"] != before["og:image"]  # the card's digest moved with what it draws
    app.config["PUBLIC_URL"] = "https://two-truths.example"
    public = tags(client.get(reveal, headers=TELEGRAM).get_data(as_text=True))
    assert public["og:url"] == f"https://two-truths.example{reveal}?lang=en"
