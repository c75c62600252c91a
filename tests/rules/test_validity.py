"""Whether a round may be published, as problem codes every surface words for itself."""
from __future__ import annotations

import pytest

from quizapp.rules.validity import (
    MAX_OPTIONS,
    MAX_STATEMENTS,
    Code,
    Problem,
    facts_problems,
    option_count_problem,
    poll_problems,
    statement_count_problem,
)


def facts(*flags: bool) -> list[tuple[str, bool]]:
    return [(f"Statement {i}", flag) for i, flag in enumerate(flags)]


def test_two_truths_and_a_lie_is_a_valid_facts_round():
    assert facts_problems(facts(False, True, False)) == []


@pytest.mark.parametrize("count", [0, 1, MAX_STATEMENTS + 1])
def test_a_facts_round_has_2_to_30_statements(count):
    flags = [i == 0 for i in range(count)]
    assert Problem(Code.STATEMENT_COUNT) in facts_problems(facts(*flags))


@pytest.mark.parametrize("count", [2, MAX_STATEMENTS])
def test_2_and_30_statements_are_both_allowed(count):
    assert facts_problems(facts(*[i == 0 for i in range(count)])) == []
    assert statement_count_problem(count) is None


def test_a_facts_round_needs_a_false_statement_to_find():
    assert facts_problems(facts(False, False)) == [Problem(Code.NO_FALSE)]


def test_a_facts_round_needs_a_true_statement_too():
    assert facts_problems(facts(True, True)) == [Problem(Code.NO_TRUE)]


def test_with_one_statement_the_count_says_it_all():
    assert facts_problems(facts(False)) == [Problem(Code.STATEMENT_COUNT)]
    assert facts_problems(facts(True)) == [Problem(Code.STATEMENT_COUNT)]


def test_a_statement_with_no_visible_text_is_named_by_its_place():
    statements = [("Fine", True), ("\u200b \n", False), ("Also fine", False)]
    assert facts_problems(statements) == [Problem(Code.ITEM_BLANK, item=1)]


def test_a_poll_of_distinct_options_with_at_most_one_correct_is_valid():
    assert poll_problems([("Tea", False), ("Coffee", True)]) == []
    assert poll_problems([("Tea", False), ("Coffee", False)]) == []


@pytest.mark.parametrize("count", [0, 1, MAX_OPTIONS + 1])
def test_a_poll_has_2_to_10_options(count):
    options = [(f"Option {i}", False) for i in range(count)]
    assert poll_problems(options) == [Problem(Code.OPTION_COUNT)]
    assert option_count_problem(count) == Problem(Code.OPTION_COUNT)


def test_2_and_10_options_are_both_allowed():
    assert option_count_problem(2) is None and option_count_problem(MAX_OPTIONS) is None


def test_options_players_could_not_tell_apart_are_a_repeat_of_the_first():
    options = [("Yes", False), ("No", False), (" yes ", False), ("YES", False)]
    assert poll_problems(options) == [Problem(Code.OPTION_REPEATED, item=2, first=0),
                                      Problem(Code.OPTION_REPEATED, item=3, first=0)]


def test_a_quiz_poll_has_one_correct_option_at_most_and_each_is_named():
    options = [("A", True), ("B", False), ("C", True)]
    assert poll_problems(options) == [Problem(Code.SEVERAL_CORRECT, items=(0, 2))]


def test_a_blank_option_is_named_and_not_taken_for_a_repeat():
    options = [("", False), ("Tea", False), (" ", False)]
    assert poll_problems(options) == [Problem(Code.ITEM_BLANK, item=0), Problem(Code.ITEM_BLANK, item=2)]
