"""The one read shape of a round: its loader, its lists, and status as SQL agreeing with status in Python."""
from __future__ import annotations

from datetime import timedelta

import pytest

from quizapp.extensions import db
from quizapp.models import Round, utcnow
from quizapp.rules import rounds as rules
from quizapp.rules.lifecycle import RoundStatus
from quizapp.snapshots import load_round, load_rounds, status_clause

HOUR = timedelta(hours=1)


def test_status_in_sql_selects_exactly_the_rounds_the_rules_give_that_status(make):
    """Every page that lists rounds by status asks SQL; every page that shows one asks the rules: they agree."""
    now = utcnow().replace(microsecond=0)
    host = make.user(curator=True)
    # (published, opens_at, closes_at): every edge the rules draw, the closing instant included.
    times = [
        (False, None, None), (False, now - HOUR, now + HOUR), (False, now - 2 * HOUR, now - HOUR),
        (True, now + HOUR, now + 2 * HOUR), (True, now, now + HOUR), (True, None, now + HOUR),
        (True, now - HOUR, now + HOUR), (True, now - HOUR, now), (True, now - 2 * HOUR, now - HOUR),
        (True, None, now - HOUR), (True, now - HOUR, None),
    ]
    for published, opens_at, closes_at in times:
        round_ = make.facts_round(curator=host, status="draft")
        round_.published, round_.opens_at, round_.closes_at = published, opens_at, closes_at
    db.session.commit()
    everything = load_rounds(order_by=[Round.id])
    assert len(everything) == len(times)
    for status in RoundStatus:
        in_sql = {r.id for r in load_rounds(status_clause(status, now), order_by=[Round.id])}
        in_rules = {r.id for r in everything if rules.status(r, now) is status}
        assert in_sql == in_rules, status
    assert all(any(rules.status(r, now) is status for r in everything) for status in RoundStatus)


def test_a_round_reads_with_its_host_series_and_statements_in_order(make):
    host = make.user("Арсений", curator=True)
    round_ = make.facts_round([("Second", False), ("First", True), ("Third", False)], curator=host)
    round_.statements[0].position, round_.statements[1].position = 1, 0
    series = make.series(host, "Неделя Арсения", round_)
    snapshot = load_round(round_.id)
    assert snapshot is not None
    assert snapshot.host_name == "Арсений"
    assert snapshot.series is not None and (snapshot.series.id, snapshot.series.title) == (series.id, "Неделя Арсения")
    assert [s.text for s in snapshot.statements] == ["First", "Second", "Third"]
    assert [s.is_false for s in snapshot.statements] == [True, False, False]
    assert snapshot.false_count == 1 and snapshot.max_points == 1
    assert snapshot.closes_at is not None and snapshot.closes_at.utcoffset() == timedelta(0)


def test_a_poll_reads_with_its_options_and_a_list_reads_neither(make):
    poll = make.poll(["Tea", "Coffee"], correct=1)
    snapshot = load_round(poll.id)
    assert snapshot is not None and [(o.text, o.is_correct) for o in snapshot.options] == [("Tea", False), ("Coffee", True)]
    assert snapshot.is_quiz and snapshot.statements == ()
    [listed] = load_rounds(Round.id == poll.id, order_by=[Round.id])
    assert listed.title == snapshot.title and listed.options == () and listed.statements == ()


@pytest.mark.parametrize("round_id", [0, 999])
def test_a_missing_round_reads_as_none(app, round_id):
    assert load_round(round_id) is None
