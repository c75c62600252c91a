"""When a round's announcements are due, whether one still should go out, and how long to wait before a retry."""
from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from quizapp.rules.lifecycle import as_utc


class Event(StrEnum):
    OPENED = "round.opened"
    CLOSING = "round.closing"
    REVEALED = "round.revealed"


class Verdict(StrEnum):
    """What to do with an unsent announcement now."""

    SEND = "send"
    WAIT = "wait"  # not due yet
    STALE = "stale"  # the round's times moved since it was planned, or it is no longer published
    OVERDUE = "overdue"  # its moment has passed: "closes soon" after the close, "open" after the reveal


def planned_events(published: bool, opens_at: datetime | None, closes_at: datetime | None,
                   closing_lead: timedelta) -> dict[Event, datetime]:
    """The events a round announces and when; none for a draft or a round without a closing time.

    "Closes soon" comes closing_lead before the close, and only for a round open longer than that.
    """
    if not published or opens_at is None or closes_at is None:
        return {}
    opens_at, closes_at = as_utc(opens_at), as_utc(closes_at)
    events = {Event.OPENED: opens_at, Event.REVEALED: closes_at}
    if closes_at - opens_at > closing_lead:
        events[Event.CLOSING] = closes_at - closing_lead
    return events


def verdict(event: Event, due_at: datetime, planned: dict[Event, datetime], now: datetime) -> Verdict:
    """Decide on one announcement from the round's current plan (planned_events) and the time."""
    due_at, now = as_utc(due_at), as_utc(now)
    if planned.get(event) != due_at:
        return Verdict.STALE
    if now < due_at:
        return Verdict.WAIT
    ends = {Event.OPENED: planned[Event.REVEALED], Event.CLOSING: planned[Event.REVEALED]}.get(event)
    if ends is not None and now >= ends:
        return Verdict.OVERDUE
    return Verdict.SEND


def retry_delay(attempts: int, delays: Sequence[float], retry_after: float | None = None,
                longest: float = 3600) -> float | None:
    """Seconds to wait after the attempts-th failed attempt; None when there are no retries left.

    A receiver's Retry-After is honoured when it asks for longer than the backoff, up to longest.
    """
    if attempts < 1 or attempts > len(delays):
        return None
    delay = float(delays[attempts - 1])
    if retry_after is not None and retry_after > delay:
        delay = min(retry_after, longest)
    return delay


def is_public_address(address: str) -> bool:
    """Whether a resolved address is on the public internet: not private, loopback, link-local or reserved."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def mask_secret(secret: str) -> str:
    """Show a token or key by its last four characters alone, enough to tell two apart."""
    if not secret:
        return ""
    return "…" + secret[-4:] if len(secret) > 8 else "…"
