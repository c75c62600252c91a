"""Local HTTP servers on 127.0.0.1 that play Telegram's Bot API, Discord, Slack and a webhook receiver."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
    status: int | None = None  # what the receiver answered, once it has

    def json(self) -> dict:  # type: ignore[type-arg]
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next scripted (status, headers, body), then with `default` once the script runs out.

    `hold`, when set, is an Event each request waits on before answering (a receiver that keeps a delivery open).
    """

    script: list[tuple[int, dict[str, str], bytes]] = field(default_factory=list)
    default: tuple[int, dict[str, str], bytes] = (200, {}, b'{"ok": true}')
    hold: threading.Event | None = None
    received: list[Received] = field(default_factory=list)
    url: str = ""
    arrived: threading.Event = field(default_factory=threading.Event)

    def answer(self) -> tuple[int, dict[str, str], bytes]:
        return self.script.pop(0) if self.script else self.default


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            got = Received(self.path, dict(self.headers.items()), body)
            receiver.received.append(got)
            receiver.arrived.set()
            if receiver.hold is not None:
                receiver.hold.wait(30)
            status, headers, answer = receiver.answer()
            got.status = status
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # type: ignore[no-untyped-def]
        pass  # an answer to a client that is gone (a killed consumer) is expected here, not worth a traceback


@contextmanager
def serving(receiver: Receiver, port: int = 0) -> Iterator[Receiver]:
    """Run the receiver on 127.0.0.1 (a free port unless given) until the block ends."""
    server = _Server(("127.0.0.1", port), _handler(receiver))
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
