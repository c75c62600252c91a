"""The overall leaderboard and a series page with its own."""
from __future__ import annotations

from flask import abort, render_template
from sqlalchemy import select

from quizapp import queries
from quizapp.extensions import db
from quizapp.leaderboard import bp
from quizapp.models import Round, Series, utcnow


@bp.route("/leaderboard")
def overall() -> str:
    """Rank every player across all closed scored rounds."""
    return render_template("leaderboard/overall.html", ranked=queries.overall_leaderboard(utcnow()))


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
    return render_template(
        "leaderboard/series.html",
        series=found,
        rounds=rounds,
        now=now,
        ranked=queries.series_leaderboard(series_id, now),
    )
