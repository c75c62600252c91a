"""Sending one outbox row: claim it, decide whether it still goes out, send it, and record what happened."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update

from quizapp.announce.outbox import FAILED, PENDING, SENT, SKIPPED, plan_of
from quizapp.announce.senders import Attempt, attempt, build_request, test_request
from quizapp.extensions import db
from quizapp.logs import log_event
from quizapp.models import Announcement, Channel
from quizapp.rules.announcements import Event, Verdict, retry_delay, verdict
from quizapp.rules.lifecycle import as_utc

# How far ahead the sweep queues rows, so a row whose task never reached the queue still goes out on time.
SWEEP_AHEAD = timedelta(seconds=60)


def _ready(now: datetime):  # type: ignore[no-untyped-def]
    return and_(
        Announcement.state == PENDING,
        Announcement.due_at <= now,
        or_(Announcement.next_attempt_at.is_(None), Announcement.next_attempt_at <= now),
        or_(Announcement.claimed_until.is_(None), Announcement.claimed_until <= now),
    )


def claim(announcement_id: int, now: datetime) -> Announcement | None:
    """Take the row for this consumer until the claim runs out, if it is due and nobody holds it; commit."""
    lease = timedelta(seconds=current_app.config["ANNOUNCE_CLAIM_SECONDS"])
    taken = db.session.execute(
        update(Announcement).where(Announcement.id == announcement_id, _ready(now))
        .values(claimed_until=now + lease, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return db.session.get(Announcement, announcement_id, populate_existing=True) if taken else None


def deliver(announcement_id: int, now: datetime) -> datetime | None:
    """Send the row if it is due and still wanted; return when to try again after a failure that may pass."""
    row = claim(announcement_id, now)
    if row is None:
        return _not_yet(announcement_id, now)
    decision = verdict(Event(row.event), row.due_at, plan_of(row.round), now)
    request = build_request(row) if decision is Verdict.SEND else None
    # No transaction stays open while the receiver answers; and on SQLite a transaction that has read may not
    # start writing once another worker has written, so each write below begins a transaction of its own.
    db.session.commit()
    if request is None:
        _finish(row, SKIPPED, now, error=f"not sent: {decision.value}")
        log_event("announcement_skipped", announcement=row.id, channel=row.channel_id, why=decision.value)
        return None
    return _record(row, attempt(row.channel, request, now), now)


def _not_yet(announcement_id: int, now: datetime) -> datetime | None:
    """When a row that could not be claimed is due, if that is still to come (the queue may run a task early).

    None for a row sent, dropped, or held by another consumer: the sweep looks at it again once the hold ends.
    """
    row = db.session.execute(
        select(Announcement.state, Announcement.due_at, Announcement.next_attempt_at)
        .where(Announcement.id == announcement_id)
    ).one_or_none()
    db.session.rollback()
    if row is None or row.state != PENDING:
        return None
    ready = max(as_utc(moment) for moment in (row.due_at, row.next_attempt_at) if moment is not None)
    return ready if ready > now else None


def _record(row: Announcement, attempt: Attempt, now: datetime) -> datetime | None:
    row.attempts += 1
    if attempt.ok:
        row.sent_at = now
        _finish(row, SENT, now)
        log_event("announcement_sent", announcement=row.id, kind=row.event, channel=row.channel_id)
        return None
    delay = None
    if attempt.retry:
        config = current_app.config
        delay = retry_delay(row.attempts, config["ANNOUNCE_RETRY_DELAYS"], attempt.retry_after,
                            config["ANNOUNCE_RETRY_AFTER_MAX"])
    log_event("announcement_failed", logging.WARNING, announcement=row.id, channel=row.channel_id,
              error=attempt.error, retry=delay)
    if delay is None:
        _finish(row, FAILED, now, error=attempt.error)
        return None
    again = row.next_attempt_at = now + timedelta(seconds=delay)
    _finish(row, PENDING, now, error=attempt.error)
    return again


def _finish(row: Announcement, state: str, now: datetime, error: str = "") -> None:
    row.state, row.claimed_until, row.updated_at = state, None, now
    if error:
        row.last_error = error[:1000]
    db.session.commit()


def test_channel(channel_id: int, now: datetime) -> None:
    """Send the channel a test message and note how it went, for the channels page."""
    channel = db.session.get(Channel, channel_id)
    if channel is None:
        return
    request = test_request(channel, now)
    db.session.commit()  # no transaction held while the receiver answers
    outcome = attempt(channel, request, now)
    channel.tested_at, channel.test_error = now, outcome.error[:1000]
    db.session.commit()


def due_soon(now: datetime) -> list[tuple[int, datetime]]:
    """Unsent rows due within the sweep's reach, each with the earliest moment it may be sent."""
    rows = db.session.execute(
        select(Announcement.id, Announcement.due_at, Announcement.next_attempt_at, Announcement.claimed_until)
        .where(Announcement.state == PENDING, Announcement.due_at <= now + SWEEP_AHEAD)
        .order_by(Announcement.due_at)
    ).all()
    db.session.rollback()
    return [(row.id, max(as_utc(moment) for moment in (row.due_at, row.next_attempt_at, row.claimed_until, now)
                         if moment is not None)) for row in rows]
