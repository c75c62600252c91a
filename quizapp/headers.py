"""The headers every response carries, added where the response leaves the app: the security headers and Vary.

They are the same for every response, so they are added as the WSGI response starts rather than in an
after-request hook: werkzeug's Headers validate and re-parse what they are given, which cost an answer about 5 %
of its instructions (callgrind, bench/README.md), and the edge also covers the responses Flask never builds
(RefuseBadHosts' 400).
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from flask import Flask

# The strict CSP: no inline script, handler or style anywhere (tests/security/test_headers.py audits the markup).
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


@cache
def security_headers(hsts_seconds: int) -> tuple[tuple[tuple[str, str], ...], frozenset[str]]:
    """The headers, and their names in lower case."""
    headers = [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
    ]
    if hsts_seconds:
        headers.append(("Strict-Transport-Security", f"max-age={int(hsts_seconds)}; includeSubDomains"))
    return tuple(headers), frozenset(name.lower() for name, _ in headers)


# The same URL answers htmx with a fragment and browsers with a page: caches must key on both.
VARY = "HX-Request, HX-Request-Type"


class FixedHeaders:
    """WSGI middleware: add the security headers to every response, except those a view set itself, and Vary."""

    def __init__(self, app: Any, flask_app: Flask) -> None:
        self.app = app
        self.config = flask_app.config  # read per request: HSTS can be switched on in a running test

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        fixed, names = security_headers(self.config["HSTS_SECONDS"])

        def start_with_headers(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            own = [name.lower() for name, _ in headers]
            if names.isdisjoint(own):
                headers.extend(fixed)
            else:
                headers.extend(pair for pair in fixed if pair[0].lower() not in own)
            if "vary" in own:
                at = own.index("vary")
                headers[at] = (headers[at][0], f"{headers[at][1]}, {VARY}")
            else:
                headers.append(("Vary", VARY))
            return start_response(status, headers, exc_info)

        return self.app(environ, start_with_headers)


def init_app(app: Flask) -> None:
    app.wsgi_app = FixedHeaders(app.wsgi_app, app)  # type: ignore[method-assign]
