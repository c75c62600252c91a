"""The home page, the round page, answering, and the live answer count."""
from __future__ import annotations

from typing import Any

from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from quizapp import queries
from quizapp.access import signed_in_user_id, visible_round
from quizapp.cache import cached_fragment
from quizapp.errors import render_error
from quizapp.extensions import rate_limit, reads_only_from_here
from quizapp.logs import log_event
from quizapp.models import ResultsVisibility, Round, RoundKind, RoundRules, utcnow
from quizapp.paging import page_number
from quizapp.play import bp
from quizapp.play.service import (
    AnswerableRound,
    AnswerRejected,
    RoundChanged,
    answerable_round,
    parse_ids,
    remembered_round,
    store_facts_answer,
    store_poll_answer,
)
from quizapp.queries import PlayerAnswer
from quizapp.ratelimit import client_address, spare_this_request
from quizapp.results.summary import RoundResults, round_results
from quizapp.rules.lifecycle import RoundStatus
from quizapp.web import is_htmx, render_page_or_fragment


def round_context(round_: Round | AnswerableRound, *, answer: PlayerAnswer | None = None, marked: set[int] | None = None,
                  chosen: int | None = None, error: str | None = None) -> dict[str, Any]:
    """Everything the round page and its fragments need."""
    if answer is None and current_user.is_authenticated:
        answer = queries.player_answer(round_.id, current_user.id)
    if answer is not None:
        marked = set(answer.marked_ids)
        chosen = answer.option_id
    status = round_.status()
    return {
        "round": round_,
        "status": status,
        "answer": answer,
        "results": poll_results_for(round_, answer, status),
        "marked": marked or set(),
        "chosen": chosen,
        "error": error,
        "statuses": RoundStatus,
    }


def shows_tally_after_vote(round_: RoundRules) -> bool:
    """Opinion polls that show their tally to whoever has voted, before the close."""
    return (
        round_.kind == RoundKind.POLL
        and not round_.is_quiz
        and round_.results_visibility == ResultsVisibility.AFTER_VOTE
    )


def poll_results_for(round_: Round | AnswerableRound, answer: PlayerAnswer | None,
                     status: RoundStatus) -> RoundResults | None:
    """The tally a voter may see right after voting: opinion polls that show results after the vote."""
    if answer is None or not shows_tally_after_vote(round_) or status not in (RoundStatus.OPEN, RoundStatus.CLOSED):
        return None
    if isinstance(round_, AnswerableRound):
        round_ = visible_round(round_.id)
    return round_results(round_)


@bp.route("/")
def home() -> str:
    """List open rounds, upcoming ones and the recently closed."""
    now = utcnow()
    return render_template(
        "play/home.html",
        open_rounds=queries.open_rounds(now, page_number()),
        upcoming=queries.upcoming_rounds(now, page_number("upcoming")),
        closed=queries.recently_closed_rounds(now),
    )


@bp.route("/rounds/<int:round_id>")
def round_page(round_id: int) -> str | tuple[str, int]:
    """Show the round: the answer form, the player's answer, or where the round stands."""
    round_ = visible_round(round_id)
    return render_page_or_fragment("play/round.html", "play/_round_panel.html", **round_context(round_))


def _player_key() -> str:
    # Per player, so a classroom behind one address is not limited as one; visitors fall back to the address.
    player_id = signed_in_user_id()
    return f"player:{player_id}" if player_id is not None else client_address()


@bp.route("/rounds/<int:round_id>/answer", methods=["POST"])
# A player's first answer to a round is not counted, so it is never held back and never waits on the limit's
# storage: the database takes it once. Everything that can repeat (a second answer, a refused one, a 404) counts.
@rate_limit("RATE_LIMIT_ANSWER", key_func=_player_key, unless_spared=True)
def answer(round_id: int) -> str | tuple[str, int] | Response:
    """Take the player's answer: once, final, and only while the round is open."""
    # The busiest write in the app: the player comes from the signed session, and the round from this process's
    # memory once it has answers (else one light query). On SQLite the request is one write transaction
    # (BEGIN IMMEDIATE), so nothing waits twice.
    player_id = signed_in_user_id()
    remembered = remembered_round(round_id, g.arrived_at)
    if remembered is not None:
        try:
            return _take_answer(remembered, player_id, remembered=True)
        except RoundChanged:
            pass  # closed early, extended, deleted, or answered before: decide on what the database holds now
    round_ = answerable_round(round_id)
    if round_ is None or not (round_.published or player_id == round_.curator_id):
        abort(404)
    return _take_answer(round_, player_id)


def _take_answer(round_: AnswerableRound, player_id: int | None, *,
                 remembered: bool = False) -> str | tuple[str, int] | Response:
    """Check, store and confirm the answer. For a remembered round, whatever depends on the round (its checks,
    the insert) raises RoundChanged instead of refusing, so the answer is decided again on a fresh read."""
    marked_raw = request.form.getlist("marks")
    chosen_raw = request.form.get("option", "")
    try:
        marked = parse_ids(marked_raw)
        chosen = parse_ids([chosen_raw])[0] if chosen_raw else None
    except AnswerRejected as rejected:
        return _panel(round_, 422, error=str(rejected))
    keep = {"marked": set(marked), "chosen": chosen}
    # Judged by when the request arrived, so an answer queued behind others at the close still counts.
    if round_.status(g.arrived_at) is not RoundStatus.OPEN:
        return _panel(round_, 409, **keep)
    if player_id is None:
        return _panel(round_, 422, error=_("Join first: pick a nickname, then send your answer."), **keep)
    try:
        if round_.kind == RoundKind.FACTS:
            stored = store_facts_answer(round_, player_id, marked, g.arrived_at, remembered=remembered)
        elif chosen is None:
            raise AnswerRejected(_("Choose one of the options."))
        else:
            stored = store_poll_answer(round_, player_id, chosen, g.arrived_at, remembered=remembered)
    except AnswerRejected as rejected:
        if remembered:
            raise RoundChanged() from rejected  # judged again on the round as it is now, which may be another one
        # A player who already answered sees their answer, whatever this second form said.
        answered = queries.player_answer(round_.id, player_id)
        if answered is not None:
            return _panel(round_, 200, answer=answered)
        return _panel(round_, 422, error=str(rejected), **keep)
    if stored.created:
        spare_this_request()
    else:
        log_event("double_submit", round_id=round_.id, user_id=player_id)
    if is_htmx():
        return _panel(round_, 200, answer=stored.answer)
    return redirect(url_for("play.round_page", round_id=round_.id), code=303)


def _panel(round_: AnswerableRound, http_status: int, **state: Any) -> tuple[str, int]:
    """Render the round panel after an answer; only the htmx confirmation makes do with the light round."""
    # Written or refused, the answer is settled: the reads for the panel need no write lock.
    reads_only_from_here()
    answer: PlayerAnswer | None = state.get("answer")
    shown: Round | AnswerableRound = round_
    if not is_htmx() or answer is None:
        shown = visible_round(round_.id)  # the page, or the form again: title, intro, series, …
    elif round_.status() is RoundStatus.OPEN and not shows_tally_after_vote(round_):
        # Every player who marks the same statements gets the same confirmation until the close, so it is
        # rendered once per choice. The items are in the key: they are fixed once the round has an answer, and
        # an edit that raced the first answer then still shows what was answered.
        key = ("confirmation", round_.id, round_.closes_at, round_.content_key, answer.marked_ids, answer.option_id)
        confirmation = cached_fragment(
            key, lambda: render_template("play/_round_panel.html", **round_context(round_, **state)))
        return confirmation, http_status
    return render_page_or_fragment("play/round.html", "play/_round_panel.html", http_status,
                                   **round_context(shown, **state))


@bp.route("/rounds/<int:round_id>/tally")
def tally(round_id: int) -> str | tuple[str, int]:
    """The live tally of a results-after-vote poll, for players who have voted; it stops polling at the close."""
    round_ = visible_round(round_id)
    answer = queries.player_answer(round_.id, current_user.id) if current_user.is_authenticated else None
    results = poll_results_for(round_, answer, round_.status())
    if results is None:
        return render_error(403, _("The tally shows once you have voted, or at the reveal."))
    return render_template("results/_poll.html", round=round_, results=results, answer=answer, live=True)


@bp.route("/rounds/<int:round_id>/count")
def live_count(round_id: int) -> str:
    """The live answer count; its polling stops once the round is no longer open."""
    round_ = visible_round(round_id)
    return render_template("play/_live_count.html", round=round_, status=round_.status(), statuses=RoundStatus)
