"""`--profile`: sample the app's workers with py-spy during an answer run and say where the time goes."""
from __future__ import annotations

import collections
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY_SPY = ROOT / ".venv" / "bin" / "py-spy"


def ensure_py_spy(log) -> Path | None:  # type: ignore[no-untyped-def]
    """Install py-spy into the project's virtualenv when it is missing."""
    if PY_SPY.exists():
        return PY_SPY
    log("installing py-spy into .venv for --profile")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "py-spy"], check=False, timeout=300)
    return PY_SPY if PY_SPY.exists() else (Path(found) if (found := shutil.which("py-spy")) else None)


def start(py_spy: Path, master_pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes]:
    """Sample the gunicorn master and its workers for `seconds` into collapsed stacks."""
    return subprocess.Popen(
        [str(py_spy), "record", "--pid", str(master_pid), "--subprocesses", "--duration", str(max(1, round(seconds))),
         "--rate", "200", "--format", "raw", "--nonblocking", "-o", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def _short(frame: str) -> str:
    frame = re.sub(r" \(.*?/(site-packages|lib/python3\.\d+)/", " (", frame)
    frame = re.sub(r" \(/work/[^)]*?/quizapp/", " (quizapp/", frame)
    return re.sub(r":\d+\)$", ")", frame)


def summarize(raw: Path, top: int = 25) -> dict:  # type: ignore[type-arg]
    """Inclusive shares of the app's own functions and of the libraries at the top of the stacks."""
    inclusive: collections.Counter[str] = collections.Counter()
    leaves: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        if not line.strip():
            continue
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue  # a frame name with a line break in it: its stack is not worth guessing
        samples = int(count)
        # py-spy puts the process first; a sample that is nothing more is not Python work.
        frames = [_short(frame) for frame in stack.split(";") if not frame.startswith("process ")]
        if not frames:
            continue
        total += samples
        for frame in set(frames):
            if "quizapp/" in frame or "flask_login" in frame or "render_template" in frame:
                inclusive[frame] += samples
        leaf = frames[-1]
        match = re.search(r"\((\w+)[/.]", leaf)
        leaves[match.group(1) if match else leaf] += samples
    share = lambda n: round(100 * n / max(total, 1), 1)  # noqa: E731
    return {
        "samples": total,
        "app_functions_inclusive_percent": {name: share(n) for name, n in inclusive.most_common(top)},
        "leaf_library_percent": {name: share(n) for name, n in leaves.most_common(12)},
    }
