"""The SQLite storage for `limits`: fixed windows that every process opening the file shares."""
from __future__ import annotations

import multiprocessing
import tempfile
import threading
from pathlib import Path

import pytest
from limits import parse
from limits.errors import StorageError
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from quizapp import create_app
from quizapp import ratelimit_sqlite as module
from quizapp.extensions import limiter
from quizapp.ratelimit_sqlite import SQLiteStorage

HITS_PER_PROCESS = 150
PROCESSES = 4
STARTS = 40


def storage_at(path: Path, **options) -> SQLiteStorage:  # type: ignore[no-untyped-def]
    storage = storage_from_string(f"sqlite:///{path}", **options)
    assert isinstance(storage, SQLiteStorage)
    return storage


def test_counts_within_a_window_and_starts_again_after_it(tmp_path, monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(module.time, "time", lambda: now[0])
    storage = storage_at(tmp_path / "limits.sqlite")
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3
    assert storage.get_expiry("k") == 1_000_060.0
    now[0] += 59.9
    assert storage.incr("k", 60) == 4  # the window is fixed: a hit does not extend it
    now[0] += 0.1
    assert storage.get("k") == 0
    assert storage.incr("k", 60, amount=2) == 2
    assert storage.get_expiry("k") == 1_000_120.0


def test_keys_are_counted_apart_and_cleared_alone(tmp_path):
    storage = storage_at(tmp_path / "limits.sqlite")
    storage.incr("a", 60)
    storage.incr("b", 60)
    storage.clear("a")
    assert (storage.get("a"), storage.get("b")) == (0, 1)
    assert storage.reset() == 1
    assert storage.get("b") == 0
    assert storage.check()


def test_expired_windows_are_deleted(tmp_path, monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(module.time, "time", lambda: now[0])
    storage = storage_at(tmp_path / "limits.sqlite")
    storage.incr("old", 10)
    now[0] += module.PURGE_EVERY + 1
    storage.incr("new", 10)
    with storage._lock:
        keys = [row[0] for row in storage._connect().execute("SELECT key FROM counters")]
    assert keys == ["new"]


def _hit_many(uri: str) -> None:
    limiter = FixedWindowRateLimiter(storage_from_string(uri))
    item = parse(f"{10 * HITS_PER_PROCESS * PROCESSES} per hour")
    for _ in range(HITS_PER_PROCESS):
        limiter.hit(item, "login", "127.0.0.1")


def test_processes_hitting_at_once_lose_no_count(tmp_path):
    """What gunicorn's workers do: each process its own connection, one file, every hit counted once."""
    uri = f"sqlite:///{tmp_path / 'limits.sqlite'}"
    # Forked, as gunicorn forks its workers; each opens the file itself, after the fork.
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_hit_many, args=(uri,)) for _ in range(PROCESSES)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    item = parse(f"{10 * HITS_PER_PROCESS * PROCESSES} per hour")
    remaining = FixedWindowRateLimiter(storage_from_string(uri)).get_window_stats(item, "login", "127.0.0.1").remaining
    assert item.amount - remaining == HITS_PER_PROCESS * PROCESSES


def _first_hit(uri: str, start: threading.Barrier, errors: multiprocessing.Queue) -> None:
    storage = storage_from_string(uri)
    start.wait()
    try:
        storage.incr("k", 60)
    except Exception as error:  # noqa: BLE001 - reported to the parent
        errors.put(repr(error))


def test_workers_opening_a_new_file_at_the_same_moment_all_count():
    """gunicorn starts its workers together; one that found the file locked counted in its own memory.

    Switching a new file to WAL answers "database is locked" at once instead of waiting; before the
    storage took turns, about one start in seven lost a worker's count (and let an 11th login try by).
    """
    context = multiprocessing.get_context("fork")
    for attempt in range(STARTS):
        with tempfile.TemporaryDirectory() as folder:
            uri = f"sqlite:///{folder}/limits.sqlite"
            start, errors = context.Barrier(PROCESSES), context.Queue()
            processes = [context.Process(target=_first_hit, args=(uri, start, errors)) for _ in range(PROCESSES)]
            for process in processes:
                process.start()
            for process in processes:
                process.join(timeout=30)
            assert errors.empty(), (attempt, errors.get())
            assert storage_from_string(uri).get("k") == PROCESSES


def test_a_storage_that_cannot_open_its_file_raises_a_storage_error(tmp_path):
    (tmp_path / "a-directory").mkdir()
    storage = storage_at(tmp_path / "a-directory", wrap_exceptions=True)
    with pytest.raises(StorageError):
        storage.incr("k", 60)


@pytest.mark.parametrize("uri", ["sqlite://", "sqlite:///"])
def test_a_uri_without_a_path_is_refused(uri):
    with pytest.raises(ValueError):
        SQLiteStorage(uri)


def test_by_default_the_app_counts_in_a_sqlite_file_in_instance():
    """Memory storage counts per worker; the one-machine default must hold across workers."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["RATELIMIT_STORAGE_URI"] == f"sqlite:///{Path(app.instance_path) / 'ratelimit.sqlite'}"
    assert isinstance(limiter.storage, SQLiteStorage)
