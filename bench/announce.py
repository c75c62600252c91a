"""`python -m bench.announce`: 1,000 rounds closing in the same minute, one channel each, all announced in time.

Issue 20's scale target: every `round.revealed` reaches its receiver within 60 s of its round's close, and none
twice. The real consumer (`huey_consumer quizapp.worker.huey`) runs on SQLite storage (or Redis with --tasks-url)
against a local receiver that counts each delivery id. Exits non-zero when the target is missed.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60.0


class Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.arrivals: list[tuple[str, int, datetime]] = []  # delivery id, round id, when
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.server.lock:
            self.server.arrivals.append((self.headers["X-TwoTruths-Delivery"], body["round"]["id"], datetime.now(UTC)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def settings(folder: Path, args: argparse.Namespace) -> dict[str, object]:
    return {"SQLALCHEMY_DATABASE_URI": args.database_url or f"sqlite:///{folder / 'bench.sqlite'}",
            "TASKS_URL": args.tasks_url or f"sqlite:///{folder / 'tasks.sqlite'}", "TASKS_NAME": "bench-announce",
            "SECRET_KEY": "bench", "RATELIMIT_STORAGE_URI": "memory://", "PUBLIC_URL": "https://quiz.example.org",
            "WEBHOOK_ALLOW_PRIVATE": True}


def seed(app, receiver_url: str, rounds: int, first_close: datetime) -> dict[int, datetime]:  # type: ignore[no-untyped-def]
    """Rounds closing one after another over a minute, each in a series with one webhook; their reveals queued."""
    from quizapp.announce.outbox import SENT, plan_round
    from quizapp.auth.service import new_user
    from quizapp.extensions import db
    from quizapp.models import Channel, Round, Series
    from quizapp.tasks import wake

    closes: dict[int, datetime] = {}
    with app.app_context():
        db.drop_all()
        db.create_all()
        host = new_user("bench_host", "bench-password", curator=True)
        db.session.flush()
        queued = []
        for number in range(rounds):
            series = Series(curator_id=host.id, title=f"Series {number}")
            db.session.add(series)
            db.session.flush()
            db.session.add(Channel(series_id=series.id, kind="webhook", url=receiver_url, secret="bench"))
            closes_at = first_close + timedelta(seconds=60 * number / rounds)
            round_ = Round(curator=host, series_id=series.id, kind="facts", title=f"Round {number}", published=True,
                           opens_at=closes_at - timedelta(minutes=30), closes_at=closes_at)
            db.session.add(round_)
            for row in plan_round(round_):
                if row.event == "round.revealed":
                    queued.append(row)
                else:
                    row.state = SENT  # already announced: only the reveals are measured
            closes[round_.id] = closes_at
        db.session.commit()
        wake(queued)
    return closes


def run(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    from quizapp import create_app

    folder = Path(tempfile.mkdtemp(prefix="bench-announce-"))
    config = settings(folder, args)
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    app = create_app(config)
    first_close = datetime.now(UTC) + timedelta(seconds=args.lead)
    started = time.monotonic()
    closes = seed(app, f"http://127.0.0.1:{receiver.server_address[1]}/hook", args.rounds, first_close)
    print(f"seeded {args.rounds} rounds in {time.monotonic() - started:.1f} s; closes from {first_close:%H:%M:%S} "
          f"over 60 s", flush=True)
    env = {**os.environ, **{f"QUIZAPP_{k}": v if isinstance(v, str) else json.dumps(v) for k, v in config.items()
                            if k != "SQLALCHEMY_DATABASE_URI"}, "DATABASE_URL": str(config["SQLALCHEMY_DATABASE_URI"])}
    with (folder / "consumer.log").open("wb") as log:
        consumer = subprocess.Popen([str(Path(sys.executable).with_name("huey_consumer")), "quizapp.worker.huey",
                                     "--workers", str(args.workers), "--worker-type", "thread"],
                                    cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = max(closes.values()) + timedelta(seconds=TARGET_SECONDS + 30)
        while len({d for d, _r, _t in receiver.arrivals}) < args.rounds and datetime.now(UTC) < deadline:
            time.sleep(0.5)
        time.sleep(2)  # anything sent twice arrives by now
    finally:
        consumer.terminate()
        consumer.wait(30)
        receiver.shutdown()
    status = report(receiver.arrivals, closes, folder)
    if status == 0:
        shutil.rmtree(folder, ignore_errors=True)  # kept only when something was missed: its consumer log says why
    return status


def report(arrivals: list[tuple[str, int, datetime]], closes: dict[int, datetime], folder: Path) -> int:
    counts = Counter(delivery for delivery, _round, _at in arrivals)
    first = {}
    for _delivery, round_id, at in arrivals:
        first.setdefault(round_id, at)
    late = sorted((first[r] - closes[r]).total_seconds() for r in first)
    missing = len(closes) - len(first)
    twice = sum(1 for count in counts.values() if count > 1)
    worst = late[-1] if late else float("nan")
    median = late[len(late) // 2] if late else float("nan")
    print(f"announced {len(first)} of {len(closes)}; missing {missing}; sent twice {twice}; "
          f"after the close: median {median:.1f} s, worst {worst:.1f} s (target < {TARGET_SECONDS:.0f} s)")
    ok = missing == 0 and twice == 0 and worst < TARGET_SECONDS
    print("MET" if ok else f"MISSED (consumer log: {folder / 'consumer.log'})")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.announce", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=8, help="consumer threads")
    parser.add_argument("--lead", type=float, default=30, help="seconds from the start to the first close")
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    parser.add_argument("--tasks-url", help="default: SQLite in a temporary folder; redis://… for Redis")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
