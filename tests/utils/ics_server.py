"""Calendar feeds on 127.0.0.1: each path serves a body with a status, optionally slowly, and
every request is counted (what a mentor's secret iCal address points at, in tests)."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Feed:
    body: bytes = b""
    status: int = 200
    delay: float = 0.0  # seconds before answering (a slow feed)
    location: str | None = None  # a redirect's target


class IcsServer:
    def __init__(self) -> None:
        self.feeds: dict[str, Feed] = {}
        self.hits: Counter[str] = Counter()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True

    def start(self) -> IcsServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # cuts slow answers short
        self._server.shutdown()
        self._server.server_close()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self, path: str, body: str | bytes = b"", **how: Any) -> str:
        """Serve `body` at `path` (status, delay, location as in Feed); returns its URL."""
        data = body.encode() if isinstance(body, str) else body
        self.feeds[path] = Feed(data, **how)
        return self.url(path)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                return

            def do_GET(self) -> None:
                server.hits[self.path] += 1
                feed = server.feeds.get(self.path, Feed(b"not found", 404))
                if server._stopping.wait(feed.delay):
                    return
                self.send_response(feed.status)
                if feed.location:
                    self.send_header("Location", feed.location)
                self.send_header("Content-Type", "text/calendar; charset=utf-8")
                self.send_header("Content-Length", str(len(feed.body)))
                self.end_headers()
                try:
                    self.wfile.write(feed.body)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the bot gave up waiting (a slow feed)

        return Handler
