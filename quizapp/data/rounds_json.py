"""Rounds as JSON ("two-truths/rounds@1"): check a whole document, import it, export rounds."""
from __future__ import annotations

import codecs
import difflib
import json
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from quizapp.extensions import db
from quizapp.models import (
    EXPLANATION_MAX,
    INTRO_MAX,
    OPTION_MAX,
    SERIES_MAX,
    STATEMENT_MAX,
    TITLE_MAX,
    Option,
    Round,
    Series,
    Statement,
    User,
)
from quizapp.rules import rounds as rules
from quizapp.rules.lifecycle import as_utc
from quizapp.rules.rounds import ResultsVisibility, RoundKind
from quizapp.rules.text import has_visible_text
from quizapp.rules.times import EARLIEST, LATEST, within_bounds
from quizapp.rules.validity import (
    MAX_OPTIONS,
    MAX_STATEMENTS,
    MIN_OPTIONS,
    MIN_STATEMENTS,
    Code,
    Problem,
    facts_problems,
    option_count_problem,
    poll_problems,
    statement_count_problem,
)
from quizapp.series import find_series

FORMAT = "two-truths/rounds@1"
MAX_ROUNDS = 500  # a file
TIME_EXAMPLE = "2026-11-27T10:00:00Z"

DOCUMENT_KEYS = ("format", "rounds")
ROUND_KEYS = ("kind", "title", "intro", "series", "opens_at", "closes_at")
FACTS_KEYS = (*ROUND_KEYS, "statements")
POLL_KEYS = (*ROUND_KEYS, "results", "options")
STATEMENT_KEYS = ("text", "true", "explanation")
OPTION_KEYS = ("text", "correct")

# Keys that belong to the other kind of round get a pointed message instead of "unknown key".
# Messages are translated for the curator uploading in the app; the CLI prints them in English.
NOT_IN_FACTS = {
    "options": _l('a facts round has "statements", not "options"'),
    "results": _l("only polls have results; remove it"),
}
NOT_IN_POLL = {"statements": _l('a poll has "options", not "statements"')}

# json.loads turns "\ud800" escapes into lone surrogates, which no database can store as UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")
_LABEL_MAX = 40
_DIGITS_MAX = 100


class RoundsFileError(ValueError):
    """The document cannot be imported; errors lists every problem, each saying where it is."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class StatementSpec:
    text: str
    is_false: bool
    explanation: str = ""


@dataclass(frozen=True)
class OptionSpec:
    text: str
    is_correct: bool = False


@dataclass(frozen=True)
class RoundSpec:
    """A checked round, ready to import; times are aware UTC datetimes."""

    kind: RoundKind
    title: str
    intro: str = ""
    series: str | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    results: ResultsVisibility = ResultsVisibility.AFTER_CLOSE
    statements: tuple[StatementSpec, ...] = field(default=())
    options: tuple[OptionSpec, ...] = field(default=())


def load_document(raw: bytes) -> Any:
    """Decode UTF-8 JSON; raise RoundsFileError naming the line and column of what is wrong."""
    if raw.startswith(codecs.BOM_UTF8):
        # Windows editors like to start UTF-8 files with a byte order mark; it carries no text.
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _byte_position(raw, error.start)
        raise RoundsFileError(
            [_("not valid UTF-8 at line %(line)d, column %(column)d (byte 0x%(byte)s); save the file as UTF-8",
               line=line, column=column, byte=f"{raw[error.start]:02x}")]
        ) from None
    try:
        return json.loads(text, object_pairs_hook=_object_without_repeats, parse_int=_bounded_int)
    except _NumberTooLong:
        raise RoundsFileError([_("not valid: a number has more than %(digits)d digits", digits=_DIGITS_MAX)]) from None
    except json.JSONDecodeError as error:
        raise RoundsFileError([_("not valid JSON at line %(line)d, column %(column)d: %(reason)s",
                                  line=error.lineno, column=error.colno, reason=error.msg)]) from None
    except _RepeatedKey as error:
        raise RoundsFileError([_("not valid: the key %(key)s appears twice in one object", key=_quote(error.key))]) from None
    except RecursionError:
        raise RoundsFileError([_("not valid: the JSON is nested too deeply")]) from None


def dump_document(document: Mapping[str, Any]) -> str:
    """Render a document as people read it: indented, non-ASCII text kept as is, with a final newline."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def parse_rounds(payload: Any, *, now: datetime | None = None) -> list[RoundSpec]:
    """Check the whole document and return its rounds; raise RoundsFileError listing every problem.

    Strings are kept exactly as written. With now, a round that has closes_at but no opens_at
    (so opens at import time) must close after now.
    """
    if not isinstance(payload, dict):
        raise RoundsFileError([_('the document must be a JSON object like {"format": "%(format)s", "rounds": [...]}',
                                 format=FORMAT)])
    problems: list[str] = []
    document = _Reader(payload, "", problems)
    document.reject_unknown_keys(DOCUMENT_KEYS)
    if payload.get("format") != FORMAT:
        document.problem("format", _('must be "%(format)s"', format=FORMAT))
        # Another format's rounds would only produce noise; stop here.
        raise RoundsFileError(problems)
    items = payload.get("rounds")
    if not isinstance(items, list) or not items:
        document.problem("rounds", _("must be a non-empty list of rounds"))
        raise RoundsFileError(problems)
    if len(items) > MAX_ROUNDS:
        # A bound on what one request writes and checks; larger collections import in several files.
        document.problem("rounds", _("holds %(count)d rounds; a file may hold at most %(max)d, so split it into several",
                                     count=len(items), max=MAX_ROUNDS))
        raise RoundsFileError(problems)
    specs = [_parse_round(item, number, problems, now) for number, item in enumerate(items, 1)]
    if problems:
        raise RoundsFileError(problems)
    return [spec for spec in specs if spec is not None]


def import_rounds(specs: Iterable[RoundSpec], curator: User, now: datetime) -> list[Round]:
    """Add the rounds to the session (the caller commits); a round without closes_at becomes a draft."""
    series_by_title: dict[str, Series | None] = {}
    rounds = []
    for spec in specs:
        round_ = Round(
            curator=curator,
            kind=spec.kind,
            title=spec.title,
            intro=spec.intro,
            results_visibility=spec.results,
            statements=[
                Statement(position=i, text=s.text, is_false=s.is_false, explanation=s.explanation)
                for i, s in enumerate(spec.statements)
            ],
            options=[Option(position=i, text=o.text, is_correct=o.is_correct) for i, o in enumerate(spec.options)],
        )
        if spec.series is not None:
            title = spec.series.strip()
            if title not in series_by_title:
                series_by_title[title] = find_series(curator, title)
            round_.series = series_by_title[title]
        round_.published = spec.closes_at is not None
        round_.opens_at = spec.opens_at or (now if round_.published else None)
        round_.closes_at = spec.closes_at
        db.session.add(round_)
        rounds.append(round_)
    return rounds


def export_rounds(rounds: Iterable[Round]) -> dict[str, Any]:
    """Describe the rounds in the "two-truths/rounds@1" format, leaving out empty optional keys."""
    return {"format": FORMAT, "rounds": [_export_round(round_) for round_ in rounds]}


def format_time(moment: datetime) -> str:
    """Write a time as UTC to the second, like 2026-11-27T10:00:00Z."""
    return as_utc(moment).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def _export_round(round_: Round) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": str(round_.kind), "title": round_.title}
    if round_.intro:
        data["intro"] = round_.intro
    if round_.series is not None:
        data["series"] = round_.series.title
    if round_.opens_at is not None:
        data["opens_at"] = format_time(round_.opens_at)
    # Drafts never carry closes_at: its presence is what publishes a round on import.
    if round_.published and round_.closes_at is not None:
        data["closes_at"] = format_time(round_.closes_at)
    if rules.is_facts(round_):
        data["statements"] = [_export_statement(statement) for statement in round_.statements]
        return data
    quiz = rules.is_quiz(round_)
    data["results"] = ResultsVisibility.AFTER_CLOSE.value if quiz else str(round_.results_visibility)
    data["options"] = [
        {"text": option.text, "correct": option.is_correct} if quiz else {"text": option.text}
        for option in round_.options
    ]
    return data


def _export_statement(statement: Statement) -> dict[str, Any]:
    data: dict[str, Any] = {"text": statement.text, "true": not statement.is_false}
    if statement.explanation:
        data["explanation"] = statement.explanation
    return data


@dataclass
class _Reader:
    """Reads the fields of one JSON object, noting each problem with where it was found."""

    obj: dict[str, Any]
    where: str
    problems: list[str]

    def problem(self, key: str | None, message: str | LazyString) -> None:
        self.problems.append(": ".join(str(part) for part in (self.where, key, message) if part))

    def reject_unknown_keys(self, allowed: Collection[str], misplaced: Mapping[str, str] | None = None) -> None:
        for key in self.obj:
            if key in allowed:
                continue
            if misplaced and key in misplaced:
                self.problem(key, misplaced[key])
                continue
            guess = difflib.get_close_matches(key, allowed, n=1)
            if guess:
                self.problem(None, _('unknown key %(key)s (did you mean "%(guess)s"?)', key=_quote(key), guess=guess[0]))
            else:
                self.problem(None, _("unknown key %(key)s", key=_quote(key)))

    def text(self, key: str, limit: int, *, required: bool = False) -> str | None:
        """Read a string; required ones must show something visible. Null counts as absent."""
        value = self.obj.get(key)
        if value is None:
            if required:
                self.problem(key, _("is required"))
            return None
        if not isinstance(value, str):
            self.problem(key, _("must be a string"))
            return None
        problems_before = len(self.problems)
        if required and not has_visible_text(value):
            self.problem(key, _("must not be empty"))
        if len(value) > limit:
            self.problem(key, _("is %(length)d characters long; the limit is %(limit)d", length=len(value), limit=limit))
        if "\x00" in value:
            self.problem(key, _("must not contain NUL characters (\\u0000)"))
        if _SURROGATE.search(value):
            self.problem(key, _("must not contain unpaired surrogates (a lone \\ud800-\\udfff escape)"))
        return value if len(self.problems) == problems_before else None

    def flag(self, key: str, *, required: bool = False) -> bool | None:
        value = self.obj.get(key)
        if value is None:
            if required:
                self.problem(key, _("is required: true or false"))
            return None
        if not isinstance(value, bool):
            self.problem(key, _("must be true or false"))
            return None
        return value

    def time(self, key: str) -> datetime | None:
        value = self.obj.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(key, _("must be a time written like %(example)s", example=TIME_EXAMPLE))
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.problem(key, _("%(value)s is not an ISO 8601 time; write it like %(example)s",
                                value=_quote(value), example=TIME_EXAMPLE))
            return None
        if moment.utcoffset() is None:
            self.problem(key, _("needs a time zone: end it with Z for UTC or an offset like +03:00 (%(example)s)",
                                example=TIME_EXAMPLE))
            return None
        try:
            moment = moment.astimezone(UTC)
        except OverflowError:
            moment = None  # beyond year 9999 or before year 1 once in UTC: out of bounds too
        if moment is None or not within_bounds(moment):
            self.problem(key, _("must be from %(earliest)s up to, not including, %(latest)s",
                                earliest=format_time(EARLIEST), latest=format_time(LATEST)))
            return None
        return moment


def _parse_round(item: Any, number: int, problems: list[str], now: datetime | None) -> RoundSpec | None:
    where = _round_label(item, number)
    if not isinstance(item, dict):
        problems.append(f"{where}: " + _("must be an object with kind, title and statements or options"))
        return None
    problems_before = len(problems)
    reader = _Reader(item, where, problems)
    kind = item.get("kind")
    if kind == RoundKind.FACTS:
        reader.reject_unknown_keys(FACTS_KEYS, NOT_IN_FACTS)
    elif kind == RoundKind.POLL:
        reader.reject_unknown_keys(POLL_KEYS, NOT_IN_POLL)
    else:
        reader.reject_unknown_keys((*POLL_KEYS, "statements"))
        reader.problem("kind", _('must be "facts" or "poll"') if kind is not None else _('is required: "facts" or "poll"'))
    title = reader.text("title", TITLE_MAX, required=True)
    intro = reader.text("intro", INTRO_MAX)
    series = reader.text("series", SERIES_MAX)
    opens_at, closes_at = reader.time("opens_at"), reader.time("closes_at")
    _check_schedule(reader, opens_at, closes_at, now)
    statements: tuple[StatementSpec, ...] = ()
    options: tuple[OptionSpec, ...] = ()
    results = ResultsVisibility.AFTER_CLOSE
    if kind == RoundKind.FACTS:
        statements = _parse_statements(reader)
    elif kind == RoundKind.POLL:
        options = _parse_options(reader)
        results = _parse_results(reader, options)
    if len(problems) > problems_before or title is None:
        return None
    return RoundSpec(
        kind=RoundKind(kind),
        title=title,
        intro=intro or "",
        series=series,
        opens_at=opens_at,
        closes_at=closes_at,
        results=results,
        statements=statements,
        options=options,
    )


def _check_schedule(
    reader: _Reader, opens_at: datetime | None, closes_at: datetime | None, now: datetime | None
) -> None:
    if closes_at is None:
        return
    if opens_at is not None and closes_at <= opens_at:
        reader.problem("closes_at", _("must be after opens_at"))
    elif opens_at is None and now is not None and closes_at <= now:
        reader.problem(
            "closes_at", _("is in the past: without opens_at the round opens on import and would close at once")
        )


def _parse_statements(reader: _Reader) -> tuple[StatementSpec, ...]:
    items = reader.obj.get("statements")
    if not isinstance(items, list):
        reader.problem("statements", _('is required: a list like [{"text": "…", "true": false}]'))
        return ()
    counted = statement_count_problem(len(items))
    if counted is not None:
        _report(reader, counted, len(items))
    specs = []
    for number, item in enumerate(items, 1):
        where = f"{reader.where}: " + _("statement %(number)d", number=number)
        if not isinstance(item, dict):
            reader.problems.append(f"{where}: " + _('must be an object like {"text": "…", "true": false}'))
            continue
        statement = _Reader(item, where, reader.problems)
        statement.reject_unknown_keys(STATEMENT_KEYS)
        text = statement.text("text", STATEMENT_MAX, required=True)
        true = statement.flag("true", required=True)
        explanation = statement.text("explanation", EXPLANATION_MAX)
        if text is not None and true is not None:
            specs.append(StatementSpec(text=text, is_false=not true, explanation=explanation or ""))
    # The balance of true and false is judged on a whole list of readable statements of an allowed count.
    if counted is None and len(specs) == len(items):
        for problem in facts_problems([(spec.text, spec.is_false) for spec in specs]):
            _report(reader, problem, len(items))
    return tuple(specs)


def _parse_options(reader: _Reader) -> tuple[OptionSpec, ...]:
    items = reader.obj.get("options")
    if not isinstance(items, list):
        reader.problem("options", _('is required: a list like [{"text": "…"}]'))
        return ()
    counted = option_count_problem(len(items))
    if counted is not None:
        _report(reader, counted, len(items))
    read: list[tuple[int, OptionSpec]] = []  # (index in the list, option) of the readable options
    for number, item in enumerate(items, 1):
        where = f"{reader.where}: " + _("option %(number)d", number=number)
        if not isinstance(item, dict):
            reader.problems.append(f"{where}: " + _('must be an object like {"text": "…"}'))
            continue
        option = _Reader(item, where, reader.problems)
        option.reject_unknown_keys(OPTION_KEYS)
        text = option.text("text", OPTION_MAX, required=True)
        correct = bool(option.flag("correct"))
        read.append((number - 1, OptionSpec(text=text or "", is_correct=correct)))
    for problem in poll_problems([(spec.text, spec.is_correct) for _i, spec in read]):
        if problem.code is not Code.OPTION_COUNT:  # counted above, on every item, readable or not
            _report(reader, problem, len(items), [index for index, _spec in read])
    return tuple(spec for _i, spec in read if spec.text)


def _report(reader: _Reader, problem: Problem, count: int, numbering: list[int] | None = None) -> None:
    """Word a validity problem for the import: where it is, in the curator's language (English on the CLI)."""

    def number(index: int | None) -> int:
        # Problems count the options they were given; messages count every item of the file, from 1.
        return (numbering[index] if numbering is not None and index is not None else index or 0) + 1

    code = problem.code
    if code is Code.STATEMENT_COUNT:
        reader.problem("statements", _("a facts round has %(min)d to %(max)d statements, not %(count)d",
                                       min=MIN_STATEMENTS, max=MAX_STATEMENTS, count=count))
    elif code is Code.NO_FALSE:
        reader.problem("statements", _('mark at least one statement false ("true": false)'))
    elif code is Code.NO_TRUE:
        reader.problem("statements", _('leave at least one statement true ("true": true)'))
    elif code is Code.OPTION_COUNT:
        reader.problem("options", _("a poll has %(min)d to %(max)d options, not %(count)d",
                                    min=MIN_OPTIONS, max=MAX_OPTIONS, count=count))
    elif code is Code.OPTION_REPEATED:
        where = f"{reader.where}: " + _("option %(number)d", number=number(problem.item))
        reader.problems.append(f"{where}: text: " + _("repeats option %(number)d", number=number(problem.first)))
    elif code is Code.SEVERAL_CORRECT:
        listed = ", ".join(str(number(index)) for index in problem.items)
        reader.problem("options", _("at most one option can be correct; options %(numbers)s are", numbers=listed))
    # ITEM_BLANK: the reader has already said "text: must not be empty" for that item.


def _parse_results(reader: _Reader, options: tuple[OptionSpec, ...]) -> ResultsVisibility:
    """Read who sees a poll's results when; quiz polls always keep them hidden until the close."""
    quiz = any(option.is_correct for option in options)
    value = reader.obj.get("results")
    if value is None:
        return ResultsVisibility.AFTER_CLOSE if quiz else ResultsVisibility.AFTER_VOTE
    if value not in (ResultsVisibility.AFTER_VOTE, ResultsVisibility.AFTER_CLOSE):
        reader.problem("results", _('must be "after_vote" or "after_close"'))
        return ResultsVisibility.AFTER_VOTE
    if quiz and value == ResultsVisibility.AFTER_VOTE:
        reader.problem(
            "results",
            _('a quiz poll (one with a correct option) keeps its results hidden until the close; '
              'use "after_close" or leave results out'),
        )
    return ResultsVisibility(value)


def _round_label(item: Any, number: int) -> str:
    """Name a round for messages: its number, and its title when it has one."""
    title = item.get("title") if isinstance(item, dict) else None
    if not isinstance(title, str) or not title.strip():
        return _("round %(number)d", number=number)
    return _("round %(number)d (%(title)s)", number=number, title=_quote(title))


def _quote(text: str) -> str:
    """Quote text for a message, shortened, with control characters and lone surrogates escaped."""
    if len(text) > _LABEL_MAX:
        text = text[: _LABEL_MAX - 1] + "…"
    # A lone surrogate can't be encoded as UTF-8: left in, the message itself would fail the page or the terminal.
    return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", json.dumps(text, ensure_ascii=False))


class _NumberTooLong(ValueError):
    pass


def _bounded_int(digits: str) -> int:
    # No number in the format is an integer at all, but int() of over 4,300 digits raises a ValueError json doesn't
    # turn into a JSONDecodeError (and costs time well before that).
    if len(digits.lstrip("-")) > _DIGITS_MAX:
        raise _NumberTooLong(digits[:20])
    return int(digits)


class _RepeatedKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _object_without_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json keeps the last of two equal keys; a repeated "true" must not silently flip a statement.
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise _RepeatedKey(key)
        obj[key] = value
    return obj


def _byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    """Return the 1-based line and character column of a byte offset in UTF-8 text."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", errors="replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, column
