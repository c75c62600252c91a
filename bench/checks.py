"""Checks beside the load runs: headers and sizes, SQL query counts, and two servers sharing a database."""
from __future__ import annotations

import random
import re
import secrets
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from bench.load import Loader, fetch
from bench.seed import (
    USER_AGENT,
    Dataset,
    Size,
    answer_counts,
    create_schema,
    make_app,
    seed,
    signed_sessions,
    write_answer_lines,
)
from bench.servers import Server, Workers, app_env

HTMX_PATH = "/static/vendor/htmx-4.0.1.min.js"
STATIC_PATHS = [HTMX_PATH, "/static/css/app.css", "/static/js/app.js"]
LONG_LIVED = 30 * 24 * 3600  # "long-lived": at least a month
CSRF_FIELD = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def max_age(cache_control: str | None) -> int | None:
    """The max-age of a Cache-Control header, if any."""
    match = re.search(r"max-age=(\d+)", cache_control or "")
    return int(match.group(1)) if match else None


def static_headers(base_url: str, page: str = "/") -> dict[str, dict]:  # type: ignore[type-arg]
    """Cache-Control and compression of the static files a page links, fetched as linked.

    Long-lived caching is the target, and it is only safe for a URL that changes with the file: a
    version in the name (htmx-4.0.1.min.js) or a content hash in the query (?v=…). Compression is
    left to the front server.
    """
    _, _, body = fetch(base_url, "GET", page)
    linked = list(dict.fromkeys(re.findall(r'(?:href|src)="(/static/[^"]+)"', body.decode(errors="replace"))))
    # The usual files too, in case the page stops linking one of them.
    unlinked = [path for path in STATIC_PATHS if not any(url.split("?")[0] == path for url in linked)]
    found = {}
    for url in linked + unlinked:
        status, headers, data = fetch(base_url, "GET", url.replace("&amp;", "&"), headers={"Accept-Encoding": "gzip"})
        age = max_age(headers.get("cache-control"))
        found[url] = {
            "status": status,
            "cache_control": headers.get("cache-control"),
            "max_age": age,
            "long_lived": age is not None and age >= LONG_LIVED,
            "linked_by_page": url in linked,
            "versioned_url": "?" in url or bool(re.search(r"-\d+\.\d+", url)),
            "content_encoding": headers.get("content-encoding"),
            "bytes": len(data),
        }
    return found


def page_facts(base_url: str, path: str, cookie: str | None = None) -> dict:  # type: ignore[type-arg]
    """Status, size and caching headers of one page."""
    headers = {"Accept-Encoding": "gzip", **({"Cookie": cookie} if cookie else {})}
    status, response_headers, body = fetch(base_url, "GET", path, headers=headers)
    return {
        "status": status,
        "bytes": len(body),
        "cache_control": response_headers.get("cache-control"),
        "sets_cookie": "set-cookie" in response_headers,
        "content_encoding": response_headers.get("content-encoding"),
        "vary": response_headers.get("vary"),
    }


# --- SQL query counts, in process, at two data sizes ---


def query_counts(rng: random.Random) -> dict:  # type: ignore[type-arg]
    """Count SQL statements per request at a small and a larger data size; a fixed count does not grow."""
    from quizapp.extensions import db
    from tests.statements import Statements, driver_options

    sizes = {
        # Every player answers every closed round, so the viewing player has an answer at both sizes.
        "small": Size(players=20, closed_rounds=3, answers=60, series=1, open_rounds=("a", "b", "c")),
        "large": Size(players=300, closed_rounds=12, answers=3600, series=3, open_rounds=("a", "b", "c")),
    }
    results: dict[str, dict[str, int]] = {}
    for label, size in sizes.items():
        with tempfile.TemporaryDirectory(prefix="bench-queries-") as tmp:
            secret = "bench-queries-" + secrets.token_hex(8)
            url = f"sqlite:///{Path(tmp) / 'q.sqlite'}"
            # Counted at the driver: an answer to a remembered round does not go through SQLAlchemy's events.
            app = make_app(url, secret, SQLALCHEMY_ENGINE_OPTIONS=driver_options(url))
            app.config["RATE_LIMIT_ANSWER"] = "1000000 per minute"
            create_schema(app)
            data = seed(app, size, rng)
            sessions = signed_sessions(app, data.player_ids[:3], rng)
            open_a, open_b = data.open_rounds["a"], data.open_rounds["b"]
            requests = _query_count_requests(data, sessions, open_a, open_b)
            counts: dict[str, int] = {}
            client = app.test_client(use_cookies=False)
            for name, (method, path, cookie, body, htmx) in requests.items():
                headers = {"User-Agent": USER_AGENT}
                if cookie:
                    headers["Cookie"] = cookie
                if htmx:
                    headers.update({"HX-Request": "true", "HX-Request-Type": "partial"})
                if body is not None:
                    headers["Content-Type"] = "application/x-www-form-urlencoded"
                with Statements() as seen:
                    response = client.open(path, method=method, data=body, headers=headers)
                counts[name] = seen.count
                if response.status_code >= 400:
                    counts[name + " (status)"] = response.status_code
            with app.app_context():
                db.engine.dispose()
            results[label] = counts
    names = list(results["small"])
    return {
        "sizes": {label: vars(size) for label, size in sizes.items()},
        "counts": results,
        "fixed": {name: results["small"][name] == results["large"].get(name) for name in names},
    }


def _query_count_requests(data: Dataset, sessions, open_a, open_b) -> dict:  # type: ignore[no-untyped-def,type-arg]
    p1, p2 = data.player_ids[0], data.player_ids[1]
    cookie1, token1 = sessions[p1]
    cookie2, token2 = sessions[p2]
    marks_a = open_a.statement_ids[: len(open_a.false_ids)]
    marks_b = open_b.statement_ids[: len(open_b.false_ids)]
    body1 = urlencode([("csrf_token", token1), *(("marks", str(s)) for s in marks_a)])
    body2 = urlencode([("csrf_token", token2), *(("marks", str(s)) for s in marks_b)])
    closed = data.closed_round_id
    return {
        "GET / (visitor)": ("GET", "/", None, None, False),
        "GET round (visitor)": ("GET", f"/rounds/{open_a.id}", None, None, False),
        "GET round (player)": ("GET", f"/rounds/{open_a.id}", f"session={cookie1}", None, False),
        "POST answer (htmx)": ("POST", f"/rounds/{open_a.id}/answer", f"session={cookie1}", body1, True),
        "POST answer again (htmx)": ("POST", f"/rounds/{open_a.id}/answer", f"session={cookie1}", body1, True),
        "POST answer (no JS, 303)": ("POST", f"/rounds/{open_b.id}/answer", f"session={cookie2}", body2, False),
        "GET round (answered)": ("GET", f"/rounds/{open_a.id}", f"session={cookie1}", None, False),
        "GET count (htmx)": ("GET", f"/rounds/{open_a.id}/count", None, None, True),
        "GET reveal (visitor)": ("GET", f"/rounds/{closed}/reveal", None, None, False),
        "GET reveal (player)": ("GET", f"/rounds/{closed}/reveal", f"session={cookie1}", None, False),
        "GET results.json": ("GET", f"/rounds/{closed}/results.json", None, None, False),
        "GET leaderboard": ("GET", "/leaderboard", None, None, False),
        "GET series": ("GET", f"/series/{data.series_id}", None, None, False),
    }


# --- Two servers, one database, one Redis ---


def two_servers(loader: Loader, database_url: str, secret: str, redis_url: str, workers: Workers, log_dir: Path,
                data: Dataset, sessions, players: int, concurrency: int, rng: random.Random,  # type: ignore[no-untyped-def]
                deadline: float, app) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """Sessions, rate limits and answers across two app servers sharing the database and the limiter storage."""
    _flush_redis(redis_url)
    env = app_env(database_url, secret, redis_url, RATE_LIMIT_LOGIN="5 per minute")
    result: dict = {"workers_each": str(workers), "limiter_storage": redis_url}  # type: ignore[type-arg]
    with Server("two-a", "quizapp:create_app()", workers, env, log_dir).start() as a, \
            Server("two-b", "quizapp:create_app()", workers, env, log_dir).start() as b:
        result["session"] = _session_on_both(a.url, b.url)
        result["rate_limit"] = _login_limit_on_both(a.url, b.url)
        round_ = data.open_rounds["two-servers"]
        lines = log_dir / "two-servers.lines"
        chosen = data.player_ids[:players]
        write_answer_lines(lines, round_, chosen, sessions, rng)
        path = f"/rounds/{round_.id}/answer"
        # Every player sends the same answer to both servers at once: each race must store exactly one answer.
        import concurrent.futures

        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            runs = [pool.submit(loader.answers, server.url, path, lines, concurrency, deadline) for server in (a, b)]
            loads = [run.result() for run in runs]
        counts = answer_counts(app, round_.id)
        answers_ok = (
            all(load.complete and load.bad == 0 and load.ok == players and load.confirmed == players for load in loads)
            and counts == {"rows": players, "players": players, "marks": players * len(round_.false_ids),
                           "answer_count": players}
        )
        result["answers"] = {
            "players": players,
            "requests_per_server": players,
            "server_a": loads[0].as_dict(),
            "server_b": loads[1].as_dict(),
            "database": counts,
            "ok": answers_ok,
        }
    result["ok"] = result["session"]["ok"] and result["rate_limit"]["ok"] and answers_ok
    return result


def _flush_redis(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        client.flushdb()
    finally:
        client.close()


def _cookie(set_cookie: str | None) -> str | None:
    match = re.search(r"(?:^|\n)session=([^;]*)", set_cookie or "")
    return f"session={match.group(1)}" if match else None


def _session_on_both(url_a: str, url_b: str) -> dict:  # type: ignore[type-arg]
    """Join on server A, then show the home page from both: the same signed cookie works everywhere."""
    status, headers, body = fetch(url_a, "GET", "/join")
    cookie = _cookie(headers.get("set-cookie"))
    token = CSRF_FIELD.search(body.decode())
    nickname = "pair_" + secrets.token_hex(4)
    if not cookie or not token:
        return {"ok": False, "why": f"GET /join gave {status} without a session or CSRF token"}
    status, headers, _ = fetch(url_a, "POST", "/join", urlencode({"csrf_token": token.group(1), "nickname": nickname}),
                               {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    joined = _cookie(headers.get("set-cookie"))
    if status != 303 or not joined:
        return {"ok": False, "why": f"POST /join on A gave {status}"}
    seen = {}
    for label, url in (("a", url_a), ("b", url_b)):
        status, _, body = fetch(url, "GET", "/", headers={"Cookie": joined})
        seen[label] = status == 200 and nickname in body.decode()
    return {"ok": all(seen.values()), "nickname": nickname, "name_shown": seen}


def _login_limit_on_both(url_a: str, url_b: str) -> dict:  # type: ignore[type-arg]
    """Six failed logins alternating A, B, A, …: with 5 per minute shared in Redis, the sixth is refused."""
    status, headers, body = fetch(url_a, "GET", "/login")
    cookie = _cookie(headers.get("set-cookie"))
    token = CSRF_FIELD.search(body.decode())
    if not cookie or not token:
        return {"ok": False, "why": f"GET /login gave {status} without a session or CSRF token"}
    form = urlencode({"csrf_token": token.group(1), "username": "nobody_here", "password": "wrong-password"})
    statuses = []
    for attempt in range(6):
        url = url_a if attempt % 2 == 0 else url_b
        status, _, _ = fetch(url, "POST", "/login", form,
                             {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        statuses.append(status)
    return {"ok": statuses[:5] == [422] * 5 and statuses[5] == 429, "statuses": statuses,
            "servers": ["a", "b"] * 3, "limit": "5 per minute"}
