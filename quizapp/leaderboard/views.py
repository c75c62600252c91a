"""Leaderboards: overall, per series, and the full one of a closed round."""
from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from quizapp import queries
from quizapp.access import visible_round_view
from quizapp.cache import cached
from quizapp.leaderboard import bp
from quizapp.models import utcnow
from quizapp.results.summary import round_tallies
from quizapp.rules.lifecycle import RoundStatus
from quizapp.rules.ranking import BoardPage, Ranked, board_page
from quizapp.web import shareable

PER_PAGE = 50


def page_of(ranked: list[Ranked]) -> BoardPage:
    """The page asked for in ?page=, with the viewer's own row when it is elsewhere."""
    viewer = current_user.id if current_user.is_authenticated else None
    return board_page(ranked, request.args.get("page", 1, type=int), PER_PAGE, viewer)


def fragment_key(version: tuple[object, ...], board: BoardPage) -> tuple[object, ...] | None:
    """The cache key of a rendered page of the table: shared by every viewer who has no row on it."""
    return None if board.shows_viewer else (*version, board.page)


@bp.route("/leaderboard")
def overall() -> str:
    """Rank every player across all closed scored rounds."""
    shareable()
    now = utcnow()
    version = ("overall", queries.closed_rounds_version(now))
    board = page_of(cached(version, lambda: queries.overall_leaderboard(now)))
    return render_template("leaderboard/overall.html", board=board, board_key=fragment_key(version, board))


@bp.route("/series/<int:series_id>")
def series(series_id: int) -> str:
    """List a series' published rounds and rank its players over the closed ones."""
    found = queries.series_with_rounds(series_id)
    if found is None or not found[1]:
        abort(404)  # nothing published in it yet: its title alone would tell of a curator's drafts
    series_, listed = found
    now = utcnow()
    rounds = [(round_, round_.status(now)) for round_ in listed]
    # The list shows each round's title and status and nothing else: that is its whole key.
    rounds_key = ("series-rounds", tuple((round_.id, round_.title, status) for round_, status in rounds))
    version = ("series", series_id, queries.closed_version(listed, now))
    board = page_of(cached(version, lambda: queries.series_leaderboard(series_id, now)))
    return render_template("leaderboard/series.html", series=series_, rounds=rounds, rounds_key=rounds_key, board=board,
                           board_key=fragment_key(version, board))


@bp.route("/rounds/<int:round_id>/leaderboard")
def round_board(round_id: int) -> str:
    """The full leaderboard of one closed round, page by page."""
    shareable()
    round_ = visible_round_view(round_id)
    if round_.status() is not RoundStatus.CLOSED or not round_.is_scored:
        abort(404)
    board = page_of(round_tallies(round_).leaderboard)
    return render_template("leaderboard/round.html", round=round_, board=board)
