"""How much of the machine other work used during a run: figures taken on a busy machine are not comparable."""
from __future__ import annotations

import os
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, int, str]]:
    """Every process's (parent id, CPU ticks used so far, command line)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        # The command name in parentheses may hold spaces: split after its closing parenthesis.
        fields = stat[stat.rindex(")") + 2:].split()
        ppid, utime, stime = int(fields[1]), int(fields[11]), int(fields[12])
        found[int(entry.name)] = (ppid, utime + stime, cmdline)
    return found


def _ours(processes: dict[int, tuple[int, int, str]], database: str) -> set[int]:
    """This process and its descendants (servers, wrk), the database serving the benchmark, Redis, the kernel."""
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in processes.items():
        children.setdefault(ppid, []).append(pid)
    ours, todo = set(), [os.getpid()]
    while todo:
        pid = todo.pop()
        ours.add(pid)
        todo += children.get(pid, [])
    for pid, (_, _, cmdline) in processes.items():
        serves_us = (
            cmdline.startswith(f"postgres: postgres {database} ")
            # PostgreSQL's own writers (WAL, checkpoints) work for whoever writes, mostly the benchmark.
            or (cmdline.startswith("postgres: ") and cmdline.split()[1].endswith(":"))
            or "redis-server" in cmdline
            # Kernel threads (no command line) carry loopback traffic and page cache work for everyone.
            or not cmdline
        )
        if serves_us:
            ours.add(pid)
    return ours


class Monitor:
    """Measure, over one run, the share of all CPUs used by processes that are not part of the benchmark."""

    def __init__(self, database: str = "bench") -> None:
        self.database = database
        self.cpus = len(os.sched_getaffinity(0))

    def __enter__(self) -> Monitor:
        self.started = time.monotonic()
        self.before = _processes()
        self.other = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        after = _processes()
        elapsed = time.monotonic() - self.started
        ours = _ours({**self.before, **after}, self.database)
        others = {pid: used - self.before.get(pid, (0, 0, ""))[1]
                  for pid, (_, used, _) in after.items() if pid not in ours}
        capacity = TICKS * max(elapsed * self.cpus, 1e-9)
        self.other = sum(others.values()) / capacity
        # The biggest other users, so a BUSY run says who it shared the machine with.
        self.top = [(round(ticks / capacity, 3), after[pid][2][:80] or f"pid {pid}")
                    for pid, ticks in sorted(others.items(), key=lambda item: -item[1])[:3] if ticks]
