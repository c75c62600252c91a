"""The channels page: a curator's series' channels and the site's, their recent deliveries, adding and removing."""
from __future__ import annotations

import logging
from collections.abc import Sequence

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from quizapp.access import curator_required
from quizapp.announce import bp
from quizapp.announce.channels import ChannelSpec, add_channel, shown_address, spec_problems
from quizapp.announce.forms import SITE, ChannelForm
from quizapp.auth.forms import EmptyForm
from quizapp.extensions import db
from quizapp.logs import log_event
from quizapp.models import Announcement, Channel, Round, Series, utcnow
from quizapp.tasks import wake

RECENT = 5


@bp.route("/", methods=["GET", "POST"])
@curator_required
def manage() -> str | tuple[str, int] | Response:
    """List the channels the curator keeps with their recent deliveries; add one."""
    series = _my_series()
    form = ChannelForm()
    form.target.choices = [(SITE, _("The whole site (every round)"))] + [(str(s.id), s.title) for s in series]
    if form.validate_on_submit():
        spec = ChannelSpec(kind=form.kind.data, url=(form.url.data or "").strip(),
                           secret=(form.secret.data or "").strip(), chat_id=(form.chat_id.data or "").strip(),
                           language=form.language.data)
        problems = spec_problems(spec)
        for name, problem in problems.items():
            getattr(form, name).errors.append(problem)
        if not problems:
            return _added(None if form.target.data == SITE else int(form.target.data), spec)
    status = 422 if form.errors else 200
    return render_template("announce/channels.html", form=form, groups=_groups(series), small_form=EmptyForm(),
                           shown_address=shown_address), status


def _added(series_id: int | None, spec: ChannelSpec) -> Response:
    channel, secret, rows = add_channel(series_id, spec, utcnow())
    db.session.commit()
    wake(rows)
    log_event("channel_added", channel=channel.id, series=series_id, by=current_user.id)
    if secret != spec.secret:
        flash(_("Channel added. Its signing secret, shown this once: %(secret)s", secret=secret), "success")
    else:
        flash(_("Channel added."), "success")
    return redirect(url_for("announce.manage"), code=303)


@bp.route("/<int:channel_id>/remove", methods=["POST"])
@curator_required
def remove(channel_id: int) -> Response:
    """Remove a channel the curator keeps, with its announcements."""
    channel = _own_channel(channel_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    db.session.delete(channel)
    db.session.commit()
    flash(_("Channel removed."), "success")
    return redirect(url_for("announce.manage"), code=303)


@bp.route("/<int:channel_id>/test", methods=["POST"])
@curator_required
def test(channel_id: int) -> Response:
    """Have the consumer send the channel a test message; the page then shows how it went."""
    channel = _own_channel(channel_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    channel_id = channel.id
    # End this request's transaction first: on SQLite it holds the write lock the task will need (tests run tasks
    # at once, in this thread).
    db.session.commit()
    try:
        current_app.extensions["quizapp.tasks"]["test"](channel_id)
    except Exception as error:  # noqa: BLE001 - any storage error of the queue
        log_event("task_queue_down", logging.WARNING, error=repr(error))
        flash(_("The test could not be queued. Try again in a moment."), "error")
    else:
        flash(_("A test message is on its way. Reload this page to see how it went."), "success")
    return redirect(url_for("announce.manage", _anchor=f"channel-{channel_id}"), code=303)


def _my_series() -> list[Series]:
    return list(db.session.scalars(select(Series).where(Series.curator_id == current_user.id).order_by(Series.title)))


def _own_channel(channel_id: int) -> Channel:
    """A channel of the curator's series, or a site channel (every curator acts as an admin until roles land)."""
    channel = db.session.get(Channel, channel_id)
    if channel is None:
        abort(404)
    if channel.series is not None and channel.series.curator_id != current_user.id:
        log_event("forbidden", logging.WARNING, user_id=current_user.id, channel_id=channel_id)
        abort(403)
    return channel


def _groups(series: Sequence[Series]) -> list[tuple[Series | None, list[tuple[Channel, list[Announcement]]]]]:
    """The site's channels, then each series' with channels, each channel with its latest deliveries."""
    ids = [s.id for s in series]
    channels = db.session.scalars(
        select(Channel).where(Channel.series_id.is_(None) | Channel.series_id.in_(ids)).order_by(Channel.id)
    ).all()
    recent = _recent([c.id for c in channels])
    groups = []
    for owner in [None, *series]:
        mine = [c for c in channels if c.series_id == (owner.id if owner else None)]
        if mine or owner is None:
            groups.append((owner, [(c, recent.get(c.id, [])) for c in mine]))
    return groups


def _recent(channel_ids: list[int]) -> dict[int, list[Announcement]]:
    """Each channel's latest deliveries (those sent, failed, skipped or tried), newest first, with their rounds'
    titles: one query for the whole page, however many channels it lists."""
    newest_first = (Announcement.updated_at.desc(), Announcement.id.desc())
    ranked = (
        select(Announcement.id, func.row_number().over(partition_by=Announcement.channel_id,
                                                       order_by=newest_first).label("rank"))
        .where(Announcement.channel_id.in_(channel_ids),
               (Announcement.state != "pending") | (Announcement.attempts > 0))
        .subquery()
    )
    rows = db.session.scalars(
        select(Announcement).join(ranked, ranked.c.id == Announcement.id).where(ranked.c.rank <= RECENT)
        .options(joinedload(Announcement.round).load_only(Round.id, Round.title)).order_by(*newest_first)
    )
    recent: dict[int, list[Announcement]] = {}
    for row in rows:
        recent.setdefault(row.channel_id, []).append(row)
    return recent
