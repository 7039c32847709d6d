"""One place that turns failures into messages people can act on, and an id in the log.

Bolt routes listener exceptions to `@app.error`, but only logs exceptions of lazy listeners, so
lazy listeners are wrapped with `user_safe`.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from slack_bolt import App
from slack_bolt.context.respond import Respond

from bot.errors import MentorBotError
from bot.handlers.context import HandlerServices
from bot.handlers.messages import plain
from bot.logging import safe_traceback

logger = logging.getLogger(__name__)

# Context key an ack sets when it accepted the work its lazy listener is to do (Bolt copies
# custom context keys into lazy listeners, and runs them whatever the ack answered).
ACCEPTED = "mentor_bot_accepted"

DATABASE_DOWN = (
    "mentor-bot can't reach its database right now, so nothing was saved. "
    "Please try again in a minute."
)


def register(app: App, services: HandlerServices) -> None:
    def on_error(error: Exception, body: dict[str, Any], respond: Respond) -> None:
        report(error, body, respond, services)

    app.error(on_error)


def report(
    error: BaseException, body: dict[str, Any], respond: Respond | None, services: HandlerServices
) -> None:
    if isinstance(error, MentorBotError):
        text = str(error)
    elif isinstance(error, sa.exc.OperationalError | sa.exc.InterfaceError):
        # The database is down or restarting: transactions rolled back, so nothing is half
        # written, and the pool's pre-ping reconnects on its own once it is back.
        logger.warning("database_unavailable", extra={"type": body.get("type")})
        text = DATABASE_DOWN
    else:
        reference = uuid.uuid4().hex[:8]
        # The traceback without the messages of data-carrying errors (a database error quotes
        # the statement's values), whichever log formatter is installed.
        logger.error(
            "handler_failed",
            extra={
                "error_id": reference,
                "type": body.get("type"),
                "user": _user_id(body),
                "error": safe_traceback(error),
            },
        )
        text = (
            f"Sorry, something went wrong on our side (reference `{reference}`). Please try again."
        )
    _tell(body, respond, services, text)


def user_safe(
    services: HandlerServices,
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Decorate a lazy listener so its failures reach the user instead of only the log."""

    def decorate(func: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(func)
        def wrapper(**kwargs: Any) -> None:
            try:
                func(**kwargs)
            except Exception as error:  # noqa: BLE001  (reported to user and log)
                report(error, kwargs.get("body") or {}, kwargs.get("respond"), services)

        return wrapper

    return decorate


def _tell(
    body: dict[str, Any], respond: Respond | None, services: HandlerServices, text: str
) -> None:
    try:
        if respond is not None and (body.get("response_url") or _has_response_urls(body)):
            respond(text=text, response_type="ephemeral", replace_original=False)
            return
        user = _user_id(body)
        if user:
            services.notifier.dm(user, plain(text))
    except Exception:
        logger.exception("error_report_failed")


def _has_response_urls(body: dict[str, Any]) -> bool:
    return bool(body.get("response_urls"))


def _user_id(body: dict[str, Any]) -> str | None:
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id") or "") or None
    return body.get("user_id") or (body.get("event") or {}).get("user")
