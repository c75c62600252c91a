"""`python -m bench.instructions`: instructions per answer, app against reference, counted by callgrind.

Unlike a clock, an instruction count does not move when the other core is busy or the host slows down: the
same code on the same data gives the same count to within a fraction of a percent, run after run. So it
tells whether a change to the answer path helped even on a loaded machine, where `bench.inprocess` can swing
by a third. It is not a throughput: waits on the disk and the database server are not instructions, which is
what `make bench` is for.

Runs `python -m bench.instructions --inner` under `valgrind --tool=callgrind` with collection off, which seeds
the database, warms both apps up, then switches collection on around N answers of each through a small C
library made from valgrind's callgrind.h (valgrind's client requests), and dumps one profile for each side.
Needs Debian's valgrind and gcc. `callgrind_annotate` reads the dumps it leaves in the printed folder.
"""
from __future__ import annotations

import argparse
import ctypes
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

CLIENT_REQUESTS = """#include <valgrind/callgrind.h>
void toggle(void) { CALLGRIND_TOGGLE_COLLECT; }
void dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }
"""


def inner(answers: int, postgres_url: str | None, folder: Path) -> None:
    """Under callgrind: seed, warm up, then count `answers` answers of the app, then of the reference."""
    from bench.inprocess import REDIS_URL, SECRET, requests, run
    from bench.seed import Size, create_schema, reset_postgres, seed, signed_sessions
    from quizapp import create_app

    library = folder / "client_requests.so"
    source = folder / "client_requests.c"
    source.write_text(CLIENT_REQUESTS)
    subprocess.run(["gcc", "-shared", "-fPIC", "-O1", "-o", str(library), str(source)], check=True)
    requests_lib = ctypes.CDLL(str(library))
    requests_lib.dump.argtypes = [ctypes.c_char_p]

    url = postgres_url or f"sqlite:///{folder / 'instructions.sqlite'}"
    if postgres_url:
        reset_postgres(url)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "LOG_LEVEL": "WARNING",
                      "RATELIMIT_STORAGE_URI": REDIS_URL, "RATE_LIMIT_ANSWER": "1000000 per minute"})
    create_schema(app)
    rng = random.Random(7)
    data = seed(app, Size(players=2 * answers + 40, closed_rounds=1, answers=50, series=1), rng)
    sessions = signed_sessions(app, data.player_ids, rng)
    os.environ.update(BENCH_REF_SECRET_KEY=SECRET, BENCH_REF_DATABASE_URL=url)
    from bench.reference import create_app as create_reference

    reference = create_reference().wsgi_app
    round_id = data.open_rounds["answers-c32"].id
    players = data.player_ids
    app_requests = requests(f"/rounds/{round_id}/answer", data, players, sessions, rng)
    reference_requests = requests(f"/ref/rounds/{round_id}/answer", data, players, sessions, rng)
    # Templates compiled, pools filled, the round kept: what a worker is like after its first answers.
    run(app.wsgi_app, app_requests[:20])
    run(reference, reference_requests[:20])
    for name, wsgi, environs in (("app", app.wsgi_app, app_requests[20:20 + answers]),
                                 ("reference", reference, reference_requests[20 + answers:20 + 2 * answers])):
        requests_lib.toggle()
        _, refused = run(wsgi, environs)
        requests_lib.toggle()
        requests_lib.dump(name.encode())
        if refused:
            raise SystemExit(f"{name}: {refused} answers were not a 200")


def counted(folder: Path) -> dict[str, int]:
    """Instructions in each dump, by the name it was dumped under."""
    totals = {}
    for dump in folder.glob("callgrind.out.*"):
        lines = dump.read_text(errors="replace").splitlines()
        name = next(line.rsplit(": ", 1)[-1] for line in lines if line.startswith("desc: Trigger"))
        total = next(line.split()[1] for line in lines if line.startswith(("summary:", "totals:")))
        totals[name] = int(total)
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--answers", type=int, default=100, help="answers counted on each side (default 100)")
    parser.add_argument("--postgres-url", help="count on this PostgreSQL database (emptied) instead of SQLite")
    parser.add_argument("--inner", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        inner(args.answers, args.postgres_url, Path(args.inner))
        return 0
    folder = Path(tempfile.mkdtemp(prefix="instructions-"))
    command = ["valgrind", "--tool=callgrind", "--collect-atstart=no", f"--callgrind-out-file={folder}/callgrind.out",
               sys.executable, "-m", "bench.instructions", "--answers", str(args.answers), "--inner", str(folder)]
    if args.postgres_url:
        command += ["--postgres-url", args.postgres_url]
    finished = subprocess.run(command, capture_output=True, text=True)
    if finished.returncode != 0:
        sys.stderr.write(finished.stderr[-4000:])
        return finished.returncode
    totals = counted(folder)
    app, reference = totals["app"] / args.answers, totals["reference"] / args.answers
    print(f"{'postgresql' if args.postgres_url else 'sqlite'}: instructions per answer: reference {reference:,.0f}, "
          f"app {app:,.0f} ({reference / app:.3f}×); profiles in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
