"""`python -m bench`: load-test the app under gunicorn against a reference endpoint, on SQLite and PostgreSQL.

See bench/README.md for what is measured and why. Exits non-zero when a correctness check fails (an answer
lost or doubled, an error response, a two-server check); a missed speed target is printed as MISSED only.
"""
from __future__ import annotations

import argparse
import json
import platform
import random
import secrets
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import checks, profile
from bench.cpu import Monitor
from bench.load import Loader, LoadResult, drain, ensure_wrk
from bench.seed import (
    Size,
    answer_counts,
    close_round,
    create_schema,
    make_app,
    reset_postgres,
    seed,
    signed_sessions,
    write_answer_lines,
)
from bench.servers import APP, REFERENCE, Server, Workers, app_env, reference_env

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
REDIS_URL = "redis://127.0.0.1:6379/15"
# On 2 cores: 4 sync processes beat 2x4 gthread for both the app and the reference (see bench/README.md).
DEFAULT_WORKERS = "sync:4"

FULL = Size(players=10_000, closed_rounds=300, answers=100_000, series=30)
QUICK = Size(players=500, closed_rounds=30, answers=5_000, series=3)

# Measurements are taken in turns (see Run.reads and Run.answers): this machine's speed can drift by half
# within minutes when another tenant of its host is busy.
ANSWER_TURNS = 4
READ_TURNS = 4

TARGET_ANSWER_RATIO = 0.7
TARGET_P99 = 0.5
TARGET_READ_RATIO = 0.8
# Issue 19: a card image or a feed, once kept, costs no more than a round page.
TARGET_KEPT_RATIO = 1.0
CARD = "card image of a closed round"
FEED = "site feed (Atom)"
TARGET_PAGE_BYTES = 20 * 1024
# Above this share of the CPUs used by other processes during a run, its figures are flagged BUSY.
BUSY = 0.10


class Run:
    """One benchmark run: its settings, what it measured, and the checks that failed."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.quick = args.quick
        self.size = QUICK if args.quick else FULL
        if args.players:
            self.size = Size(players=args.players, closed_rounds=self.size.closed_rounds,
                             answers=min(self.size.answers, args.players * self.size.closed_rounds),
                             series=self.size.series)
        self.read_seconds = args.seconds or (2 if args.quick else 8)
        self.deadline = 60 if args.quick else 300
        self.two_server_players = 200 if args.quick else 1_000
        self.workers = Workers.parse(args.workers)
        self.rng = random.Random(args.seed)
        self.secret = "bench-" + secrets.token_hex(16)
        self.workdir = Path(tempfile.mkdtemp(prefix="bench-"))
        self.failures: list[str] = []
        self.loader = Loader(None if args.python_load else ensure_wrk(self.log), self.workdir)
        self.stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        self.py_spy = profile.ensure_py_spy(self.log) if args.profile else None
        self.limiter = REDIS_URL if args.limiter == "redis" else "memory://"
        if self.limiter.startswith("redis") and not _redis_up(REDIS_URL):
            self.log(f"Redis is not reachable at {REDIS_URL}: the app counts rate limits in memory for this run")
            self.limiter = "memory://"

    def log(self, message: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)

    def fail(self, message: str) -> None:
        self.failures.append(message)
        self.log(f"CHECK FAILED: {message}")

    def database_url(self, kind: str) -> str:
        if kind == "sqlite":
            instance = self.workdir / "instance"
            instance.mkdir(exist_ok=True)
            return f"sqlite:///{instance / 'bench.sqlite'}"
        return self.args.postgres_url

    # --- one database ---

    def run_database(self, kind: str, with_two_servers: bool) -> dict:  # type: ignore[type-arg]
        url = self.database_url(kind)
        out: dict = {"url": url}  # type: ignore[type-arg]
        if self.args.wait_quiet:
            out["waited_for_quiet"] = self.wait_quiet(self.args.wait_quiet)
        self.log(f"{kind}: preparing the database")
        started = time.monotonic()
        if kind == "postgres":
            reset_postgres(url)
        app = make_app(url, self.secret)
        create_schema(app)
        data = seed(app, self.size, self.rng)
        sessions = signed_sessions(app, data.player_ids, self.rng)
        out["seed"] = {
            "players": len(data.player_ids), "closed_rounds": self.size.closed_rounds,
            "answers": data.answers_seeded, "marks": data.marks_seeded, "series": self.size.series,
            "seconds": round(time.monotonic() - started, 1),
        }
        self.log(f"{kind}: seeded {out['seed']}")
        if self.limiter.startswith("redis"):
            checks._flush_redis(self.limiter)
        c32, c128 = data.open_rounds["answers-c32"], data.open_rounds["answers-c128"]
        # The same player on the round page and on the reveal, one who played the closed round: on the reveal they
        # see their own result (a player drawn at random had not played it on one database and had on the other).
        player_cookie = "session=" + sessions[data.closed_round_player_id][0]
        app_server = Server(f"app-{kind}", APP, self.workers, app_env(url, self.secret, self.limiter), self.workdir)
        ref_server = Server(f"ref-{kind}", REFERENCE, self.workers, reference_env(url, self.secret), self.workdir)
        with app_server.start(f"/rounds/{c32.id}"), ref_server.start("/"):
            for path in (f"/rounds/{c32.id}", f"/rounds/{data.closed_round_id}/reveal", "/leaderboard",
                         f"/rounds/{data.closed_round_id}/card.png"):
                self.loader.get(app_server.url + path, 8, 1)  # warm every worker's templates and pool
                drain(app_server.url, self.workers.processes * self.workers.threads)
            out["pages"] = {
                "round (visitor)": checks.page_facts(app_server.url, f"/rounds/{c32.id}"),
                "round (player)": checks.page_facts(app_server.url, f"/rounds/{c32.id}", player_cookie),
                "reveal (visitor)": checks.page_facts(app_server.url, f"/rounds/{data.closed_round_id}/reveal"),
                "leaderboard": checks.page_facts(app_server.url, "/leaderboard"),
                "series": checks.page_facts(app_server.url, f"/series/{data.series_id}"),
            }
            out["static"] = checks.static_headers(app_server.url, f"/rounds/{c32.id}")
            out["reads"] = self.reads(app_server.url, [
                ("round page (visitor)", f"/rounds/{c32.id}", None),
                ("round page (player)", f"/rounds/{c32.id}", player_cookie),
                ("reveal (visitor)", f"/rounds/{data.closed_round_id}/reveal", None),
                ("reveal (player)", f"/rounds/{data.closed_round_id}/reveal", player_cookie),
                ("leaderboard", "/leaderboard", None),
                ("series leaderboard", f"/series/{data.series_id}", None),
                # What a link shared everywhere at once costs: its preview image (drawn once, then kept) and a feed.
                (CARD, f"/rounds/{data.closed_round_id}/card.png", None),
                (FEED, "/feed.atom", None),
            ])
            out["answers"] = {}
            for concurrency, round_ in ((32, c32), (128, c128)):
                out["answers"][str(concurrency)] = self.answers(kind, app, app_server, ref_server, data, sessions,
                                                                 round_, concurrency)
            # The same reveal with every benchmark player's answer in it: a closed round's page should not slow down.
            close_round(app, c32.id)
            big_name = f"reveal of a round with {len(data.player_ids):,} answers"
            big = self.reads(app_server.url, [
                ("round page (visitor), again", f"/rounds/{c128.id}", None),
                (big_name, f"/rounds/{c32.id}/reveal", None),
            ])
            # Compared with a round page measured in the same turns, not with the one of minutes before.
            big[big_name]["baseline_rps"] = big.pop("round page (visitor), again")["rps"]
            out["reads"].update(big)
        if kind == "sqlite":
            with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
                out["sqlite_journal_mode"] = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if with_two_servers:
            self.log(f"{kind}: two app servers sharing the database and {REDIS_URL}")
            if not _redis_up(REDIS_URL):
                self.fail(f"two servers: Redis is not reachable at {REDIS_URL}")
            else:
                workers = Workers(self.workers.kind, max(1, self.workers.processes // 2), self.workers.threads)
                out["two_servers"] = checks.two_servers(
                    self.loader, url, self.secret, REDIS_URL, workers, self.workdir, data, sessions,
                    self.two_server_players, 32, self.rng, self.deadline, app,
                )
                two = out["two_servers"]
                if not two["session"]["ok"]:
                    self.fail(f"two servers: the session did not work on both: {two['session']}")
                if not two["rate_limit"]["ok"]:
                    self.fail(f"two servers: the login limit did not count across both: {two['rate_limit']['statuses']}")
                if not two["answers"]["ok"]:
                    self.fail(f"two servers: answers lost, doubled or refused: {two['answers']['database']}")
        from quizapp.extensions import db

        with app.app_context():
            db.engine.dispose()
        return out

    def wait_quiet(self, limit: float) -> float:
        """Wait until other processes use under the BUSY share of the CPUs for 3 s; return the seconds waited."""
        started = time.monotonic()
        while time.monotonic() - started < limit:
            with Monitor() as monitor:
                time.sleep(3)
            if monitor.other <= BUSY / 2:
                break
            self.log(f"waiting for a quiet machine: other processes use {monitor.other:.0%} of the CPUs")
        return round(time.monotonic() - started, 1)

    def reads(self, base_url: str, pages: list[tuple[str, str, str | None]]) -> dict:  # type: ignore[type-arg]
        """GET each page for read_seconds at c=32, in turns of about 2 s each, so that a machine whose speed drifts
        during the run (another tenant on the host, say) slows every page alike and the ratios hold."""
        turns = max(1, min(READ_TURNS, int(self.read_seconds // 2)))
        slices: dict[str, list[LoadResult]] = {name: [] for name, _, _ in pages}
        for turn in range(turns):
            for name, path, cookie in pages:
                self.log(f"GET {path} ({name}) for {self.read_seconds / turns:g} s at c=32, turn {turn + 1} of {turns}")
                result = self.loader.get(base_url + path, 32, self.read_seconds / turns, cookie)
                drained = drain(base_url, self.workers.processes * self.workers.threads)
                if drained > 1:
                    self.log(f"the server took {drained:.1f} s to finish the requests queued when the run stopped")
                if result.bad or result.socket_errors:
                    self.fail(f"{name}: {result.bad} error responses, {result.socket_errors} socket errors")
                slices[name].append(result)
        return {name: {"path": path, "turns": turns, **LoadResult.combined(slices[name]).as_dict()}
                for name, path, _ in pages}

    def answers(self, kind, app, app_server, ref_server, data, sessions, round_, concurrency) -> dict:  # type: ignore[no-untyped-def,type-arg]
        """Every player answers once on the app and once on the reference, in slices taken in turns (reference,
        app, app, reference, ...), so that a drift in the machine's speed touches both alike."""
        players = len(data.player_ids)
        turns = min(ANSWER_TURNS, players)
        chunk = -(-players // turns)
        slices = []
        for turn in range(turns):
            lines = self.workdir / f"{kind}-{round_.id}-{turn}.lines"
            write_answer_lines(lines, round_, data.player_ids[turn * chunk:(turn + 1) * chunk], sessions, self.rng)
            slices.append(lines)
        took: dict[str, list[LoadResult]] = {"reference": [], "app": []}
        spy = raw = None
        for turn, lines in enumerate(slices):
            for who in (("reference", "app") if turn % 2 == 0 else ("app", "reference")):
                self.log(f"{kind}: answers at c={concurrency}: {who}, slice {turn + 1} of {turns}")
                if who == "reference":
                    took[who].append(self.loader.answers(ref_server.url, f"/ref/rounds/{round_.id}/answer", lines,
                                                         concurrency, self.deadline))
                    continue
                if self.py_spy and concurrency == 32 and spy is None:
                    raw = RESULTS / f"profile-{kind}-{self.stamp}.txt"
                    raw.parent.mkdir(parents=True, exist_ok=True)
                    # Sample about as long as the reference's slice took, doubled: the app's is at least that long.
                    spy = profile.start(self.py_spy, app_server.proc.pid, max(3.0, 2 * took["reference"][-1].seconds), raw)
                took[who].append(self.loader.answers(app_server.url, f"/rounds/{round_.id}/answer", lines,
                                                     concurrency, self.deadline))
        ref, got = LoadResult.combined(took["reference"]), LoadResult.combined(took["app"])
        ref_counts = answer_counts(app, round_.id, table="bench_reference_answer")
        profiled = None
        if spy is not None and raw is not None:
            spy.wait(timeout=120)
            try:
                profiled = {"raw": str(raw), **profile.summarize(raw)}
            except (OSError, ValueError) as error:
                self.log(f"could not read the profile {raw}: {error}")
        counts = answer_counts(app, round_.id)
        expected = {"rows": players, "players": players, "marks": players * len(round_.false_ids),
                    "answer_count": players}
        label = f"{kind} c={concurrency}"
        self._check_load(f"{label} app", got, players)
        if counts != expected:
            self.fail(f"{label} app: database has {counts}, expected {expected}")
        self._check_load(f"{label} reference", ref, players)
        if ref_counts != {"rows": players, "players": players}:
            self.fail(f"{label} reference: database has {ref_counts}, expected {players} rows")
        return {
            "players": players,
            "turns": turns,
            "app": got.as_dict(),
            "reference": ref.as_dict(),
            "slice_ratios": [a.rps / r.rps for a, r in zip(took["app"], took["reference"], strict=True) if r.rps],
            "slice_rps": {who: [round(result.rps) for result in results] for who, results in took.items()},
            "database": counts,
            "reference_database": ref_counts,
            "ratio": got.rps / ref.rps if ref.rps else None,
            **({"profile": profiled} if profiled else {}),
        }

    def _check_load(self, label: str, result: LoadResult, expected: int) -> None:
        if not result.complete:
            self.fail(f"{label}: only {result.requests} of {expected} responses before the {self.deadline} s deadline")
        if result.bad:
            self.fail(f"{label}: {result.bad} responses were not 2xx/3xx: {result.statuses}")
        if result.ok != expected or result.confirmed != expected:
            self.fail(f"{label}: {result.ok} ok and {result.confirmed} confirmed responses, expected {expected}")

    def cleanup(self) -> None:
        if not self.args.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)


def _redis_up(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


# --- report ---


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.0095 else f"{seconds * 1000:.1f} ms"


def busy(share: float) -> str:
    """Other processes' share of the CPUs during a run, flagged when it makes the figure unreliable."""
    return f"{share:.0%}" + (" BUSY" if share > BUSY else "")


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report(results: dict, run: Run) -> list[str]:  # type: ignore[type-arg]
    """The table printed at the end; returns the lines."""
    lines: list[str] = []
    meta = results["meta"]
    lines.append("")
    lines.append(f"Two Truths benchmark  {meta['started']}  app {meta['commit']}  load: {meta['load_tool']}  "
                 f"gunicorn {meta['workers']} (app and reference alike)  limiter: {meta['limiter']}  "
                 f"{meta['cpus']} CPUs{'  QUICK' if meta['quick'] else ''}")
    targets: list[tuple[str, str]] = []
    for kind, out in results["databases"].items():
        seeded = out["seed"]
        lines.append("")
        lines.append(f"== {kind} ==  seeded {seeded['players']:,} players, {seeded['closed_rounds']} closed rounds, "
                     f"{seeded['answers']:,} answers, {seeded['marks']:,} marks in {seeded['seconds']} s"
                     + (f"; journal_mode={out['sqlite_journal_mode']}" if "sqlite_journal_mode" in out else ""))
        lines.append(f"{'answers (each player once)':<34}{'req/s':>8}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}"
                     f"{'errors':>8}  {'database rows / answer_count':<30}{'vs ref':>7}{'other CPU':>11}")
        for concurrency, a in out["answers"].items():
            for who in ("reference", "app"):
                r = a[who]
                db_text = (f"{a['database']['rows']:,} / {a['database']['answer_count']:,}" if who == "app"
                           else f"{a['reference_database']['rows']:,}")
                ratio = f"{a['ratio']:.2f}x" if who == "app" and a["ratio"] else ""
                errors = r["bad"] + r["socket_errors"]
                lines.append(f"  c={concurrency:<4}{who:<26}{r['rps']:>8.0f}{ms(r['p50']):>9}{ms(r['p95']):>9}"
                             f"{ms(r['p99']):>9}{ms(r['max']):>9}{errors:>8}  {db_text:<30}{ratio:>7}"
                             f"{busy(r['other_cpu']):>11}")
            if a.get("slice_ratios"):
                lines.append(f"  c={concurrency:<4}{'app ÷ reference, by slice':<26}  "
                             + "  ".join(f"{ratio:.2f}x" for ratio in a["slice_ratios"]))
            if concurrency == "32":
                targets.append((f"{kind}: answers >= {TARGET_ANSWER_RATIO}x reference at c=32 "
                                f"({a['ratio']:.2f}x)", verdict(a["ratio"] >= TARGET_ANSWER_RATIO)))
                targets.append((f"{kind}: answer p99 < {TARGET_P99} s at c=32 ({a['app']['p99']:.3f} s)",
                                verdict(a["app"]["p99"] < TARGET_P99)))
        for concurrency, a in out["answers"].items():
            if "profile" in a:
                prof = a["profile"]
                lines.append(f"  profile of the app's answers at c={concurrency} ({prof['samples']} samples, "
                             f"collapsed stacks in {prof['raw']}):")
                lines.append("    where the samples end: " + ", ".join(
                    f"{name} {pct}%" for name, pct in prof["leaf_library_percent"].items()))
                lines.append("    inclusive: " + ", ".join(
                    f"{name} {pct}%" for name, pct in list(prof["app_functions_inclusive_percent"].items())[:12]))
        reads = out["reads"]
        base = reads["round page (visitor)"]["rps"]
        base_player = reads["round page (player)"]["rps"]
        lines.append(f"{'pages (c=32, fixed time)':<34}{'req/s':>8}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}"
                     f"{'errors':>8}  {'bytes/response':<30}{'ratio':>7}{'other CPU':>11}")
        for name, r in reads.items():
            ref_rps = r.get("baseline_rps") or (base_player if "(player)" in name else base)
            ratio = r["rps"] / ref_rps if ref_rps else 0
            size = r["bytes"] // max(r["requests"], 1)
            errors = r["bad"] + r["socket_errors"]
            lines.append(f"  {name:<32}{r['rps']:>8.0f}{ms(r['p50']):>9}{ms(r['p95']):>9}{ms(r['p99']):>9}"
                         f"{ms(r['max']):>9}{errors:>8}  {size:<30,}{ratio:>6.2f}x{busy(r['other_cpu']):>11}")
            if not name.startswith("round page"):
                target = TARGET_KEPT_RATIO if name in (CARD, FEED) else TARGET_READ_RATIO
                targets.append((f"{kind}: {name} >= {target}x round page ({ratio:.2f}x)", verdict(ratio >= target)))
        pages = out["pages"]
        biggest = max(pages["round (visitor)"]["bytes"], pages["round (player)"]["bytes"])
        targets.append((f"{kind}: round page HTML < 20 KB ({biggest:,} bytes)", verdict(biggest < TARGET_PAGE_BYTES)))
        lines.append("  page headers: " + "; ".join(
            f"{name}: Cache-Control={p['cache_control']!r}, Set-Cookie={'yes' if p['sets_cookie'] else 'no'}, "
            f"gzip={'yes' if p['content_encoding'] else 'no'}" for name, p in pages.items()
            if name in ("round (visitor)", "reveal (visitor)")))
        for path, s in out["static"].items():
            lines.append(f"  static {path}: Cache-Control={s['cache_control']!r} "
                         f"Content-Encoding={s['content_encoding']!r} versioned URL={'yes' if s['versioned_url'] else 'no'}")
        htmx = next(s for p, s in out["static"].items() if p.split("?")[0] == checks.HTMX_PATH)
        targets.append((f"{kind}: {checks.HTMX_PATH} long-lived Cache-Control (now {htmx['cache_control']!r})",
                        verdict(htmx["long_lived"])))
        linked = [s for p, s in out["static"].items() if s["linked_by_page"] and p.split("?")[0] != checks.HTMX_PATH]
        targets.append((f"{kind}: the other static files the page links: versioned URL and long-lived Cache-Control "
                        f"({len(linked)} files)",
                        verdict(bool(linked) and all(s["long_lived"] and s["versioned_url"] for s in linked))))
        if "two_servers" in out:
            two = out["two_servers"]
            lines.append(f"  two servers ({two['workers_each']} each, limiter {two['limiter_storage']}):")
            lines.append(f"    session made on A shows the player's name on A and B: {two['session'].get('name_shown')}"
                         f" -> {'ok' if two['session']['ok'] else 'FAILED'}")
            lines.append(f"    6 failed logins alternating A/B, limit 5 per minute: {two['rate_limit'].get('statuses')}"
                         f" -> {'ok' if two['rate_limit']['ok'] else 'FAILED'}")
            ans = two["answers"]
            lines.append(f"    {ans['players']:,} players each answering on A and B at once: "
                         f"A {ans['server_a']['ok']:,} ok / {ans['server_a']['bad']} bad, "
                         f"B {ans['server_b']['ok']:,} ok / {ans['server_b']['bad']} bad; "
                         f"database {ans['database']} -> {'ok' if ans['ok'] else 'FAILED'}")
    if results.get("query_counts"):
        q = results["query_counts"]
        lines.append("")
        lines.append("SQL queries per request (in process, SQLite)      small data  larger data")
        for name, small in q["counts"]["small"].items():
            large = q["counts"]["large"].get(name)
            flag = "" if q["fixed"].get(name, True) else "  GROWS"
            lines.append(f"  {name:<46}{small:>10}{large:>13}{flag}")
        targets.append(("fixed number of queries per page whatever the data size",
                        verdict(all(q["fixed"].values()))))
    lines.append("")
    flagged = [load for load in _all_loads(results) if load[1] > BUSY]
    if flagged:
        culprits: dict[str, float] = {}
        for _, _, top in flagged:
            for share, name in top:
                culprits[name] = culprits.get(name, 0) + share
        named = ", ".join(name.split(" -")[0] for name, _ in sorted(culprits.items(), key=lambda i: -i[1])[:3])
        lines.append(f"NOTE: {len(flagged)} run(s) shared the machine with other work (other CPU > {BUSY:.0%}, "
                     f"marked BUSY; mostly {named}): their figures and ratios are not reliable; "
                     "rerun on a quiet machine (--wait-quiet).")
    lines.append("Targets (not failures):")
    for text, mark in targets:
        lines.append(f"  [{mark:^6}] {text}")
    lines.append("")
    if run.failures:
        lines.append(f"CORRECTNESS: {len(run.failures)} check(s) FAILED:")
        lines += [f"  - {f}" for f in run.failures]
    else:
        lines.append("CORRECTNESS: ok (no answer lost or doubled, no error responses, two-server checks passed)")
    results["targets"] = [{"target": text, "result": mark} for text, mark in targets]
    return lines


def _all_loads(results: dict) -> list[tuple[str, float, list]]:  # type: ignore[type-arg]
    found = []
    for kind, out in results["databases"].items():
        for concurrency, a in out["answers"].items():
            found += [(f"{kind} c={concurrency} {who}", a[who]["other_cpu"], a[who]["other_top"])
                      for who in ("app", "reference")]
        found += [(f"{kind} {name}", r["other_cpu"], r["other_top"]) for name, r in out["reads"].items()]
    return found


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run: 500 players, 2 s pages, SQLite")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], help="default: both (sqlite with --quick)")
    parser.add_argument("--out", type=Path, help="the JSON results file (default bench/results/<timestamp>.json)")
    parser.add_argument("--workers", default=DEFAULT_WORKERS, help="gunicorn workers: sync:N or gthread:NxT")
    parser.add_argument("--limiter", choices=["redis", "memory"], default="redis",
                        help="the app's rate-limit storage in the single-server runs (production: redis)")
    parser.add_argument("--seconds", type=float, help="duration of each page run (default 8, 2 with --quick)")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--players", type=int, help="override the number of players (and answers per round)")
    parser.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                        help="before each database, wait up to this long for other processes to leave the CPUs idle")
    parser.add_argument("--seed", type=int, default=7, help="random seed for the data")
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator even if wrk is there")
    parser.add_argument("--no-two-servers", action="store_true", help="skip the two-server checks")
    parser.add_argument("--no-query-counts", action="store_true", help="skip the in-process query counts")
    parser.add_argument("--profile", action="store_true",
                        help="sample the app's workers with py-spy during the c=32 answer run (installs py-spy)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (server logs, request lists)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    kinds = {"sqlite": ["sqlite"], "postgres": ["postgres"], "both": ["sqlite", "postgres"]}[
        args.db or ("sqlite" if args.quick else "both")]
    run = Run(args)
    started = datetime.now(UTC)
    results: dict = {  # type: ignore[type-arg]
        "meta": {
            "started": started.strftime("%Y-%m-%dT%H:%M:%SZ"), "quick": args.quick, "load_tool": run.loader.tool,
            "workers": str(run.workers), "limiter": run.limiter, "cpus": _cpus(), "python": platform.python_version(),
            "size": vars(run.size), "page_seconds": run.read_seconds, "workdir": str(run.workdir),
            "commit": _commit(),
        },
        "databases": {},
    }
    # The two-server check runs once: on PostgreSQL when it is in the run, the one database otherwise.
    two_on = None if args.no_two_servers else ("postgres" if "postgres" in kinds else kinds[0])
    try:
        for kind in kinds:
            try:
                results["databases"][kind] = run.run_database(kind, with_two_servers=kind == two_on)
            except Exception as error:  # noqa: BLE001 - one database failing should not lose the other's figures
                run.fail(f"{kind}: the run stopped: {type(error).__name__}: {error}")
        if not args.no_query_counts:
            run.log("counting SQL queries per request in process")
            results["query_counts"] = checks.query_counts(run.rng)
    finally:
        run.cleanup()
    results["meta"]["seconds"] = round((datetime.now(UTC) - started).total_seconds(), 1)
    lines = report(results, run)
    results["failures"] = run.failures
    print("\n".join(lines))
    out = args.out or RESULTS / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nResults: {out}  ({results['meta']['seconds']} s)")
    return 1 if run.failures else 0


def _commit() -> str:
    """The app's commit, marked + when the work tree has changes: figures belong to a version."""
    import subprocess

    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "quizapp", "templates", "static"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (head or "unknown") + ("+" if dirty else "")


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    sys.exit(main())
