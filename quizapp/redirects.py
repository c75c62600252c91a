"""Where to send someone after joining, logging in or switching language: only ever a path on this site."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


def local_path(target: str) -> str | None:
    """Return target when it is a path on this site that a Location header can carry; None otherwise."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    # A line break would split the Location header (Werkzeug refuses to send it: a 500), and browsers drop tabs
    # and line breaks from URLs, so "/\r\n//evil.example" would lead off the site. Paths this site links to have
    # no spaces or control characters at all.
    if not all(char.isprintable() and not char.isspace() for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def next_path() -> str | None:
    """The request's ?next= (or form field next) when it is safe to redirect to, else None."""
    return local_path(request.values.get("next", ""))


def next_url(default: str) -> str:
    """Where to go after this request: its safe ?next=, else default."""
    return next_path() or default
