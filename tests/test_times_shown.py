"""Times as the server writes them, which is what a page without JavaScript shows: a day and a time in UTC, saying
so (or in the zone the viewer chose), and "in 3 hours" where the time counts down; in English and in Russian."""
from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
from flask import session

from quizapp.extensions import db
from quizapp.models import utcnow
from quizapp.web import local_datetime
from tests.test_i18n import round_items, russian_catalog  # noqa: F401 (a fixture)

TITLES = count(1)
LANGUAGES = {"en": "en-US,en;q=0.9", "ru": "ru-RU,ru;q=0.9"}
# A day and a time, the day's year only outside the current one, the zone said: never seconds, never a date after "in".
ABSOLUTE = {
    "en": r"[A-Z][a-z]+ \d{1,2}(, \d{4})? at \d{1,2}:\d\d [AP]M UTC",
    "ru": r"\d{1,2} [а-я]+( \d{4} г\.)? в \d\d:\d\d UTC",
}


def shown(response) -> str:  # type: ignore[no-untyped-def]
    """The page's text as it reads, tags taken out (not made spaces: "(<time>…</time>)" reads "(…)")."""
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]*>", "", response.get_data(as_text=True))))


def get(client, url: str, language: str) -> str:  # type: ignore[no-untyped-def]
    return shown(client.get(url, headers={"Accept-Language": LANGUAGES[language]}))


def in_the_future(make, status: str, **times: timedelta):  # type: ignore[no-untyped-def]
    """A round whose opening or closing time is that far from now (plus a few seconds for the request to come)."""
    round_ = make.facts_round(title=f"A round {next(TITLES)}", status=status)
    now = utcnow()
    for name, delta in times.items():
        setattr(round_, name, now + delta + timedelta(seconds=20))
    db.session.commit()
    return round_


def this_year_at(month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(utcnow().year, month, day, hour, minute, 17, tzinfo=UTC)


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "December 2 at 9:35\u202fPM UTC"),
    ("ru", "2 декабря в 21:35 UTC"),
])
def test_a_time_is_a_day_and_a_time_in_utc_saying_so(app, russian_catalog, language, expected):  # noqa: F811
    with app.test_request_context(headers={"Accept-Language": LANGUAGES[language]}):
        assert local_datetime(this_year_at(12, 2, 21, 35)) == expected


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "December 2, 2099 at 9:35\u202fPM UTC"),
    ("ru", "2 декабря 2099\u202fг. в 21:35 UTC"),
])
def test_a_time_outside_this_year_says_its_year(app, russian_catalog, language, expected):  # noqa: F811
    with app.test_request_context(headers={"Accept-Language": LANGUAGES[language]}):
        assert local_datetime(datetime(2099, 12, 2, 21, 35, tzinfo=UTC)) == expected


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "December 3 at 12:35\u202fAM (Moscow)"),
    ("ru", "3 декабря в 00:35 (Москва)"),
])
def test_a_zone_the_viewer_chose_is_named_by_its_city(app, russian_catalog, language, expected):  # noqa: F811
    with app.test_request_context(headers={"Accept-Language": LANGUAGES[language]}):
        session["tz"] = "Europe/Moscow"
        assert local_datetime(this_year_at(12, 2, 21, 35)) == expected


@pytest.mark.parametrize(("language", "closes", "opens"), [
    ("en", "Closes in 3 hours", "Opens in 2 days"),
    ("ru", "Закроется через 3 часа", "Откроется через 2 дня"),
])
def test_home_says_how_soon_rounds_close_and_open(make, visitor, russian_catalog, language, closes, opens):  # noqa: F811
    open_round = in_the_future(make, "open", closes_at=timedelta(hours=3, minutes=5))
    upcoming = in_the_future(make, "scheduled", opens_at=timedelta(days=2, hours=1), closes_at=timedelta(days=3))

    items = round_items(visitor.get("/", headers={"Accept-Language": LANGUAGES[language]}).get_data(as_text=True))

    assert closes in items[open_round.title], items[open_round.title]
    assert opens in items[upcoming.title], items[upcoming.title]


@pytest.mark.parametrize(("minutes", "expected"), [(1, "через 1 минуту"), (3, "через 3 минуты"), (5, "через 5 минут"),
                                                   (21, "через 21 минуту")])
def test_russian_counts_down_in_the_accusative(make, visitor, russian_catalog, minutes, expected):  # noqa: F811
    upcoming = in_the_future(make, "scheduled", opens_at=timedelta(minutes=minutes), closes_at=timedelta(days=1))
    items = round_items(visitor.get("/", headers={"Accept-Language": LANGUAGES["ru"]}).get_data(as_text=True))
    assert f"Откроется {expected}" in items[upcoming.title], items[upcoming.title]


@pytest.mark.parametrize(("language", "closes"), [("en", "Closes in 3 hours"), ("ru", "Закроется через 3 часа")])
def test_an_open_round_says_when_it_closes(make, visitor, russian_catalog, language, closes):  # noqa: F811
    round_ = in_the_future(make, "open", closes_at=timedelta(hours=3, minutes=5))
    text = get(visitor, f"/rounds/{round_.id}", language)
    assert re.search(rf"{closes} \({ABSOLUTE[language]}\)", text), text


@pytest.mark.parametrize(("language", "opens"), [("en", "This round opens in 2 days"),
                                                 ("ru", "Раунд откроется через 2 дня")])
def test_a_scheduled_round_says_when_it_opens(make, visitor, russian_catalog, language, opens):  # noqa: F811
    round_ = in_the_future(make, "scheduled", opens_at=timedelta(days=2, hours=1), closes_at=timedelta(days=3))
    text = get(visitor, f"/rounds/{round_.id}", language)
    assert re.search(rf"{opens} \({ABSOLUTE[language]}\)\.", text), text


@pytest.mark.parametrize(("language", "reveal"), [
    ("en", "The reveal opens when the round closes, in 3 hours"),
    ("ru", "Итоги откроются после закрытия раунда, через 3 часа"),
])
def test_the_reveal_not_yet_says_when_it_opens(make, visitor, russian_catalog, language, reveal):  # noqa: F811
    round_ = in_the_future(make, "open", closes_at=timedelta(hours=3, minutes=5))
    text = get(visitor, f"/rounds/{round_.id}/reveal", language)
    assert re.search(rf"{reveal} \({ABSOLUTE[language]}\)\.", text), text


@pytest.mark.parametrize(("language", "revealed"), [
    ("en", "The answers are revealed when the round closes,"),
    ("ru", "Итоги откроются после закрытия раунда —"),
])
def test_the_confirmation_says_when_answers_are_revealed(make, new_player, russian_catalog, language,  # noqa: F811
                                                         revealed):
    round_ = in_the_future(make, "open", closes_at=timedelta(hours=3, minutes=5))
    player = new_player("Pat")
    player.answer(round_.id, marks=[s.id for s in round_.statements if s.is_false])
    text = get(player, f"/rounds/{round_.id}", language)
    assert re.search(rf"{revealed} {ABSOLUTE[language]}\.", text), text


@pytest.mark.parametrize(("language", "dashboard", "editor"), [
    ("en", "closes", "Opens {time} · Closes {time}"),
    ("ru", "закроется", "Откроется {time} · Закроется {time}"),
])
def test_the_curator_reads_closing_times_in_utc(make, curator, russian_catalog, language, dashboard,  # noqa: F811
                                                 editor):
    from quizapp.auth.service import find_user

    round_ = make.facts_round(curator=find_user("host"), title="Scheduled by the host", status="scheduled")
    assert re.search(rf"{dashboard} {ABSOLUTE[language]}", get(curator, "/curator/", language))
    text = get(curator, f"/curator/rounds/{round_.id}/edit", language)
    assert re.search(editor.replace("{time}", ABSOLUTE[language]), text), text
