"""One place that turns failures into messages people can act on, and an id in the log.

Bolt routes listener exceptions to `@app.error`, but only logs exceptions of lazy listeners, so
lazy listeners are wrapped with `user_safe`; listeners that open a modal are built by
`opens_modal`.
"""

from __future__ import annotations

import functools
import inspect
import logging
import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.models.views import View

from bot.errors import MentorBotError
from bot.handlers.blocks.common import plain
from bot.handlers.context import HandlerServices
from bot.handlers.middleware import acting_user
from bot.i18n import N_, _, activate
from bot.logging import safe_traceback

logger = logging.getLogger(__name__)

# Context key an ack sets when it accepted the work its lazy listener is to do (Bolt copies
# custom context keys into lazy listeners, and runs them whatever the ack answered).
ACCEPTED = "mentor_bot_accepted"

DATABASE_DOWN = N_(
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
        text = _(DATABASE_DOWN)
    else:
        reference = uuid.uuid4().hex[:8]
        # The traceback without the messages of data-carrying errors (a database error quotes
        # the statement's values), whichever log formatter is installed.
        logger.error(
            "handler_failed",
            extra={
                "error_id": reference,
                "type": body.get("type"),
                "user": acting_user(body),
                "error": safe_traceback(error),
            },
        )
        text = _(
            "Sorry, something went wrong on our side (reference `{reference}`). Please try again.",
            reference=reference,
        )
    _tell(body, respond, services, text)


def user_safe(
    services: HandlerServices,
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Decorate a lazy listener so its failures reach the user instead of only the log.

    Bolt passes a listener the arguments its signature names; the wrapper always asks for
    `body` and `respond` too (to know where to answer), and hands the listener only its own."""

    def decorate(func: Callable[..., None]) -> Callable[..., None]:
        signature = inspect.signature(func)
        own = set(signature.parameters)
        extra = [
            inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD)
            for name in ("body", "respond")
            if name not in own
        ]

        @functools.wraps(func)
        def wrapper(**kwargs: Any) -> None:
            # Off the ack's clock, the person's Slack language may be asked for (the ack
            # answered in the language known without asking).
            activate(services.language_of(acting_user(kwargs.get("body") or {})))
            try:
                func(**{name: value for name, value in kwargs.items() if name in own})
            except Exception as error:  # noqa: BLE001  (reported to user and log)
                report(error, kwargs.get("body") or {}, kwargs.get("respond"), services)

        # Bolt reads the names with getfullargspec(inspect.unwrap(listener)).args: the wrapper
        # must not unwrap to `func`, and must declare the extra names itself.
        del wrapper.__wrapped__
        wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*signature.parameters.values(), *extra]
        )
        return wrapper

    return decorate


ModalBuilder = Callable[[dict[str, Any], WebClient], View]


def opens_modal(services: HandlerServices, build: ModalBuilder) -> Callable[..., None]:
    """A listener that opens the modal `build` returns for the request's body. It acks and opens
    the modal inline, since a trigger_id lives 3 seconds (too short to queue behind lazy work);
    a value that is not ours (ValueError) opens nothing, and any failure reaches the user as a
    message with a reference, never as a 500."""

    def listener(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        try:
            view = build(body, client)
        except ValueError:
            return
        try:
            client.views_open(trigger_id=body["trigger_id"], view=view)
        except Exception as error:  # noqa: BLE001  (reported to the user, never a 500)
            report(error, body, None, services)

    return listener


def _tell(
    body: dict[str, Any], respond: Respond | None, services: HandlerServices, text: str
) -> None:
    try:
        if respond is not None and (body.get("response_url") or _has_response_urls(body)):
            respond(text=text, response_type="ephemeral", replace_original=False)
            return
        user = acting_user(body)
        if user:
            services.notifier.dm(user, plain(text))
    except Exception:
        logger.exception("error_report_failed")


def _has_response_urls(body: dict[str, Any]) -> bool:
    return bool(body.get("response_urls"))
