"""Serving the bot: HTTP mode under gunicorn (the production server), or Socket Mode."""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.config import Settings
from bot.container import BotRuntime, warming_up_in_background
from bot.web import WsgiApp, create_wsgi_app

logger = logging.getLogger(__name__)
# gunicorn's arbiter stops the server when a worker exits with this code ("failed to boot").
WORKER_BOOT_ERROR = 3


def http_app(runtime: BotRuntime, settings: Settings) -> WsgiApp:
    secret = settings.slack_signing_secret
    assert secret is not None, "HTTP mode needs SLACK_SIGNING_SECRET"
    token = settings.metrics_token
    return create_wsgi_app(
        runtime.app,
        secret.get_secret_value(),
        runtime.readiness,
        runtime.metrics,
        metrics_token=token.get_secret_value() if token else None,
        internal_port=settings.internal_port,
    )


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn run from code: one process (the index and scheduler live in it), many threads.

    The runtime is built in `load()`, i.e. inside the worker after the fork, because the
    scheduler's threads would not survive a fork. Scale out with more instances, not workers.
    """

    def __init__(self, build: Callable[[], WsgiApp], options: dict[str, Any]) -> None:
        self._build = build
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> WsgiApp:
        return self._build()


def serve_http(build_runtime: Callable[[], BotRuntime], settings: Settings, port: int) -> None:
    holder: list[BotRuntime] = []

    def build() -> WsgiApp:
        # Slack is answered while the model and index load (in a thread); questions asked
        # meanwhile are matched once they are loaded (GET /readyz: 503 until then).
        with warming_up_in_background(_failed_to_boot):
            runtime = build_runtime()
        holder.append(runtime)
        return http_app(runtime, settings)

    def worker_exit(_server: Any, _worker: Any) -> None:
        for runtime in holder:
            runtime.close()

    binds = [f"0.0.0.0:{port}"]
    if settings.internal_port is not None:
        # The same process answers both; requests are told apart by the port they came in on.
        binds.append(f"0.0.0.0:{settings.internal_port}")
    _Gunicorn(
        build,
        {
            "bind": binds,
            "workers": 1,
            "worker_class": "gthread",
            "threads": 16,
            # The worker serves while it loads the model and index; should it ever build them
            # before serving (a model of unknown size), allow for that.
            "timeout": 120,
            "graceful_timeout": 20,
            "accesslog": None,
            "worker_exit": worker_exit,
        },
    ).run()


def _failed_to_boot(error: BaseException) -> None:
    """The model or index could not be loaded: stop, as a failure inside build() would have
    (the error is already logged); a supervisor restarts the bot."""
    logger.critical("worker_failed_to_boot", extra={"error": type(error).__name__})
    logging.shutdown()
    os._exit(WORKER_BOOT_ERROR)


def serve_socket_mode(runtime: BotRuntime, settings: Settings) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    token = settings.slack_app_token
    assert token is not None, "Socket Mode needs SLACK_APP_TOKEN"
    handler = SocketModeHandler(runtime.app, token.get_secret_value())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    handler.connect()  # type: ignore[no-untyped-call]
    logger.info("socket_mode_connected")
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        handler.close()  # type: ignore[no-untyped-call]
        runtime.close()
