"""Russian UI: a complete catalog, compiled and loaded; every page a player or a curator sees is in Russian."""
from __future__ import annotations

import contextvars
import html as html_lib
import io
import json
import re
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
from babel.dates import format_skeleton
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import quizapp
from quizapp.extensions import db
from quizapp.models import Round, Series, utcnow
from tests.conftest import Player, csrf_from

ROOT = Path(quizapp.__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "quizapp" / "translations"
RU_PO = TRANSLATIONS / "ru" / "LC_MESSAGES" / "messages.po"
RU_MO = RU_PO.with_suffix(".mo")
# The keywords `make translations` extracts with, besides Babel's defaults (_, gettext, ngettext, ...).
EXTRA_KEYWORDS = {"_l": None, "lazy_gettext": None}

RUSSIAN = "ru-RU,ru;q=0.9,en;q=0.5"
ENGLISH = "en-GB,en;q=0.9"
HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}

# %(name)d, %s, %% ... and the {n} / {max} slots the JavaScript fills in.
PERCENT_PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
BRACE_PLACEHOLDER = re.compile(r"\{\w+\}")

# Russian content, so nothing English on a page can come from the factories.
FACTS = [("У меня есть кот", False), ("Я поднимался на Эверест", True), ("Я говорю по-французски", False)]
OPTIONS = ["Красный", "Зелёный", "Синий"]




# --- the catalog ------------------------------------------------------------------------------------


@cache
def ru_catalog() -> Catalog:
    assert RU_PO.is_file(), f"{RU_PO} is missing"
    with RU_PO.open("rb") as handle:
        return read_po(handle, locale="ru")


def entries() -> list:  # type: ignore[type-arg]
    return [message for message in ru_catalog() if message.id]


def forms(message) -> list[str]:  # type: ignore[no-untyped-def]
    return list(message.string) if message.pluralizable else [message.string]


def ids(message) -> list[str]:  # type: ignore[no-untyped-def]
    return list(message.id) if message.pluralizable else [message.id]


def placeholders(text: str) -> set[str]:
    return set(PERCENT_PLACEHOLDER.findall(text)) | set(BRACE_PLACEHOLDER.findall(text))


def test_catalog_is_fully_translated() -> None:
    catalog = ru_catalog()
    assert not catalog.fuzzy, f"{RU_PO}: the header is marked fuzzy"
    assert catalog.num_plurals == 3, f"{RU_PO}: Russian needs nplurals=3, the header says {catalog.plural_forms}"
    problems = []
    for message in entries():
        if "fuzzy" in message.flags:
            problems.append(f"fuzzy: {message.id!r}")
        if message.pluralizable and len(forms(message)) != 3:
            problems.append(f"{len(forms(message))} plural forms instead of 3: {message.id!r}")
        if not all(form.strip() for form in forms(message)):
            problems.append(f"untranslated: {message.id!r}")
    assert entries(), f"{RU_PO} has no entries"
    assert not problems, "\n".join(problems)


def test_catalog_placeholders_match() -> None:
    problems = []
    for message in entries():
        expected = set().union(*(placeholders(msgid) for msgid in ids(message)))
        # Russian uses its first plural form for 21, 31, ... too, so every form needs every placeholder.
        for index, form in enumerate(forms(message)):
            if placeholders(form) != expected:
                problems.append(f"{message.id!r} form {index}: {sorted(placeholders(form))} != {sorted(expected)}")
        # Jinja's newstyle gettext always %-formats, so a lone % would break the page.
        for form in forms(message):
            if "%" in PERCENT_PLACEHOLDER.sub("", form):
                problems.append(f"{message.id!r}: stray % in {form!r}")
    for message, errors in ru_catalog().check():
        problems.extend(f"{message.id!r}: {error}" for error in errors)
    assert not problems, "\n".join(problems)


def test_catalog_covers_every_string_in_the_source() -> None:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, **EXTRA_KEYWORDS}
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, f"{filename}:{lineno}")
    assert any(where.startswith("templates/") for where in found.values()), "babel.cfg extracted no template"
    assert any(where.startswith("quizapp/") for where in found.values()), "babel.cfg extracted no Python file"
    known = {ids(message)[0] for message in entries()}
    missing = sorted(f"{where}: {msgid!r}" for msgid, where in found.items() if msgid not in known)
    assert not missing, "not in the Russian catalog (run `make translations`, then translate):\n" + "\n".join(missing)


def test_compiled_catalog_is_current() -> None:
    assert RU_MO.is_file(), f"{RU_MO} is missing: run `make catalogs` (make test does it)"
    with RU_MO.open("rb") as handle:
        compiled = {tuple(ids(message)): forms(message) for message in read_mo(handle) if message.id}
    source = {tuple(ids(message)): forms(message) for message in entries()}
    stale = sorted(repr(msgid) for msgid, strings in source.items() if compiled.get(msgid) != strings)
    assert not stale, f"{RU_MO} is older than {RU_PO.name}: run `make catalogs`. Differs: " + ", ".join(stale[:10])


def in_russian(app, call):  # type: ignore[no-untyped-def]
    """Run call in a request from a Russian browser, in fresh contexts (Flask-Babel caches the locale in g)."""

    def run():  # type: ignore[no-untyped-def]
        with app.test_request_context(headers={"Accept-Language": RUSSIAN}):
            return call()

    return contextvars.Context().run(run)


@pytest.fixture
def russian_catalog(app):  # type: ignore[no-untyped-def]
    """Fail clearly, rather than pass on English pages, when Flask-Babel has no compiled Russian catalog."""
    if not RU_MO.is_file():
        pytest.fail(f"{RU_MO} is missing: run `make catalogs` (make test does it) before the Russian page tests")
    from flask_babel import gettext

    loaded = in_russian(app, lambda: gettext("Two Truths"))
    assert loaded == "Две правды", f"Flask-Babel did not load the Russian catalog from {TRANSLATIONS}"


def test_russian_plural_forms(app, russian_catalog) -> None:  # type: ignore[no-untyped-def]
    from flask_babel import ngettext

    numbers = (0, 1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111)
    got = in_russian(app, lambda: {n: ngettext("%(num)d vote", "%(num)d votes", n) for n in numbers})
    assert got == {
        0: "0 голосов", 1: "1 голос", 2: "2 голоса", 4: "4 голоса", 5: "5 голосов", 11: "11 голосов",
        12: "12 голосов", 14: "14 голосов", 21: "21 голос", 22: "22 голоса", 25: "25 голосов",
        101: "101 голос", 111: "111 голосов",
    }


# --- pages --------------------------------------------------------------------------------------------

TAGS = re.compile(r"<[^>]+>")
HIDDEN = re.compile(r"<(script|style)\b.*?</\1>|<!--.*?-->", re.S | re.I)
# Attribute text a user reads or hears: labels for screen readers, confirmations, the JavaScript's strings.
SPOKEN_ATTRIBUTES = re.compile(r'\b(?:aria-label|title|placeholder|alt|data-confirm|data-done|data-template)="([^"]*)"')


def perceivable_text(page: str) -> str:
    """The page's text and the attribute text read to users, without markup."""
    page = HIDDEN.sub(" ", page)
    spoken = " ".join(SPOKEN_ATTRIBUTES.findall(page))
    text = html_lib.unescape(TAGS.sub(" ", page) + " " + spoken)
    return re.sub(r"\s+", " ", text)


@cache
def english_phrases() -> tuple[re.Pattern[str], ...]:
    """Every English phrase of the UI: each msgid's text between placeholders, two words or more, and the
    one-word labels of four letters or more, matched as whole words."""
    phrases = set()
    for message in entries():
        for msgid in ids(message):
            if re.fullmatch(r"[A-Za-z]{4,}", msgid):
                phrases.add(msgid)
                continue
            for fragment in re.split(f"{PERCENT_PLACEHOLDER.pattern}|{BRACE_PLACEHOLDER.pattern}", msgid):
                fragment = re.sub(r"^[^A-Za-z]+|[^A-Za-z.!?]+$", "", fragment)
                if len(re.findall(r"[A-Za-z]+", fragment)) >= 2:
                    phrases.add(fragment)
    return tuple(
        re.compile(rf"(?<![A-Za-z]){re.escape(phrase)}(?![A-Za-z])") for phrase in sorted(phrases, key=len, reverse=True)
    )


def assert_russian(response, *, page: bool = True) -> str:  # type: ignore[no-untyped-def]
    """Check a response holds no English UI text; return its perceivable text."""
    body = response.get_data(as_text=True)
    text = perceivable_text(body)
    english = [pattern.pattern for pattern in english_phrases() if pattern.search(text)]
    where = f"{response.request.method} {response.request.path} ({response.status_code})"
    assert not english, f"{where}: English UI text on a Russian page: {english}\n---\n{text}"
    if page:
        assert '<html lang="ru">' in body, f"{where}: not rendered in Russian"
        assert "Две правды" in text, where
    return text


def russian(player: Player) -> Player:
    """Make every request of this client prefer Russian, as a Russian browser would."""
    player.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = RUSSIAN
    return player


@pytest.fixture
def ru_player(app, russian_catalog):  # type: ignore[no-untyped-def]
    """A guest who joined from a Russian browser (so even the welcome message is Russian)."""

    def _new(nickname: str) -> Player:
        player = russian(Player(app.test_client()))
        response = player.join(nickname)
        assert response.status_code == 303, response.get_data(as_text=True)
        return player

    return _new


@pytest.fixture
def ru_visitor(app, russian_catalog) -> Player:  # type: ignore[no-untyped-def]
    return russian(Player(app.test_client()))


@pytest.fixture
def ru_curator(curator, russian_catalog) -> Player:  # type: ignore[no-untyped-def]
    return russian(curator)


def host(make):  # type: ignore[no-untyped-def]
    from quizapp.auth.service import find_user

    return find_user("host") or make.user("ведущая", password=None, curator=True)


def players(make, count: int, prefix: str = "игрок") -> list:  # type: ignore[no-untyped-def,type-arg]
    return [make.user(f"{prefix}{i}", password=None) for i in range(1, count + 1)]


def close(round_: Round) -> None:
    """Close the round a second ago (the test's own transaction ends first, to see the app's writes)."""
    db.session.rollback()
    round_.closes_at = utcnow() - timedelta(seconds=1)
    round_.opens_at = round_.closes_at - timedelta(days=1)
    db.session.commit()


def false_ids(round_: Round) -> list[int]:
    return [statement.id for statement in round_.statements if statement.is_false]


def test_home_in_russian(make, ru_visitor) -> None:  # type: ignore[no-untyped-def]
    empty = assert_russian(ru_visitor.get("/"))
    assert "Сейчас открытых раундов нет" in empty
    curator = host(make)
    make.facts_round(FACTS, curator=curator, title="Десять фактов обо мне")
    make.facts_round(FACTS, curator=curator, title="Скоро откроется", status="scheduled")
    closed = make.facts_round(FACTS, curator=curator, title="Прошлая неделя", status="closed")
    make.answer(closed, players(make, 1)[0], marked=false_ids(closed))
    text = assert_russian(ru_visitor.get("/"))
    assert "Идут сейчас" in text and "Скоро" in text and "Недавно закрытые" in text


def test_facts_round_and_answer_in_russian(make, ru_player) -> None:  # type: ignore[no-untyped-def]
    round_ = make.facts_round(FACTS + [("Я прыгал с парашютом", True)], curator=host(make), title="Четыре факта")
    lies = false_ids(round_)
    player = ru_player("Маша")
    text = assert_russian(player.get(f"/rounds/{round_.id}"))
    assert "2 утверждения из 4 — ложные. Отметьте ровно 2." in text
    assert "Отправить ответ" in text

    wrong = player.answer(round_.id, marks=lies[:1])
    assert wrong.status_code == 303  # back to the round page, which says why
    assert "Нужно отметить ровно 2 ложных утверждения, а вы отметили 1." in assert_russian(
        player.get(wrong.headers["Location"]))
    wrong_htmx = player.answer(round_.id, marks=lies[:1], htmx=True)
    assert "ложных утверждения" in assert_russian(wrong_htmx, page=False)

    confirmation = player.answer(round_.id, marks=lies, htmx=True)
    assert confirmation.status_code == 200
    assert "Ответ принят. Спасибо!" in assert_russian(confirmation, page=False)
    # Without JavaScript: the same answer redirects back to the page, which confirms it.
    again = player.answer(round_.id, marks=lies)
    assert again.status_code == 303
    page = assert_russian(player.get(again.headers["Location"]))
    assert "Вы отметили как ложные:" in page and "Пока 1 ответ" in page
    assert "Пока 1 ответ" in assert_russian(player.get(f"/rounds/{round_.id}/count"), page=False)


def test_poll_round_and_vote_in_russian(make, ru_player) -> None:  # type: ignore[no-untyped-def]
    poll = make.poll(OPTIONS, curator=host(make), title="Какой цвет лучше?")
    player = ru_player("Петя")
    assert "Выберите один ответ." in assert_russian(player.get(f"/rounds/{poll.id}"))
    no_choice = player.answer(poll.id)
    assert no_choice.status_code == 303  # back to the round page, which says why
    assert "Выберите один из вариантов." in assert_russian(player.get(no_choice.headers["Location"]))
    voted = player.answer(poll.id, option=poll.options[1].id, htmx=True)
    text = assert_russian(voted, page=False)
    assert "Ваш голос: Зелёный" in text and "1 голос" in text and "ваш голос" in text
    assert "1 голос" in assert_russian(player.get(f"/rounds/{poll.id}/tally"), page=False)


def test_round_states_for_a_visitor_in_russian(make, ru_visitor) -> None:  # type: ignore[no-untyped-def]
    curator = host(make)
    open_round = make.facts_round(FACTS, curator=curator, title="Открытый раунд")
    scheduled = make.facts_round(FACTS, curator=curator, title="Будущий раунд", status="scheduled")
    closed = make.poll(OPTIONS, curator=curator, title="Закрытый опрос", status="closed")
    assert "Чтобы играть, нужен ник." in assert_russian(ru_visitor.get(f"/rounds/{open_round.id}"))
    assert "Раунд откроется через" in assert_russian(ru_visitor.get(f"/rounds/{scheduled.id}"))
    assert "Раунд закрыт: ответы больше не принимаются." in assert_russian(ru_visitor.get(f"/rounds/{closed.id}"))
    not_yet = assert_russian(ru_visitor.get(f"/rounds/{open_round.id}/reveal"))
    assert "Итоги откроются после закрытия раунда" in not_yet
    # The visitor's form takes the marks to joining, and the join page comes back to the round with them.
    to_join = ru_visitor.get(f"/rounds/{open_round.id}/join", query_string={"marks": false_ids(open_round)})
    assert to_join.status_code == 303
    assert "Выберите ник и сразу играйте" in assert_russian(ru_visitor.get(to_join.headers["Location"]))
    answer = ru_visitor.post_form("/join", f"/rounds/{open_round.id}/answer",
                                  [("marks", mark) for mark in false_ids(open_round)])
    assert answer.status_code == 303
    assert "Сначала присоединитесь к игре" in assert_russian(ru_visitor.get(answer.headers["Location"]))


def test_facts_reveal_in_russian(make, ru_player) -> None:  # type: ignore[no-untyped-def]
    round_ = make.facts_round(FACTS, curator=host(make), title="Три факта", explanations=["Рыжий", "Нет", "Oui"])
    cat, everest, french = (statement.id for statement in round_.statements)
    for user, marked in zip(players(make, 3), ([everest], [cat], [french]), strict=True):
        make.answer(round_, user, marked=marked)
    player = ru_player("Оля")
    assert player.answer(round_.id, marks=[everest]).status_code == 303
    close(round_)
    text = assert_russian(player.get(f"/rounds/{round_.id}/reveal"))
    # The two truths were each marked once: a tie, named as one.
    for expected in ("ПРАВДА", "ЛОЖЬ", "4 игрока", "Лучшая ложь", "Самые неправдоподобные правды — ничья",
                     "Рейтинг раунда", "вы сочли это ложью", "50,0% сочли ложью (2 из 4)"):
        assert expected in text, expected


def test_poll_reveal_in_russian(make, ru_player) -> None:  # type: ignore[no-untyped-def]
    quiz = make.poll(OPTIONS, correct=2, curator=host(make), title="Цвет неба?")
    for user in players(make, 4):
        make.answer(quiz, user, option=quiz.options[0].id)
    player = ru_player("Ваня")
    assert player.answer(quiz.id, option=quiz.options[2].id).status_code == 303
    close(quiz)
    text = assert_russian(player.get(f"/rounds/{quiz.id}/reveal"))
    assert "5 голосов" in text and "Верно" in text and "ваш голос" in text


def test_leaderboards_in_russian(make, ru_visitor) -> None:  # type: ignore[no-untyped-def]
    assert "Очков пока нет" in assert_russian(ru_visitor.get("/leaderboard"))
    curator = host(make)
    round_ = make.facts_round(FACTS, curator=curator, title="Серийный раунд")
    round_.series = Series(curator_id=curator.id, title="Неделя гостя")
    db.session.commit()
    for user in players(make, 2):
        make.answer(round_, user, marked=false_ids(round_))
    close(round_)
    text = assert_russian(ru_visitor.get("/leaderboard"))
    assert "Общий рейтинг" in text and "Точность" in text
    series = assert_russian(ru_visitor.get(f"/series/{round_.series_id}"))
    assert "Рейтинг серии" in series and "Закрыт" in series


def test_account_pages_in_russian(app, make, ru_visitor) -> None:  # type: ignore[no-untyped-def]
    assert "Выберите ник и сразу играйте." in assert_russian(ru_visitor.get("/join"))
    assert "Впервые здесь?" in assert_russian(ru_visitor.get("/login"))
    assert "Повторите пароль" in assert_russian(ru_visitor.get("/register"))

    assert "Выберите ник." in assert_russian(ru_visitor.join(""))
    assert "Нужно от 3 до 32 символов." in assert_russian(ru_visitor.join("я"))
    # WTForms' own messages come from its Russian catalog.
    assert "Значение не должно содержать более 128 символов." in assert_russian(ru_visitor.join("я" * 129))
    short = ru_visitor.post_form("/register", "/register", {"username": "Катя", "password": "123", "confirm": "456"})
    assert "Пароль должен быть не короче 8 символов." in assert_russian(short)
    make.user("Дима", password="пароль-дима")
    wrong = ru_visitor.login("Дима", "не тот пароль")
    assert wrong.status_code == 422
    assert "Неверное имя пользователя или пароль." in assert_russian(wrong)

    joined = ru_visitor.join("Гость")
    assert joined.status_code == 303
    assert "Привет, Гость! Выбирайте раунд и играйте." in assert_russian(ru_visitor.get("/"))
    assert "С паролем вы сможете входить как Гость" in assert_russian(ru_visitor.get("/account/password"))
    token = csrf_from(ru_visitor.get("/").get_data(as_text=True))
    assert ru_visitor.client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert "Вы вышли из аккаунта." in assert_russian(ru_visitor.get("/"))


def test_curator_pages_in_russian(make, ru_curator) -> None:  # type: ignore[no-untyped-def]
    curator = host(make)
    assert "Раундов пока нет" in assert_russian(ru_curator.get("/curator/"))
    draft = make.facts_round(FACTS, curator=curator, title="Черновик раунда", status="draft")
    answered = make.facts_round(FACTS, curator=curator, title="Уже с ответами")
    make.answer(answered, players(make, 1)[0], marked=false_ids(answered))
    make.facts_round(FACTS, curator=curator, title="Запланированный", status="scheduled")
    make.poll(OPTIONS, curator=curator, title="Закрытый опрос", status="closed")

    dashboard = assert_russian(ru_curator.get("/curator/"))
    for expected in ("Мои раунды", "Черновик", "Открыт", "Запланирован", "Закрыт", "Закрыть сейчас", "Ответы (CSV)"):
        assert expected in dashboard, expected
    assert "Утверждение 1" in assert_russian(ru_curator.get("/curator/rounds/new/facts"))
    assert "Вариант 1" in assert_russian(ru_curator.get("/curator/rounds/new/poll"))
    assert "Публикация" in assert_russian(ru_curator.get(f"/curator/rounds/{draft.id}/edit"))
    locked = assert_russian(ru_curator.get(f"/curator/rounds/{answered.id}/edit"))
    assert "Игроки уже ответили" in locked and "Продлить" in locked
    assert "Открыть его снова будет нельзя" in locked
    empty = ru_curator.post_form("/curator/rounds/new/facts", "/curator/rounds/new/facts", {"action": "publish"})
    assert empty.status_code == 422
    assert "Придумайте название раунда." in assert_russian(empty)
    row = ru_curator.post_form("/curator/rounds/new/poll", "/curator/rounds/new/poll", {"action": "add"}, htmx=True)
    assert "Добавить вариант" in assert_russian(row, page=False)
    assert "На этот раунд ответил 1 игрок." in assert_russian(ru_curator.get(f"/curator/rounds/{answered.id}/delete"))
    assert "Сделать ведущим" in assert_russian(ru_curator.get("/curator/people"))
    nobody = ru_curator.post_form("/curator/people", "/curator/people", {"username": "никто"})
    assert "Игрока с таким именем нет." in assert_russian(nobody)
    assert "Импорт раундов" in assert_russian(ru_curator.get("/curator/import"))


def test_error_pages_in_russian(ru_visitor) -> None:  # type: ignore[no-untyped-def]
    missing = ru_visitor.get("/no-such-page")
    assert missing.status_code == 404
    assert "Здесь ничего нет." in assert_russian(missing)
    fragment = ru_visitor.get("/rounds/999999", headers=HTMX)
    assert fragment.status_code == 404
    assert "Здесь ничего нет." in assert_russian(fragment, page=False)
    forged = ru_visitor.client.post("/logout", data={})
    assert forged.status_code == 400
    assert "Форма устарела" in assert_russian(forged)


# --- the language switcher ---------------------------------------------------------------------------


def switch(player: Player, lang: str, accept_language: str = ENGLISH):  # type: ignore[no-untyped-def]
    """Press a language button, from a browser that prefers accept_language (the switcher takes no CSRF token)."""
    headers = {"Accept-Language": accept_language}
    page = player.get("/", headers=headers).get_data(as_text=True)
    assert 'action="/language"' in page
    return player.client.post("/language", data={"lang": lang, "next": "/leaderboard"}, headers=headers)


def test_switcher_choice_sticks_and_overrides_the_browser(visitor, russian_catalog) -> None:  # type: ignore[no-untyped-def]
    english = {"Accept-Language": ENGLISH}
    assert '<html lang="en">' in visitor.get("/", headers=english).get_data(as_text=True)
    switched = switch(visitor, "ru", ENGLISH)
    assert switched.status_code == 303 and switched.headers["Location"] == "/leaderboard"
    for url in ("/leaderboard", "/", "/join", "/no-such-page"):
        assert_russian(visitor.get(url, headers=english))
    # The choice works both ways: English wins over a Russian browser once chosen.
    switch(visitor, "en", RUSSIAN)
    page = visitor.get("/", headers={"Accept-Language": RUSSIAN}).get_data(as_text=True)
    assert '<html lang="en">' in page and "Two Truths" in page
    # An unknown language changes nothing.
    switch(visitor, "de")
    assert '<html lang="en">' in visitor.get("/", headers={"Accept-Language": RUSSIAN}).get_data(as_text=True)


def test_a_visitor_gets_a_cookie_only_once_they_choose_a_language(visitor, russian_catalog) -> None:  # type: ignore[no-untyped-def]
    """The switcher carries no CSRF token, so the pages a visitor only reads set no cookie."""
    english = {"Accept-Language": ENGLISH}
    assert "Set-Cookie" not in visitor.get("/leaderboard", headers=english).headers
    switched = switch(visitor, "ru", ENGLISH)
    assert "Set-Cookie" in switched.headers
    assert '<html lang="ru">' in visitor.get("/", headers=english).get_data(as_text=True)
    assert visitor.client.post("/language", data={"lang": "xx"}).status_code == 303  # unknown: ignored
    assert '<html lang="ru">' in visitor.get("/", headers=english).get_data(as_text=True)


def test_switcher_choice_survives_joining(visitor, russian_catalog) -> None:  # type: ignore[no-untyped-def]
    switch(visitor, "ru", ENGLISH)
    assert visitor.join("Лена").status_code == 303
    text = assert_russian(visitor.get("/", headers={"Accept-Language": ENGLISH}))
    assert "Привет, Лена!" in text


# --- plurals and dates on real pages -----------------------------------------------------------------


def round_items(page: str) -> dict[str, str]:
    """Each listed round's title and the text of its entry, from the home page."""
    items = re.findall(r'<li class="round-item">(.*?)</li>', page, flags=re.S)
    found = {}
    for item in items:
        title = re.search(r'class="round-title"[^>]*>(.*?)</a>', item, flags=re.S)
        assert title, item
        found[html_lib.unescape(title.group(1))] = perceivable_text(item)
    return found


def test_home_counts_use_russian_plurals(make, ru_visitor) -> None:  # type: ignore[no-untyped-def]
    curator = host(make)
    people = players(make, 21)
    counts = {1: "1 ответ", 2: "2 ответа", 5: "5 ответов", 21: "21 ответ", 0: "0 ответов"}
    for count in counts:
        round_ = make.facts_round(FACTS, curator=curator, title=f"Открыт, ответов: {count}")
        for user in people[:count]:
            make.answer(round_, user, marked=false_ids(round_))
    closed_counts = {1: "1 игрок", 3: "3 игрока", 11: "11 игроков"}
    for count in closed_counts:
        round_ = make.facts_round(FACTS, curator=curator, title=f"Закрыт, игроков: {count}")
        for user in people[:count]:
            make.answer(round_, user, marked=false_ids(round_))
        close(round_)

    page = ru_visitor.get("/")
    assert_russian(page)
    items = round_items(page.get_data(as_text=True))
    for count, expected in counts.items():
        entry = items[f"Открыт, ответов: {count}"]
        assert re.search(rf"(?<!\d){re.escape(expected)}(?!\w)", entry), f"{expected!r} not in {entry!r}"
    for count, expected in closed_counts.items():
        entry = items[f"Закрыт, игроков: {count}"]
        assert re.search(rf"(?<!\d){re.escape(expected)}(?!\w)", entry), f"{expected!r} not in {entry!r}"


CLOSED_AT = datetime(2025, 5, 14, 9, 30, tzinfo=UTC)


def spaced(text: str) -> str:
    """Babel puts narrow no-break spaces in dates; perceivable_text makes every space a plain one."""
    return re.sub(r"\s+", " ", text)


def test_times_use_russian_month_names(make, ru_visitor, visitor) -> None:  # type: ignore[no-untyped-def]
    round_ = make.facts_round(FACTS, curator=host(make), title="Майский раунд", status="closed")
    round_.opens_at, round_.closes_at = CLOSED_AT - timedelta(days=1), CLOSED_AT.replace(tzinfo=None)
    db.session.commit()
    url = f"/rounds/{round_.id}/reveal"

    text = assert_russian(ru_visitor.get(url))
    assert "Закрыт 14 мая 2025 г. в 09:30 UTC" in text, text
    assert "May" not in text

    english = perceivable_text(visitor.get(url, headers={"Accept-Language": ENGLISH}).get_data(as_text=True))
    assert "Closed May 14, 2025 at 9:30 AM UTC" in english, english

    # In the zone the session keeps (the one a curator last scheduled in): 12:30 in Moscow, named by its city.
    with ru_visitor.client.session_transaction() as session:
        session["tz"] = "Europe/Moscow"
    moscow = assert_russian(ru_visitor.get(url))
    assert "Закрыт 14 мая 2025 г. в 12:30 (Москва)" in moscow, moscow


def test_times_on_the_home_page_are_russian(make, ru_visitor) -> None:  # type: ignore[no-untyped-def]
    round_ = make.facts_round(FACTS, curator=host(make), title="Недавний раунд", status="closed")
    closes = utcnow() - timedelta(hours=3)
    round_.closes_at = closes
    db.session.commit()
    day = spaced(format_skeleton("MMMMd" if closes.year == utcnow().year else "yMMMMd", closes, tzinfo=UTC, locale="ru"))
    entry = round_items(ru_visitor.get("/").get_data(as_text=True))["Недавний раунд"]
    assert f"Закрыт {day} в {closes:%H:%M} UTC" in entry, entry


def test_import_problems_in_russian(ru_curator) -> None:  # type: ignore[no-untyped-def]
    """A curator uploading in Russian reads what is wrong with the file in Russian; the JSON's own keys stay."""
    document = {"format": "two-truths/rounds@1", "rounds": [
        {"kind": "facts", "title": "Пятница", "statements": [{"text": "Я летал", "true": True}], "intr": "привет"},
    ]}
    upload = (io.BytesIO(json.dumps(document, ensure_ascii=False).encode()), "rounds.json")
    response = ru_curator.post_form("/curator/import", "/curator/import", {"file": upload})
    assert response.status_code == 422
    text = assert_russian(response)
    assert 'раунд 1 ("Пятница"): statements: в раунде фактов от 2 до 30 утверждений, а не 1' in text
    assert 'неизвестный ключ "intr" (может быть, "intro"?)' in text
    broken = ru_curator.post_form("/curator/import", "/curator/import", {"file": (io.BytesIO(b'{"format": '), "r.json")})
    assert "ошибка JSON в строке 1, столбце 12" in assert_russian(broken)


def test_import_validity_problems_in_russian(ru_curator) -> None:  # type: ignore[no-untyped-def]
    """The round rules' problem codes are worded for the uploading curator, in Russian."""
    document = {"format": "two-truths/rounds@1", "rounds": [
        {"kind": "facts", "title": "Пятница", "statements": [{"text": "Я летал", "true": True},
                                                              {"text": "Я плавал", "true": True}]},
        {"kind": "poll", "title": "Чай?", "options": [{"text": "Да", "correct": True}, {"text": "Нет"},
                                                      {"text": " да ", "correct": True}]},
    ]}
    upload = (io.BytesIO(json.dumps(document, ensure_ascii=False).encode()), "rounds.json")
    text = assert_russian(ru_curator.post_form("/curator/import", "/curator/import", {"file": upload}))
    assert 'раунд 1 ("Пятница"): statements: отметьте ложным хотя бы одно утверждение' in text
    assert 'раунд 2 ("Чай?"): вариант 3: text: повторяет вариант 1' in text
    assert 'верным может быть только один вариант, а отмечены варианты 1, 3' in text
