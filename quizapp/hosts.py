"""The Host header: refuse what cannot be served before Flask sees it, and never echo it in a redirect.

Flask builds the request's URL adapter from the Host header before any handler runs. A host outside
TRUSTED_HOSTS (werkzeug's SecurityError) or one that IDNA cannot encode (a label over 63 characters, an
empty label as in `a..b`) leaves the request without an adapter, and the error page's url_for then fails:
a 500 instead of a 400. So the check runs as WSGI middleware, and its 400 is plain text that builds no URL.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import SecurityError
from werkzeug.wrappers import Response as PlainResponse
from werkzeug.wsgi import get_host

REFUSED = "Bad Request: this server does not answer for that host name.\n"


def host_problem(environ: dict[str, Any], trusted_hosts: list[str] | None) -> bool:
    """Tell whether Flask could not route a request for this Host, as werkzeug would judge it."""
    try:
        host = get_host(environ, trusted_hosts)
    except SecurityError:
        return True
    # The encoding werkzeug's Map.bind applies to the name, split off at the first colon as it does.
    try:
        host.lower().partition(":")[0].encode("idna")
    except UnicodeError:
        return True
    return False


class RefuseBadHosts:
    """WSGI middleware: answer 400 to a Host the app cannot or must not serve."""

    def __init__(self, app: Any, flask_app: Flask) -> None:
        self.app = app
        self.config = flask_app.config  # read per request, so tests and operators can change it

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if host_problem(environ, self.config.get("TRUSTED_HOSTS")):
            response = PlainResponse(REFUSED, status=400, mimetype="text/plain")
            return response(environ, start_response)
        return self.app(environ, start_response)


def public_location(response: Response) -> Response:
    """Point a redirect that werkzeug built from the Host header at PUBLIC_URL, or make it relative.

    Views redirect with relative paths; only routing redirects (a missing trailing slash: 308) are
    absolute, and werkzeug builds those from whatever Host the client sent.
    """
    if not 300 <= response.status_code < 400:
        return response  # most responses: no header to look for
    location = response.headers.get("Location")
    if not location or not location.startswith(request.host_url):
        return response
    path = "/" + location[len(request.host_url):]  # after the script root, as url_for's rules see it
    public = current_app.config.get("PUBLIC_URL")
    response.headers["Location"] = public.rstrip("/") + path if public else request.script_root + path
    return response


def init_app(app: Flask) -> None:
    """Guard the Host header and keep it out of redirects."""
    app.after_request(public_location)
    app.wsgi_app = RefuseBadHosts(app.wsgi_app, app)  # type: ignore[method-assign]
