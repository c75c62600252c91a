"""The curator's editor: who may use it, publishing, row actions, pasting, locking, closing, deleting."""
from __future__ import annotations

import html
import re
import threading
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import Connection, func, insert, select
from sqlalchemy import text as sql
from werkzeug.datastructures import MultiDict

from quizapp.extensions import db
from quizapp.models import Answer, Mark, Round, Statement, User, utcnow
from quizapp.rules import rounds
from quizapp.rules.lifecycle import as_utc
from tests.conftest import Player, csrf_from

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}
NEW_FACTS = "/curator/rounds/new/facts"




def editor_form(statements=None, *, title="Three facts about me", action="publish", **fields):  # type: ignore[no-untyped-def]
    """The editor's fields as a browser sends them; statements are (text, is_false, explanation)."""
    if statements is None:
        statements = [("I have a cat", False, "Her name is Mia."), ("I climbed Everest", True, "Only base camp."),
                      ("I speak French", False, "")]
    data = {"title": title, "intro": "", "series": "", "paste": ""}
    for i, (text, is_false, explanation) in enumerate(statements):
        data[f"statements-{i}-text"] = text
        if is_false:
            data[f"statements-{i}-is_false"] = "y"
        data[f"statements-{i}-explanation"] = explanation
    data |= {"opens_at": "", "closes_choice": "1d", "closes_at": "", "tz": "Europe/Berlin", "action": action}
    return data | fields


def row_texts(page: str) -> list[str]:
    """The statement textareas of the editor, in order, as their text."""
    found = re.findall(r'<textarea[^>]*name="statements-(\d+)-text"[^>]*>\r?\n(.*?)</textarea>', page, flags=re.S)
    assert [int(index) for index, _ in found] == list(range(len(found)))
    return [html.unescape(value) for _, value in found]


def rounds_in_db() -> list[Round]:
    db.session.rollback()
    return list(db.session.scalars(select(Round).order_by(Round.id)))


def fresh_round(round_id: int) -> Round | None:
    db.session.rollback()
    return db.session.get(Round, round_id)


def host_user() -> User:
    db.session.rollback()
    return db.session.scalar(select(User).where(User.username == "host"))


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def approx(moment: datetime, expected: datetime, slack: timedelta = timedelta(seconds=30)) -> bool:
    return abs(as_utc(moment) - expected) < slack


# --- who may use the editor -------------------------------------------------------------------

CURATOR_PAGES = ["/curator/", NEW_FACTS, "/curator/rounds/new/poll"]


@pytest.mark.parametrize("url", CURATOR_PAGES)
def test_visitor_is_sent_to_log_in_from_every_curator_page(visitor, url):
    response = visitor.get(url)
    assert response.status_code in (302, 303)
    target = urlsplit(response.headers["Location"])
    assert target.path == "/login"
    assert parse_qs(target.query)["next"] == [url]


@pytest.mark.parametrize("url", CURATOR_PAGES)
def test_player_is_forbidden_every_curator_page(new_player, url):
    assert new_player("pat").get(url).status_code == 403


def test_player_cannot_publish_through_the_editor(new_player):
    player = new_player("pat")
    response = player.post_form("/", NEW_FACTS, editor_form())
    assert response.status_code == 403
    assert rounds_in_db() == []


def test_another_curator_cannot_touch_my_round(app, make, curator):
    mine = make.facts_round(curator=host_user(), title="Mine")
    round_id = mine.id
    make.user("rival", password="rival-password", curator=True)
    rival = Player(app.test_client())
    assert rival.login("rival", "rival-password").status_code == 303

    assert rival.get(f"/curator/rounds/{round_id}/edit").status_code == 403
    assert rival.post_form("/curator/", f"/curator/rounds/{round_id}/edit",
                           editor_form(title="Stolen", action="save")).status_code == 403
    assert rival.post_form("/curator/", f"/curator/rounds/{round_id}/close", {}).status_code == 403
    assert rival.post_form("/curator/", f"/curator/rounds/{round_id}/extend", {"closes_choice": "1w"}).status_code == 403
    assert rival.post_form("/curator/", f"/curator/rounds/{round_id}/delete", {"confirm": "yes"}).status_code == 403
    assert "Mine" not in text(rival.get("/curator/"))
    kept = fresh_round(round_id)
    assert kept is not None and kept.title == "Mine" and rounds.status(kept, utcnow()) == "open"


# --- publishing -------------------------------------------------------------------------------

def test_publishing_through_the_form_opens_the_round_closing_in_a_day(curator):
    response = curator.post_form(NEW_FACTS, NEW_FACTS, editor_form())
    assert response.status_code == 303
    [round_] = rounds_in_db()
    assert response.headers["Location"].endswith(f"/curator/?published={round_.id}")
    assert round_.published and rounds.status(round_, utcnow()) == "open"
    assert round_.title == "Three facts about me"
    assert [(s.text, s.is_false, s.explanation) for s in round_.statements] == [
        ("I have a cat", False, "Her name is Mia."), ("I climbed Everest", True, "Only base camp."),
        ("I speak French", False, ""),
    ]
    assert approx(round_.opens_at, utcnow())
    assert approx(round_.closes_at, utcnow() + timedelta(days=1))
    assert "Three facts about me" in text(curator.get("/"))


@pytest.mark.parametrize(
    ("statements", "title", "message", "where"),
    [
        ([("Only one", True, "")], "One statement", "A facts round has 2 to 30 statements.", "rows-error"),
        ([("True", False, ""), ("Also true", False, "")], "No lie", "Mark at least one statement as false.", "rows-error"),
        ([("Lie", True, ""), ("Another lie", True, "")], "No truth", "Leave at least one statement true.", "rows-error"),
        (None, "   ", "Give the round a title.", "title-error"),
        (None, "\u200b\u202e\u200d", "Give the round a title.", "title-error"),
    ],
    ids=["one-statement", "no-false", "all-false", "empty-title", "invisible-title"],
)
def test_publishing_an_invalid_round_is_refused_with_the_message_by_the_field(curator, statements, title, message, where):
    response = curator.post_form(NEW_FACTS, NEW_FACTS, editor_form(statements, title=title))
    body = text(response)
    assert response.status_code == 422
    assert re.search(rf'<p class="field-error" id="{where}"[^>]*>[^<]*{re.escape(message)}', body)
    assert rounds_in_db() == []


def test_save_draft_keeps_an_incomplete_round_unpublished(curator):
    response = curator.post_form(NEW_FACTS, NEW_FACTS, editor_form([("Just one idea", False, "")], title="", action="save"))
    assert response.status_code == 303
    [draft] = rounds_in_db()
    assert response.headers["Location"].endswith(f"/curator/rounds/{draft.id}/edit")
    assert not draft.published and rounds.status(draft, utcnow()) == "draft"
    assert [s.text for s in draft.statements] == ["Just one idea"]
    assert "Just one idea" in text(curator.get(f"/curator/rounds/{draft.id}/edit"))


# --- row actions ------------------------------------------------------------------------------

@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_adding_a_row_keeps_what_was_typed(curator, htmx):
    response = curator.post_form(NEW_FACTS, NEW_FACTS, editor_form(title="Draft title", action="add"), htmx=htmx)
    body = text(response)
    assert response.status_code == 200
    if htmx:
        assert body.lstrip().startswith('<form id="round-editor"')
        assert "<html" not in body
    else:
        assert "<html" in body and '<form id="round-editor"' in body
    assert row_texts(body) == ["I have a cat", "I climbed Everest", "I speak French", ""]
    assert 'value="Draft title"' in body
    assert "Her name is Mia." in body
    assert re.search(r'name="statements-1-is_false"[^>]*checked|checked[^>]*name="statements-1-is_false"', body)
    assert rounds_in_db() == []


def test_remove_takes_out_only_that_row(curator):
    response = curator.post_form(NEW_FACTS, NEW_FACTS, editor_form(action="remove-1"), htmx=True)
    assert response.status_code == 200
    assert row_texts(text(response)) == ["I have a cat", "I speak French"]


RUSSIAN_LIST = [
    "Я родилась в Мурманске.",
    "Я трижды прыгала с парашютом.",
    "У меня есть кот по имени Бублик.",
    "Я говорю на четырёх языках.",
    "Я работала в цирке.",
    "Я ни разу не была в Москве.",
    "Я пробежала марафон за 3:30.",
    "Я пишу стихи, но никому их не показываю.",
    "Мой любимый композитор — Рахманинов.",
    "Я зна\u0301ю наизусть «Евгения Онегина».",
]


def test_pasting_paragraphs_gives_one_row_each_with_the_exact_text(curator):
    pasted = "\r\n\r\n".join(RUSSIAN_LIST) + "\r\n"
    blank_rows = [("", False, "")] * 3
    response = curator.post_form(NEW_FACTS, NEW_FACTS, editor_form(blank_rows, action="paste", paste=pasted), htmx=True)
    assert response.status_code == 200
    rows = row_texts(text(response))
    assert rows == RUSSIAN_LIST
    assert "\u0301" in rows[9]


def test_pasted_statements_are_published_with_the_text_kept_exactly(curator):
    statements = [(line, i in (1, 4, 7), "") for i, line in enumerate(RUSSIAN_LIST)]
    assert curator.post_form(NEW_FACTS, NEW_FACTS, editor_form(statements, title="10 фактов обо мне")).status_code == 303
    [round_] = rounds_in_db()
    assert [s.text for s in round_.statements] == RUSSIAN_LIST
    assert rounds.false_count(round_) == 3


# --- once players have answered ---------------------------------------------------------------

@pytest.fixture
def answered(make, curator):  # type: ignore[no-untyped-def]
    """The host's open round that one player has answered; returns its id."""
    round_ = make.facts_round(
        [("I have a cat", False), ("I climbed Everest", True), ("I speak French", False)],
        explanations=["Her name is Mia.", "Only base camp.", ""],
        curator=host_user(),
    )
    make.answer(round_, make.user("ann", password=None), [round_.statements[1].id])
    return round_.id


def stored_statements(round_id: int) -> list[tuple[str, bool, str]]:
    db.session.rollback()
    rows = db.session.scalars(select(Statement).where(Statement.round_id == round_id).order_by(Statement.position))
    return [(s.text, s.is_false, s.explanation) for s in rows]


ORIGINAL = [("I have a cat", False, "Her name is Mia."), ("I climbed Everest", True, "Only base camp."),
            ("I speak French", False, "")]


@pytest.mark.parametrize(
    "changed",
    [
        [("I have two cats", False, "Her name is Mia."), *ORIGINAL[1:]],
        [("I have a cat", True, "Her name is Mia."), *ORIGINAL[1:]],
        ORIGINAL[:2],
        [*ORIGINAL, ("A brand new one", True, "")],
    ],
    ids=["text", "truth", "removed", "added"],
)
def test_statements_and_truth_are_locked_once_a_player_answered(curator, answered, changed):
    url = f"/curator/rounds/{answered}/edit"
    response = curator.post_form(url, url, editor_form(changed, title="Facts about me", action="save"))
    assert response.status_code == 409
    assert "Statements and options can't change once players have answered" in html.unescape(text(response))
    assert stored_statements(answered) == ORIGINAL


def test_row_actions_are_refused_once_a_player_answered(curator, answered):
    url = f"/curator/rounds/{answered}/edit"
    response = curator.post_form(url, url, editor_form(ORIGINAL, title="Facts about me", action="add"), htmx=True)
    assert response.status_code == 409
    assert stored_statements(answered) == ORIGINAL


def test_explanations_can_still_change_once_a_player_answered(curator, answered):
    url = f"/curator/rounds/{answered}/edit"
    edited = [(t, f, e) for t, f, e in ORIGINAL[:2]] + [("I speak French", False, "Un peu.")]
    response = curator.post_form(url, url, editor_form(edited, title="Facts about me", action="save"))
    assert response.status_code == 303
    assert stored_statements(answered) == edited


def test_explanations_can_change_on_a_statement_with_a_line_break(make, curator):
    # Browsers send every line break in a textarea as CRLF, whatever the stored text uses.
    round_ = make.facts_round([("Two lines:\nthe second", False), ("A lie", True)], curator=host_user())
    make.answer(round_, make.user("ann", password=None), [round_.statements[1].id])
    round_id = round_.id
    url = f"/curator/rounds/{round_id}/edit"
    sent = [("Two lines:\r\nthe second", False, "It wraps."), ("A lie", True, "")]
    response = curator.post_form(url, url, editor_form(sent, title="Facts about me", action="save"))
    assert response.status_code == 303
    assert stored_statements(round_id) == [("Two lines:\nthe second", False, "It wraps."), ("A lie", True, "")]


# --- closing, extending -----------------------------------------------------------------------

def test_close_now_closes_an_open_round_and_makes_the_reveal_public(make, curator, visitor):
    round_ = make.facts_round(curator=host_user())
    round_id = round_.id
    assert "Facts about me" in text(visitor.get(f"/rounds/{round_id}/reveal"))
    assert "FALSE" not in text(visitor.get(f"/rounds/{round_id}/reveal"))

    response = curator.post_form("/curator/", f"/curator/rounds/{round_id}/close", {})
    assert response.status_code == 303
    assert rounds.status(fresh_round(round_id), utcnow()) == "closed"
    reveal = text(visitor.get(f"/rounds/{round_id}/reveal"))
    assert "FALSE" in reveal and "TRUE" in reveal
    assert visitor.get(f"/rounds/{round_id}/results.json").status_code == 200


def test_extend_moves_the_closing_time_later(make, curator):
    round_ = make.facts_round(curator=host_user())
    round_id, before = round_.id, as_utc(round_.closes_at)
    url = f"/curator/rounds/{round_id}/edit"
    response = curator.post_form(url, f"/curator/rounds/{round_id}/extend", {"closes_choice": "1w", "tz": "UTC"})
    assert response.status_code == 303
    after = as_utc(fresh_round(round_id).closes_at)
    assert approx(after, before + timedelta(weeks=1))


def test_extend_refuses_a_time_before_the_current_close(make, curator):
    round_ = make.facts_round(curator=host_user())
    round_id, before = round_.id, as_utc(round_.closes_at)
    earlier = (before - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    url = f"/curator/rounds/{round_id}/edit"
    response = curator.post_form(url, f"/curator/rounds/{round_id}/extend",
                                 {"closes_choice": "custom", "closes_at": earlier, "tz": "UTC"})
    assert response.status_code == 422
    assert "Choose a time after the current closing time." in text(response)
    assert as_utc(fresh_round(round_id).closes_at) == before


def test_a_closed_round_never_reopens(make, curator, visitor):
    round_ = make.facts_round(curator=host_user(), status="closed")
    round_id, before = round_.id, as_utc(round_.closes_at)
    url = f"/curator/rounds/{round_id}/edit"
    extended = curator.post_form(url, f"/curator/rounds/{round_id}/extend",
                                 {"closes_choice": "custom", "closes_at": "2099-01-01T12:00", "tz": "UTC"})
    assert extended.status_code == 303
    assert "A closed round can't be reopened." in html.unescape(text(curator.get(extended.headers["Location"])))
    republished = curator.post_form(url, url, editor_form(title="Facts about me", action="publish"))
    assert republished.status_code < 500
    closed_again = curator.post_form("/curator/", f"/curator/rounds/{round_id}/close", {})
    assert closed_again.status_code == 303
    round_ = fresh_round(round_id)
    assert rounds.status(round_, utcnow()) == "closed"
    assert as_utc(round_.closes_at) == before
    assert "This round is closed" in text(visitor.get(f"/rounds/{round_id}"))


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        ("2030-01-15T10:00", datetime(2030, 1, 15, 9, 0, tzinfo=UTC)),  # winter time, UTC+1
        ("2030-07-15T10:00", datetime(2030, 7, 15, 8, 0, tzinfo=UTC)),  # summer time, UTC+2
        # 02:30 does not exist on the spring-forward day; the documented rule reads it with the offset before.
        ("2030-03-31T02:30", datetime(2030, 3, 31, 1, 30, tzinfo=UTC)),
    ],
    ids=["winter", "summer", "spring-forward-gap"],
)
def test_custom_closing_time_is_read_in_the_chosen_zone_and_stored_in_utc(curator, local, utc):
    form = editor_form(closes_choice="custom", closes_at=local, tz="Europe/Berlin")
    assert curator.post_form(NEW_FACTS, NEW_FACTS, form).status_code == 303
    [round_] = rounds_in_db()
    assert as_utc(round_.closes_at) == utc


# --- a poll's correct answer -------------------------------------------------------------------

NEW_POLL = "/curator/rounds/new/poll"
DRINKS = ["Tea", "Coffee", "Mate"]


def poll_form(options=DRINKS, correct="none", *, title="What do you drink?", action="publish", **fields):  # type: ignore[no-untyped-def]
    """The poll editor's fields as a browser sends them; correct is the chosen radio button (a row, or "none")."""
    data = {"title": title, "intro": "", "series": "", "results_visibility": "after_vote"}
    for i, option in enumerate(options):
        data[f"options-{i}-text"] = option
    if correct is not None:
        data["correct"] = correct
    data |= {"opens_at": "", "closes_choice": "1d", "closes_at": "", "tz": "UTC", "action": action}
    return data | fields


def correct_choices(page: str) -> dict[str, bool]:
    """The editor's radio buttons for the correct answer: each value, and whether it is chosen."""
    found = re.findall(r'<input type="radio" name="correct" value="([^"]*)"( checked)?', page)
    return {value: bool(checked) for value, checked in found}


def option_texts(page: str) -> list[str]:
    return [html.unescape(value) for value in re.findall(r'name="options-\d+-text"[^>]*value="([^"]*)"', page)]


def stored_options(round_id: int) -> list[tuple[str, bool]]:
    return [(o.text, o.is_correct) for o in fresh_round(round_id).options]


def test_the_poll_editor_offers_one_choice_of_correct_answer_none_at_first(curator):
    page = text(curator.get(NEW_POLL))
    assert correct_choices(page) == {"0": False, "1": False, "none": True}
    assert "No correct answer (opinion poll)" in page
    assert not re.search(r'type="checkbox"[^>]*name="options-', page)


def test_publishing_stores_the_chosen_correct_answer(curator):
    assert curator.post_form(NEW_POLL, NEW_POLL, poll_form(correct="1")).status_code == 303
    [round_] = rounds_in_db()
    assert stored_options(round_.id) == [("Tea", False), ("Coffee", True), ("Mate", False)]
    assert round_.results_visibility == "after_close"  # a quiz poll keeps its results until the close


@pytest.mark.parametrize(("action", "texts", "choices"), [
    ("up-1", ["Coffee", "Tea", "Mate"], {"0": True, "1": False, "2": False, "none": False}),
    ("down-1", ["Tea", "Mate", "Coffee"], {"0": False, "1": False, "2": True, "none": False}),
    ("add", [*DRINKS, ""], {"0": False, "1": True, "2": False, "3": False, "none": False}),
    ("remove-0", ["Coffee", "Mate"], {"0": True, "1": False, "none": False}),
    ("remove-1", ["Tea", "Mate"], {"0": False, "1": False, "none": True}),
])
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_the_correct_answer_moves_with_its_option_on_row_actions(curator, action, texts, choices, htmx):
    response = curator.post_form(NEW_POLL, NEW_POLL, poll_form(correct="1", action=action), htmx=htmx)
    assert response.status_code == 200
    page = text(response)
    assert option_texts(page) == texts
    assert correct_choices(page) == choices
    assert rounds_in_db() == []


@pytest.mark.parametrize("correct", ["3", "-1", "1; DROP", "", "٢"])
def test_a_correct_answer_naming_no_option_is_refused_and_nothing_typed_is_lost(curator, correct):
    response = curator.post_form(NEW_POLL, NEW_POLL, poll_form(correct=correct, title="Kept question"))
    assert response.status_code == 422
    page = text(response)
    assert "Choose the correct answer among the options, or no correct answer." in page
    assert option_texts(page) == DRINKS and 'value="Kept question"' in page
    assert rounds_in_db() == []


def test_an_answered_quiz_poll_keeps_its_correct_answer_and_takes_a_new_title(make, curator):
    round_ = make.poll(DRINKS, correct=1, curator=host_user(), title="What do you drink?")
    make.answer(round_, make.user("voter"), option=round_.options[0].id)
    round_id, url = round_.id, f"/curator/rounds/{round_.id}/edit"
    page = text(curator.get(url))
    assert re.search(r'<input type="radio" name="correct" value="1" checked disabled>', page)
    assert '<input type="hidden" name="correct" value="1">' in page

    moved = curator.post_form(url, url, poll_form(correct="0", title="What do you drink?", action="save"))
    assert moved.status_code == 409
    renamed = curator.post_form(url, url, poll_form(correct="1", title="Your drink?", action="save"))
    assert renamed.status_code == 303
    assert stored_options(round_id) == [("Tea", False), ("Coffee", True), ("Mate", False)]
    assert fresh_round(round_id).title == "Your drink?"


# --- the time-zone picker ---------------------------------------------------------------------

def zone_select(page: str) -> str:
    found = re.search(r'<select[^>]*name="tz"[^>]*>.*?</select>', page, flags=re.S)
    assert found, page
    return found.group(0)


def zone_options(page: str) -> dict[str, tuple[str | None, str]]:
    """The editor's zones: each id, the region it is listed under and its label, as the page has them."""
    select = zone_select(page)
    offered = {}
    for part in re.split(r"(<optgroup [^>]*>.*?</optgroup>)", select, flags=re.S):
        group = re.match(r'<optgroup label="([^"]*)">', part)
        for value, label in re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>', part):
            offered[html.unescape(value)] = (html.unescape(group.group(1)) if group else None, html.unescape(label))
    return offered


def test_the_zone_picker_offers_places_by_region_in_the_curators_language(curator):
    page = text(curator.get(NEW_FACTS, headers={"Accept-Language": "ru"}))
    offered = zone_options(page)
    assert offered["Europe/Berlin"] == ("Европа", "Берлин (Германия)")
    assert offered["America/New_York"] == ("Америка", "Нью-Йорк (Соединенные Штаты)")
    assert offered["UTC"] == (None, "UTC")
    assert not {"Factory", "localtime", "Etc/GMT+3", "US/Pacific"} & set(offered)
    # Without JavaScript nobody knows the curator's zone: UTC is chosen (app.js picks the browser's).
    assert re.search(r'<option selected value="UTC">', zone_select(page))
    assert "data-tz-chosen" not in zone_select(page)


def test_the_zone_last_scheduled_in_stays_chosen_even_under_an_old_name(curator):
    with curator.client.session_transaction() as session:
        session["tz"] = "Asia/Calcutta"  # what the picker stored before it offered IANA's own ids only
    select = zone_select(text(curator.get(NEW_FACTS)))
    assert re.search(r'<option selected value="Asia/Kolkata">Kolkata \(India\)</option>', select)
    assert "data-tz-chosen" in select


def test_a_zone_sent_under_an_old_name_is_read_as_its_zone(curator):
    form = editor_form(closes_choice="custom", closes_at="2030-01-15T10:00", tz="Asia/Calcutta")
    assert curator.post_form(NEW_FACTS, NEW_FACTS, form).status_code == 303
    [round_] = rounds_in_db()
    assert as_utc(round_.closes_at) == datetime(2030, 1, 15, 4, 30, tzinfo=UTC)
    with curator.client.session_transaction() as session:
        assert session["tz"] == "Asia/Kolkata"


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "Etc/GMT+3", "Factory"])
def test_an_unknown_zone_is_refused_at_its_field_and_nothing_typed_is_lost(curator, zone):
    form = editor_form(title="Kept title", closes_choice="custom", closes_at="2030-01-15T10:00", tz=zone)
    response = curator.post_form(NEW_FACTS, NEW_FACTS, form)
    assert response.status_code == 422
    page = text(response)
    assert re.search(r'<p class="field-error" id="tz-error">Choose a time zone from the list.</p>', page)
    assert 'value="Kept title"' in page and "I climbed Everest" in page and 'value="2030-01-15T10:00"' in page
    assert rounds_in_db() == []


def test_extending_in_an_unknown_zone_says_so(make, curator):
    round_ = make.facts_round(curator=host_user())
    round_id, before = round_.id, as_utc(round_.closes_at)
    response = curator.post_form(f"/curator/rounds/{round_id}/edit", f"/curator/rounds/{round_id}/extend",
                                 {"closes_choice": "custom", "closes_at": "2099-01-01T12:00", "tz": "Etc/GMT+3"})
    assert response.status_code == 422
    assert "Choose a time zone from the list." in text(response)
    assert as_utc(fresh_round(round_id).closes_at) == before


# --- deleting ---------------------------------------------------------------------------------

def test_deleting_a_round_without_answers_takes_one_post(make, curator):
    round_id = make.facts_round(curator=host_user()).id
    response = curator.post_form("/curator/", f"/curator/rounds/{round_id}/delete", {})
    assert response.status_code == 303
    assert fresh_round(round_id) is None


def test_deleting_a_round_with_answers_needs_confirmation_and_removes_its_points(make, curator, visitor):
    round_ = make.facts_round(curator=host_user(), status="closed")
    make.answer(round_, make.user("ann", password=None), [s.id for s in round_.statements if s.is_false])
    round_id = round_.id
    assert ">ann<" in text(visitor.get("/leaderboard"))

    unconfirmed = curator.post_form("/curator/", f"/curator/rounds/{round_id}/delete", {})
    assert unconfirmed.status_code == 200
    assert "Yes, delete it" in text(unconfirmed)
    assert fresh_round(round_id) is not None

    confirmed = curator.post_form(f"/curator/rounds/{round_id}/delete", f"/curator/rounds/{round_id}/delete",
                                  {"confirm": "yes"})
    assert confirmed.status_code == 303
    assert fresh_round(round_id) is None
    assert db.session.scalar(select(func.count(Answer.id))) == 0
    assert ">ann<" not in text(visitor.get("/leaderboard"))


def test_a_closed_round_without_answers_keeps_its_statements_too(make, curator):
    round_ = make.facts_round(status="closed", curator=host_user())
    page = text(curator.get(f"/curator/rounds/{round_.id}/edit"))
    assert "or the round has closed" in page and "readonly" in page
    changed = editor_form([("Rewritten", True, ""), ("Also new", False, "")], action="save")
    response = curator.post_form(f"/curator/rounds/{round_.id}/edit", f"/curator/rounds/{round_.id}/edit", changed)
    assert response.status_code == 409
    assert [text for text, _, _ in stored_statements(round_.id)] == ["I have a cat", "I climbed Everest", "I speak French"]


# --- racing a player's first answer (PostgreSQL: SQLite queues every writing request on its write lock) ---

def answer_in_flight(other: Connection, round_id: int, player_id: int, statement_id: int) -> None:
    """Write a player's answer with one mark on another connection, leaving it uncommitted."""
    answer_id = other.execute(
        insert(Answer).values(round_id=round_id, player_id=player_id, points=1, max_points=1, created_at=utcnow())
        .returning(Answer.id)
    ).scalar_one()
    other.execute(insert(Mark).values(answer_id=answer_id, statement_id=statement_id))


def post_while_an_answer_commits(app, curator: Player, page_url: str, post_url: str, data: dict,  # type: ignore[no-untyped-def,type-arg]
                                 answer: tuple[int, int, int]):
    """POST for the curator while a player's answer is written but not committed; commit it once the POST waits."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite's writing requests queue on its one write lock")
    token = csrf_from(text(curator.get(page_url)))
    db.session.rollback()
    done: dict[str, object] = {}
    with db.engine.connect() as other, db.engine.connect() as watcher:
        answer_in_flight(other, *answer)
        request = threading.Thread(target=lambda: done.update(
            response=curator.client.post(post_url, data=MultiDict([("csrf_token", token), *data.items()]))))
        request.start()
        deadline = time.monotonic() + 10
        waiting = 0
        while not waiting and time.monotonic() < deadline and request.is_alive():
            time.sleep(0.02)
            waiting = watcher.execute(sql(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )).scalar_one()
            watcher.rollback()
        other.commit()
        request.join(10)
    assert waiting, "the curator's POST never waited on the answer being written"
    assert not request.is_alive(), "the curator's POST was still waiting 10 s after the answer committed"
    return done["response"]


def answers_of(round_id: int) -> tuple[int, int]:
    db.session.rollback()
    answers = db.session.scalar(select(func.count()).select_from(Answer).where(Answer.round_id == round_id))
    marks = db.session.scalar(select(func.count()).select_from(Mark).join(Answer).where(Answer.round_id == round_id))
    return answers, marks


def test_an_edit_racing_the_first_answer_waits_for_it_and_then_keeps_the_statements(app, make, curator):
    round_ = make.facts_round(
        [(t, f) for t, f, _ in ORIGINAL], explanations=[e for _, _, e in ORIGINAL], curator=host_user()
    )
    round_id, answer = round_.id, (round_.id, make.user("ann", password=None).id, round_.statements[1].id)
    url = f"/curator/rounds/{round_id}/edit"
    changed = editor_form([("I have two cats", False, "Her name is Mia."), *ORIGINAL[1:]], title="Facts about me",
                          action="save")
    response = post_while_an_answer_commits(app, curator, url, url, changed, answer)
    assert response.status_code == 409
    assert "Statements and options can't change once players have answered" in html.unescape(text(response))
    assert stored_statements(round_id) == ORIGINAL
    assert answers_of(round_id) == (1, 1)


def test_a_delete_racing_the_first_answer_asks_for_confirmation_instead(app, make, curator):
    round_ = make.facts_round(curator=host_user())
    round_id, answer = round_.id, (round_.id, make.user("ann", password=None).id, round_.statements[0].id)
    response = post_while_an_answer_commits(app, curator, "/curator/", f"/curator/rounds/{round_id}/delete", {},
                                            answer)
    assert response.status_code == 200
    assert "Yes, delete it" in text(response)
    assert fresh_round(round_id) is not None
    assert answers_of(round_id) == (1, 1)


def test_after_publishing_the_dashboard_offers_the_rounds_link_to_share(curator, new_player):
    response = curator.post_form(NEW_FACTS, NEW_FACTS, editor_form())
    [round_] = rounds_in_db()
    body = text(curator.get(response.headers["Location"]))
    # The address in a plain read-only box (selectable without JavaScript), a copy button, the card it unfurls into.
    assert (f'<textarea id="share-round-text" class="share-text" readonly rows="2" spellcheck="false">'
            f'http://localhost/rounds/{round_.id}?lang=en</textarea>') in body
    assert 'class="btn btn-secondary js-copy" hidden data-copy="share-round-text"' in body
    card = rf'src="http://localhost/rounds/{round_.id}/card.png\?lang=en&amp;v=\w+"'
    assert re.search(rf'<img class="share-card" {card} alt="Two Truths · Open · Three facts about me[^"]*" '
                     r'width="1200" height="630" loading="lazy"', body)
    assert "Share “Three facts about me”" in body
    # Only right after publishing or from the round's Share button, and only the curator's own published round.
    assert 'id="share-round"' not in text(curator.get("/curator/"))
    assert f'href="/curator/?share={round_.id}#share-round"' in text(curator.get("/curator/"))
    assert 'id="share-round"' in text(curator.get(f"/curator/?share={round_.id}"))
    draft = curator.post_form(NEW_FACTS, NEW_FACTS, editor_form(title="A draft", action="save"))
    assert draft.status_code == 303
    draft_id = max(r.id for r in rounds_in_db())
    assert 'id="share-round"' not in text(curator.get(f"/curator/?published={draft_id}"))
    assert 'id="share-round"' not in text(curator.get(f"/curator/?share={draft_id}"))
