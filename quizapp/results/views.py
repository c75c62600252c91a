"""The reveal page and results.json, public once the round has closed."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, jsonify, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from quizapp import queries, versions
from quizapp.access import signed_in_user_id, visible_round
from quizapp.cache import kept_rendering
from quizapp.leaderboard.tables import board_html
from quizapp.models import utcnow
from quizapp.queries import PlayerAnswer
from quizapp.results import bp
from quizapp.results.summary import RoundResults, round_results
from quizapp.rules import rounds as rules
from quizapp.rules.lifecycle import RoundStatus
from quizapp.rules.ranking import BoardPage, board_page, podium
from quizapp.sharing import personal, previews
from quizapp.snapshots import RoundSnapshot, load_round
from quizapp.web import iso_utc, shareable

# The reveal shows the top of the round's leaderboard; the full one has its own paged page.
REVEAL_TOP = 10


@dataclass(frozen=True)
class SharedReveal:
    """The parts of a closed round's reveal that are the same for every viewer, rendered once per version.

    Each statement is kept in both its forms, as a viewer who marked it false sees it and as anyone else does,
    so a player's own page is put together from kept parts, and how long it takes tells nothing about what
    anybody else marked.
    """

    header: Markup
    # Each statement as seen by (someone who did not play, a player who left it, a player who marked it false).
    statements: tuple[tuple[Markup, Markup, Markup], ...]
    crowd: Markup  # a facts round's figures, podium, chart of scores and highlights

    def statements_for(self, answer: PlayerAnswer | None, round_: RoundSnapshot) -> list[Markup]:
        def seen(statement_id: int) -> int:
            return 0 if answer is None else 2 if statement_id in answer.marked_ids else 1

        return [forms[seen(statement.id)] for statement, forms in zip(round_.statements, self.statements, strict=True)]


def _render_shared(round_: RoundSnapshot, results: RoundResults) -> SharedReveal:
    def statement(row: object, played: bool, mine: bool) -> Markup:
        return Markup(render_template("results/_statement.html", row=row, played=played, mine=mine))

    crowd = Markup()
    if round_.is_facts:
        top, more = podium(results.leaderboard)
        crowd = Markup(render_template("results/_crowd.html", results=results, summary=results.facts,
                                       podium=top, more_on_podium=more))
    return SharedReveal(
        header=Markup(render_template("results/_header.html", round=round_)),
        statements=tuple((statement(row, False, False), statement(row, True, False), statement(row, True, True))
                         for row in results.statements),
        crowd=crowd,
    )


def _my_result(round_: RoundSnapshot, results: RoundResults, answer: PlayerAnswer,
               link_preview: previews.LinkPreview) -> Markup | None:
    """The viewer's own score, rank and share of players beaten (or their vote, in an opinion poll), first, with
    what they can share of it."""
    if not round_.is_scored:
        vote = next((row for row in results.options if row.option.id == answer.option_id), None)
        return Markup(render_template("results/_my_vote.html", vote=vote, results=results,
                                      offer=personal.reveal_offer(round_, link_preview))) if vote else None
    correct = None if round_.is_facts else next((row for row in results.options if row.option.is_correct), None)
    shared = personal.shared_result(round_, results, answer)
    return Markup(render_template("results/_my_result.html", round=round_, answer=answer, correct=correct,
                                  place=shared.place, offer=personal.result_offer(shared, current_user.username)))


@bp.route("/rounds/<int:round_id>/reveal")
def reveal(round_id: int) -> str:
    """Show the truth, what everybody guessed, and the round's leaderboard."""
    round_ = visible_round(round_id)
    if not rules.results_public(round_, utcnow()):
        return render_template("results/not_yet.html", round=round_, status=round_.status(), statuses=RoundStatus,
                               link_preview=previews.round_preview(round_, utcnow()))
    shareable()
    viewer = signed_in_user_id()
    answer = queries.player_answer(round_.id, viewer) if viewer is not None else None
    results = round_results(round_)
    shared = kept_rendering(versions.reveal_key(round_), lambda: _render_shared(round_, results))
    board = board_page(results.leaderboard, 1, REVEAL_TOP, viewer) if round_.is_scored else None
    link_preview = previews.round_preview(round_, utcnow(), endpoint="results.reveal")

    def article() -> Markup:
        return Markup(render_template(
            "results/_reveal.html", round=round_, results=results, answer=answer, shared=shared,
            statements=shared.statements_for(answer, round_),
            board=_top_of_board(round_, board) if board is not None else None,
        ))

    if answer is None and not (board is not None and board.shows_viewer):
        # Nothing of the viewer's own on it (a visitor, a player who did not play it): everyone's page, kept whole.
        return render_template("results/reveal.html", round=round_, header=shared.header, link_preview=link_preview,
                               article=kept_rendering(versions.reveal_page_key(round_), article))
    # The viewer's own result goes before the article, outside every kept part; kept on its own, per answer.
    my_result = None if answer is None else kept_rendering(
        versions.my_result_key(round_, answer, current_user.username),
        lambda: _my_result(round_, results, answer, link_preview))
    return render_template("results/reveal.html", round=round_, header=shared.header, link_preview=link_preview,
                           my_result=my_result, article=article())


def _top_of_board(round_: RoundSnapshot, board: BoardPage) -> Markup:
    """The top of the round's leaderboard, with the viewer's own row below it when they are further down."""
    return board_html(board, versions.board_key("reveal", versions.tallies_key(round_), 1),
                      table_id="round-leaderboard", caption=_("Leaderboard of this round"), one_round=True,
                      more_url=url_for("leaderboard.round_board", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/results.json")
def results_json(round_id: int) -> Response:
    """The closed round's aggregates as JSON; 404 until the close."""
    round_ = load_round(round_id)
    if round_ is None or not rules.results_public(round_, utcnow()):
        abort(404)
    response = jsonify(results_document(round_, round_results(round_)))
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


def results_document(round_: RoundSnapshot, results: RoundResults) -> dict[str, Any]:
    """The aggregates of a closed round as results.json has them (the README documents the format)."""
    body: dict[str, Any] = {"id": round_.id, "kind": round_.kind, "title": round_.title,
                            "closes_at": iso_utc(round_.closes_at)}
    if round_.is_facts:
        body["players"] = results.players
        body["statements"] = [
            {"text": row.statement.text, "true": not row.statement.is_false, "marked_false": row.stat.marked_false,
             "percent_marked_false": row.stat.tenths / 10}
            for row in results.statements
        ]
    else:
        body["votes"] = results.players
        body["options"] = [
            {"text": row.option.text, "votes": row.votes, "percent": row.tenths / 10, "correct": row.option.is_correct}
            for row in results.options
        ]
    body["leaderboard"] = [
        {"rank": ranked.rank, "player": ranked.standing.name, "points": ranked.standing.points,
         "max_points": ranked.standing.max_points}
        for ranked in results.leaderboard
    ]
    return body
