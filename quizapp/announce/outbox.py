"""The outbox: the rows a round's announcements are sent from, planned whenever a round's schedule changes."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select

from quizapp.extensions import db
from quizapp.models import Announcement, Channel, Round
from quizapp.rules.announcements import Event, planned_events
from quizapp.rules.lifecycle import as_utc

PENDING, SENT, SKIPPED, FAILED = "pending", "sent", "skipped", "failed"


def closing_lead() -> timedelta:
    return timedelta(seconds=current_app.config["ANNOUNCE_CLOSING_LEAD_SECONDS"])


def plan_of(round_: Round) -> dict[Event, datetime]:
    """The events the round announces now, and when."""
    return planned_events(round_.published, round_.opens_at, round_.closes_at, closing_lead())


def channels_of(round_: Round) -> list[Channel]:
    """The site's channels and those of the round's series."""
    where = Channel.series_id.is_(None)
    if round_.series_id is not None:
        where = or_(where, Channel.series_id == round_.series_id)
    return list(db.session.scalars(select(Channel).where(where).order_by(Channel.id)))


def plan_round(round_: Round) -> list[Announcement]:
    """Bring the round's outbox in line with its schedule (the caller commits, then wakes the rows returned).

    Each (channel, event) has one row: a pending row moves with the round's times, a sent one stays sent,
    and rows of events the round no longer has (a draft, a closing-soon of a shortened round, a channel of
    another series) are dropped unless sent.
    """
    db.session.flush()  # a new round needs its id; a changed series, its series_id
    plan = plan_of(round_)
    existing = {(row.channel_id, row.event): row
                for row in db.session.scalars(select(Announcement).where(Announcement.round_id == round_.id))}
    changed = []
    for channel in channels_of(round_) if plan else []:
        for event, due_at in plan.items():
            row = existing.pop((channel.id, event.value), None)
            if row is not None and (row.state == SENT or _planned_as(row, round_, due_at)):
                continue
            if row is None:
                row = Announcement(channel_id=channel.id, round_id=round_.id, event=event.value,
                                   delivery_id=str(uuid.uuid4()))
                db.session.add(row)
            _reset(row, round_, due_at)
            changed.append(row)
    for row in existing.values():
        if row.state != SENT:
            db.session.delete(row)
    return changed


def _planned_as(row: Announcement, round_: Round, due_at: datetime) -> bool:
    return (row.state == PENDING and as_utc(row.due_at) == due_at and as_utc(row.opens_at) == as_utc(round_.opens_at)
            and as_utc(row.closes_at) == as_utc(round_.closes_at))


def _reset(row: Announcement, round_: Round, due_at: datetime) -> None:
    assert round_.opens_at is not None and round_.closes_at is not None
    row.due_at, row.opens_at, row.closes_at = due_at, round_.opens_at, round_.closes_at
    row.state, row.attempts, row.next_attempt_at, row.claimed_until, row.last_error = PENDING, 0, None, None, ""


def plan_rounds(rounds: Iterable[Round]) -> list[Announcement]:
    """plan_round for each round (an import's)."""
    return [row for round_ in rounds for row in plan_round(round_)]
