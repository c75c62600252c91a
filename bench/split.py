"""`python -m bench.split`: the CPU an answer costs in each process, app against reference, under gunicorn.

Seeds the benchmark's data, starts the app and the reference as `make bench` does, and has a quarter of the
players answer on each, in turns (reference, app, reference, app). Around each slice it reads the CPU time of
every process from /proc: the gunicorn workers of the side being measured, the database server (PostgreSQL's
processes; SQLite runs inside the workers), Redis, and the rest (wrk, the kernel's threads). Instruction counts
(`bench.instructions`) see only the client; this shows what the database server spent, and whether a slower
side was busy or waiting.
"""
from __future__ import annotations

import argparse
import random
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

from bench.cpu import TICKS, _processes
from bench.load import Loader, ensure_wrk
from bench.seed import Size, create_schema, make_app, reset_postgres, seed, signed_sessions, write_answer_lines
from bench.servers import APP, REFERENCE, Server, Workers, app_env, reference_env

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
LIMITER = "redis://127.0.0.1:6379/15"


def cpu_ticks(app_server: Server, ref_server: Server) -> dict[str, int]:
    """CPU ticks used so far by each group of processes."""
    app_workers, ref_workers = set(app_server.worker_pids()), set(ref_server.worker_pids())
    totals: dict[str, int] = {}
    for pid, (_parent, ticks, cmdline) in _processes().items():
        if pid in app_workers:
            group = "app workers"
        elif pid in ref_workers:
            group = "reference workers"
        elif "postgres" in cmdline:
            group = "postgresql"
        elif "redis" in cmdline:
            group = "redis"
        else:
            group = "other"
        totals[group] = totals.get(group, 0) + ticks
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.split", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--players", type=int, default=10_000)
    parser.add_argument("--workers", default="sync:4", help="gunicorn workers: sync:N or gthread:NxT")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="bench-split-"))
    url = args.postgres_url if args.db == "postgres" else f"sqlite:///{workdir / 'bench.sqlite'}"
    if args.db == "postgres":
        reset_postgres(url)
    secret, rng = secrets.token_hex(16), random.Random(7)
    app = make_app(url, secret)
    create_schema(app)
    data = seed(app, Size(players=args.players, closed_rounds=300, answers=100_000, series=30), rng)
    sessions = signed_sessions(app, data.player_ids, rng)
    loader, workers = Loader(ensure_wrk(), workdir), Workers.parse(args.workers)
    app_server = Server("app", APP, workers, app_env(url, secret, LIMITER), workdir)
    ref_server = Server("reference", REFERENCE, workers, reference_env(url, secret), workdir)
    round_ = data.open_rounds["answers-c32"]
    quarter = len(data.player_ids) // 4
    with app_server.start(f"/rounds/{round_.id}"), ref_server.start("/"):
        loader.get(f"{app_server.url}/rounds/{round_.id}", 8, 1)  # every worker's templates and pool warm
        for turn in range(4):
            who, server, path = (("reference", ref_server, f"/ref/rounds/{round_.id}/answer") if turn % 2 == 0
                                 else ("app", app_server, f"/rounds/{round_.id}/answer"))
            # The same quarter of the players answers on each side in turn: the two store in tables of their own.
            players = data.player_ids[turn // 2 * quarter:(turn // 2 + 1) * quarter]
            lines = workdir / f"{who}-{turn}.lines"
            write_answer_lines(lines, round_, players, sessions, rng)
            before = cpu_ticks(app_server, ref_server)
            result = loader.answers(server.url, path, lines, 32, 300)
            after = cpu_ticks(app_server, ref_server)
            answered = max(result.ok, 1)  # a slice cut short by the deadline counts what it answered
            spent = {group: (after[group] - before.get(group, 0)) / TICKS / answered * 1e6 for group in after}
            shown = ", ".join(f"{group} {us:,.0f}" for group, us in sorted(spent.items()) if us >= 1)
            print(f"{who:>9}: {result.rps:,.0f} answers/s, {result.ok} of {len(players)} ok; µs of CPU per answer: "
                  f"{shown}", flush=True)
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
