"""Rate limits on the POSTs worth abusing: fixed windows, counted in storage that workers can share.

Built on `limits`, the counting library under Flask-Limiter, used directly: why, with the figures, is in
docs/decisions/0001-rate-limiter-on-limits.md.

RATELIMIT_STORAGE_URI picks the storage: redis://… counts across workers and machines, sqlite:///… (the default,
in instance/) across the workers of one machine, memory:// per worker (for tests).
A worker that sees a key go over its limit refuses that key itself for the limit's window (the Retry-After
it sends), so a flood costs the storage nothing more.
"""
from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, wraps
from typing import Any, TypeVar

from flask import Flask, current_app, request
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from quizapp import ratelimit_sqlite  # noqa: F401 (registers the sqlite:// storage with limits)
from quizapp.logs import log_event

EXTENSION = "quizapp_rate_limits"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
View = TypeVar("View", bound=Callable[..., Any])


# After a failure the shared storage is left alone this long: a Redis that stopped answering would
# otherwise cost every limited request a timeout, and fill the log with one error per request.
RETRY_SHARED_AFTER = 30.0


# Keys this worker has seen over a limit, remembered so a flood is refused without asking the storage.
KNOWN_OVER = 10_000


@dataclass
class Counters:
    shared: FixedWindowRateLimiter  # in RATELIMIT_STORAGE_URI
    fallback: FixedWindowRateLimiter  # in this worker's memory, while the shared storage is unreachable
    shared_down_until: float = 0.0  # time.monotonic() before which the shared storage is not tried
    # (config key, key) -> (time.monotonic() until which it is refused here, the limit it went over)
    over: OrderedDict[tuple[str, str], tuple[float, RateLimitItem]] = field(default_factory=OrderedDict)
    over_lock: threading.Lock = field(default_factory=threading.Lock)


class RateLimited(TooManyRequests):
    """A limit was reached; Retry-After says when its window ends (at most the window's length)."""

    def __init__(self, item: RateLimitItem, wait: float | None = None) -> None:
        super().__init__()
        self.retry_after = max(1, math.ceil(wait)) if wait is not None else item.get_expiry()


@cache
def parse_limits(text: str) -> tuple[RateLimitItem, ...]:
    """Parse "10 per minute;50 per hour" once per process, not once per request."""
    return tuple(parse_many(text))


def client_address() -> str:
    """The client's address (behind a proxy, ProxyFix has already put the real one here)."""
    return request.remote_addr or "unknown"


class RateLimiter:
    """Count POSTs per key against limits read from app.config, so tests and operators can change them."""

    def __init__(self) -> None:
        # The storage of the app initialised last, for the shell and tests; requests use their own app's.
        self.storage: Storage | None = None

    def init_app(self, app: Flask) -> None:
        uri = app.config["RATELIMIT_STORAGE_URI"]
        # Short timeouts: a Redis that stopped answering must not hold a worker; it falls back below.
        options = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5} if uri.startswith(("redis", "valkey")) else {}
        # Wrapped, so an outage surfaces as one StorageError whatever the backend.
        self.storage = storage_from_string(uri, wrap_exceptions=True, **options)
        app.extensions[EXTENSION] = Counters(FixedWindowRateLimiter(self.storage), FixedWindowRateLimiter(MemoryStorage()))

    def limit(self, config_key: str, key_func: Callable[[], str] = client_address) -> Callable[[View], View]:
        """Limit a view's POSTs by the limit string in app.config[config_key], counted per key_func().

        A view that counts only some of its requests (the answer, whose first time is free) calls
        refuse_known_over and count itself instead.
        """

        def decorator(view: View) -> View:
            @wraps(view)
            def limited(*args: Any, **kwargs: Any) -> Any:
                if request.method not in SAFE_METHODS:
                    self.count(config_key, key_func())
                return view(*args, **kwargs)

            return limited  # type: ignore[return-value]

        return decorator

    def count(self, config_key: str, key: str) -> None:
        """Count one request against the limit (unless limits are off); raise RateLimited past it."""
        if current_app.config["RATELIMIT_ENABLED"]:
            self.hit(config_key, key)

    def refuse_known_over(self, config_key: str, key: str) -> None:
        """Raise RateLimited if this worker has seen the key over its limit within the limit's window."""
        if not current_app.config["RATELIMIT_ENABLED"]:
            return
        counters: Counters = current_app.extensions[EXTENSION]
        known = counters.over.get((config_key, key))
        if known is None:
            return
        wait = known[0] - time.monotonic()
        if wait > 0:
            raise RateLimited(known[1], wait)
        with counters.over_lock:
            counters.over.pop((config_key, key), None)

    def hit(self, config_key: str, key: str) -> None:
        """Count one request; raise RateLimited once any of the limits is used up."""
        counters: Counters = current_app.extensions[EXTENSION]
        self.refuse_known_over(config_key, key)
        for item in parse_limits(current_app.config[config_key]):
            allowed = None
            counter = counters.shared
            if time.monotonic() >= counters.shared_down_until:
                try:
                    allowed = counter.hit(item, config_key, key)
                except StorageError as error:
                    counters.shared_down_until = time.monotonic() + RETRY_SHARED_AFTER
                    log_event("rate_limit_storage_down", logging.ERROR, retry_in_s=int(RETRY_SHARED_AFTER),
                              error=f"{type(error.storage_error).__name__}: {error.storage_error}")
            if allowed is None:
                # The shared storage is down: count in this worker rather than refuse everyone or limit no one.
                counter = counters.fallback
                allowed = counter.hit(item, config_key, key)
            if not allowed:
                log_event("rate_limited", logging.WARNING, limit=str(item))
                wait = _until_window_ends(counter, item, config_key, key)
                # Until the window ends, this worker refuses the key without asking the storage again.
                with counters.over_lock:
                    counters.over[(config_key, key)] = (time.monotonic() + wait, item)
                    while len(counters.over) > KNOWN_OVER:
                        counters.over.popitem(last=False)
                raise RateLimited(item, wait)

    def refuse_if_over(self, config_key: str, key: str) -> None:
        """Raise RateLimited if the key has used up a limit, without counting this request.

        For limits that count only some outcomes (failed logins): the check comes first, the hit after.
        """
        counters: Counters = current_app.extensions[EXTENSION]
        self.refuse_known_over(config_key, key)
        for item in parse_limits(current_app.config[config_key]):
            counter = counters.shared if time.monotonic() >= counters.shared_down_until else counters.fallback
            try:
                allowed = counter.test(item, config_key, key)
            except StorageError:
                counter = counters.fallback  # hit() notes the outage and logs it, once
                allowed = counter.test(item, config_key, key)
            if not allowed:
                raise RateLimited(item, _until_window_ends(counter, item, config_key, key))

    def reset(self) -> None:
        """Forget every count of the current app (tests)."""
        counters: Counters = current_app.extensions[EXTENSION]
        counters.shared.storage.reset()
        counters.fallback.storage.reset()
        counters.over.clear()


def _until_window_ends(counter: FixedWindowRateLimiter, item: RateLimitItem, *identifiers: str) -> float:
    """Seconds until the key's current window ends; the window's length if the storage cannot say."""
    try:
        reset_at = counter.get_window_stats(item, *identifiers).reset_time
    except StorageError:
        return float(item.get_expiry())
    return min(max(reset_at - time.time(), 0.0), float(item.get_expiry()))
