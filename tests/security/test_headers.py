"""Response headers and markup that let the strict CSP hold: no inline script, handlers or styles anywhere."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask import Flask

from tests.conftest import Player
from tests.security.conftest import HTMX, World, text, token


def csp(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_security_headers(response, where: str) -> None:  # type: ignore[no-untyped-def]
    policy = csp(response)
    assert policy.get("script-src") == ["'self'"], where
    assert policy.get("object-src") == ["'none'"], where
    assert policy.get("base-uri") == ["'none'"], where
    assert policy.get("frame-ancestors") == ["'none'"], where
    assert all("unsafe" not in source for sources in policy.values() for source in sources), where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") in ("same-origin", "strict-origin-when-cross-origin", "no-referrer"), where
    assert "Strict-Transport-Security" not in response.headers, where
    assert {"HX-Request", "HX-Request-Type"} <= set(response.vary), where


class MarkupAudit(HTMLParser):
    """Collect what a strict CSP would block or what would need 'unsafe-inline'."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name.lower(): value or "" for name, value in attrs}
        for name, value in names.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler attribute")
            if name == "style":
                self.problems.append(f"<{tag} style=…> inline style")
            if name in ("href", "src", "action", "formaction") and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:…>")
        if tag == "script":
            self.in_script = True
            src = names.get("src", "")
            if not src.startswith("/static/"):
                self.problems.append(f"<script src={src!r}> not served from /static/")
        if tag == "style":
            self.problems.append("<style> element")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.problems.append(f"inline script content {data.strip()[:40]!r}")


def audit(html: str) -> list[str]:
    parser = MarkupAudit()
    parser.feed(html)
    parser.close()
    return parser.problems


def test_the_audit_notices_what_it_looks_for():
    page = '<p onclick="x()" style="color:red">a</p><script>alert(1)</script><a href="javascript:x()">b</a><style>p{}</style>'
    assert len(audit(page)) == 6  # the script counts twice: no src, and content


def pages(app: Flask, world: World) -> list[tuple[Player, str, dict[str, str]]]:
    """Every GET route a visitor, a player and a curator can reach, as page and as htmx fragment."""
    urls = ["/", "/join", "/login", "/register", "/leaderboard", f"/series/{world.series}",
            "/account/password", "/curator/", "/curator/rounds/new/facts", "/curator/rounds/new/poll",
            "/curator/people", "/curator/import", "/curator/export.json",
            "/no/such/page", "/rounds/424242"]
    for round_id in (world.open_facts, world.open_poll, world.closed_facts, world.scheduled, world.draft):
        urls += [f"/rounds/{round_id}", f"/rounds/{round_id}/count", f"/rounds/{round_id}/tally",
                 f"/rounds/{round_id}/reveal", f"/rounds/{round_id}/results.json",
                 f"/rounds/{round_id}/leaderboard", f"/curator/rounds/{round_id}/edit",
                 f"/curator/rounds/{round_id}/delete", f"/curator/rounds/{round_id}/answers.csv"]
    found = []
    for player in (world.visitor, world.pat, world.host):
        for url in urls:
            for headers in ({}, HTMX):
                found.append((player, url, headers))
    return found


def test_every_page_fragment_and_json_carries_the_headers_and_no_inline_code(app, world):
    world.pat.answer(world.open_poll, option=world.poll_options[0])  # so the tally has something to show
    seen_statuses = set()
    for player, url, headers in pages(app, world):
        response = player.get(url, headers=headers)
        where = f"GET {url} {'htmx' if headers else 'page'} -> {response.status_code}"
        seen_statuses.add(response.status_code)
        assert_security_headers(response, where)
        if response.mimetype == "text/html":
            assert audit(text(response)) == [], where
    assert {200, 302, 403, 404} <= seen_statuses


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_error_responses_carry_the_headers_and_no_inline_code(app, world, htmx):
    headers = HTMX if htmx else {}
    responses = {
        "400 csrf": world.pat.client.post("/account/password", data={"password": "x"}, headers=headers),
        "403": world.pat.get("/curator/", headers=headers),
        "404": world.pat.get("/nowhere", headers=headers),
        "405": world.pat.get("/logout", headers=headers),
        "413": world.pat.client.post("/join", data={"csrf_token": token(world.pat), "nickname": "x" * 2_000_000},
                                     headers=headers),
    }
    app.config["RATE_LIMIT_JOIN"] = "1 per minute"
    world.visitor.join("Anna")
    responses["429"] = Player(app.test_client()).post_form("/join", "/join", {"nickname": "Boris"}, htmx=htmx)
    for where, response in responses.items():
        assert response.status_code == int(where[:3]), where
        assert_security_headers(response, where)
        assert audit(text(response)) == [], where


def test_a_500_is_a_friendly_page_with_the_headers_and_no_traceback(app, visitor):
    def broken() -> str:
        raise RuntimeError("secret internals: /srv/app/db password=hunter2")

    app.view_functions["leaderboard.overall"] = broken
    for headers in ({}, HTMX):
        response = visitor.get("/leaderboard", headers=headers)
        body = text(response)
        assert response.status_code == 500
        assert "Something went wrong on our side." in body
        assert "hunter2" not in body and "Traceback" not in body and "RuntimeError" not in body
        assert ("<html" in body) is not bool(headers)
        assert_security_headers(response, "500")


def test_static_files_carry_the_headers_too(visitor):
    for url in ("/static/js/app.js", "/static/css/app.css", "/static/vendor/htmx-4.0.1.min.js"):
        response = visitor.get(url)
        assert response.status_code == 200, url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        response.close()


def test_hsts_is_sent_only_when_configured(app, visitor):
    assert "Strict-Transport-Security" not in visitor.get("/").headers
    app.config["HSTS_SECONDS"] = 31536000
    hsts = visitor.get("/").headers["Strict-Transport-Security"]
    assert hsts.startswith("max-age=31536000")


def test_the_plain_400_for_a_bad_host_carries_the_headers_too(app):
    # Answered before Flask builds a response: only headers added where the response leaves the app reach it.
    app.config["TRUSTED_HOSTS"] = ["quiz.example.org"]
    response = app.test_client().get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert_security_headers(response, "bad host")


def test_htmx_is_added_to_the_vary_flask_sends_for_the_session(world):
    response = world.pat.get(f"/rounds/{world.open_facts}")
    assert response.headers.getlist("Vary") == [response.headers["Vary"]]  # one header, not two
    assert {"Cookie", "HX-Request", "HX-Request-Type"} <= set(response.vary)
