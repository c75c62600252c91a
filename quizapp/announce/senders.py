"""One HTTP attempt per announcement: Telegram's Bot API, Discord and Slack webhooks, or the signed JSON webhook."""
from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import socket
import ssl
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import quote, urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from quizapp.announce.addresses import vet
from quizapp.announce.messages import text_of, webhook_body
from quizapp.models import Announcement, Channel
from quizapp.rules.lifecycle import as_utc

SIGNATURE_HEADER = "X-TwoTruths-Signature"
DELIVERY_HEADER = "X-TwoTruths-Delivery"
EVENT_HEADER = "X-TwoTruths-Event"
USER_AGENT = "TwoTruths-Announcer/1"
TEST_EVENT = "channel.test"


@dataclass(frozen=True)
class Request:
    url: str
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Attempt:
    """How one attempt went: ok, or an error and whether trying again may help."""

    ok: bool
    error: str = ""
    retry: bool = False
    retry_after: float | None = None


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: sha256=<hex HMAC-SHA256 of the raw body>."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def telegram_url(channel: Channel) -> str:
    base = current_app.config["TELEGRAM_API_URL"].rstrip("/")
    return f"{base}/bot{quote(channel.secret, safe=':')}/sendMessage"


def build_request(row: Announcement) -> Request:
    """The request that announces the row on its channel."""
    if row.channel.kind == "webhook":
        return request_for(row.channel, row.delivery_id, row.event, webhook_body(row, row.due_at))
    return request_for(row.channel, row.delivery_id, row.event, text_of(row))


def test_request(channel: Channel, now: datetime) -> Request:
    """A message that says the channel works (`channels test`, the app's Test button)."""
    if channel.kind == "webhook":
        body = {"event": TEST_EVENT, "occurred_at": as_utc(now).strftime("%Y-%m-%dT%H:%M:%SZ"), "round": None}
        return request_for(channel, str(uuid.uuid4()), TEST_EVENT, _json(body))
    with force_locale(channel.language):
        text = _("Two Truths will announce new rounds, closing times and reveals here.")
    return request_for(channel, str(uuid.uuid4()), TEST_EVENT, text)


def request_for(channel: Channel, delivery_id: str, event: str, content: str | bytes) -> Request:
    """A webhook's JSON body signed, or a chat line posted the way the channel's kind takes it."""
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, DELIVERY_HEADER: delivery_id}
    if isinstance(content, bytes):
        signature = sign(channel.secret, content)
        return Request(channel.url, content, headers | {EVENT_HEADER: event, SIGNATURE_HEADER: signature})
    if channel.kind == "telegram":
        return Request(telegram_url(channel), _json({"chat_id": channel.chat_id, "text": content}), headers)
    key = "content" if channel.kind == "discord" else "text"
    return Request(channel.url, _json({key: content}), headers)


def _json(payload: dict[str, object]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def attempt(channel: Channel, request: Request, now: datetime) -> Attempt:
    """POST once; a webhook's address is checked again first, since its name may now resolve elsewhere."""
    address = None
    if channel.kind != "telegram":
        vetted = vet(channel.url)
        if vetted.problem is not None:
            return Attempt(ok=False, error=f"refused: {vetted.problem}", retry=vetted.retry)
        address = vetted.address
    try:
        status, headers, body = post(request, current_app.config["ANNOUNCE_TIMEOUT_SECONDS"], address)
    except (OSError, http.client.HTTPException) as error:
        return Attempt(ok=False, error=f"no answer: {error!r}", retry=True)
    return judge(status, headers, body, now)


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the address vetted for the name, not to what a second lookup would answer."""

    def __init__(self, host: str, port: int | None, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """The same over TLS: the certificate is still checked against the name."""

    def __init__(self, host: str, port: int | None, *, address: str, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


def post(request: Request, timeout: float, address: str | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
    """POST without following redirects (a redirect could lead to a private address), to `address` when given."""
    parts = urlsplit(request.url)
    https = parts.scheme == "https"
    host = parts.hostname or ""
    connection: http.client.HTTPConnection
    if address is None:
        connection = (http.client.HTTPSConnection if https else http.client.HTTPConnection)(host, parts.port,
                                                                                            timeout=timeout)
    else:
        connection = (_PinnedHTTPS if https else _PinnedHTTP)(host, parts.port, address=address, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=request.body, headers=request.headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read(4096)
    finally:
        connection.close()


def judge(status: int, headers: http.client.HTTPMessage, body: bytes, now: datetime) -> Attempt:
    """2xx is sent; 408, 429 and 5xx may pass (429 says when); any other answer is final."""
    if 200 <= status < 300:
        return Attempt(ok=True)
    error = f"HTTP {status}: {body[:300].decode('utf-8', 'replace')}".strip()
    if status == 429:
        return Attempt(ok=False, error=error, retry=True, retry_after=retry_after(headers.get("Retry-After"), body, now))
    return Attempt(ok=False, error=error, retry=status == 408 or status >= 500)


def retry_after(header: str | None, body: bytes, now: datetime) -> float | None:
    """Seconds from Retry-After (seconds or an HTTP date), else from Telegram's parameters.retry_after."""
    if header:
        header = header.strip()
        if header.isdigit():
            return float(header)
        try:
            return max((as_utc(parsedate_to_datetime(header)) - now).total_seconds(), 0.0)
        except (TypeError, ValueError):
            pass
    try:
        seconds = json.loads(body)["parameters"]["retry_after"]
    except (ValueError, KeyError, TypeError):
        return None
    return float(seconds) if isinstance(seconds, int | float) else None
