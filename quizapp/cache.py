"""Per-process memory for results that cannot change until their key does: closed rounds' tallies, leaderboards.

The keys are built in quizapp.versions, beside what they depend on; nothing here knows what a key means.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import Flask, current_app

T = TypeVar("T")
SIZE = 512
# Rendered HTML has its own, larger store: leaderboard rows are many and cheap to redo, and must not push
# out the tallies and rankings, which are few and costly.
FRAGMENTS = 2048
# Rounds being answered now: a handful at a time.
ROUNDS = 256
_MISSING = object()


class LRU:
    """A small thread-safe least-recently-used map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def discard(self, key: Hashable) -> None:
        with self._lock:
            self._items.pop(key, None)

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            found = self._items.get(key, _MISSING)
            if found is not _MISSING:
                self._items.move_to_end(key)
                return found  # type: ignore[no-any-return]
        # Computed outside the lock: two threads may both compute once, which is harmless.
        value = compute()
        self.put(key, value)
        return value


def _store(name: str, size: int) -> LRU:
    """The app's LRU of that name, made on first use (setdefault would build a new one on every call)."""
    store = current_app.extensions.get(name)
    if store is None:
        store = current_app.extensions.setdefault(name, LRU(size))
    return store  # type: ignore[no-any-return]


def cached(key: Hashable, compute: Callable[[], T]) -> T:
    """Return the value stored under key in this app's cache, computing it the first time.

    The key must change whenever the value would: callers build it from what the value depends on.
    """
    return _store("quizapp_cache", SIZE).get_or_compute(key, compute)


def kept_rounds() -> LRU:
    """This app's memory of rounds being answered, by id (see quizapp.play.answering)."""
    return _store("quizapp_rounds", ROUNDS)


def forget_everything(app: Flask) -> None:
    """Drop every kept value and fragment of the app (tests that start over on a new database)."""
    app.extensions.pop("quizapp_cache", None)
    app.extensions.pop("quizapp_fragments", None)
    app.extensions.pop("quizapp_rounds", None)


def kept_rendering(key: Hashable, render: Callable[[], T]) -> T:
    """Return the rendered HTML (or parts of it) kept under key, rendering it the first time.

    The keys come from quizapp.versions, which adds the viewer's language and zone to them.
    """
    return _store("quizapp_fragments", FRAGMENTS).get_or_compute(key, render)
