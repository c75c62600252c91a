"""Leaderboards: overall, per series, and the full one of a closed round."""
from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup

from quizapp import queries, versions
from quizapp.access import signed_in_user_id, visible_round
from quizapp.cache import cached, kept_rendering
from quizapp.leaderboard import bp
from quizapp.leaderboard.tables import board_html
from quizapp.models import utcnow
from quizapp.results.summary import round_tallies
from quizapp.rules import rounds as rules
from quizapp.rules.ranking import Ranked, board_page
from quizapp.sharing import previews
from quizapp.snapshots import series_rounds
from quizapp.web import shareable

PER_PAGE = 50


def paged_table(ranked: list[Ranked], where: str, leaderboard: tuple[object, ...], **context: object) -> Markup:
    """The page asked for in ?page= of the ranking, with the viewer's own row when it is elsewhere."""
    board = board_page(ranked, request.args.get("page", 1, type=int), PER_PAGE, signed_in_user_id())
    return board_html(board, versions.board_key(where, leaderboard, board.page), **context)


@bp.route("/leaderboard")
def overall() -> str:
    """Rank every player across all closed scored rounds."""
    shareable()
    now = utcnow()
    key = versions.leaderboard_key("overall", queries.closed_rounds_fingerprint(now))
    ranked = cached(key, lambda: queries.overall_leaderboard(now))
    table = paged_table(ranked, "overall", key, table_id="overall-leaderboard", caption=_("Overall leaderboard"),
                        page_endpoint="leaderboard.overall", page_args={})
    return render_template("leaderboard/overall.html", table=table,
                           link_preview=previews.leaderboard_preview(len(ranked)))


@bp.route("/series/<int:series_id>")
def series(series_id: int) -> str:
    """List a series' published rounds and rank its players over the closed ones."""
    rounds = series_rounds(series_id)
    if not rounds:
        abort(404)  # no such series, or drafts alone: its curator's business, title included
    series_ = rounds[0].series
    now = utcnow()
    listed = [(round_.id, round_.title, round_.status(now)) for round_ in rounds]
    rounds_html = kept_rendering(versions.series_rounds_key(listed),
                                 lambda: Markup(render_template("leaderboard/_series_rounds.html", rounds=listed)))
    key = versions.leaderboard_key(f"series-{series_id}", queries.fingerprint_of(rounds, now))
    ranked = cached(key, lambda: queries.series_leaderboard(series_id, now))
    table = paged_table(ranked, "series", key, table_id="series-leaderboard", caption=_("Leaderboard of the series"),
                        page_endpoint="leaderboard.series", page_args={"series_id": series_id})
    return render_template("leaderboard/series.html", series=series_, rounds_html=rounds_html, table=table,
                           link_preview=previews.series_preview(series_, rounds, now))


@bp.route("/rounds/<int:round_id>/leaderboard")
def round_board(round_id: int) -> str:
    """The full leaderboard of one closed round, page by page."""
    shareable()
    round_ = visible_round(round_id)
    if not rules.results_public(round_, utcnow()) or not round_.is_scored:
        abort(404)
    table = paged_table(round_tallies(round_).leaderboard, "round", versions.tallies_key(round_),
                        table_id="round-leaderboard", caption=_("Leaderboard of this round"), one_round=True,
                        page_endpoint="leaderboard.round_board", page_args={"round_id": round_id})
    return render_template("leaderboard/round.html", round=round_, table=table,
                           link_preview=previews.round_preview(round_, utcnow(), endpoint="leaderboard.round_board"))
