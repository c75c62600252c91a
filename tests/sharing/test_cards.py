"""Preview cards: spoiler-free and identical whichever statements are false until the close; the reveal after."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from html import unescape
from io import BytesIO

from PIL import Image

from quizapp.extensions import db
from quizapp.models import Round, utcnow
from quizapp.sharing.cards import BAR_TRACK, HEIGHT, MARGIN, WIDTH, Bar, Card, bar_layout, draw, font_of, wrap

TELEGRAM = {"User-Agent": "TelegramBot (like TwitterBot)"}
STATEMENTS = ["Я родила́сь в Казани", "Я прыгала с парашютом", "Я говорю по-японски", "У меня три кошки"]


def og_image(html: str) -> str:
    found = re.search(r'<meta property="og:image" content="([^"]+)"', html)
    assert found
    return unescape(found.group(1)).removeprefix("http://localhost")


def twin_rounds(make, *, players: int = 3):  # type: ignore[no-untyped-def]
    """Two rounds alike in every text, differing only in which statements are false, each answered alike."""
    host = make.user("арсений", curator=True)
    now = utcnow()  # one moment for both: a closing time a minute apart would be a real difference
    one = make.facts_round([(text, i in (0, 1)) for i, text in enumerate(STATEMENTS)], curator=host,
                           title="Четыре факта обо мне", now=now)
    other = make.facts_round([(text, i in (2, 3)) for i, text in enumerate(STATEMENTS)], curator=host,
                             title="Четыре факта обо мне", now=now)
    for n in range(players):
        player = make.user(f"игрок{n}")
        for round_ in (one, other):
            make.answer(round_, player, [round_.statements[0].id, round_.statements[2].id])
    return one.id, other.id


def card_of(client, round_id: int, lang: str) -> bytes:  # type: ignore[no-untyped-def]
    """The card a crawler finds through the round page's og:image."""
    page = client.get(f"/rounds/{round_id}?lang={lang}", headers=TELEGRAM).get_data(as_text=True)
    response = client.get(og_image(page), headers=TELEGRAM)
    assert response.status_code == 200 and response.mimetype == "image/png"
    return response.data


def close(round_ids: tuple[int, ...]) -> None:
    for round_id in round_ids:
        db.session.get(Round, round_id).closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


def test_before_the_close_the_card_is_the_same_whichever_statements_are_false(app, make):
    one, other = twin_rounds(make)
    client = app.test_client()
    for lang in ("ru", "en"):
        assert card_of(client, one, lang) == card_of(client, other, lang)


def test_after_the_close_the_reveal_card_differs_and_tells_what_fooled_people(app, make):
    one, other = twin_rounds(make)
    client = app.test_client()
    before = card_of(client, one, "ru")
    close((one, other))
    after_one, after_other = card_of(client, one, "ru"), card_of(client, other, "ru")
    assert after_one != after_other
    assert after_one != before
    page = client.get(f"/rounds/{one}/reveal?lang=ru", headers=TELEGRAM).get_data(as_text=True)
    # Everyone marked statements 1 and 3: lie 2 (of 1 and 2) fooled all three players.
    assert "Больше всех обманула ложь 2: «Я прыгала с парашютом»" in unescape(page)
    assert 'content="Итоги: ложь 2 обманула 100,0 % · 3 игрока"' in page


def test_a_card_is_a_1200_by_630_png_under_300_kb_with_long_titles_wrapped():
    card = Card(wordmark="Две правды", badge="Открыт", tone="open", title="Очень длинный заголовок " * 12,
                facts="10 утверждений · 3 ложных", footer="Закроется 28 нояб. 2026 г., 10:00 (UTC)")
    png = draw(card)
    assert len(png) < 300 * 1024
    with Image.open(BytesIO(png)) as image:
        assert image.size == (1200, 630)
    assert draw(card) == png  # drawn again, byte for byte: what lets equal cards hide the secrets


def test_wrap_keeps_every_word_and_breaks_a_word_longer_than_a_line():
    font = font_of(40)
    lines = wrap("короткие слова и " + "о" * 200, font, 600)
    assert all(font.getlength(line) <= 600 for line in lines)
    assert "".join(lines).replace(" ", "") == ("короткиесловаи" + "о" * 200)


def bars_drawn(png: bytes) -> int:
    """How many bar tracks cross a column near the right end of the card (each bar is a run of track colour)."""
    with Image.open(BytesIO(png)) as image:
        column = [image.getpixel((WIDTH - MARGIN - 120, y)) for y in range(HEIGHT)]
    runs, inside = 0, False
    for pixel in column:
        on_track = pixel == BAR_TRACK
        runs += on_track and not inside
        inside = on_track
    return runs


def poll_card(options: int) -> Card:
    return Card(wordmark="Two Truths", badge="Revealed", tone="closed",
                title="How broad should an ML engineer's job be, from research to production and the pager?",
                facts="Poll · 4 options", story="214 votes", footer="Closed 28 Nov 2026, 10:00 (UTC)",
                bars=tuple(Bar(f"Option {n}", 100, "10.0%") for n in range(options)), more="+{n} more")


def test_a_poll_card_with_a_two_line_title_draws_a_bar_for_every_option():
    assert bars_drawn(draw(poll_card(4))) == 4
    assert bars_drawn(draw(poll_card(2))) == 2


def test_a_poll_card_with_more_options_than_room_says_how_many_it_leaves_out():
    card = poll_card(10)
    assert 2 < bars_drawn(draw(card)) < 10
    # The summary row is drawn where a bar would have been: the card with it differs from one without it.
    assert draw(card) != draw(replace(card, more=""))


def test_bar_layout_keeps_a_row_for_the_ones_left_out():
    assert bar_layout(3, 200) == (60, 3)  # full bars when they all fit
    assert bar_layout(4, 200) == (40, 4)  # else compact rows
    assert bar_layout(10, 200) == (40, 4)  # four of five rows, the fifth says "+6 more"
