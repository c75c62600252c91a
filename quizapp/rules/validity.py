"""Whether a round may be published: its statements or options, as problem codes.

Every surface that writes rounds (the editor, the JSON import by upload and by command line) asks here and
turns the codes into its own words: the editor beside the fields in the viewer's language, the import as
"round 2: statements: …". Limits on the lengths of texts are the storage's, not the game's, and stay with
the models.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from quizapp.rules.text import has_visible_text

MIN_STATEMENTS, MAX_STATEMENTS = 2, 30
MIN_OPTIONS, MAX_OPTIONS = 2, 10


class Code(StrEnum):
    STATEMENT_COUNT = "statement_count"  # not 2 to 30 statements
    NO_FALSE = "no_false"  # every statement is true: nothing to find
    NO_TRUE = "no_true"  # every statement is false
    OPTION_COUNT = "option_count"  # not 2 to 10 options
    OPTION_REPEATED = "option_repeated"  # two options players could not tell apart
    SEVERAL_CORRECT = "several_correct"  # a quiz poll has one correct option at most
    ITEM_BLANK = "item_blank"  # a row with no visible text (an explanation alone, say)


@dataclass(frozen=True)
class Problem:
    code: Code
    item: int | None = None  # the statement or option concerned, counted from 0
    first: int | None = None  # OPTION_REPEATED: the earlier option it repeats
    items: tuple[int, ...] = ()  # SEVERAL_CORRECT: every option marked correct


def statement_count_problem(count: int) -> Problem | None:
    return None if MIN_STATEMENTS <= count <= MAX_STATEMENTS else Problem(Code.STATEMENT_COUNT)


def option_count_problem(count: int) -> Problem | None:
    return None if MIN_OPTIONS <= count <= MAX_OPTIONS else Problem(Code.OPTION_COUNT)


def facts_problems(statements: Sequence[tuple[str, bool]]) -> list[Problem]:
    """What stops these statements, each (text, is_false), from making a facts round; [] when nothing does.

    The balance of true and false is judged only on a count that is allowed: with one statement, the count
    says it all.
    """
    problems = [Problem(Code.ITEM_BLANK, item=i) for i, (text, _false) in enumerate(statements)
                if not has_visible_text(text)]
    count_problem = statement_count_problem(len(statements))
    if count_problem is not None:
        return [count_problem, *problems]
    falses = sum(1 for _text, is_false in statements if is_false)
    if falses == 0:
        problems.append(Problem(Code.NO_FALSE))
    elif falses == len(statements):
        problems.append(Problem(Code.NO_TRUE))
    return problems


def option_key(text: str) -> str:
    """What two options are compared by: players could not tell "Yes" from " yes" apart."""
    return text.strip().casefold()


def poll_problems(options: Sequence[tuple[str, bool]]) -> list[Problem]:
    """What stops these options, each (text, is_correct), from making a poll; [] when nothing does."""
    problems: list[Problem] = []
    count_problem = option_count_problem(len(options))
    if count_problem is not None:
        problems.append(count_problem)
    first_with_key: dict[str, int] = {}
    for i, (text, _correct) in enumerate(options):
        if not has_visible_text(text):
            problems.append(Problem(Code.ITEM_BLANK, item=i))
            continue
        key = option_key(text)
        if key in first_with_key:
            problems.append(Problem(Code.OPTION_REPEATED, item=i, first=first_with_key[key]))
        else:
            first_with_key[key] = i
    correct = tuple(i for i, (_text, is_correct) in enumerate(options) if is_correct)
    if len(correct) > 1:
        problems.append(Problem(Code.SEVERAL_CORRECT, items=correct))
    return problems
