"""Which webhook addresses may be called: http(s) on public networks, unless WEBHOOK_ALLOW_PRIVATE says otherwise."""
from __future__ import annotations

import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

from quizapp.rules.announcements import is_public_address


def resolve(host: str, port: int) -> list[str]:
    """Every address the name resolves to (tests put a fake resolver in its place)."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)]


@dataclass(frozen=True)
class Vetted:
    """The address to connect to, or why not; `retry` when the reason may pass (a name that did not resolve)."""

    address: str | None = None
    problem: str | None = None
    retry: bool = False


def vet(url: str) -> Vetted:
    """Check a webhook's address and resolve its name once (messages in the request's language, else English).

    Checked when a channel is added and again before each delivery, since a name may later resolve elsewhere;
    the delivery then connects to the address checked here, not to a second answer of the resolver.
    """
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return Vetted(problem=_("This is not a valid address."))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Vetted(problem=_("The address must start with https:// (or http://) and name a host."))
    if parts.username or parts.password:
        return Vetted(problem=_("The address must not carry a user name or password."))
    try:
        addresses = resolve(parts.hostname, port)
    except (OSError, UnicodeError):
        addresses = []
    if not addresses:
        return Vetted(problem=_("The host %(host)s can't be found.", host=parts.hostname), retry=True)
    if not current_app.config["WEBHOOK_ALLOW_PRIVATE"] and not all(map(is_public_address, addresses)):
        return Vetted(problem=_("The host %(host)s is on a private, loopback or link-local network "
                                "(QUIZAPP_WEBHOOK_ALLOW_PRIVATE=true allows it).", host=parts.hostname))
    return Vetted(address=addresses[0])


def url_problem(url: str) -> str | None:
    """Why the address can't be a webhook, or None when it can."""
    return vet(url).problem
