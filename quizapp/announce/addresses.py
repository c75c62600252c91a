"""Which webhook addresses may be called: http(s) on public networks, unless WEBHOOK_ALLOW_PRIVATE says otherwise."""
from __future__ import annotations

import socket
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

from quizapp.rules.announcements import is_public_address


def resolve(host: str, port: int) -> list[str]:
    """Every address the name resolves to (tests put a fake resolver in its place)."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)]


def url_problem(url: str) -> str | None:
    """Why the address can't be a webhook (in the request's language, else English), or None when it can.

    Checked when a channel is added and again before each delivery, since a name may later resolve elsewhere.
    """
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return _("This is not a valid address.")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _("The address must start with https:// (or http://) and name a host.")
    if parts.username or parts.password:
        return _("The address must not carry a user name or password.")
    if current_app.config["WEBHOOK_ALLOW_PRIVATE"]:
        return None
    try:
        addresses = resolve(parts.hostname, port)
    except (OSError, UnicodeError):
        return _("The host %(host)s can't be found.", host=parts.hostname)
    if not addresses or not all(is_public_address(address) for address in addresses):
        return _("The host %(host)s is on a private, loopback or link-local network "
                 "(QUIZAPP_WEBHOOK_ALLOW_PRIVATE=true allows it).", host=parts.hostname)
    return None
