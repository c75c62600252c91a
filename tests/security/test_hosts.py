"""The Host header: a host that cannot or must not be served gets a plain 400, and redirects never echo it."""
from __future__ import annotations

import pytest

from tests.conftest import POSTGRES_URL, build_test_app, empty_schema
from tests.security.conftest import text

TRUSTED = ["quiz.example.org"]
UNSERVABLE = {"label-over-63": "a" * 64 + ".example", "empty-label": "a..b", "empty-first-label": ".example"}


def get(app, path: str, host: str, **headers: str):  # type: ignore[no-untyped-def]
    return app.test_client().get(path, headers={"Host": host, **headers})


def assert_plain_400(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert "Traceback" not in text(response)


@pytest.mark.parametrize("path", ["/", "/login", "/curator", "/no-such-page"])
def test_a_host_outside_trusted_hosts_gets_a_plain_400(app, path):
    app.config["TRUSTED_HOSTS"] = TRUSTED
    assert_plain_400(get(app, path, "evil.example"))
    assert_plain_400(get(app, path, ""))


def test_a_trusted_host_is_served(app):
    app.config["TRUSTED_HOSTS"] = TRUSTED
    assert get(app, "/", "quiz.example.org").status_code == 200
    assert get(app, "/", "quiz.example.org:8000").status_code == 200


@pytest.mark.parametrize("host", UNSERVABLE.values(), ids=UNSERVABLE.keys())
@pytest.mark.parametrize("trusted", [None, TRUSTED], ids=["any-host", "trusted-hosts"])
def test_a_host_name_idna_cannot_encode_gets_a_plain_400(app, host, trusted):
    app.config["TRUSTED_HOSTS"] = trusted
    for path in ("/", "/curator"):
        assert_plain_400(get(app, path, host))


def test_behind_a_proxy_the_forwarded_host_is_the_one_checked(tmp_path):
    url = POSTGRES_URL or f"sqlite:///{tmp_path / 'proxy.sqlite'}"
    with empty_schema(build_test_app(url, PROXY_FIX_HOPS=1, TRUSTED_HOSTS=TRUSTED)) as app:
        assert get(app, "/", "quiz.example.org", **{"X-Forwarded-Host": "quiz.example.org"}).status_code == 200
        assert_plain_400(get(app, "/", "quiz.example.org", **{"X-Forwarded-Host": "evil.example"}))


def test_without_public_url_a_slash_redirect_is_relative_whatever_the_host(app):
    response = get(app, "/curator", "evil.example")
    assert response.status_code == 308
    assert response.headers["Location"] == "/curator/"


def test_without_public_url_a_slash_redirect_keeps_the_query(app):
    response = get(app, "/curator?page=2", "evil.example")
    assert response.headers["Location"] == "/curator/?page=2"


def test_with_public_url_a_slash_redirect_names_the_public_address(app):
    app.config["PUBLIC_URL"] = "https://quiz.example.org/"
    response = get(app, "/curator", "evil.example")
    assert response.status_code == 308
    assert response.headers["Location"] == "https://quiz.example.org/curator/"


def test_a_views_own_redirect_stays_relative(app):
    """Views redirect with paths (Flask leaves Location uncorrected); only werkzeug's routing ones were absolute."""
    response = get(app, "/curator/", "evil.example")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
