"""The demo rounds: a two-truths/rounds@1 file in the package, its times moved to when the demo is seeded."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from importlib.resources import files

import pytest

from quizapp.data.rounds_json import FORMAT, parse_rounds
from quizapp.demo import DEMO_FILE, DEMO_WRITTEN_FOR, demo_document
from quizapp.rules.lifecycle import RoundStatus, round_status


def as_written() -> dict:  # type: ignore[type-arg]
    return json.loads(files("quizapp").joinpath(DEMO_FILE).read_text("utf-8"))


@pytest.mark.parametrize("later", [timedelta(0), timedelta(days=400, hours=5, minutes=7)], ids=["as-written", "later"])
def test_seeding_moves_every_time_by_how_far_now_is_from_when_the_file_was_written(later):
    now = DEMO_WRITTEN_FOR + later
    moved = demo_document(now)
    written = as_written()
    assert moved["format"] == written["format"] == FORMAT
    for before, after in zip(written["rounds"], moved["rounds"], strict=True):
        for key in ("opens_at", "closes_at"):
            assert datetime.fromisoformat(after[key]) - datetime.fromisoformat(before[key]) == later
        rest = {key: value for key, value in after.items() if key not in ("opens_at", "closes_at")}
        assert rest == {key: value for key, value in before.items() if key not in ("opens_at", "closes_at")}


def test_whenever_it_is_seeded_the_demo_has_open_and_closed_rounds_of_each_kind():
    now = DEMO_WRITTEN_FOR + timedelta(days=1234)
    specs = parse_rounds(demo_document(now), now=now)
    seen = {(spec.kind.value, round_status(True, spec.opens_at, spec.closes_at, now)) for spec in specs}
    assert seen == {("facts", RoundStatus.OPEN), ("facts", RoundStatus.CLOSED),
                    ("poll", RoundStatus.OPEN), ("poll", RoundStatus.CLOSED)}
