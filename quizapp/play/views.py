"""The home page, the round page, answering, and the live answer count."""
from __future__ import annotations

import logging
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response

from quizapp import queries
from quizapp.access import Claim, claimed_player, may_see, signed_in_user_id, visible_round
from quizapp.errors import MESSAGES, csrf_refused, render_error
from quizapp.extensions import db, limiter, read_only_transaction
from quizapp.logs import log_event
from quizapp.models import utcnow
from quizapp.paging import page_number
from quizapp.play import bp
from quizapp.play.answering import (
    Choice,
    Outcome,
    Problem,
    Result,
    answer_round,
    kept_round,
    read_round,
)
from quizapp.play.confirmation import answered_panel_html, confirmation_html
from quizapp.queries import PlayerAnswer
from quizapp.ratelimit import RateLimited, client_address
from quizapp.results.summary import RoundResults, round_results
from quizapp.rules import rounds as rules
from quizapp.rules.lifecycle import RoundStatus
from quizapp.sharing import previews
from quizapp.snapshots import RoundSnapshot, rounds_in
from quizapp.web import is_htmx, render_page_or_fragment

ANSWER_LIMIT = "RATE_LIMIT_ANSWER"
RECENTLY_CLOSED = 10  # the home page's last closed rounds; the rest are reached through their series


def round_context(round_: RoundSnapshot, *, answer: PlayerAnswer | None = None, marked: set[int] | None = None,
                  chosen: int | None = None, error: str | None = None, looked_up: bool = False) -> dict[str, Any]:
    """Everything the round page and its fragments need; `looked_up` when the player's answer was already read."""
    player_id = signed_in_user_id()
    if answer is None and player_id is not None and not looked_up:
        answer = queries.player_answer(round_.id, player_id)
    if answer is not None:
        marked = set(answer.marked_ids)
        chosen = answer.option_id
    status = round_.status()
    results = voter_tally(round_, answer)
    return {
        "round": round_,
        "status": status,
        "answer": answer,
        "confirmation": confirmation_html(round_, answer) if answer is not None else None,
        "results": results,
        # One count on the page: beside a voter's tally it is the tally's own total, and comes with its refreshes.
        "answers_so_far": results.players if results is not None else round_.answer_count,
        "count_in_tally": results is not None and status is RoundStatus.OPEN,
        "marked": marked or set(),
        "chosen": chosen,
        "error": error,
        "statuses": RoundStatus,
        # The host sees the statements to check them, never a form to answer (rules.rounds.may_answer).
        "hosting": player_id is not None and not rules.may_answer(round_, player_id),
    }


def voter_tally(round_: RoundSnapshot, answer: PlayerAnswer | None) -> RoundResults | None:
    """The tally a voter sees beside their vote, on polls that show it after the vote."""
    if not rules.voter_sees_tally(round_, utcnow(), has_answered=answer is not None):
        return None
    return round_results(round_)


@bp.route("/")
def home() -> str:
    """List open rounds, upcoming ones and the recently closed."""
    now = utcnow()
    open_rounds = rounds_in(RoundStatus.OPEN, now, page_number())
    closed = rounds_in(RoundStatus.CLOSED, now, per_page=RECENTLY_CLOSED).items
    listed = [round_.id for round_ in (*open_rounds.items, *closed)]
    return render_template(
        "play/home.html",
        open_rounds=open_rounds,
        upcoming=rounds_in(RoundStatus.SCHEDULED, now, page_number("upcoming")),
        closed=closed,
        # The player sees at a glance what is left to play; upcoming rounds can't have been answered yet.
        answered=queries.answered_round_ids(signed_in_user_id(), listed),
        welcome=not session.get(WELCOME_DISMISSED),
        link_preview=previews.home_preview(open_rounds),
    )


WELCOME_DISMISSED = "welcome_dismissed"


@bp.route("/welcome/dismiss", methods=["POST"])
def dismiss_welcome() -> str | Response:
    """Hide the home page's welcome for the rest of this session: a returning player knows the game."""
    session[WELCOME_DISMISSED] = True
    if is_htmx():
        return ""  # the button's hx-swap="delete" removes the welcome
    return redirect(url_for("play.home"), code=303)


@bp.route("/rounds/<int:round_id>")
def round_page(round_id: int) -> str | tuple[str, int]:
    """Show the round: the answer form, the player's answer, or where the round stands.

    Marks in the query (?marks=…, ?option=…) are ticked: a visitor's, carried through joining, or a refused plain
    answer's, sent back here; whatever does not belong to the round is dropped.
    """
    round_ = visible_round(round_id)
    kept = linked_choice().within(round_)
    # A fragment is never shared: its page's preview is built for whole pages only.
    link_preview = None if is_htmx() else previews.round_preview(round_, utcnow())
    return render_page_or_fragment("play/round.html", "play/_round_panel.html", link_preview=link_preview,
                                   **round_context(round_, marked=set(kept.marked), chosen=kept.option))


@bp.route("/rounds/<int:round_id>/join")
def join_to_answer(round_id: int) -> Response:
    """Take a visitor to join (or to log in, ?via=login) and back to the round with the marks they made ticked.

    The visitor's form comes here with a GET: it writes nothing, so it needs no CSRF token (a visitor's round page
    sets no cookie) and is not counted against the answer limit, which a hall of visitors behind one address shares.
    """
    round_ = visible_round(round_id)
    back = url_for("play.round_page", round_id=round_.id, **linked_choice().within(round_).as_query())
    sign_in = "auth.login" if request.args.get("via") == "login" else "auth.join"
    return redirect(url_for(sign_in, next=back), code=303)


def linked_choice() -> Choice:
    """The marks or the option a link carries in its query."""
    return Choice.from_form(request.args.getlist("marks"), request.args.get("option", ""))


@bp.route("/rounds/<int:round_id>/answer", methods=["POST"])
def answer(round_id: int) -> str | tuple[str, int] | tuple[str, int, dict[str, str]] | Response:
    """Take the player's answer: once, final, and only while the round is open."""
    # The busiest write: the player comes from the signed cookie, checked by the answer's own INSERT.
    claim = claimed_player()
    # Per player, so a classroom behind one address is not limited as one; visitors fall back to the address.
    key = f"player:{claim.player_id}" if claim is not None else client_address()
    choice = Choice.from_form(request.form.getlist("marks"), request.form.get("option", ""))
    try:
        limiter.refuse_known_over(ANSWER_LIMIT, key)  # a flood from a key already over its limit costs no SQL
        round_, result = _decide(round_id, claim, choice)
        # A player's first answer is not counted: the database takes it once, so it never waits on the limit's
        # storage. Everything that can repeat (a second answer, a refused one, a missing round) counts.
        if result is None or result.outcome is not Outcome.STORED:
            limiter.count(ANSWER_LIMIT, key)
    except RateLimited:
        if is_htmx():
            raise  # its handler shows the message in the page's message area: the panel and its marks stay
        return _back_to_round(round_id, choice, str(MESSAGES[429]))
    if round_ is None or result is None:
        abort(404)
    if result.outcome is Outcome.ALREADY_ANSWERED:
        log_event("double_submit", round_id=round_.id, user_id=claim.player_id if claim else None)
    return _respond(round_, result, choice)


def _decide(round_id: int, claim: Claim | None, choice: Choice) -> tuple[RoundSnapshot | None, Result | None]:
    """Answer the round as this process keeps it, or else as it is read now; None for a round the player can't
    see. Judged by when the request arrived, so an answer queued behind others at the close still counts."""
    at = g.arrived_at
    kept = kept_round(round_id, at)
    if kept is not None:
        result = answer_round(kept, claim, choice, at)
        # Stale, or refused on a copy that may be out of date: decide on the round as it is now.
        if result.outcome not in (Outcome.STALE, Outcome.WRONG_SHAPE):
            return kept, result
    round_ = read_round(round_id)
    if round_ is None or not may_see(round_, claim.player_id if claim is not None else None):
        return None, None
    return round_, answer_round(round_, claim, choice, at)


@bp.errorhandler(CSRFError)
def expired_answer_form(error: CSRFError) -> Any:
    """A plain answer whose form expired (the session ended while the page was open) goes back to the round with
    its marks ticked, to be sent again from a fresh form; htmx keeps the marks in the page itself."""
    round_id = (request.view_args or {}).get("round_id")
    if request.endpoint != "play.answer" or is_htmx() or not isinstance(round_id, int):
        return csrf_refused(error)
    log_event("csrf_rejected", logging.WARNING, reason=error.description)
    choice = Choice.from_form(request.form.getlist("marks"), request.form.get("option", ""))
    return _back_to_round(round_id, choice, _("This page had expired, so nothing was sent. Your marks are kept: "
                                              "send them again."))


def _respond(round_: RoundSnapshot, result: Result,
             choice: Choice) -> str | tuple[str, int] | tuple[str, int, dict[str, str]] | Response:
    """The response to each outcome: the confirmation, or the form again with the player's marks kept."""
    if db.session.registry.has() and db.session().in_transaction():
        # The answer is settled, and what the response reads next needs no write lock: on SQLite, the others'
        # answers would wait for it while this page renders (the deciding read took it, see read_round).
        read_only_transaction()
    if result.outcome in (Outcome.STORED, Outcome.ALREADY_ANSWERED):
        if not is_htmx():
            return redirect(url_for("play.round_page", round_id=round_.id), code=303)
        answered = result.answer
        if (answered is not None and round_.status() is RoundStatus.OPEN
                and not rules.voter_sees_tally(round_, utcnow(), has_answered=True)):
            # Every answer's response (see answered_panel_html): kept whole, so it can't carry the count, which
            # the page fetches at once instead, with this answer in it.
            return answered_panel_html(round_, answered), 200, COUNT_CHANGED
        context = round_context(round_, answer=answered, looked_up=True)
        panel = render_template("play/_round_panel.html", **context)
        if context["results"] is None:  # closed as it was answered: the count fetches itself, as above
            return panel, 200, COUNT_CHANGED
        # The tally counted this answer: the page's count shows the same total, out of band.
        return panel + _count_out_of_band(context), 200
    message = refusal_message(result, round_, choice)
    if not is_htmx():
        return _back_to_round(round_.id, choice, message)
    # htmx swaps the panel back in place, the marks kept; a round no longer open shows where it stands instead.
    http_status = {Outcome.NOT_OPEN: 409, Outcome.HOST: 403, Outcome.STALE: 409}.get(result.outcome, 422)
    return _panel(round_, http_status, marked=set(choice.marked), chosen=choice.option, looked_up=True, error=message)


# Asks the page's live count (play/_live_count.html) to fetch itself now.
COUNT_CHANGED = {"HX-Trigger": '{"answered": {"target": "#live-count"}}'}


def _count_out_of_band(context: dict[str, Any]) -> str:
    """The page's live count, for htmx to swap in beside the response's own target."""
    return render_template("play/_live_count.html", oob=True, **context)


def _back_to_round(round_id: int, choice: Choice, message: str) -> Response:
    """A refused plain answer: back to the round page (not left at /answer), its marks ticked, the reason shown."""
    flash(message, "error")
    return redirect(url_for("play.round_page", round_id=round_id, **choice.as_query()), code=303)


def _panel(round_: RoundSnapshot, http_status: int, **state: Any) -> tuple[str, int]:
    return render_page_or_fragment("play/round.html", "play/_round_panel.html", http_status,
                                   **round_context(round_, **state))


def refusal_message(result: Result, round_: RoundSnapshot, choice: Choice) -> str:
    """Why the answer was not taken, in the player's words."""
    if result.outcome is Outcome.NOT_OPEN:
        if round_.status() is RoundStatus.CLOSED:
            return _("Your answer arrived after the round closed: it was not counted.")
        return _("This round is not open yet: your answer was not sent.")
    if result.outcome is Outcome.NOT_SIGNED_IN:
        return _("Join first: pick a nickname, then send your answer.")
    if result.outcome is Outcome.HOST:
        return _("You host this round: hosts don't answer their own rounds.")
    if result.outcome is Outcome.STALE:
        return _("The round changed while you answered: check it and send again.")
    return problem_message(result.problem, round_, choice)


def problem_message(problem: Problem | None, round_: RoundSnapshot, choice: Choice) -> str:
    """What the player is told about an answer of the wrong shape."""
    if problem is Problem.DUPLICATE:
        return _("Mark each statement at most once.")
    if problem is Problem.COUNT:
        return ngettext(
            "Mark exactly %(num)d statement as false; you marked %(marked)d.",
            "Mark exactly %(num)d statements as false; you marked %(marked)d.",
            round_.false_count,
            marked=len(set(choice.marked)),
        )
    if problem is Problem.NO_OPTION or not round_.is_facts:
        return _("Choose one of the options.")
    return _("That statement is not part of this round.")


@bp.route("/rounds/<int:round_id>/tally")
def tally(round_id: int) -> str | tuple[str, int, dict[str, str]]:
    """The live tally of a results-after-vote poll, for players who have voted; it stops polling at the close."""
    round_ = visible_round(round_id)
    player_id = signed_in_user_id()
    answer = queries.player_answer(round_.id, player_id) if player_id is not None else None
    results = voter_tally(round_, answer)
    if results is None:
        return render_error(403, _("The tally shows once you have voted, or at the reveal."))
    tally_html = render_template("results/_poll.html", round=round_, results=results, answer=answer, live=True)
    # The page's answer count is this tally's total, refreshed with it: the two never disagree.
    return tally_html + _count_out_of_band({"round": round_, "status": round_.status(), "statuses": RoundStatus,
                                            "answers_so_far": results.players, "count_in_tally": True})


@bp.route("/rounds/<int:round_id>/count")
def live_count(round_id: int) -> str:
    """The live answer count; its polling stops once the round is no longer open."""
    round_ = visible_round(round_id)
    return render_template("play/_live_count.html", round=round_, status=round_.status(), statuses=RoundStatus,
                           answers_so_far=round_.answer_count)
