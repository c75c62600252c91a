"""Rounds as JSON: the whole document is checked first, strings survive exactly, export mirrors import."""
from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.auth.service import find_user
from quizapp.data.rounds_json import (
    FORMAT,
    RoundsFileError,
    dump_document,
    export_rounds,
    import_rounds,
    load_document,
    parse_rounds,
)
from quizapp.extensions import db
from quizapp.models import OPTION_MAX, TITLE_MAX, Round, Series, User
from quizapp.rounds.editor import find_series
from quizapp.rules import rounds
from quizapp.rules.lifecycle import RoundStatus, as_utc
from quizapp.rules.rounds import ResultsVisibility, RoundKind
from quizapp.rules.text import has_visible_text

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def facts(title: str = "10 facts about me", **extra: Any) -> dict[str, Any]:
    return {
        "kind": "facts",
        "title": title,
        "statements": [
            {"text": "I have a cat", "true": True},
            {"text": "I climbed Everest", "true": False, "explanation": "Only a hill."},
            {"text": "I speak French", "true": True},
        ],
        **extra,
    }


def poll(title: str = "Tea or coffee?", **extra: Any) -> dict[str, Any]:
    return {"kind": "poll", "title": title, "options": [{"text": "Tea"}, {"text": "Coffee"}], **extra}


def document(*rounds: dict[str, Any]) -> dict[str, Any]:
    return {"format": FORMAT, "rounds": list(rounds)}


def errors_of(payload: Any, **kwargs: Any) -> list[str]:
    with pytest.raises(RoundsFileError) as caught:
        parse_rounds(payload, **kwargs)
    return caught.value.errors


# Checking a document (pure: no app, no database)


def test_product_example_parses():
    specs = parse_rounds(
        {
            "format": "two-truths/rounds@1",
            "rounds": [
                {"kind": "facts", "title": "10 facts about me", "intro": "7 are true, 3 are false.",
                 "series": "Week of the guest host",
                 "opens_at": "2026-11-27T10:00:00Z", "closes_at": "2026-11-28T10:00:00Z",
                 "statements": [{"text": "I ski", "true": True},
                                {"text": "I fly", "true": False, "explanation": "No."}]},
                {"kind": "poll", "title": "How broad should an ML engineer's job be?",
                 "results": "after_vote",
                 "options": [{"text": "Narrow", "correct": False}, {"text": "Broad", "correct": False}]},
            ],
        }
    )
    first, second = specs
    assert first.kind is RoundKind.FACTS
    assert first.series == "Week of the guest host"
    assert first.opens_at == datetime(2026, 11, 27, 10, tzinfo=UTC)
    assert [(s.text, s.is_false, s.explanation) for s in first.statements] == [
        ("I ski", False, ""),
        ("I fly", True, "No."),
    ]
    assert second.kind is RoundKind.POLL
    assert second.results is ResultsVisibility.AFTER_VOTE
    assert [o.is_correct for o in second.options] == [False, False]


def test_every_invalid_round_is_reported_by_number_title_and_field():
    payload = document(
        facts("Fine"),
        poll("My poll", options=[{"text": "Only one"}]),
        facts("Third", statements=[{"text": "", "true": True}, {"text": "B", "true": "no"}]),
    )
    assert errors_of(payload) == [
        'round 2 ("My poll"): options: a poll has 2 to 10 options, not 1',
        'round 3 ("Third"): statement 1: text: must not be empty',
        'round 3 ("Third"): statement 2: true: must be true or false',
    ]


def test_a_round_without_a_title_is_named_by_its_number():
    assert errors_of(document(facts(title=""))) == ["round 1: title: must not be empty"]
    assert errors_of(document({k: v for k, v in facts().items() if k != "title"})) == ["round 1: title: is required"]


def test_long_titles_are_shortened_in_messages():
    title = "x" * (TITLE_MAX + 1)
    [message] = errors_of(document(facts(title)))
    assert message == f'round 1 ("{"x" * 39}…"): title: is 201 characters long; the limit is 200'


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        pytest.param([], 'the document must be a JSON object like {"format": "two-truths/rounds@1", "rounds": [...]}',
                     id="not-an-object"),
        pytest.param({"rounds": [facts()]}, 'format: must be "two-truths/rounds@1"', id="no-format"),
        pytest.param({"format": "two-truths/rounds@2", "rounds": [facts()]}, 'format: must be "two-truths/rounds@1"',
                     id="other-format"),
        pytest.param(document(), "rounds: must be a non-empty list of rounds", id="no-rounds"),
        pytest.param({"format": FORMAT, "rounds": {"kind": "facts"}}, "rounds: must be a non-empty list of rounds",
                     id="rounds-not-a-list"),
    ],
)
def test_the_document_itself_must_have_the_format_and_rounds(payload, message):
    assert message in errors_of(payload)


def test_unknown_keys_are_errors_with_a_suggestion():
    payload = document({**facts(), "titel": "Typo"}, {**poll(), "statements": []})
    assert errors_of({**payload, "version": 1}) == [
        'unknown key "version"',
        'round 1 ("10 facts about me"): unknown key "titel" (did you mean "title"?)',
        'round 2 ("Tea or coffee?"): statements: a poll has "options", not "statements"',
    ]


def test_keys_of_the_other_kind_are_pointed_out():
    assert errors_of(document(facts(results="after_vote"))) == [
        'round 1 ("10 facts about me"): results: only polls have results; remove it'
    ]


def test_unknown_keys_inside_statements_and_options_are_errors():
    statements = [{"text": "A", "true": True, "explenation": "x"}, {"text": "B", "true": False}]
    options = [{"text": "Tea", "corect": True}, {"text": "Coffee"}]
    assert errors_of(document(facts(statements=statements), poll(options=options))) == [
        'round 1 ("10 facts about me"): statement 1: unknown key "explenation" (did you mean "explanation"?)',
        'round 2 ("Tea or coffee?"): option 1: unknown key "corect" (did you mean "correct"?)',
    ]


@pytest.mark.parametrize(
    ("kind", "message"),
    [(None, 'kind: is required: "facts" or "poll"'), ("quiz", 'kind: must be "facts" or "poll"')],
)
def test_kind_is_facts_or_poll(kind, message):
    round_ = {**facts(), "kind": kind} if kind else {k: v for k, v in facts().items() if k != "kind"}
    assert errors_of(document(round_)) == [f'round 1 ("10 facts about me"): {message}']


def test_facts_rounds_have_2_to_30_statements():
    one = [{"text": "Alone", "true": False}]
    many = [{"text": f"Fact {i}", "true": i != 0} for i in range(31)]
    assert errors_of(document(facts(statements=one), facts(statements=many))) == [
        'round 1 ("10 facts about me"): statements: a facts round has 2 to 30 statements, not 1',
        'round 2 ("10 facts about me"): statements: a facts round has 2 to 30 statements, not 31',
    ]


def test_facts_rounds_need_a_true_and_a_false_statement():
    all_true = [{"text": "A", "true": True}, {"text": "B", "true": True}]
    all_false = [{"text": "A", "true": False}, {"text": "B", "true": False}]
    assert errors_of(document(facts(statements=all_true), facts(statements=all_false))) == [
        'round 1 ("10 facts about me"): statements: mark at least one statement false ("true": false)',
        'round 2 ("10 facts about me"): statements: leave at least one statement true ("true": true)',
    ]


def test_a_statement_says_whether_it_is_true():
    statements = [{"text": "A"}, {"text": "B", "true": False}, "C"]
    assert errors_of(document(facts(statements=statements))) == [
        'round 1 ("10 facts about me"): statement 1: true: is required: true or false',
        'round 1 ("10 facts about me"): statement 3: must be an object like {"text": "…", "true": false}',
    ]


def test_polls_have_2_to_10_distinct_options():
    eleven = [{"text": f"Option {i}"} for i in range(11)]
    repeated = [{"text": "Yes"}, {"text": "No"}, {"text": " yes "}]
    assert errors_of(document(poll(options=eleven), poll(options=repeated))) == [
        'round 1 ("Tea or coffee?"): options: a poll has 2 to 10 options, not 11',
        'round 2 ("Tea or coffee?"): option 3: text: repeats option 1',
    ]


def test_option_text_has_a_limit():
    options = [{"text": "x" * (OPTION_MAX + 1)}, {"text": "y"}]
    assert errors_of(document(poll(options=options))) == [
        'round 1 ("Tea or coffee?"): option 1: text: is 301 characters long; the limit is 300'
    ]


def test_a_quiz_poll_has_one_correct_option_and_hides_results_until_close():
    two_correct = [{"text": "A", "correct": True}, {"text": "B"}, {"text": "C", "correct": True}]
    one_correct = [{"text": "A", "correct": True}, {"text": "B", "correct": False}]
    assert errors_of(document(poll(options=two_correct), poll(options=one_correct, results="after_vote"))) == [
        'round 1 ("Tea or coffee?"): options: at most one option can be correct; options 1, 3 are',
        'round 2 ("Tea or coffee?"): results: a quiz poll (one with a correct option) keeps its results hidden '
        'until the close; use "after_close" or leave results out',
    ]


def test_results_default_to_after_vote_for_opinion_polls_and_after_close_for_quiz_polls():
    quiz = poll(options=[{"text": "A", "correct": True}, {"text": "B"}])
    opinion, quiz_spec, hidden = parse_rounds(document(poll(), quiz, poll(results="after_close")))
    assert opinion.results is ResultsVisibility.AFTER_VOTE
    assert quiz_spec.results is ResultsVisibility.AFTER_CLOSE
    assert hidden.results is ResultsVisibility.AFTER_CLOSE
    assert errors_of(document(poll(results="never"))) == [
        'round 1 ("Tea or coffee?"): results: must be "after_vote" or "after_close"'
    ]


def test_times_need_a_time_zone_and_are_kept_in_utc():
    [spec] = parse_rounds(document(facts(opens_at="2026-11-27T13:00:00+03:00", closes_at="2026-11-28T10:00:00Z")))
    assert spec.opens_at == datetime(2026, 11, 27, 10, tzinfo=UTC)
    assert spec.closes_at == datetime(2026, 11, 28, 10, tzinfo=UTC)
    assert errors_of(document(facts(opens_at="2026-11-27T10:00:00", closes_at="tomorrow"))) == [
        'round 1 ("10 facts about me"): opens_at: needs a time zone: end it with Z for UTC or an offset like '
        "+03:00 (2026-11-27T10:00:00Z)",
        'round 1 ("10 facts about me"): closes_at: "tomorrow" is not an ISO 8601 time; write it like '
        "2026-11-27T10:00:00Z",
    ]


def test_a_round_closes_after_it_opens():
    assert errors_of(document(facts(opens_at="2026-11-28T10:00:00Z", closes_at="2026-11-28T10:00:00Z"))) == [
        'round 1 ("10 facts about me"): closes_at: must be after opens_at'
    ]


def test_a_round_opening_on_import_must_close_in_the_future():
    past = document(facts(closes_at="2026-11-27T11:00:00Z"))
    assert errors_of(past, now=NOW) == [
        'round 1 ("10 facts about me"): closes_at: is in the past: without opens_at the round opens on import '
        "and would close at once"
    ]


def test_strings_are_kept_exactly():
    text = "  Line one\n\tline two  "
    statements = [{"text": text, "true": True, "explanation": " e\u0301 "}, {"text": "B", "true": False}]
    [spec] = parse_rounds(document(facts(title=" Title ", intro="\n", statements=statements)))
    assert spec.title == " Title "
    assert spec.intro == "\n"
    assert spec.statements[0].text == text
    assert spec.statements[0].explanation == " e\u0301 "


@pytest.mark.parametrize("bad", ["a\x00b", "a\ud800b"], ids=["nul", "lone-surrogate"])
def test_strings_no_database_can_store_are_refused(bad):
    statements = [{"text": bad, "true": True}, {"text": "B", "true": False}]
    [message] = errors_of(document(facts(statements=statements)))
    assert message.startswith('round 1 ("10 facts about me"): statement 1: text: must not contain')


def test_wrong_types_are_reported():
    payload = document({"kind": "poll", "title": 7, "intro": [], "series": {}, "opens_at": 1, "options": "A, B"})
    assert errors_of(payload) == [
        "round 1: title: must be a string",
        "round 1: intro: must be a string",
        "round 1: series: must be a string",
        "round 1: opens_at: must be a time written like 2026-11-27T10:00:00Z",
        'round 1: options: is required: a list like [{"text": "…"}]',
    ]


def test_null_optional_values_count_as_absent():
    [spec] = parse_rounds(document(facts(intro=None, series=None, opens_at=None)))
    assert (spec.intro, spec.series, spec.opens_at) == ("", None, None)


# Reading the file


def test_invalid_json_names_line_and_column():
    with pytest.raises(RoundsFileError) as caught:
        load_document(b'{"format": "two-truths/rounds@1",\n "rounds": [,]}')
    assert caught.value.errors == ["not valid JSON at line 2, column 13: Expecting value"]


def test_invalid_utf8_names_line_and_column():
    with pytest.raises(RoundsFileError) as caught:
        load_document('{"a":\n "ёж'.encode() + b"\xff" + b'"}')
    assert caught.value.errors == ["not valid UTF-8 at line 2, column 5 (byte 0xff); save the file as UTF-8"]


def test_a_byte_order_mark_is_ignored():
    assert load_document(b"\xef\xbb\xbf" + '{"title": "ёж"}'.encode()) == {"title": "ёж"}


def test_a_key_given_twice_is_an_error():
    with pytest.raises(RoundsFileError) as caught:
        load_document(b'{"text": "A", "true": true, "true": false}')
    assert caught.value.errors == ['not valid: the key "true" appears twice in one object']


def test_dump_keeps_non_ascii_text_readable():
    assert dump_document({"title": "ёжик 🦔"}) == '{\n  "title": "ёжик 🦔"\n}\n'


# Importing and exporting (database)


def test_a_round_with_closes_at_is_published_opening_now_by_default(make):
    curator = make.user("host", curator=True)
    [round_] = import_rounds(parse_rounds(document(facts(closes_at="2026-11-28T10:00:00Z"))), curator, NOW)
    db.session.commit()
    assert round_.published
    assert as_utc(round_.opens_at) == NOW
    assert rounds.status(round_, NOW) is RoundStatus.OPEN
    assert [s.position for s in round_.statements] == [0, 1, 2]
    assert rounds.false_count(round_) == 1


def test_a_round_without_closes_at_is_a_draft_keeping_opens_at(make):
    curator = make.user("host", curator=True)
    draft, bare = import_rounds(parse_rounds(document(facts(opens_at="2026-12-01T10:00:00Z"), poll())), curator, NOW)
    db.session.commit()
    assert not draft.published and rounds.status(draft, NOW) is RoundStatus.DRAFT
    assert as_utc(draft.opens_at) == datetime(2026, 12, 1, 10, tzinfo=UTC)
    assert bare.opens_at is None and bare.closes_at is None


def test_series_are_found_or_created_per_curator(make):
    curator = make.user("host", curator=True)
    other = make.user("other", curator=True)
    existing = find_series(curator, "Week one")
    theirs = find_series(other, "Week two")
    db.session.commit()
    rounds = import_rounds(
        parse_rounds(document(facts(series="Week one"), poll(series="Week two"), facts(series=" Week two "))),
        curator,
        NOW,
    )
    db.session.commit()
    assert rounds[0].series == existing
    assert rounds[1].series is rounds[2].series
    assert rounds[1].series not in (existing, theirs)
    assert db.session.query(Series).filter_by(curator_id=curator.id).count() == 2


def test_export_leaves_out_empty_optional_keys(make):
    round_ = make.facts_round([("A", False), ("B", True)], title="Plain", status="draft")
    quiz = make.poll(["Yes", "No"], correct=1, title="Quiz")
    opinion = make.poll(["Up", "Down"], title="Opinion", results="after_close")
    exported = export_rounds([round_, quiz, opinion])
    assert exported["rounds"][0] == {
        "kind": "facts",
        "title": "Plain",
        "statements": [{"text": "A", "true": True}, {"text": "B", "true": False}],
    }
    assert exported["rounds"][1]["results"] == "after_close"
    assert exported["rounds"][1]["options"] == [{"text": "Yes", "correct": False}, {"text": "No", "correct": True}]
    assert exported["rounds"][2]["results"] == "after_close"
    assert exported["rounds"][2]["options"] == [{"text": "Up"}, {"text": "Down"}]


def test_export_writes_times_in_utc_to_the_second(make):
    round_ = make.poll(title="Timed")
    round_.opens_at = datetime(2026, 11, 27, 13, 0, 5, 999, tzinfo=UTC)
    round_.closes_at = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    db.session.commit()
    exported = export_rounds([db.session.get(Round, round_.id)])["rounds"][0]
    assert (exported["opens_at"], exported["closes_at"]) == ("2026-11-27T13:00:05Z", "2026-11-28T10:00:00Z")


NORMALISED = document(
    {
        "kind": "facts",
        "title": "10 facts about me",
        "intro": "7 are true, 3 are false.",
        "series": "Week of the guest host",
        "opens_at": "2026-11-27T10:00:00Z",
        "closes_at": "2026-11-28T10:00:00Z",
        "statements": [
            {"text": "Я люблю ёжиков 🦔", "true": True, "explanation": "Правда: тво\u0301рог тоже."},
            {"text": "I have climbed\nEverest", "true": False},
        ],
    },
    {
        "kind": "poll",
        "title": "How broad should an ML engineer's job be?",
        "series": "Week of the guest host",
        "opens_at": "2026-11-27T10:00:00Z",
        "closes_at": "2026-11-28T10:00:00Z",
        "results": "after_vote",
        "options": [{"text": "Narrow"}, {"text": "Broad"}],
    },
    {
        "kind": "poll",
        "title": "Quiz",
        "results": "after_close",
        "options": [{"text": "A", "correct": False}, {"text": "B", "correct": True}],
    },
)


def round_trip(payload: dict[str, Any], curator_id: int) -> dict[str, Any]:
    """Import the document, read the rounds back from the database and export them."""
    curator = db.session.get(User, curator_id)
    rounds = import_rounds(parse_rounds(copy.deepcopy(payload)), curator, NOW)
    db.session.flush()
    ids = [round_.id for round_ in rounds]
    db.session.expire_all()
    return export_rounds([db.session.get(Round, round_id) for round_id in ids])


def test_export_of_an_import_is_the_document(make):
    curator = make.user("host", curator=True)
    assert round_trip(NORMALISED, curator.id) == NORMALISED


# Text as a JSON string can hold it and a database can store it: no NUL, no lone surrogates.
stored_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1, max_size=40)
visible_text = stored_text.filter(has_visible_text)
series_titles = visible_text.filter(lambda text: text == text.strip())


@st.composite
def normalised_rounds(draw: st.DrawFn) -> dict[str, Any]:
    """A round as export writes it: no empty optional keys, correct only on quiz options."""
    round_: dict[str, Any] = {"kind": draw(st.sampled_from(["facts", "poll"])), "title": draw(visible_text)}
    if draw(st.booleans()):
        round_["intro"] = draw(stored_text)
    if draw(st.booleans()):
        round_["series"] = draw(series_titles)
    if round_["kind"] == "facts":
        truths = draw(st.lists(st.booleans(), min_size=2, max_size=6).filter(lambda flags: len(set(flags)) == 2))
        round_["statements"] = []
        for true in truths:
            statement = {"text": draw(visible_text), "true": true}
            if draw(st.booleans()):
                statement["explanation"] = draw(stored_text)
            round_["statements"].append(statement)
        return round_
    texts = draw(st.lists(visible_text, min_size=2, max_size=5, unique_by=lambda text: text.strip().casefold()))
    correct = draw(st.none() | st.integers(min_value=0, max_value=len(texts) - 1))
    if correct is None:
        round_["results"] = draw(st.sampled_from(["after_vote", "after_close"]))
        round_["options"] = [{"text": text} for text in texts]
    else:
        round_["results"] = "after_close"
        round_["options"] = [{"text": text, "correct": i == correct} for i, text in enumerate(texts)]
    return round_


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rounds=st.lists(normalised_rounds(), min_size=1, max_size=3))
def test_any_normalised_document_survives_import_and_export(make, rounds):
    host = find_user("host") or make.user("host", curator=True)
    payload = document(*rounds)
    try:
        assert round_trip(payload, host.id) == payload
    finally:
        db.session.rollback()


def test_a_title_of_invisible_characters_counts_as_empty():
    document = {
        "format": "two-truths/rounds@1",
        "rounds": [{"kind": "poll", "title": "\u200b\u202e ", "options": [{"text": "a"}, {"text": "b"}]}],
    }
    with pytest.raises(RoundsFileError) as caught:
        parse_rounds(document)
    assert caught.value.errors[0].endswith("title: must not be empty")
