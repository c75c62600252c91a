"""The curator's dashboard, the round editor, and the publish, close, extend and delete actions."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from quizapp import queries
from quizapp.access import curator_required
from quizapp.announce.outbox import plan_round, plan_rounds
from quizapp.auth.forms import EmptyForm
from quizapp.auth.service import find_user
from quizapp.data.answers_csv import answers_csv as answers_csv_text
from quizapp.data.rounds_json import (
    RoundsFileError,
    dump_document,
    export_rounds,
    import_rounds,
    load_document,
    parse_rounds,
)
from quizapp.extensions import db
from quizapp.logs import log_event
from quizapp.models import Round, User, utcnow
from quizapp.paging import Page, page_number, page_of
from quizapp.rounds import bp
from quizapp.rounds.editor import (
    RowEdit,
    Schedule,
    check_content,
    check_schedule,
    closing_time,
    edit_rows,
    fill_form,
    locked_change,
    parse_row_edit,
    rows_name,
    save_round,
    sent_rows,
)
from quizapp.rounds.forms import (
    ExtendForm,
    FactsRoundForm,
    ImportForm,
    PollRoundForm,
    PromoteForm,
)
from quizapp.rules import rounds as rules
from quizapp.rules.lifecycle import RoundStatus, as_utc
from quizapp.rules.rounds import RoundKind
from quizapp.rules.validity import MAX_OPTIONS, MAX_STATEMENTS
from quizapp.sharing import previews
from quizapp.snapshots import RoundSnapshot, load_round, rounds_page
from quizapp.tasks import wake
from quizapp.web import render_page_or_fragment
from quizapp.zones import UTC_ZONE, canonical_zone, zone_choices

FORMS = {RoundKind.FACTS: FactsRoundForm, RoundKind.POLL: PollRoundForm}


def own_round(round_id: int) -> Round:
    """Load a round of the current curator: 404 when missing, 403 when another curator's.

    A POST decides on what it reads (whether players have answered, whether the round is still open), so it
    reads the row again locked, once it is known to be the curator's own: on PostgreSQL an answer being
    written holds the round's key lock until it commits, and the POST waits for it and then sees its answer.
    SQLite's writing requests already queue on its one write lock (BEGIN IMMEDIATE), and the dialect leaves
    FOR UPDATE out.
    """
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        abort(404)
    if round_.curator_id != current_user.id:
        log_event("forbidden", logging.WARNING, user_id=current_user.id, round_id=round_id)
        abort(403)
    if request.method == "POST":
        db.session.refresh(round_, with_for_update=True)
        # The answers are counted in another table, which that statement read as it was before it waited:
        # a statement of its own sees the answer that just committed.
        db.session.refresh(round_, ["answer_count"])
    return round_


@bp.route("/")
@curator_required
def dashboard() -> str:
    """List the curator's rounds with where each stands and its answers so far."""
    pager, now = _my_rounds(), utcnow()
    # ?published= right after publishing, ?share= from a round's Share button: the same box either way.
    shared = _just_published(request.args.get("published", type=int) or request.args.get("share", type=int))
    return render_template("rounds/dashboard.html", rounds=pager.items, pager=pager, now=now, form=EmptyForm(),
                           shared=shared, offer=previews.round_offer(shared, now) if shared else None,
                           counting=_any_open(pager, now))


@bp.route("/answer-counts")
@curator_required
def answer_counts() -> str:
    """The answers so far of the dashboard page's rounds, refreshed together while any of them is open."""
    pager = _my_rounds()
    return render_template("rounds/_answer_counts.html", rounds=pager.items, pager=pager,
                           counting=_any_open(pager, utcnow()), refresh=True)


def _my_rounds() -> Page[RoundSnapshot]:
    # A page at a time: one import may add 500 rounds, and a busy host keeps adding.
    return rounds_page(Round.curator_id == current_user.id, order_by=[Round.created_at.desc(), Round.id.desc()],
                       page=page_number())


def _any_open(pager: Page[RoundSnapshot], now: datetime) -> bool:
    """Whether a count on this page can still move: answers come in only while a round is open."""
    return any(round_.status(now) is RoundStatus.OPEN for round_ in pager.items)


def _just_published(round_id: int | None) -> RoundSnapshot | None:
    """The curator's published round whose link to share; None for any other id."""
    round_ = load_round(round_id) if round_id is not None else None
    if round_ is None or round_.curator_id != current_user.id or not round_.published:
        return None
    return round_


def _prepare(form: Any) -> Any:
    """Offer the zones in the viewer's language, the one posted or last scheduled in chosen, else UTC."""
    form.tz.choices = zone_choices(str(get_locale()))
    chosen = form.tz.data or canonical_zone(session.get("tz"))
    if chosen:
        # app.js moves the browser's zone first; it selects it only where nobody chose a zone yet.
        form.tz.render_kw = {**form.tz.render_kw, "data-tz-chosen": ""}
    form.tz.data = chosen or UTC_ZONE
    return form


@bp.route("/rounds/new/<any(facts, poll):kind>", methods=["GET", "POST"])
@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@curator_required
def edit(kind: str | None = None, round_id: int | None = None) -> str | tuple[str, int] | Response:
    """Write a round: add and remove rows, save a draft, publish; a round with answers keeps its statements."""
    round_ = own_round(round_id) if round_id is not None else None
    kind = round_.kind if round_ else RoundKind(kind)
    form_class = FORMS[RoundKind(kind)]
    now = utcnow()
    status = rules.status(round_, now) if round_ else RoundStatus.DRAFT
    # Answered or closed, the round keeps what players saw; explanations, title and intro can still change.
    locked = bool(round_ and rules.is_locked(round_, now))
    if request.method == "GET":
        return _editor(_stored_or_blank_form(form_class, round_, kind), round_, kind, locked, status)

    refuse_too_many_rows(kind)
    form = _prepare(form_class())
    action = request.form.get("action", "save")
    if not form.validate():
        return _editor(form, round_, kind, locked, status, 422)
    if action not in ("save", "publish"):
        return _edit_rows(form, round_, kind, locked, status, parse_row_edit(action))

    if locked and locked_change(form, round_):
        message = _("Statements and options can't change once players have answered; explanations still can.")
        getattr(form, rows_name(kind)).errors.append(message)
        return _editor(form, round_, kind, locked, status, 409)
    publishing = action == "publish" and status is RoundStatus.DRAFT
    must_check = publishing or status is not RoundStatus.DRAFT
    if must_check and not locked and not check_content(form, kind):
        return _editor(form, round_, kind, locked, status, 422)
    schedule = check_schedule(form, utcnow()) if publishing else None
    if publishing and schedule is None:
        return _editor(form, round_, kind, locked, status, 422)

    round_ = _store(round_, form, kind, locked, schedule)
    announcements = plan_round(round_)  # the series may have changed, and with it the channels
    session["tz"] = form.tz.data
    db.session.commit()
    wake(announcements)
    return _after_saving(round_, published=schedule is not None)


def _after_saving(round_: Round, published: bool) -> Response:
    if published:
        flash(_("Published. Players can answer until the round closes."), "success")
        # The dashboard then offers the round's link to share: a host publishes to tell their followers.
        return redirect(url_for("rounds.dashboard", published=round_.id), code=303)
    flash(_("Saved."), "success")
    return redirect(url_for("rounds.edit", round_id=round_.id), code=303)


def _stored_or_blank_form(form_class: type[FactsRoundForm] | type[PollRoundForm], round_: Round | None,
                          kind: str) -> Any:
    """The editor's form for a GET: the stored round, or a few empty rows to start a new one."""
    form = _prepare(form_class(formdata=None))
    if round_:
        fill_form(form, round_)
    else:
        for _i in range(3 if kind == RoundKind.FACTS else 2):
            getattr(form, rows_name(kind)).append_entry()
    return form


def _store(round_: Round | None, form: Any, kind: str, locked: bool, schedule: Schedule | None) -> Round:
    """Copy the checked form into the round, new or stored, and publish it on a schedule (the view commits)."""
    if round_ is None:
        round_ = Round(curator=current_user, kind=kind)
        db.session.add(round_)
    save_round(round_, form, locked=locked)
    if schedule is not None:
        round_.published = True
        round_.opens_at = schedule.opens_at
        round_.closes_at = schedule.closes_at
    return round_


def refuse_too_many_rows(kind: str) -> None:
    """Refuse, before WTForms builds a subform for each, a form with more rows than a round may have."""
    rows = sent_rows(request.form.keys(), kind)
    if rows is None:
        abort(400)  # a row number this app never writes
    if kind == RoundKind.FACTS and rows > MAX_STATEMENTS:
        abort(422, description=_("A facts round has 2 to 30 statements."))
    if kind == RoundKind.POLL and rows > MAX_OPTIONS:
        abort(422, description=_("A poll has 2 to 10 options."))


def _edit_rows(form: Any, round_: Round | None, kind: str, locked: bool, status: RoundStatus,
               edit: RowEdit | None) -> tuple[str, int]:
    """Show the form again with a row added, removed, moved, shuffled or pasted; an unknown action changes nothing."""
    if locked:
        flash(_("Statements and options can't change once players have answered."), "error")
        return _editor(form, round_, kind, locked, status, 409)
    data, focus = edit_rows(form.data, kind, edit) if edit is not None else (form.data, None)
    data.pop("csrf_token", None)
    data.pop("correct", None)  # a poll's rows carry the correct mark, moved with its row; the old row number is stale
    fresh = _prepare(FORMS[RoundKind(kind)](formdata=None, data=data))
    return _editor(fresh, round_, kind, locked, status, focus=focus)


def _editor(form: Any, round_: Round | None, kind: str, locked: bool, status: RoundStatus,
            code: int = 200, focus: int | None = None, extend_form: ExtendForm | None = None) -> tuple[str, int]:
    action = url_for("rounds.edit", round_id=round_.id) if round_ else url_for("rounds.edit", kind=kind)
    return render_page_or_fragment(
        "rounds/edit.html",
        "rounds/_editor.html",
        code,
        form=form,
        round=round_,
        kind=kind,
        locked=locked,
        status=status,
        statuses=RoundStatus,
        action_url=action,
        focus=focus,
        extend_form=extend_form or _prepare(ExtendForm(formdata=None)),
        small_form=EmptyForm(),
    )


@bp.route("/rounds/<int:round_id>/close", methods=["POST"])
@curator_required
def close(round_id: int) -> Response:
    """Close an open round now; its reveal becomes public."""
    round_ = own_round(round_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if rules.status(round_, utcnow()) is not RoundStatus.OPEN:
        flash(_("Only an open round can be closed."), "error")
    else:
        round_.closes_at = utcnow()
        announcements = plan_round(round_)
        db.session.commit()
        wake(announcements)
        flash(_("Closed. The reveal is public now."), "success")
    return redirect(url_for("rounds.dashboard"), code=303)


@bp.route("/rounds/<int:round_id>/extend", methods=["POST"])
@curator_required
def extend(round_id: int) -> str | tuple[str, int] | Response:
    """Move the closing time of a scheduled or open round later; a closed round never reopens."""
    round_ = own_round(round_id)
    form = _prepare(ExtendForm())
    now = utcnow()
    status = rules.status(round_, now)
    if status not in (RoundStatus.OPEN, RoundStatus.SCHEDULED):
        flash(_("A closed round can't be reopened."), "error")
        return redirect(url_for("rounds.dashboard"), code=303)
    # Each refusal comes back as the editor with the message by its field (an unknown zone, a time in the past).
    valid = form.validate()
    current = as_utc(round_.closes_at) if round_.closes_at else now
    closes_at = closing_time(form, max(now, current)) if valid else None
    if closes_at is not None and closes_at <= current:
        form.closes_at.errors.append(_("Choose a time after the current closing time."))
        closes_at = None
    if closes_at is None:
        edit_form = _prepare(FORMS[RoundKind(round_.kind)](formdata=None))
        fill_form(edit_form, round_)
        return _editor(edit_form, round_, round_.kind, rules.is_locked(round_, now), status, 422, extend_form=form)
    round_.closes_at = closes_at
    announcements = plan_round(round_)
    db.session.commit()
    wake(announcements)
    flash(_("The closing time is extended."), "success")
    return redirect(url_for("rounds.dashboard"), code=303)


@bp.route("/rounds/<int:round_id>/delete", methods=["GET", "POST"])
@curator_required
def delete(round_id: int) -> str | Response:
    """Delete a round: at once for one without answers, after a confirmation otherwise."""
    round_ = own_round(round_id)
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        if round_.answer_count == 0 or request.form.get("confirm") == "yes":
            db.session.delete(round_)
            db.session.commit()
            flash(_("Deleted."), "success")
            return redirect(url_for("rounds.dashboard"), code=303)
    return render_template("rounds/delete.html", round=round_, form=form)


@bp.route("/rounds/<int:round_id>/answers.csv")
@curator_required
def answers_csv(round_id: int) -> Response:
    """Download a closed round's answers as CSV."""
    round_ = own_round(round_id)
    if not rules.results_public(round_, utcnow()):
        abort(404)
    body = answers_csv_text(round_, queries.round_answers(round_.id))
    response = make_response(body)
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="round-{round_.id}-answers.csv"'
    return response


@bp.route("/people", methods=["GET", "POST"])
@curator_required
def people() -> str | tuple[str, int] | Response:
    """Promote a player to curator by username."""
    form = PromoteForm()
    if form.validate_on_submit():
        user = find_user(form.username.data.strip())
        if user is None:
            form.username.errors.append(_("No player has that name."))
        elif user.is_guest:
            form.username.errors.append(_("Guests must set a password before they can become curators."))
        else:
            user.is_curator = True
            db.session.commit()
            log_event("promoted", user_id=user.id, by=current_user.id)
            flash(_("%(name)s is a curator now.", name=user.username), "success")
            return redirect(url_for("rounds.people"), code=303)
    pager = page_of(select(User).where(User.is_curator.is_(True)).order_by(User.username_key), page_number())
    return render_template("rounds/people.html", form=form, curators=pager.items, pager=pager), 422 if form.errors else 200


@bp.route("/export.json")
@curator_required
def export_json() -> Response:
    """Download the curator's rounds in the JSON format the importer reads."""
    rounds = db.session.scalars(
        select(Round)
        .where(Round.curator_id == current_user.id)
        .options(selectinload(Round.statements), selectinload(Round.options), selectinload(Round.series))
        .order_by(Round.id)
    ).all()
    response = make_response(dump_document(export_rounds(rounds)))
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="two-truths-rounds.json"'
    return response


@bp.route("/import", methods=["GET", "POST"])
@curator_required
def import_json() -> str | tuple[str, int] | Response:
    """Import rounds from an uploaded JSON file: all of them, or none when any is invalid."""
    form = ImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        now = utcnow()
        try:
            specs = parse_rounds(load_document(form.file.data.read()), now=now)
        except RoundsFileError as error:
            problems = error.errors
        else:
            created = import_rounds(specs, current_user, now)
            announcements = plan_rounds(created)
            db.session.commit()
            wake(announcements)
            flash(ngettext("Imported %(num)d round.", "Imported %(num)d rounds.", len(created)), "success")
            return redirect(url_for("rounds.dashboard"), code=303)
    failed = bool(form.errors or problems)
    return render_template("rounds/import.html", form=form, problems=problems), 422 if failed else 200
