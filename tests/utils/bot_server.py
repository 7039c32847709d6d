"""The real bot (composition root, Bolt app, WSGI endpoint) on a real HTTP port, in a thread."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from typing import Any, Protocol
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from bot.config import Settings
from bot.container import BotRuntime, build_runtime
from bot.matching.embedder import Embedder
from bot.server import http_app
from tests.utils import slack_requests as sr
from tests.utils.slack_api import SlackStandIn

SIGNING_SECRET = "test-signing-secret"
# For bot processes started by tests and benchmarks: opens /readyz (their "is it up?" probe).
METRICS_TOKEN = "test-metrics-token"


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        return


@dataclass
class Response:
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class StartBot(Protocol):
    """The `start_bot` fixture: the real bot on a real port, with setting overrides."""

    def __call__(
        self, embedder: Embedder | None = None, database_url: str | None = None, **overrides: Any
    ) -> BotServer: ...


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class BotServer:
    """The bot on a real port; with INTERNAL_PORT set, also on that port (as gunicorn binds
    both), so /readyz and /metrics can be reached there."""

    def __init__(self, settings: Settings, embedder: Embedder | None, api: SlackStandIn) -> None:
        self.api = api
        self.settings = settings
        self.runtime: BotRuntime = build_runtime(settings, embedder=embedder)
        self.signer = sr.SlackSigner(SIGNING_SECRET)
        self.wsgi = http_app(self.runtime, settings)
        self._servers = [self._serve(self.wsgi, 0)]
        if settings.internal_port is not None:
            self._servers.append(self._serve(self.wsgi, settings.internal_port))

    @staticmethod
    def _serve(wsgi: Any, port: int) -> WSGIServer:
        server = make_server(
            "127.0.0.1", port, wsgi, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    @property
    def port(self) -> int:
        return int(self._servers[0].server_port)

    @property
    def metrics_auth(self) -> dict[str, str]:
        token = self.settings.metrics_token
        return {"Authorization": f"Bearer {token.get_secret_value()}"} if token else {}

    def close(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self.runtime.close()

    def wait_idle(self, timeout: float = 10) -> None:
        """Wait until the bot has finished all the work its acks queued."""
        assert self.runtime.lazy_work.wait_idle(timeout), "the bot's background work never ended"

    # -- raw HTTP ------------------------------------------------------------------------
    def internal(self, method: str, path: str, body: str = "") -> Response:
        assert self.settings.internal_port is not None
        return self.request(method, path, body, port=self.settings.internal_port)

    def request(
        self,
        method: str,
        path: str,
        body: str = "",
        headers: dict[str, str] | None = None,
        *,
        port: int | None = None,
    ) -> Response:
        connection = http.client.HTTPConnection("127.0.0.1", port or self.port, timeout=30)
        try:
            connection.request(method, path, body=body.encode(), headers=headers or {})
            response = connection.getresponse()
            return Response(response.status, response.read().decode())
        finally:
            connection.close()

    def post_signed(self, body: str, content_type: str, **signing: Any) -> Response:
        return self.request(
            "POST", "/slack/events", body, self.signer.headers(body, content_type, **signing)
        )

    # -- Slack-shaped requests -----------------------------------------------------------
    def command(self, text: str, user: str) -> Response:
        body = sr.slash_command(text, user, self.api.response_url(f"cmd-{user}"))
        return self.post_signed(body, "application/x-www-form-urlencoded")

    def click(self, action_id: str, value: str, user: str, container: str = "message") -> Response:
        body = sr.block_action(
            action_id, value, user, self.api.response_url(f"act-{user}"), container=container
        )
        return self.post_signed(body, "application/x-www-form-urlencoded")

    def submit(
        self,
        callback_id: str,
        values: Mapping[Any, Any],
        user: str,
        private_metadata: str = "",
    ) -> Response:
        body = sr.view_submission(callback_id, values, user, private_metadata)
        return self.post_signed(body, "application/x-www-form-urlencoded")

    def home_opened(self, user: str) -> Response:
        return self.post_signed(sr.app_home_opened(user), "application/json")


def offer_id_in(call_text: str) -> str:
    """The offer id carried by the Accept button of an offer message."""
    blocks_json = call_text[: call_text.rindex("]") + 1]
    for block in json.loads(blocks_json):
        for element in block.get("elements", []):
            if element.get("action_id") == "offer_accept":
                return str(element["value"])
    raise AssertionError(f"no Accept button in {call_text[:500]}")
