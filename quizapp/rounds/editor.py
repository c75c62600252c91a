"""The editor's work between the form and the database: row edits, checks for publishing, saving."""
from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from quizapp.models import Option, Round, Statement
from quizapp.rounds.forms import FactsRoundForm, PollRoundForm
from quizapp.rules import rounds as rules
from quizapp.rules.lifecycle import QUICK_DURATIONS, local_to_utc
from quizapp.rules.paste import split_statements
from quizapp.rules.rounds import RoundKind
from quizapp.rules.text import has_visible_text
from quizapp.rules.times import later_by, within_bounds
from quizapp.rules.validity import MAX_OPTIONS, MAX_STATEMENTS, Code, Problem, facts_problems, poll_problems
from quizapp.series import find_series
from quizapp.zones import UTC_ZONE

RoundForm = FactsRoundForm | PollRoundForm


def rows_name(kind: str) -> str:
    return "statements" if kind == RoundKind.FACTS else "options"


def blank_row(kind: str) -> dict[str, Any]:
    if kind == RoundKind.FACTS:
        return {"text": "", "is_false": False, "explanation": ""}
    return {"text": "", "is_correct": False}


def is_blank(row: dict[str, Any]) -> bool:
    """A row the curator added but never filled in."""
    return not has_visible_text(row.get("text") or "") and not has_visible_text(row.get("explanation") or "")


class RowAction(StrEnum):
    """What a row button of the editor asks for; remove, up and down name a row too."""

    ADD = "add"
    REMOVE = "remove"
    UP = "up"
    DOWN = "down"
    SHUFFLE = "shuffle"
    PASTE = "paste"


@dataclass(frozen=True)
class RowEdit:
    action: RowAction
    index: int = -1  # the row it names, -1 for none


# Rows are numbered by this app in ASCII; a longer or other number is no row (and int() of a Unicode digit, or of
# thousands of digits, raises).
_ROW_INDEX = re.compile(r"[0-9]{1,6}")


def row_index(text: str) -> int | None:
    """The row number in a field name or action, or None when it isn't one this app writes."""
    return int(text) if _ROW_INDEX.fullmatch(text) else None


def parse_row_edit(value: str) -> RowEdit | None:
    """Read an action like "add" or "remove-3"; None for anything else."""
    verb, sep, index_text = value.partition("-")
    if verb not in RowAction.__members__.values():
        return None
    index = row_index(index_text) if sep else -1
    return RowEdit(RowAction(verb), index) if index is not None else None


def sent_rows(keys: Iterable[str], kind: str) -> int | None:
    """Count the rows a submitted form holds, from its field names alone; None when a row number is malformed.

    Cheap next to building the form: the editor refuses a form with more rows than a round may have before
    WTForms makes a subform for each.
    """
    prefix = rows_name(kind) + "-"
    indices = set()
    for key in keys:
        if key.startswith(prefix):
            index = row_index(key[len(prefix):].partition("-")[0])
            if index is None:
                return None
            indices.add(index)
    return len(indices)


def edit_rows(data: dict[str, Any], kind: str, edit: RowEdit) -> tuple[dict[str, Any], int | None]:
    """Apply a row edit to the form data; return it and the row to focus."""
    name = rows_name(kind)
    rows = list(data.get(name) or [])
    limit = MAX_STATEMENTS if kind == RoundKind.FACTS else MAX_OPTIONS
    focus: int | None = None
    verb, index = edit.action, edit.index
    if verb is RowAction.ADD and len(rows) < limit:
        rows.append(blank_row(kind))
        focus = len(rows) - 1
    elif verb is RowAction.REMOVE and 0 <= index < len(rows):
        del rows[index]
    elif verb is RowAction.UP and 0 < index < len(rows):
        rows[index - 1], rows[index] = rows[index], rows[index - 1]
        focus = index - 1
    elif verb is RowAction.DOWN and 0 <= index < len(rows) - 1:
        rows[index + 1], rows[index] = rows[index], rows[index + 1]
        focus = index + 1
    elif verb is RowAction.SHUFFLE:
        # Curators often write the false ones last; a shuffle hides that pattern from players.
        random.SystemRandom().shuffle(rows)
    elif verb is RowAction.PASTE and kind == RoundKind.FACTS:
        rows = [row for row in rows if not is_blank(row)]
        texts = split_statements(data.get("paste") or "")
        room = max(limit - len(rows), 0)
        rows += [blank_row(kind) | {"text": text} for text in texts[:room]]
        # What doesn't fit stays in the paste box rather than making a round no form could save.
        data["paste"] = "\n\n".join(texts[room:])
        focus = 0 if rows else None
    data[name] = rows
    return data, focus


def check_content(form: RoundForm, kind: str) -> bool:
    """Add the errors that stop a round from being published; return True when there are none."""
    ok = True
    if not has_visible_text(form.title.data or ""):
        form.title.errors.append(_("Give the round a title."))
        ok = False
    rows = getattr(form, rows_name(kind))
    filled = [entry for entry in rows if not is_blank(entry.data)]
    if kind == RoundKind.FACTS:
        problems = facts_problems([(entry.form.text.data or "", bool(entry.form.is_false.data)) for entry in filled])
    else:
        problems = poll_problems([(entry.form.text.data or "", bool(entry.form.is_correct.data)) for entry in filled])
    for problem in problems:
        _show(problem, rows, filled)
    return ok and not problems


# Said beside the list of rows; the others are said beside the row they concern.
LIST_MESSAGES = {
    Code.STATEMENT_COUNT: _l("A facts round has 2 to 30 statements."),
    Code.NO_FALSE: _l("Mark at least one statement as false."),
    Code.NO_TRUE: _l("Leave at least one statement true."),
    Code.OPTION_COUNT: _l("A poll has 2 to 10 options."),
    Code.SEVERAL_CORRECT: _l("Mark at most one option as correct."),
}


def _show(problem: Problem, rows: Any, filled: list[Any]) -> None:
    if problem.code in LIST_MESSAGES:
        rows.errors.append(str(LIST_MESSAGES[problem.code]))
    elif problem.code is Code.ITEM_BLANK:
        filled[problem.item].form.text.errors.append(_("Write the statement, or remove the row."))
    elif problem.code is Code.OPTION_REPEATED:
        filled[problem.item].form.text.errors.append(_("This option appears twice."))


@dataclass(frozen=True)
class Schedule:
    opens_at: datetime
    closes_at: datetime


def zone_of(form: Any) -> str:
    """The time zone the form was filled in, UTC when none was sent."""
    return form.tz.data or UTC_ZONE


def out_of_bounds() -> str:
    """What a curator reads when a time is outside the span rounds may be scheduled in."""
    return _("Choose a time from 1 January 2000 to the end of 2099 (UTC).")


def closing_time(form: Any, start: datetime) -> datetime | None:
    """Turn the quick choice or the custom time into UTC; add an error and return None when missing or out of bounds."""
    choice = form.closes_choice.data
    if choice in QUICK_DURATIONS:
        field = form.closes_choice
        closes_at = later_by(start, QUICK_DURATIONS[choice])
    elif form.closes_at.data is None:
        form.closes_at.errors.append(_("Choose the closing time."))
        return None
    else:
        field = form.closes_at
        closes_at = local_to_utc(form.closes_at.data, zone_of(form))
    if closes_at is None or not within_bounds(closes_at):
        field.errors.append(out_of_bounds())
        return None
    return closes_at


def check_schedule(form: RoundForm, now: datetime) -> Schedule | None:
    """Work out when the round opens and closes; add errors and return None when that is impossible."""
    opens_at = local_to_utc(form.opens_at.data, zone_of(form)) if form.opens_at.data else now
    if not within_bounds(opens_at):
        form.opens_at.errors.append(out_of_bounds())
        return None
    if opens_at < now:
        opens_at = now
    closes_at = closing_time(form, opens_at)
    if closes_at is None:
        return None
    if closes_at <= opens_at:
        form.closes_at.errors.append(_("The round must close after it opens."))
        return None
    return Schedule(opens_at=opens_at, closes_at=closes_at)


def fill_form(form: RoundForm, round_: Round) -> None:
    """Load a stored round into a fresh form."""
    form.title.data = round_.title
    form.intro.data = round_.intro
    form.series.data = round_.series.title if round_.series else ""
    if round_.kind == RoundKind.FACTS:
        for statement in round_.statements:
            form.statements.append_entry(
                {"text": statement.text, "is_false": statement.is_false, "explanation": statement.explanation}
            )
    else:
        form.results_visibility.data = round_.results_visibility
        for option in round_.options:
            form.options.append_entry({"text": option.text, "is_correct": option.is_correct})


def _as_compared(text: str) -> str:
    # Browsers send a textarea's line breaks as CRLF whatever the stored text uses, and saving strips.
    return text.replace("\r\n", "\n").strip()


def locked_change(form: RoundForm, round_: Round) -> bool:
    """Tell whether the form changes what players already answered (statements, truth, options)."""
    if round_.kind == RoundKind.FACTS:
        stored = [(_as_compared(s.text), s.is_false) for s in round_.statements]
        sent = [(_as_compared(e.form.text.data or ""), bool(e.form.is_false.data)) for e in form.statements]
    else:
        stored = [(_as_compared(o.text), o.is_correct) for o in round_.options]
        sent = [(_as_compared(e.form.text.data or ""), bool(e.form.is_correct.data)) for e in form.options]
    return stored != sent


def save_round(round_: Round, form: RoundForm, *, locked: bool) -> None:
    """Copy the form into the round (the caller commits). Locked rounds only take explanations and wording around them."""
    round_.title = (form.title.data or "").strip()
    round_.intro = (form.intro.data or "").strip()
    round_.series = find_series(round_.curator, form.series.data or "")
    if round_.kind == RoundKind.FACTS:
        rows = [entry.data for entry in form.statements]
        if locked:
            for statement, row in zip(round_.statements, rows, strict=True):
                statement.explanation = (row["explanation"] or "").strip()
            return
        rows = [row for row in rows if not is_blank(row)]
        round_.statements = [
            Statement(position=i, text=row["text"].strip(), is_false=bool(row["is_false"]), explanation=(row["explanation"] or "").strip())
            for i, row in enumerate(rows)
        ]
    else:
        if locked:
            return
        rows = [row for row in (entry.data for entry in form.options) if not is_blank(row)]
        round_.options = [
            Option(position=i, text=row["text"].strip(), is_correct=bool(row["is_correct"])) for i, row in enumerate(rows)
        ]
        round_.results_visibility = rules.results_visibility_for(rules.is_quiz(round_), form.results_visibility.data)
