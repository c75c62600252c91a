"""gunicorn processes for the app and the reference endpoint, started and stopped by the benchmark."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from bench.load import fetch

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
APP = "quizapp:create_app()"
REFERENCE = "bench.reference:create_app()"
# High enough that no limit is reached during the benchmark; the two-server check lowers the login one.
UNLIMITED = "1000000 per minute"


@dataclass(frozen=True)
class Workers:
    """A gunicorn worker setup: `sync:4` (4 processes) or `gthread:2x4` (2 processes of 4 threads)."""

    kind: str
    processes: int
    threads: int = 1

    @classmethod
    def parse(cls, spec: str) -> Workers:
        kind, _, count = spec.partition(":")
        if kind == "sync":
            return cls("sync", int(count))
        if kind == "gthread":
            processes, _, threads = count.partition("x")
            return cls("gthread", int(processes), int(threads))
        raise ValueError(f"unknown worker spec {spec!r}: use sync:N or gthread:NxT")

    def args(self) -> list[str]:
        if self.kind == "sync":
            return ["-w", str(self.processes)]
        return ["-w", str(self.processes), "-k", "gthread", "--threads", str(self.threads)]

    def __str__(self) -> str:
        return f"sync:{self.processes}" if self.kind == "sync" else f"gthread:{self.processes}x{self.threads}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def app_env(database_url: str, secret: str, limiter_storage: str, **limits: str) -> dict[str, str]:
    """The app's environment: the database, a fixed secret (sessions are signed offline), limits out of the way."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "QUIZAPP_SECRET_KEY": secret,
        "QUIZAPP_RATELIMIT_STORAGE_URI": limiter_storage,
    }
    for key in ("RATE_LIMIT_ANSWER", "RATE_LIMIT_LOGIN", "RATE_LIMIT_REGISTER", "RATE_LIMIT_JOIN"):
        env[f"QUIZAPP_{key}"] = limits.get(key, UNLIMITED)
    return env


def reference_env(database_url: str, secret: str) -> dict[str, str]:
    return {**os.environ, "BENCH_REF_DATABASE_URL": database_url, "BENCH_REF_SECRET_KEY": secret}


class Server:
    """One gunicorn master with its workers, on 127.0.0.1:port."""

    def __init__(self, name: str, target: str, workers: Workers, env: dict[str, str], log_dir: Path,
                 port: int | None = None) -> None:
        self.name = name
        self.target = target
        self.workers = workers
        self.env = env
        self.port = port or free_port()
        self.log = log_dir / f"{name}-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path: str = "/", timeout: float = 60) -> Server:
        """Start gunicorn and wait until every worker has booted and answers."""
        # BENCH_ACCESS_LOG=1 adds an access line per request (time, status, seconds) to the server's log.
        access = ["--access-logfile", "-", "--access-logformat", "%(t)s %(s)s %(L)s"] if os.environ.get(
            "BENCH_ACCESS_LOG") else []
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [str(GUNICORN), *self.workers.args(), "-b", f"127.0.0.1:{self.port}", "--log-level", "info",
                 *access, self.target],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start; see {self.log}:\n{self.log.read_text()[-3000:]}")
            if self.log.read_text(errors="replace").count("Booting worker") >= self.workers.processes:
                try:
                    fetch(self.url, "GET", ready_path)
                    return self
                except OSError:
                    pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not become ready in {timeout:.0f} s; see {self.log}")

    def worker_pids(self) -> list[int]:
        """The worker processes' ids (children of the master)."""
        if self.proc is None:
            return []
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        """Stop the master (it stops its workers) and wait; kill only this process group if it lingers."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
