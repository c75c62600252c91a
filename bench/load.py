"""Load generation on loopback: wrk with a Lua script, or a small Python fallback when wrk is missing."""
from __future__ import annotations

import http.client
import json
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench.cpu import Monitor

HERE = Path(__file__).resolve().parent
ANSWER_LUA = HERE / "answer.lua"
GET_LUA = HERE / "get.lua"
USER_AGENT = "two-truths-bench"
# Latencies above wrk's --timeout are dropped from its histogram, so keep it far above any real latency.
WRK_TIMEOUT = "60s"


@dataclass
class LoadResult:
    """What one load run measured. Times are in seconds."""

    tool: str
    concurrency: int
    requests: int
    seconds: float
    rps: float
    p50: float
    p95: float
    p99: float
    max: float
    ok: int = 0
    bad: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    socket_errors: int = 0
    confirmed: int = 0
    complete: bool = True
    bytes: int = 0
    # Share of all CPUs used by other processes during the run: above ~10 % the figures are not comparable.
    other_cpu: float = 0.0
    other_top: list = field(default_factory=list)  # type: ignore[type-arg]

    def as_dict(self) -> dict:  # type: ignore[type-arg]
        return asdict(self)

    @classmethod
    def combined(cls, slices: list[LoadResult]) -> LoadResult:
        """One measurement taken in slices, in turns with another: counts and times add up.

        Each latency percentile is the highest of the slices' own, an upper bound of the whole run's: no more
        than 1 % of each slice, and so of all of them, took longer than the highest p99.
        """
        seconds = sum(s.seconds for s in slices)
        requests = sum(s.requests for s in slices)
        statuses: dict[str, int] = {}
        for s in slices:
            for code, n in s.statuses.items():
                statuses[code] = statuses.get(code, 0) + n
        busiest = max(slices, key=lambda s: s.other_cpu)
        return cls(
            tool=slices[0].tool, concurrency=slices[0].concurrency, requests=requests, seconds=seconds,
            rps=requests / max(seconds, 1e-9), p50=max(s.p50 for s in slices), p95=max(s.p95 for s in slices),
            p99=max(s.p99 for s in slices), max=max(s.max for s in slices), ok=sum(s.ok for s in slices),
            bad=sum(s.bad for s in slices), statuses=statuses, socket_errors=sum(s.socket_errors for s in slices),
            confirmed=sum(s.confirmed for s in slices), complete=all(s.complete for s in slices),
            bytes=sum(s.bytes for s in slices),
            other_cpu=sum(s.other_cpu * s.seconds for s in slices) / max(seconds, 1e-9), other_top=busiest.other_top,
        )


def ensure_wrk(log=print) -> str | None:  # type: ignore[no-untyped-def]
    """Return the wrk executable, installing Debian's package first when it is missing and we are root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        log("wrk is missing and we are not root: using the Python load generator (run `apt-get install wrk`).")
        return None
    log("wrk is missing: installing Debian's wrk package")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run(["apt-get", "-o", "DPkg::Lock::Timeout=120", "update", "-qq"], env=env, timeout=300,
                       check=False, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "-o", "DPkg::Lock::Timeout=120", "install", "-y", "-qq", "wrk"], env=env,
                       timeout=300, check=False, stdout=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as error:
        log(f"could not install wrk ({error}): using the Python load generator")
    found = shutil.which("wrk")
    if not found:
        log("wrk could not be installed: using the Python load generator")
    return found


def _summary(stdout: str) -> dict:  # type: ignore[type-arg]
    for line in stdout.splitlines():
        if line.startswith("BENCH-SUMMARY "):
            return json.loads(line[len("BENCH-SUMMARY "):])
    raise RuntimeError(f"wrk printed no summary:\n{stdout}")


def _read_json(path: Path) -> dict | None:  # type: ignore[type-arg]
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None


def wrk_answers(wrk: str, base_url: str, path: str, lines: Path, concurrency: int, deadline: float,
                workdir: Path) -> LoadResult:
    """Send every line of the list once, at the given concurrency, and wait for every response (or the deadline)."""
    done_file = workdir / f"done-{os.getpid()}-{time.monotonic_ns()}.json"
    limit = int(deadline) + 5
    cmd = [wrk, "-t1", f"-c{concurrency}", f"-d{limit}s", "--timeout", WRK_TIMEOUT, "-s", str(ANSWER_LUA),
           base_url, "--", str(lines), path, str(done_file)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    stop_at = time.monotonic() + deadline
    done = None
    while time.monotonic() < stop_at and proc.poll() is None:
        done = _read_json(done_file)
        if done is not None:
            break
        time.sleep(0.05)
    if proc.poll() is None:
        # wrk sleeps for its whole duration; an interrupt makes it stop and print the summary now.
        proc.send_signal(signal.SIGINT)
    stdout, _ = proc.communicate(timeout=60)
    done = done or _read_json(done_file)
    done_file.unlink(missing_ok=True)
    summary = _summary(stdout)
    if done is None:
        # The deadline passed: count what wrk saw, and mark the run incomplete.
        seconds = summary["duration_us"] / 1e6
        return LoadResult("wrk", concurrency, summary["requests"], seconds, summary["requests"] / seconds,
                          summary["p50_us"] / 1e6, summary["p95_us"] / 1e6, summary["p99_us"] / 1e6,
                          summary["max_us"] / 1e6, bad=summary["status_errors"],
                          socket_errors=_socket_errors(summary), complete=False, bytes=summary["bytes"])
    seconds = max(done["last_received"] - done["first_sent"], 1e-9)
    return LoadResult(
        tool="wrk", concurrency=concurrency, requests=done["received"], seconds=seconds,
        rps=done["received"] / seconds, p50=summary["p50_us"] / 1e6, p95=summary["p95_us"] / 1e6,
        p99=summary["p99_us"] / 1e6, max=summary["max_us"] / 1e6, ok=done["ok"], bad=done["bad"],
        statuses={str(k): v for k, v in done["statuses"].items()}, socket_errors=_socket_errors(summary),
        confirmed=done["confirmed"], complete=done["received"] == done["sent"], bytes=summary["bytes"],
    )


def wrk_get(wrk: str, url: str, concurrency: int, seconds: float, cookie: str | None = None) -> LoadResult:
    """GET one URL for a fixed time."""
    cmd = [wrk, "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--timeout", WRK_TIMEOUT,
           "-s", str(GET_LUA), "-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 90, check=True).stdout
    summary = _summary(out)
    duration = summary["duration_us"] / 1e6
    return LoadResult(
        tool="wrk", concurrency=concurrency, requests=summary["requests"], seconds=duration,
        rps=summary["requests"] / duration, p50=summary["p50_us"] / 1e6, p95=summary["p95_us"] / 1e6,
        p99=summary["p99_us"] / 1e6, max=summary["max_us"] / 1e6,
        ok=summary["requests"] - summary["status_errors"], bad=summary["status_errors"],
        socket_errors=_socket_errors(summary), bytes=summary["bytes"],
    )


def _socket_errors(summary: dict) -> int:  # type: ignore[type-arg]
    return summary["connect_errors"] + summary["read_errors"] + summary["write_errors"] + summary["timeouts"]


# --- The fallback: threads with http.client. Heavier on the CPU than wrk, so its figures are lower. ---


def _percentile(sorted_values: list[float], pct: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(pct / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def _connection(base_url: str) -> http.client.HTTPConnection:
    parts = urlsplit(base_url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)


def _send(conn_box: list, base_url: str, method: str, path: str, body: str | None,  # type: ignore[type-arg]
          headers: dict[str, str]) -> tuple[int, bytes]:
    for attempt in (1, 2):
        if conn_box[0] is None:
            conn_box[0] = _connection(base_url)
        conn = conn_box[0]
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            if response.will_close:
                conn.close()
                conn_box[0] = None
            return response.status, data
        except (ConnectionError, http.client.HTTPException):
            conn.close()
            conn_box[0] = None
            # Only a connection the server had already closed is retried, and only for GETs: a POST might have landed.
            if attempt == 2 or method != "GET":
                raise
    raise AssertionError("unreachable")


def _result(tool: str, concurrency: int, latencies: list[float], seconds: float, statuses: dict[str, int],
            errors: int, confirmed: int, complete: bool, size: int = 0) -> LoadResult:
    latencies.sort()
    ok = sum(n for code, n in statuses.items() if 200 <= int(code) < 400)
    bad = sum(statuses.values()) - ok
    return LoadResult(tool, concurrency, len(latencies), seconds, len(latencies) / max(seconds, 1e-9),
                      _percentile(latencies, 50), _percentile(latencies, 95), _percentile(latencies, 99),
                      latencies[-1] if latencies else 0.0, ok=ok, bad=bad, statuses=statuses,
                      socket_errors=errors, confirmed=confirmed, complete=complete, bytes=size)


def python_answers(base_url: str, path: str, lines: Path, concurrency: int, deadline: float,
                   workdir: Path) -> LoadResult:
    """The fallback for wrk_answers: `concurrency` threads share the list, each line sent once."""
    work: queue.Queue[tuple[str, str]] = queue.Queue()
    for line in lines.read_text().splitlines():
        cookie, body = line.split("\t", 1)
        work.put((cookie, body))
    total = work.qsize()
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    counters = {"errors": 0, "confirmed": 0, "bytes": 0}
    stop_at = time.monotonic() + deadline

    def worker() -> None:
        box: list = [None]  # type: ignore[type-arg]
        while time.monotonic() < stop_at:
            try:
                cookie, body = work.get_nowait()
            except queue.Empty:
                return
            headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true",
                       "HX-Request-Type": "partial", "User-Agent": USER_AGENT}
            started = time.monotonic()
            try:
                status, data = _send(box, base_url, "POST", path, body, headers)
            except (OSError, http.client.HTTPException):
                with lock:
                    counters["errors"] += 1
                continue
            elapsed = time.monotonic() - started
            with lock:
                latencies.append(elapsed)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
                counters["confirmed"] += b"You answered" in data
                counters["bytes"] += len(data)

    started = time.monotonic()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, stop_at - time.monotonic()) + 60)
    seconds = time.monotonic() - started
    return _result("python", concurrency, latencies, seconds, statuses, counters["errors"], counters["confirmed"],
                   complete=len(latencies) == total, size=counters["bytes"])


def python_get(url: str, concurrency: int, seconds: float, cookie: str | None = None) -> LoadResult:
    """The fallback for wrk_get."""
    parts = urlsplit(url)
    base_url = f"{parts.scheme}://{parts.netloc}"
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"User-Agent": USER_AGENT, **({"Cookie": cookie} if cookie else {})}
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors = [0]
    size = [0]
    stop_at = time.monotonic() + seconds

    def worker() -> None:
        box: list = [None]  # type: ignore[type-arg]
        while time.monotonic() < stop_at:
            started = time.monotonic()
            try:
                status, data = _send(box, base_url, "GET", path, None, headers)
            except (OSError, http.client.HTTPException):
                with lock:
                    errors[0] += 1
                continue
            with lock:
                latencies.append(time.monotonic() - started)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
                size[0] += len(data)

    started = time.monotonic()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    return _result("python", concurrency, latencies, time.monotonic() - started, statuses, errors[0], 0, True,
                   size=size[0])


class Loader:
    """Pick wrk when it is there, the Python fallback otherwise."""

    def __init__(self, wrk: str | None, workdir: Path) -> None:
        self.wrk = wrk
        self.workdir = workdir

    @property
    def tool(self) -> str:
        return "wrk" if self.wrk else "python"

    def answers(self, base_url: str, path: str, lines: Path, concurrency: int, deadline: float) -> LoadResult:
        with Monitor() as monitor:
            if self.wrk:
                result = wrk_answers(self.wrk, base_url, path, lines, concurrency, deadline, self.workdir)
            else:
                result = python_answers(base_url, path, lines, concurrency, deadline, self.workdir)
        result.other_cpu, result.other_top = monitor.other, monitor.top
        return result

    def get(self, url: str, concurrency: int, seconds: float, cookie: str | None = None) -> LoadResult:
        with Monitor() as monitor:
            if self.wrk:
                result = wrk_get(self.wrk, url, concurrency, seconds, cookie)
            else:
                result = python_get(url, concurrency, seconds, cookie)
        result.other_cpu, result.other_top = monitor.other, monitor.top
        return result


def fetch(base_url: str, method: str, path: str, body: str | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection: status, headers (lower-cased names; Set-Cookie joined), body."""
    conn = _connection(base_url)
    try:
        conn.request(method, path, body=body, headers={"User-Agent": USER_AGENT, **(headers or {})})
        response = conn.getresponse()
        data = response.read()
        names: dict[str, str] = {}
        for name, value in response.getheaders():
            key = name.lower()
            names[key] = f"{names[key]}\n{value}" if key in names else value
        return response.status, names, data
    finally:
        conn.close()


def drain(base_url: str, parallel: int, path: str = "/static/favicon.svg", timeout: float = 120) -> float:
    """Wait until the server has worked off what a timed run left queued; return the seconds it took.

    When wrk stops after its duration, the requests still queued at the server are processed anyway:
    without this, they would slow the start of the next run. One cheap request per worker process,
    all at once, comes back only when the queue ahead of them is done.
    """
    started = time.monotonic()
    errors: list[BaseException] = []

    def probe() -> None:
        try:
            conn = _connection(base_url)
            conn.timeout = timeout
            try:
                conn.request("GET", path, headers={"User-Agent": USER_AGENT})
                conn.getresponse().read()
            finally:
                conn.close()
        except (OSError, http.client.HTTPException) as error:
            errors.append(error)

    threads = [threading.Thread(target=probe, daemon=True) for _ in range(parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return time.monotonic() - started

