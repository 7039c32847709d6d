"""The Bolt app: a Slack client with retries, request verification, and every listener."""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from http.client import RemoteDisconnected
from typing import Any, TypeVar
from urllib.error import URLError

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings
from bot.errors import MentorBotError
from bot.handlers import HandlerServices, register_handlers
from bot.metrics import InstrumentedWebClient, Metrics

# Threads for lazy listeners. Few on purpose: each one competes with the request threads for
# the GIL, and acks must stay fast (burst of 50: ack p99 170 ms with 64 threads, 53-66 ms
# with 4); queued work waits in the executor instead, costing nothing.
LISTENER_THREADS = 4
T = TypeVar("T")


class LazyWork(ThreadPoolExecutor):
    """The executor of lazy listeners, counting the work queued or running: the backlog behind
    the acks (a /metrics gauge), and what tests wait for before asserting that nothing more
    happened.

    `opened`: work waits for it before it runs (the bot acknowledges Slack while its model and
    index are still loading; what was asked meanwhile is handled once they are)."""

    def __init__(self, opened: threading.Event | None = None) -> None:
        super().__init__(max_workers=LISTENER_THREADS, thread_name_prefix="bolt-lazy")
        self._pending = 0
        self._changed = threading.Condition()
        self._opened = opened

    @property
    def pending(self) -> int:
        return self._pending

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        with self._changed:
            self._pending += 1
        # Lazy work runs in the context it was queued from: the acting user's language (set by
        # a middleware around the ack) carries over to the listener's replies.
        context = contextvars.copy_context()

        def run() -> T:
            try:
                if self._opened is not None:
                    self._opened.wait()
                return fn(*args, **kwargs)
            finally:
                with self._changed:
                    self._pending -= 1
                    self._changed.notify_all()

        return super().submit(context.run, run)

    def wait_idle(self, timeout: float) -> bool:
        """True once nothing is queued or running (False if that took longer than `timeout`)."""
        with self._changed:
            return self._changed.wait_for(lambda: self._pending == 0, timeout)


class SlackNotConfiguredError(MentorBotError):
    pass


SETUP_HELP = (
    "Create the Slack app from manifest.yml (api.slack.com/apps → Create New App → From an app "
    "manifest), install it to your workspace, then put its tokens in .env (see .env.example): "
    "SLACK_BOT_TOKEN (xoxb-…), and SLACK_APP_TOKEN (xapp-…, Socket Mode) or "
    "SLACK_SIGNING_SECRET (HTTP mode)."
)


def build_slack_client(settings: Settings, metrics: Metrics | None = None) -> WebClient:
    if settings.slack_bot_token is None:
        raise SlackNotConfiguredError("SLACK_BOT_TOKEN is not set. " + SETUP_HELP)
    if metrics is not None:
        return InstrumentedWebClient(metrics=metrics, **_client_options(settings))
    return WebClient(**_client_options(settings))


def _client_options(settings: Settings) -> dict[str, Any]:
    assert settings.slack_bot_token is not None
    return dict(  # noqa: C408  (keyword names are WebClient's)
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url,
        timeout=settings.slack_timeout_seconds,
        # slack_sdk's own handlers: Retry-After on 429, backoff on 5xx, dropped connections and
        # timeouts. A retried timeout can post twice if Slack did get the first call; a lost
        # offer or reminder is the worse failure.
        retry_handlers=[
            ConnectionErrorRetryHandler(
                max_retry_count=2,
                error_types=[URLError, ConnectionResetError, RemoteDisconnected, TimeoutError],
            ),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def _framework_logger() -> logging.Logger:
    """Bolt's logger, never below INFO: at DEBUG Bolt logs every request and response body,
    i.e. mentees' questions. Bolt copies this level into each logger it makes."""
    framework = logging.getLogger("slack_bolt.App")
    framework.setLevel(max(logging.INFO, logging.getLogger().getEffectiveLevel()))
    return framework


def create_app(
    settings: Settings,
    services: HandlerServices,
    client: WebClient,
    lazy_work: LazyWork | None = None,
) -> App:
    if settings.slack_signing_secret is None and settings.slack_app_token is None:
        raise SlackNotConfiguredError(
            "Neither SLACK_SIGNING_SECRET nor SLACK_APP_TOKEN is set. " + SETUP_HELP
        )
    app = App(
        client=client,
        # Socket Mode requests are not signed; HTTP requests always are, and Bolt rejects any
        # request whose signature or 5-minute timestamp window does not check out.
        signing_secret=(
            settings.slack_signing_secret.get_secret_value()
            if settings.slack_signing_secret
            else "socket-mode-only"
        ),
        token_verification_enabled=False,
        # Every listener is an ack function (tiny, run inline in the request thread) plus lazy
        # functions (run on the executor below). Bolt's other mode runs acks on that executor
        # too and polls for them every 10 ms: ack p99 1.6 s under a 50-request burst, vs
        # well under 100 ms this way (README, bench/slack_latency.py).
        process_before_response=True,
        listener_executor=lazy_work or LazyWork(),
        logger=_framework_logger(),
    )
    register_handlers(app, services)
    return app
