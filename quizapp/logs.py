"""Structured log lines: `event key=value …` with UTC times, user text quoted so it cannot forge lines."""
from __future__ import annotations

import json
import logging
import time
from typing import Any

from flask import Flask, current_app, has_request_context, request


class UTCFormatter(logging.Formatter):
    converter = time.gmtime

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 (logging's name)
        return time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(record.created)) + f".{int(record.msecs):03d}Z"


# json.dumps keeps these as they are, yet str.splitlines, editors and log viewers end a line at each of them.
_LINE_ENDS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _value(value: Any) -> str:
    # json.dumps escapes newlines and control characters, so a nickname cannot start a fake log line.
    if isinstance(value, (int, float, bool)) or value is None:
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=False).translate(_LINE_ENDS)


def log_event(event: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one event with its fields, plus the client address and path when in a request."""
    if has_request_context():
        fields.setdefault("ip", request.remote_addr)
        fields.setdefault("path", request.path)
    line = " ".join([event, *(f"{key}={_value(value)}" for key, value in fields.items())])
    current_app.logger.log(level, line)


def init_app(app: Flask) -> None:
    """Send the app's log lines to stderr in the structured format."""
    handler = logging.StreamHandler()
    handler.setFormatter(UTCFormatter("%(asctime)s %(levelname)s %(message)s"))
    app.logger.handlers[:] = [handler]
    app.logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    # Tests read records through the root logger (caplog); servers keep one copy of each line.
    app.logger.propagate = bool(app.testing)
