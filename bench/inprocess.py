"""`python -m bench.inprocess`: the cost of one answer, app against reference, with no server or network.

Calls each app's WSGI callable directly with the benchmark's signed sessions, one answer per player, and
prints microseconds per answer. Steadier than wrk on 2 cores for telling whether a change helped;
`--cpu` counts CPU time instead of the wall clock (what throughput on 2 busy cores depends on);
`--profile` shows where the app's time goes (pyinstrument, installed into .venv on first use).
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from werkzeug.test import EnvironBuilder

from bench.seed import CLIENT_ADDRESS, USER_AGENT, Size, create_schema, reset_postgres, seed, signed_sessions

SECRET = "in-process-benchmark-secret-key-000000000"
REDIS_URL = "redis://127.0.0.1:6379/15"


def requests(path: str, data, players: list[int], sessions, rng: random.Random) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """One htmx answer per player, as WSGI environs ready to call."""
    environs = []
    for pid in players:
        cookie, token = sessions[pid]
        round_ = data.open_rounds["answers-c32"]
        marks = rng.sample(round_.statement_ids, len(round_.false_ids))
        body = urlencode([("csrf_token", token), *(("marks", str(sid)) for sid in marks)])
        environs.append(EnvironBuilder(
            path=path, method="POST", data=body, content_type="application/x-www-form-urlencoded",
            headers={"Cookie": f"session={cookie}", "User-Agent": USER_AGENT, "HX-Request": "true",
                     "HX-Request-Type": "partial"},
            environ_base={"REMOTE_ADDR": CLIENT_ADDRESS},
        ).get_environ())
    return environs


def run(wsgi: Callable[..., Iterable[bytes]], environs: list[dict[str, Any]],
        clock: Callable[[], float] = time.perf_counter) -> tuple[float, int]:
    """Microseconds per request by the clock, and how many answers were not a 200."""
    refused = 0

    def start_response(status: str, headers: object, exc_info: object = None) -> None:
        nonlocal refused
        refused += not status.startswith("200")

    started = clock()
    for environ in environs:
        b"".join(wsgi(environ, start_response))
    return (clock() - started) / len(environs) * 1e6, refused


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__)
    parser.add_argument("--players", type=int, default=2000)
    parser.add_argument("--postgres-url", help="measure on this PostgreSQL database (emptied) instead of SQLite")
    parser.add_argument("--limiter", default=REDIS_URL, help="rate-limit storage (default: Redis db 15, flushed)")
    parser.add_argument("--profile", action="store_true", help="profile the app's half of the answers")
    parser.add_argument("--cpu", action="store_true",
                        help="count this process's CPU time, not the wall clock: waiting on Redis or PostgreSQL "
                             "is left out, as it is under gunicorn, where another worker uses the CPU meanwhile")
    args = parser.parse_args(argv)

    from quizapp import create_app
    from quizapp.extensions import db

    url = args.postgres_url or f"sqlite:///{tempfile.mkdtemp()}/inprocess.sqlite"
    if args.postgres_url:
        reset_postgres(url)
    if args.limiter.startswith("redis"):
        import redis

        redis.Redis.from_url(args.limiter).flushdb()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "LOG_LEVEL": "WARNING",
                      "RATELIMIT_STORAGE_URI": args.limiter, "RATE_LIMIT_ANSWER": "1000000 per minute"})
    create_schema(app)
    rng = random.Random(7)
    data = seed(app, Size(players=args.players, closed_rounds=3, answers=3 * min(args.players, 100), series=1), rng)
    sessions = signed_sessions(app, data.player_ids, rng)
    os.environ.update(BENCH_REF_SECRET_KEY=SECRET, BENCH_REF_DATABASE_URL=url)
    from bench.reference import create_app as create_reference

    round_id = data.open_rounds["answers-c32"].id
    half = len(data.player_ids) // 2
    clock = time.process_time if args.cpu else time.perf_counter
    reference_us, reference_refused = run(
        create_reference().wsgi_app, requests(f"/ref/rounds/{round_id}/answer", data, data.player_ids, sessions, rng),
        clock)
    app_requests = requests(f"/rounds/{round_id}/answer", data, data.player_ids, sessions, rng)
    run(app.wsgi_app, app_requests[:20])  # templates compiled, pool filled
    profiler = None
    if args.profile:
        try:
            import pyinstrument
        except ImportError:
            subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "pyinstrument"], check=True)
            import pyinstrument
        profiler = pyinstrument.Profiler(interval=0.0002)
        profiler.start()
    app_us, app_refused = run(app.wsgi_app, app_requests[20:half + 20], clock)
    if profiler is not None:
        profiler.stop()
    print(f"{'postgresql' if args.postgres_url else 'sqlite'}: reference {reference_us:.0f} µs{' of CPU' if args.cpu else ''} per answer, "
          f"app {app_us:.0f} µs ({reference_us / app_us:.2f}×); not 200: reference {reference_refused}, app {app_refused}"
          + (" (profiled: the app's figure includes the profiler)" if profiler else ""))
    if profiler is not None:
        print(profiler.output_text(unicode=True, color=False, show_all=bool(os.environ.get("BENCH_PROFILE_ALL")), timeline=False))
    with app.app_context():
        db.engine.dispose()
    return 1 if app_refused or reference_refused else 0


if __name__ == "__main__":
    sys.exit(main())
