"""Per-process memory for results that cannot change until their key does: closed rounds' tallies, leaderboards.

The keys are built in quizapp.versions, beside what they depend on; nothing here knows what a key means.
"""
from __future__ import annotations

import dataclasses
import sys
import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from cachetools import LRUCache
from flask import Flask, current_app

T = TypeVar("T")
# Each store is bounded by the memory its values take (approximately, in bytes), not by how many there are:
# a 10,000-player leaderboard and a two-line tally must not count alike.
VALUES_BYTES = 32 * 2**20  # tallies and rankings: few, and costly to redo
FRAGMENTS_BYTES = 32 * 2**20  # rendered HTML has its own store, so many cheap pages don't push those out
ROUNDS_BYTES = 8 * 2**20  # the rounds being answered now: a handful at a time
IMAGES_BYTES = 16 * 2**20  # preview cards, some 50 KB each: a few hundred rounds' states and languages
_MISSING = object()


def approximate_size(value: Any, depth: int = 0) -> int:
    """Roughly the bytes a kept value holds, its contents included (how an LRU bounded by size weighs it)."""
    size = sys.getsizeof(value)
    if depth > 6 or isinstance(value, str | bytes | int | float | bool) or value is None:
        return size
    if isinstance(value, dict):
        return size + sum(approximate_size(k, depth + 1) + approximate_size(v, depth + 1) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return size + sum(approximate_size(item, depth + 1) for item in value)
    if dataclasses.is_dataclass(value):
        return size + sum(approximate_size(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value))
    return size


class LRU:
    """A thread-safe least-recently-used map bounded by the approximate size of what it holds (cachetools)."""

    def __init__(self, max_bytes: int) -> None:
        self._items: LRUCache[Hashable, Any] = LRUCache(maxsize=max_bytes, getsizeof=approximate_size)
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            return self._items.get(key)

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            try:
                self._items[key] = value
            except ValueError:
                pass  # larger than the whole store: not kept, and computed again next time

    def discard(self, key: Hashable) -> None:
        with self._lock:
            self._items.pop(key, None)

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            found = self._items.get(key, _MISSING)
        if found is not _MISSING:
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
    return _store("quizapp_cache", VALUES_BYTES).get_or_compute(key, compute)


def kept_rounds() -> LRU:
    """This app's memory of rounds being answered, by id (see quizapp.play.answering)."""
    return _store("quizapp_rounds", ROUNDS_BYTES)


def kept_images() -> LRU:
    """This app's memory of drawn preview cards, by quizapp.versions.card_key."""
    return _store("quizapp_images", IMAGES_BYTES)


def forget_everything(app: Flask) -> None:
    """Drop every kept value and fragment of the app (tests that start over on a new database)."""
    app.extensions.pop("quizapp_cache", None)
    app.extensions.pop("quizapp_fragments", None)
    app.extensions.pop("quizapp_rounds", None)
    app.extensions.pop("quizapp_images", None)


def kept_rendering(key: Hashable, render: Callable[[], T]) -> T:
    """Return the rendered HTML (or parts of it) kept under key, rendering it the first time.

    The keys come from quizapp.versions, which adds the viewer's language and zone to them.
    """
    return _store("quizapp_fragments", FRAGMENTS_BYTES).get_or_compute(key, render)
