"""Leaderboards: overall, per series, and the full one of a closed round."""
from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from quizapp import queries
from quizapp.access import visible_round
from quizapp.cache import cached
from quizapp.extensions import db
from quizapp.leaderboard import bp
from quizapp.models import Round, Series, utcnow
from quizapp.results.summary import round_tallies
from quizapp.rules.lifecycle import RoundStatus
from quizapp.rules.ranking import BoardPage, Ranked, board_page

PER_PAGE = 50


def page_of(ranked: list[Ranked]) -> BoardPage:
    """The page asked for in ?page=, with the viewer's own row when it is elsewhere."""
    viewer = current_user.id if current_user.is_authenticated else None
    return board_page(ranked, request.args.get("page", 1, type=int), PER_PAGE, viewer)


@bp.route("/leaderboard")
def overall() -> str:
    """Rank every player across all closed scored rounds."""
    now = utcnow()
    ranked = cached(("overall", queries.closed_rounds_version(now)), lambda: queries.overall_leaderboard(now))
    return render_template("leaderboard/overall.html", board=page_of(ranked))


@bp.route("/series/<int:series_id>")
def series(series_id: int) -> str:
    """List a series' published rounds and rank its players over the closed ones."""
    found = db.session.get(Series, series_id)
    if found is None:
        abort(404)
    now = utcnow()
    rounds = db.session.scalars(
        select(Round).where(Round.series_id == series_id, Round.published.is_(True)).order_by(Round.opens_at, Round.id)
    ).all()
    key = ("series", series_id, queries.closed_rounds_version(now, series_id))
    board = page_of(cached(key, lambda: queries.series_leaderboard(series_id, now)))
    return render_template("leaderboard/series.html", series=found, rounds=rounds, now=now, board=board)


@bp.route("/rounds/<int:round_id>/leaderboard")
def round_board(round_id: int) -> str:
    """The full leaderboard of one closed round, page by page."""
    round_ = visible_round(round_id)
    if round_.status() is not RoundStatus.CLOSED or not round_.is_scored:
        abort(404)
    board = page_of(round_tallies(round_).leaderboard)
    return render_template("leaderboard/round.html", round=round_, board=board)
