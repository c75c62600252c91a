"""Adding and describing channels: the checks the command line and the app share."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from quizapp.announce.addresses import url_problem
from quizapp.announce.outbox import plan_round
from quizapp.extensions import db
from quizapp.models import CHANNEL_SECRET_MAX, CHANNEL_URL_MAX, Announcement, Channel, Round
from quizapp.rules.announcements import mask_secret

KINDS = ("telegram", "discord", "slack", "webhook")
# Discord's and Slack's webhook addresses carry their token in the path: shown as host and a masked tail.
URL_IS_SECRET = ("discord", "slack")


@dataclass(frozen=True)
class ChannelSpec:
    kind: str
    url: str = ""
    secret: str = ""
    chat_id: str = ""
    language: str = "en"


def spec_problems(spec: ChannelSpec) -> dict[str, str]:
    """What is wrong with a channel to be, by field name; empty when it can be added."""
    problems: dict[str, str] = {}
    if spec.kind not in KINDS:
        problems["kind"] = _("Choose Telegram, Discord, Slack or webhook.")
        return problems
    if spec.language not in current_app.config["LANGUAGES"]:
        problems["language"] = _("Choose one of the site's languages.")
    if len(spec.secret) > CHANNEL_SECRET_MAX:
        problems["secret"] = _("The secret is too long.")
    if spec.kind == "telegram":
        if not spec.secret:
            problems["secret"] = _("A Telegram channel needs the bot's token.")
        if not spec.chat_id or len(spec.chat_id) > 100:
            problems["chat_id"] = _("A Telegram channel needs the chat id (like @mychannel or -100123).")
        return problems
    problem = _("The address is too long.") if len(spec.url) > CHANNEL_URL_MAX else url_problem(spec.url)
    if problem:
        problems["url"] = problem
    return problems


def add_channel(series_id: int | None, spec: ChannelSpec, now: datetime) -> tuple[Channel, str, list[Announcement]]:
    """Add a checked channel (the caller commits, then wakes the rows); return it, the secret and the rows.

    A webhook without a secret gets a new one, which the caller shows once. The channel announces what is
    still to come of the rounds it covers.
    """
    secret = spec.secret
    if spec.kind == "webhook" and not secret:
        secret = secrets.token_hex(32)
    channel = Channel(series_id=series_id, kind=spec.kind, url="" if spec.kind == "telegram" else spec.url,
                      secret=secret, chat_id=spec.chat_id if spec.kind == "telegram" else "", language=spec.language)
    db.session.add(channel)
    db.session.flush()
    rows = [row for round_ in _covered_rounds(series_id, now) for row in plan_round(round_)
            if row.channel_id == channel.id]
    for row in list(rows):
        if row.due_at < now:  # what already happened is not announced late to a new channel
            db.session.delete(row)
            rows.remove(row)
    return channel, secret, rows


def _covered_rounds(series_id: int | None, now: datetime) -> list[Round]:
    query = select(Round).where(Round.published.is_(True), Round.closes_at > now)
    if series_id is not None:
        query = query.where(Round.series_id == series_id)
    return list(db.session.scalars(query.order_by(Round.id)))


def shown_address(channel: Channel) -> str:
    """The channel's address as it may be shown: no token in full."""
    if channel.kind == "telegram":
        return f"{channel.chat_id} (bot {mask_secret(channel.secret)})"
    if channel.kind in URL_IS_SECRET:
        parts = urlsplit(channel.url)
        return f"{parts.scheme}://{parts.hostname}/{mask_secret(parts.path)}"
    return channel.url
