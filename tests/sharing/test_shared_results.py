"""A player's shared result: a spoiler-free line, a public page and a card of their own, after the close only."""
from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from io import BytesIO

import pytest
from PIL import Image

from quizapp.extensions import db
from quizapp.models import Answer, Round, User, utcnow
from quizapp.sharing.personal import token_for

TELEGRAM = {"User-Agent": "TelegramBot (like TwitterBot)"}
TAG = re.compile(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"')
# Lies 2 and 4 (of 5); "anna" finds lie 4 only, "boris" finds both, "cyril" finds none.
STATEMENTS = [("Я родила́сь в Казани", False), ("Я прыгала с парашютом", True), ("Я говорю по-японски", False),
              ("У меня три кошки", True), ("Я пою в хоре", False)]


def tags(html: str) -> dict[str, str]:
    return {name: unescape(value) for name, value in TAG.findall(html)}


def local(url: str) -> str:
    return url.removeprefix("http://localhost")


def share_text(html: str) -> str:
    found = re.search(r'<textarea id="share-result-text"[^>]*>([^<]*)</textarea>', html)
    assert found, "the reveal has no share box"
    return unescape(found.group(1))


@pytest.fixture
def played(make, new_player):  # type: ignore[no-untyped-def]
    """An open facts round by "Арсений" that ann (signed in), bob and cy answered."""
    host = make.user("арсений", curator=True)
    round_ = make.facts_round(STATEMENTS, curator=host, title="5 фактов об Арсении")
    lies = [s.id for s in round_.statements if s.is_false]
    truths = [s.id for s in round_.statements if not s.is_false]
    make.answer(round_, make.user("boris"), lies)
    make.answer(round_, make.user("cyril"), truths[:2])
    round_id = round_.id
    db.session.commit()  # end the test's read, so the request can write
    ann = new_player("anna")
    assert ann.answer(round_id, [truths[0], lies[1]]).status_code == 303
    return round_.id, ann


def close_now(round_id: int) -> None:
    db.session.rollback()  # end the test's own read first: SQLite lets one connection write at a time
    db.session.get(Round, round_id).closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


def answer_id(round_id: int, name: str) -> int:
    query = db.select(Answer.id).join(User, User.id == Answer.player_id).where(Answer.round_id == round_id,
                                                                               User.username == name)
    found = db.session.execute(query).scalar_one()
    db.session.rollback()  # end the read: the next request may write (the page's own session)
    return found


def test_after_the_close_the_reveal_offers_a_spoiler_free_line_with_a_link(played, make):
    round_id, ann = played
    close_now(round_id)
    page = ann.get(f"/rounds/{round_id}/reveal?lang=en").get_data(as_text=True)
    line, url = share_text(page).split("\n")
    assert line == "Two Truths · 5 фактов об Арсении · 1/2 lies found 🟥🟩 · rank 2 of 3"
    token = token_for(round_id, answer_id(round_id, "anna"))
    assert url == f"http://localhost/rounds/{round_id}/shared/{token}?lang=en"
    assert "Казани" not in line and "кошки" not in line  # no statement: which were lies stays for the reveal
    # Without JavaScript the text box is all there is; the Share and Copy buttons wait for app.js to show them.
    assert 'class="btn btn-primary js-share" hidden' in page and 'class="btn btn-secondary js-copy" hidden' in page
    ru = ann.get(f"/rounds/{round_id}/reveal?lang=ru").get_data(as_text=True)
    assert share_text(ru).split("\n")[0] == "Две правды · 5 фактов об Арсении · найдено лжи: 1 из 2 🟥🟩 · место 2 из 3"
    assert share_text(ru).endswith("?lang=ru")


def test_a_crawler_unfurls_a_shared_result_into_its_players_own_card(played, make, app):
    round_id, ann = played
    close_now(round_id)
    url = share_text(ann.get(f"/rounds/{round_id}/reveal?lang=ru").get_data(as_text=True)).split("\n")[1]
    crawler = app.test_client()
    response = crawler.get(local(url), headers=TELEGRAM)
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    found = tags(response.get_data(as_text=True))
    assert found["og:url"] == url and found["twitter:card"] == "summary_large_image"
    assert found["og:locale"] == "ru_RU" and found["og:title"] == "Результат anna: 5 фактов об Арсении"
    assert found["og:description"].startswith("найдено лжи: 1 из 2 🟥🟩 · место 2 из 3")
    assert "1/2" in found["og:image:alt"] and "Место 2 из 3" in found["og:image:alt"]
    image = crawler.get(local(found["og:image"]), headers=TELEGRAM)
    assert image.status_code == 200 and image.mimetype == "image/png" and "Set-Cookie" not in image.headers
    assert len(image.data) < 300 * 1024
    with Image.open(BytesIO(image.data)) as png:
        assert png.size == (1200, 630)


def test_a_shared_result_shows_its_players_score_and_rank_and_nobody_elses(played, make, app):
    round_id, _ann = played
    close_now(round_id)
    client = app.test_client()
    bob = client.get(f"/rounds/{round_id}/shared/{token_for(round_id, answer_id(round_id, 'boris'))}?lang=en")
    page = bob.get_data(as_text=True)
    assert "boris’s result" in page and "2 / 2" in page and "Rank 1 of 3" in page
    assert "anna" not in page and "cyril" not in page.replace("cy-", "")  # no other player, no leaderboard
    assert not any(text in page for text, _false in STATEMENTS)  # and no statement, so no marks either
    cards = {name: client.get(f"/rounds/{round_id}/shared/{token_for(round_id, answer_id(round_id, name))}"
                              "/card.png?lang=en").data for name in ("anna", "boris", "cyril")}
    assert len(set(cards.values())) == 3  # each card is its player's own


def test_nothing_is_shared_before_the_close(played, app):
    round_id, ann = played
    page = ann.get(f"/rounds/{round_id}/reveal?lang=en").get_data(as_text=True)
    assert "share-result" not in page and "/shared/" not in page
    token = token_for(round_id, answer_id(round_id, "anna"))
    client = app.test_client()
    assert client.get(f"/rounds/{round_id}/shared/{token}", headers=TELEGRAM).status_code == 404
    assert client.get(f"/rounds/{round_id}/shared/{token}/card.png", headers=TELEGRAM).status_code == 404


def test_a_shared_result_address_cannot_be_guessed_from_another(played, make, app):
    round_id, _ann = played
    close_now(round_id)
    client = app.test_client()
    ann_id, bob_id = answer_id(round_id, "anna"), answer_id(round_id, "boris")
    ann_mac = token_for(round_id, ann_id).split("-")[1]
    for token in (f"{bob_id}-{ann_mac}", str(bob_id), f"{bob_id}-", f"{ann_id}-{ann_mac.upper()}", "x-y"):
        assert client.get(f"/rounds/{round_id}/shared/{token}").status_code == 404, token
    other = make.facts_round(STATEMENTS, title="Another", status="closed")
    assert client.get(f"/rounds/{other.id}/shared/{token_for(round_id, ann_id)}").status_code == 404


def test_a_quiz_poll_shares_right_or_wrong_and_an_opinion_poll_shares_its_results(make, new_player, app):
    quiz = make.poll(["Paris", "Lyon"], correct=0, title="Capital of France?")
    opinion = make.poll(["Tea", "Coffee"], title="Tea or coffee?")
    make.answer(quiz, make.user("boris"), option=quiz.options[1].id)
    paris, coffee = quiz.options[0].id, opinion.options[1].id
    quiz_id, opinion_id = quiz.id, opinion.id
    db.session.commit()
    ann = new_player("anna")
    assert ann.answer(quiz_id, option=paris).status_code == 303
    assert ann.answer(opinion_id, option=coffee).status_code == 303
    close_now(quiz_id)
    close_now(opinion_id)
    line = share_text(ann.get(f"/rounds/{quiz_id}/reveal?lang=en").get_data(as_text=True)).split("\n")[0]
    assert line == "Two Truths · Capital of France? · right answer 🟩 · rank 1 of 2"
    # An opinion poll has no score: its voter passes on the results, not their own vote.
    text = share_text(ann.get(f"/rounds/{opinion_id}/reveal?lang=en").get_data(as_text=True))
    reveal = f"http://localhost/rounds/{opinion_id}/reveal?lang=en"
    assert text == f"Two Truths · Tea or coffee? · see how everyone voted\n{reveal}"
    vote = answer_id(opinion_id, "anna")
    assert app.test_client().get(f"/rounds/{opinion_id}/shared/{token_for(opinion_id, vote)}").status_code == 404


def test_a_host_shares_an_open_rounds_page_and_a_closed_rounds_reveal(curator, make):
    host = db.session.execute(db.select(User).where(User.username == "host")).scalar_one()
    open_id = make.facts_round(STATEMENTS, curator=host, title="Open one").id
    closed_id = make.facts_round(STATEMENTS, curator=host, title="Closed one", status="closed").id
    db.session.rollback()
    for round_id, address in ((open_id, f"/rounds/{open_id}?lang=en"), (closed_id, f"/rounds/{closed_id}/reveal?lang=en")):
        page = curator.get(f"/curator/?share={round_id}").get_data(as_text=True)
        found = re.search(r'<textarea id="share-round-text"[^>]*>([^<]*)</textarea>', page)
        assert found and unescape(found.group(1)) == f"http://localhost{address}"
