"""The reveal page and results.json, public once the round has closed."""
from __future__ import annotations

from typing import Any

from flask import abort, jsonify, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from quizapp import queries
from quizapp.access import visible_round_view
from quizapp.queries import RoundView
from quizapp.results import bp
from quizapp.results.summary import round_results
from quizapp.rules.lifecycle import RoundStatus
from quizapp.rules.ranking import board_page
from quizapp.web import iso_utc, shareable

# The reveal shows the top of the round's leaderboard; the full one has its own paged page.
REVEAL_TOP = 10


@bp.route("/rounds/<int:round_id>/reveal")
def reveal(round_id: int) -> str:
    """Show the truth, what everybody guessed, and the round's leaderboard."""
    round_ = visible_round_view(round_id)
    status = round_.status()
    if status is not RoundStatus.CLOSED:
        return render_template("results/not_yet.html", round=round_, status=status, statuses=RoundStatus)
    shareable()
    viewer = current_user.id if current_user.is_authenticated else None
    answer = queries.player_answer(round_.id, viewer) if viewer is not None else None
    results = round_results(round_)
    top_board = board_page(results.leaderboard, 1, REVEAL_TOP, viewer)
    version = reveal_version(round_)
    return render_template(
        "results/reveal.html",
        results=results,
        round=round_,
        answer=answer,
        my_marks=answer.marked_ids if answer else set(),
        top_board=top_board,
        results_version=version,
        # The page is the same for everyone with nothing of their own on it: rendered once, like its tallies.
        cache_key=version if answer is None and not top_board.shows_viewer else None,
    )


def reveal_version(round_: RoundView) -> tuple[object, ...]:
    """Everything a closed round's reveal shows that can still change, as a cache key.

    Answers that arrived before the close and committed after it move answer_count; the curator can still
    edit the title, the intro, the series and the explanations. Statements and options are in it whole,
    so an edit the editor may allow later cannot leave an old copy behind either.
    """
    series = (round_.series.id, round_.series.title) if round_.series else None
    statements = tuple((s.id, s.text, s.is_false, s.explanation) for s in round_.statements)
    options = tuple((o.id, o.text, o.is_correct) for o in round_.options)
    return ("reveal", round_.id, round_.closes_at_utc, round_.answer_count, round_.title, round_.intro, series,
            statements, options)


@bp.route("/rounds/<int:round_id>/results.json")
def results_json(round_id: int) -> Response:
    """The closed round's aggregates as JSON; 404 until the close."""
    round_ = queries.round_view(round_id)
    if round_ is None or round_.status() is not RoundStatus.CLOSED:
        abort(404)
    results = round_results(round_)
    body: dict[str, Any] = {
        "id": round_.id,
        "kind": round_.kind,
        "title": round_.title,
        "closes_at": iso_utc(round_.closes_at),
    }
    if round_.is_facts:
        body["players"] = results.players
        body["statements"] = [
            {
                "text": row.statement.text,
                "true": not row.statement.is_false,
                "marked_false": row.stat.marked_false,
                "percent_marked_false": row.stat.tenths / 10,
            }
            for row in results.statements
        ]
    else:
        body["votes"] = results.players
        body["options"] = [
            {"text": row.option.text, "votes": row.votes, "percent": row.tenths / 10, "correct": row.option.is_correct}
            for row in results.options
        ]
    body["leaderboard"] = [
        {
            "rank": ranked.rank,
            "player": ranked.standing.name,
            "points": ranked.standing.points,
            "max_points": ranked.standing.max_points,
        }
        for ranked in results.leaderboard
    ]
    response = jsonify(body)
    response.headers["Cache-Control"] = "public, max-age=60"
    return response
