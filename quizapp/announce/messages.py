"""What an announcement says: a line in the channel's language with the round's public link, or the JSON body."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from quizapp.models import Announcement, Round
from quizapp.rules.announcements import Event
from quizapp.rules.lifecycle import as_utc


def round_url(round_: Round, event: str, language: str) -> str:
    """The round's public address: its reveal once revealed, else its page (absolute with PUBLIC_URL)."""
    endpoint = "results.reveal" if event == Event.REVEALED else "play.round_page"
    base_url = current_app.config.get("PUBLIC_URL")
    with current_app.test_request_context(base_url=base_url or "http://localhost"):
        return url_for(endpoint, round_id=round_.id, lang=language, _external=bool(base_url))


def text_of(row: Announcement) -> str:
    """The line chat channels post, in the channel's language."""
    round_, language = row.round, row.channel.language
    with force_locale(language):
        title = round_.title if round_.series is None else f"{round_.series.title}: {round_.title}"
        url = round_url(round_, row.event, language)
        if row.event == Event.OPENED:
            return _("New round: %(title)s. Play now: %(url)s", title=title, url=url)
        if row.event == Event.CLOSING:
            return _("Closing soon: %(title)s. Last chance to answer: %(url)s", title=title, url=url)
        return _("The reveal is up: %(title)s. See what everyone guessed: %(url)s", title=title, url=url)


def _time(moment: datetime) -> str:
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def webhook_body(row: Announcement, occurred_at: datetime) -> bytes:
    """The generic webhook's JSON, as the README documents it."""
    round_ = row.round
    document: dict[str, Any] = {
        "event": row.event,
        "occurred_at": _time(occurred_at),
        "round": {
            "id": round_.id,
            "kind": round_.kind,
            "title": round_.title,
            "url": round_url(round_, row.event, row.channel.language),
            "opens_at": _time(row.opens_at),
            "closes_at": _time(row.closes_at),
            "series": round_.series.title if round_.series else None,
        },
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
