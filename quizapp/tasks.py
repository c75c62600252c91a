"""The task queue: Huey, on SQLite in instance/ by default, on Redis when TASKS_URL is a redis:// address.

The web app only puts tasks on the queue; the consumer (`huey_consumer quizapp.worker.huey`, which `make run`
starts beside gunicorn) runs them. Tests run tasks at once (immediate mode, TASKS_IMMEDIATE).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab

from quizapp.logs import log_event
from quizapp.models import Announcement, utcnow

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
SQLITE_SCHEME = "sqlite:///"


def make_huey(app: Flask) -> Huey:
    """The queue the settings describe: TASKS_URL redis://…, sqlite:///path, or unset for instance/tasks.sqlite."""
    name = app.config["TASKS_NAME"]
    url = app.config.get("TASKS_URL") or ""
    if app.config.get("TASKS_IMMEDIATE", app.testing and not url):
        return MemoryHuey(name, immediate=True)
    if url.startswith(REDIS_SCHEMES):
        return RedisHuey(name, url=url)
    if url.startswith(SQLITE_SCHEME):
        return SqliteHuey(name, filename=url[len(SQLITE_SCHEME):])
    if url:
        raise ValueError(f"TASKS_URL must be a redis:// or sqlite:/// address, not {url!r}")
    return SqliteHuey(name, filename=str(Path(app.instance_path) / "tasks.sqlite"))


def init_app(app: Flask) -> None:
    """Create the app's queue and its tasks."""
    huey = make_huey(app)
    app.extensions["huey"] = huey
    app.extensions["quizapp.tasks"] = _register(app, huey)


def _register(app: Flask, huey: Huey) -> dict[str, object]:
    from quizapp.announce import delivery

    @huey.task(name="announce.deliver")
    def deliver(announcement_id: int) -> None:
        with app.app_context():
            again = delivery.deliver(announcement_id, utcnow())
        if again is not None:
            deliver.schedule((announcement_id,), eta=again)

    # Each minute, and at once when a consumer starts: rows whose task was lost with a consumer, or never queued.
    @huey.periodic_task(crontab(), name="announce.sweep")
    def sweep() -> None:
        with app.app_context():
            due = delivery.due_soon(utcnow())
        for announcement_id, eta in due:
            deliver.schedule((announcement_id,), eta=eta)

    @huey.task(name="announce.test")
    def test_channel(channel_id: int) -> None:
        with app.app_context():
            delivery.test_channel(channel_id, utcnow())

    return {"deliver": deliver, "sweep": sweep, "test": test_channel}


def wake(rows: Iterable[Announcement]) -> None:
    """Queue a delivery of each row at its time (after the commit that wrote them).

    A queue that is down loses nothing: the rows wait in the outbox for the consumer's sweep.
    """
    deliver = current_app.extensions["quizapp.tasks"]["deliver"]
    pending: list[tuple[int, datetime]] = [(row.id, row.due_at) for row in rows]
    try:
        for announcement_id, due_at in pending:
            deliver.schedule((announcement_id,), eta=due_at)
    except Exception as error:  # noqa: BLE001 - any storage error; the sweep sends the rows later
        log_event("task_queue_down", logging.WARNING, error=repr(error))
