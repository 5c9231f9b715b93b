"""The HTTP plumbing every fake platform shares: a local server, JSON answers, held requests.

A platform subclasses ``FakeServer`` and checks each request in ``respond``; the server here
only reads the body, waits while ``hold`` is set and writes the answer as JSON.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


@dataclass
class FakeServer:
    """A local HTTP server whose every POST ``respond`` checks and answers."""

    hold: threading.Event | None = None
    """While set, each request is published, then the answer waits until it is cleared."""
    held: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def respond(
        self, target: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, str], Any]:
        """Check and publish one request; returns the status, extra headers and JSON answer."""
        raise NotImplementedError

    def start(self) -> Self:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, extra, answer = fake.respond(self.path, headers, raw)
                if fake.hold is not None and fake.hold.is_set():
                    fake.held.set()
                    while fake.hold.is_set():
                        fake.hold.wait(0.05)
                payload = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    for name, value in {"content-type": "application/json", **extra}.items():
                        self.send_header(name, value)
                    self.send_header("content-length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the caller died while we held its answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        assert self.server is not None
        if self.hold is not None:
            self.hold.clear()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
