"""A closed round's answers as CSV, safe to open in a spreadsheet."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from quizapp.models import Answer, Round
from quizapp.rules.rounds import RoundKind
from quizapp.web import iso_utc

# A cell starting with one of these is read as a formula by spreadsheets (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """Make a cell inert: text a spreadsheet would run as a formula gets a leading apostrophe."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def answers_csv(round_: Round, answers: Iterable[Answer]) -> str:
    """Render one row per answer: player, what they marked or chose, points, time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if round_.kind == RoundKind.FACTS:
        number = {s.id: s.position + 1 for s in round_.statements}
        text = {s.id: s.text for s in round_.statements}
        writer.writerow(["player", "marked", "marked_texts", "points", "max_points", "answered_at"])
        for answer in answers:
            ids = sorted((mark.statement_id for mark in answer.marks), key=number.__getitem__)
            writer.writerow(
                [neutralise(cell) for cell in (
                    answer.player.username,
                    " ".join(str(number[i]) for i in ids),
                    " | ".join(text[i] for i in ids),
                    answer.points,
                    answer.max_points,
                    iso_utc(answer.created_at),
                )]
            )
    else:
        option_text = {o.id: o.text for o in round_.options}
        writer.writerow(["player", "choice", "points", "max_points", "answered_at"])
        for answer in answers:
            writer.writerow(
                [neutralise(cell) for cell in (
                    answer.player.username,
                    option_text.get(answer.option_id, "") if answer.option_id else "",
                    answer.points,
                    answer.max_points,
                    iso_utc(answer.created_at),
                )]
            )
    return buffer.getvalue()
