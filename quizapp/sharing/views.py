"""Card images and Atom feeds: public, the same for every viewer, and cheap to fetch again."""
from __future__ import annotations

import hashlib
from datetime import datetime

from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from quizapp import queries, versions
from quizapp.access import visible_round
from quizapp.cache import cached
from quizapp.extensions import db
from quizapp.models import Round, User, utcnow
from quizapp.results.summary import round_results
from quizapp.rules import rounds as rules
from quizapp.rules.lifecycle import RoundStatus
from quizapp.rules.usernames import validate_username
from quizapp.sharing import bp, feeds, personal
from quizapp.sharing.cards import Card
from quizapp.sharing.images import card_png
from quizapp.sharing.previews import absolute_url, language, round_card, series_card, site_card
from quizapp.snapshots import load_round, series_rounds
from quizapp.web import shareable

CARD_MAX_AGE = 3600  # a card changes with its round's state; its address in og:image carries a version anyway
OPEN_CARD_MAX_AGE = 300  # until the close, so the reveal's card is not held back long after it
FEED_MAX_AGE = 300


def _card_response(subject: str, state: str, card: Card, max_age: int) -> Response:
    digest = card.digest()
    png = card_png(versions.card_key(subject, state, language(), digest), card)
    response = Response(png, mimetype="image/png")
    response.set_etag(digest)
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    return response.make_conditional(request)


@bp.route("/card.png")
def site_card_image() -> Response:
    """The site's card, for the home page and the overall leaderboard."""
    return _card_response("site", "site", site_card(), CARD_MAX_AGE)


@bp.route("/rounds/<int:round_id>/card.png")
def round_card_image(round_id: int) -> Response:
    """A round's card in its state: spoiler-free until the close, the story of the reveal after it."""
    round_ = visible_round(round_id)
    now = utcnow()
    status = round_.status(now)
    max_age = CARD_MAX_AGE if status is RoundStatus.CLOSED else OPEN_CARD_MAX_AGE
    return _card_response(f"round-{round_.id}", status.value, round_card(round_, now), max_age)


@bp.route("/series/<int:series_id>/card.png")
def series_card_image(series_id: int) -> Response:
    rounds = series_rounds(series_id)
    if not rounds or rounds[0].series is None:
        abort(404)
    return _card_response(f"series-{series_id}", "series", series_card(rounds[0].series, rounds), CARD_MAX_AGE)


def _shared_or_404(round_id: int, token: str) -> tuple[personal.SharedResult, str]:
    """The result a shared link names, once its round has closed; 404 before, for opinion polls and forged tokens."""
    round_ = load_round(round_id)
    answer_id = personal.answer_id_of(round_id, token)
    if round_ is None or answer_id is None or not round_.is_scored or not rules.results_public(round_, utcnow()):
        abort(404)
    found = queries.shared_answer(round_id, answer_id)
    if found is None:
        abort(404)
    answer, name = found
    return personal.shared_result(round_, round_results(round_), answer), name


@bp.route("/rounds/<int:round_id>/shared/<token>")
def shared_result(round_id: int, token: str) -> str:
    """A player's shared result: their score and rank in a closed round, and nothing of anyone's answers."""
    result, name = _shared_or_404(round_id, token)
    shareable()
    return render_template("sharing/result.html", result=result, name=name, round=result.round,
                           score_words=personal.score_words(result), link_preview=personal.result_preview(result, name))


@bp.route("/rounds/<int:round_id>/shared/<token>/card.png")
def result_card_image(round_id: int, token: str) -> Response:
    """A player's own card: their score and rank, drawn once per result and language like every card."""
    result, name = _shared_or_404(round_id, token)
    return _card_response(f"result-{result.answer_id}", "closed", personal.personal_card(result, name), CARD_MAX_AGE)


def _feed_response(title: str, self_url: str, home_url: str, now: datetime,
                   rows: tuple[tuple[object, ...], ...]) -> Response:
    # Kept until a round in it changes or closes (each row says whether it has): its entries and feedgen's XML are
    # written once, where they cost three round pages on every fetch.
    key = versions.feed_key(self_url, home_url, title, language(), rows)
    body, updated, etag = cached(key, lambda: _written(title, self_url, home_url,
                                                       feeds.entries(feeds.feed_rounds(rows), now)))
    response = Response(body, mimetype="application/atom+xml")
    response.set_etag(etag)
    response.last_modified = updated
    response.cache_control.public = True
    response.cache_control.max_age = FEED_MAX_AGE
    return response.make_conditional(request)


def _written(title: str, self_url: str, home_url: str, listed: list[feeds.Entry]) -> tuple[bytes, datetime, str]:
    body, updated = feeds.atom(title, self_url, home_url, listed)
    return body, updated, hashlib.sha256(body).hexdigest()


@bp.route("/feed.atom")
def site_feed() -> Response:
    """Every round's opening and reveal."""
    now = utcnow()
    return _feed_response(_("Two Truths: new rounds and reveals"), absolute_url("sharing.site_feed"),
                          absolute_url("play.home"), now, feeds.newest(now))


@bp.route("/series/<int:series_id>/feed.atom")
def series_feed(series_id: int) -> Response:
    """A series' openings and reveals."""
    rounds = series_rounds(series_id)
    if not rounds or rounds[0].series is None:
        abort(404)  # as the series page: drafts alone are its curator's business
    now = utcnow()
    newest = feeds.newest(now, Round.__table__.c.series_id == series_id)
    return _feed_response(_("Series: %(title)s", title=rounds[0].series.title),
                          absolute_url("sharing.series_feed", series_id=series_id),
                          absolute_url("leaderboard.series", series_id=series_id), now, newest)


@bp.route("/hosts/<name>/feed.atom")
def host_feed(name: str) -> Response:
    """The openings and reveals of one host's rounds."""
    if validate_username(name) is not None:
        abort(404)  # no account has such a name, and PostgreSQL refuses some of them outright (a NUL)
    host = db.session.execute(select(User.id, User.username).where(User.username == name)).first()
    if host is None:
        abort(404)
    now = utcnow()
    return _feed_response(_("Rounds hosted by %(name)s", name=host.username),
                          absolute_url("sharing.host_feed", name=host.username), absolute_url("play.home"),
                          now, feeds.newest(now, Round.__table__.c.curator_id == host.id))
