"""Atom feeds of rounds opening and reveals going up, written by feedgen."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from flask_babel import gettext as _
from lxml import etree
from sqlalchemy import ColumnElement, Select, bindparam, func, or_, select

from quizapp.extensions import db
from quizapp.models import Option, Round, Statement, User
from quizapp.rules.lifecycle import RoundStatus, as_utc, round_status
from quizapp.rules.rounds import RoundKind
from quizapp.sharing.previews import absolute_url, language, size_words
from quizapp.snapshots import status_clause

FEED_LENGTH = 30  # rounds per feed: each gives one or two entries
NO_ENTRIES = datetime(2026, 1, 1, tzinfo=UTC)  # an empty feed's <updated>: fixed, so its ETag is too


ATOM = "http://www.w3.org/2005/Atom"


class EntryLinks(BaseEntryExtension):
    """An entry's further <link> elements (the card as an enclosure), with their rel and type.

    feedgen 1.0's FeedEntry.link() writes only the href (its atom_entry rebinds `link` to the new element before
    reading rel and type from it), so the card would be a second bare link. Its extension hook is public.
    """

    def __init__(self) -> None:
        self.links: list[dict[str, str]] = []

    def add(self, href: str, rel: str, type_: str) -> None:
        self.links.append({"href": href, "rel": rel, "type": type_})

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        for attributes in self.links:
            etree.SubElement(entry, f"{{{ATOM}}}link", attributes)
        return entry


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    url: str
    card_url: str
    summary: str
    at: datetime


@dataclass(frozen=True)
class FeedRound:
    """What a feed entry shows of a round."""

    id: int
    title: str
    host_name: str
    kind: str
    published: bool
    opens_at: datetime | None
    closes_at: datetime | None
    created_at: datetime
    statements: int
    lies: int
    options: int

    def status(self, now: datetime) -> RoundStatus:
        return round_status(self.published, self.opens_at, self.closes_at, now)


def newest(now: datetime, *conditions: ColumnElement[bool]) -> tuple[tuple[Any, ...], ...]:
    """The rounds that have opened (open or closed, never drafts or scheduled ones), the latest first: what their
    entries show, statements and options counted, and whether each has closed at now. One query, as plain rows:
    a feed is kept under them, and its rounds are made of them only when it is written (feed_rounds)."""
    query = _newest_query().where(*conditions) if conditions else _newest_query()
    return tuple(tuple(row) for row in db.session.execute(query, {"now": now}))


@cache
def _newest_query() -> Select[Any]:
    # Built once, the time a parameter: building the status conditions anew was a fifth of a feed's fetch.
    rounds, users, statements, options = Round.__table__, User.__table__, Statement.__table__, Option.__table__
    now = bindparam("now", type_=rounds.c.closes_at.type)
    counted_statements = select(func.count()).where(statements.c.round_id == rounds.c.id).scalar_subquery()
    lies = (select(func.count()).where(statements.c.round_id == rounds.c.id, statements.c.is_false)
            .scalar_subquery())
    counted_options = select(func.count()).where(options.c.round_id == rounds.c.id).scalar_subquery()
    started = or_(status_clause(RoundStatus.OPEN, now), status_clause(RoundStatus.CLOSED, now))
    return (
        select(rounds.c.id, rounds.c.title, users.c.username, rounds.c.kind, rounds.c.published, rounds.c.opens_at,
               rounds.c.closes_at, rounds.c.created_at, counted_statements, lies, counted_options,
               status_clause(RoundStatus.CLOSED, now))
        .join(users, users.c.id == rounds.c.curator_id)
        .where(started)
        .order_by(rounds.c.opens_at.desc(), rounds.c.id.desc())
        .limit(FEED_LENGTH)
    )


def feed_rounds(rows: Sequence[tuple[Any, ...]]) -> list[FeedRound]:
    """The rounds of newest()'s rows."""
    return [FeedRound(id_, title, host, kind, published, _utc(opens_at), _utc(closes_at), as_utc(created_at),
                      counted, lies, options)
            for (id_, title, host, kind, published, opens_at, closes_at, created_at, counted, lies, options, _closed)
            in rows]


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def entries(rounds: Sequence[FeedRound], now: datetime) -> list[Entry]:
    """An entry for each round's opening and, once it has closed, one for its reveal; newest first.

    Drafts and rounds not yet open have no entry: the caller passes published rounds, and this skips the rest.
    """
    found: list[Entry] = []
    for round_ in rounds:
        opened = round_.opens_at or round_.created_at
        if not round_.published or opened > now:
            continue
        page = absolute_url("play.round_page", round_id=round_.id)
        card = absolute_url("sharing.round_card_image", round_id=round_.id)
        size = size_words(round_.kind == RoundKind.FACTS, round_.statements, round_.lies, round_.options)
        found.append(Entry(f"{page}#opened", _("Open: %(title)s", title=round_.title), page, card,
                           _("%(size)s · hosted by %(name)s", size=size, name=round_.host_name), opened))
        if round_.status(now) is RoundStatus.CLOSED and round_.closes_at is not None:
            reveal = absolute_url("results.reveal", round_id=round_.id)
            found.append(Entry(f"{page}#revealed", _("Revealed: %(title)s", title=round_.title), reveal, card,
                               _("The reveal is up: see what fooled people and the leaderboard."),
                               round_.closes_at))
    found.sort(key=lambda entry: (entry.at, entry.id), reverse=True)
    return found


def atom(title: str, self_url: str, home_url: str, listed: list[Entry]) -> tuple[bytes, datetime]:
    """The feed's XML and when it last changed."""
    updated = listed[0].at if listed else NO_ENTRIES
    feed = FeedGenerator()
    feed.register_extension("links", BaseExtension, EntryLinks, atom=True, rss=False)
    feed.id(self_url)
    feed.title(title)
    feed.author({"name": _("Two Truths")})
    feed.link(href=self_url, rel="self", type="application/atom+xml")
    feed.link(href=home_url, rel="alternate", type="text/html")
    feed.language(language())
    feed.updated(updated)
    # feedgen adds entries at the top: oldest first, so the newest ends up first.
    for item in reversed(listed):
        entry = feed.add_entry()
        entry.id(item.id)
        entry.title(item.title)
        entry.link(href=item.url)  # a link without rel is the alternate (RFC 4287 4.2.7.2)
        entry.links.add(item.card_url, "enclosure", "image/png")
        entry.summary(item.summary)
        entry.published(item.at)
        entry.updated(item.at)
    return feed.atom_str(pretty=True), updated
