"""Accept / Decline / "Not now" on an offer, from the DM or the Home tab."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.handlers import messages
from bot.handlers.context import HandlerServices
from bot.handlers.errors import user_safe
from bot.handlers.home import publish_home
from bot.handlers.ids import Action
from bot.mentoring.ports import OfferClosure
from bot.mentoring.service import ClickOutcome, ClickResult

CLOSURE = {
    ClickResult.ACCEPTED: OfferClosure.ACCEPTED,
    ClickResult.DECLINED: OfferClosure.DECLINED,
    ClickResult.PAUSED: OfferClosure.PAUSED,
}


def offer_id_of(body: dict[str, Any]) -> int | None:
    try:
        return int(body["actions"][0]["value"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def register(app: App, services: HandlerServices) -> None:
    safe = user_safe(services)

    def ack_only(ack: Ack) -> None:
        ack()

    def handler(click: Callable[[int, str], ClickOutcome]) -> Callable[..., None]:
        @safe
        def lazy(body: dict[str, Any], respond: Respond, client: WebClient) -> None:
            user = body["user"]["id"]
            offer_id = offer_id_of(body)
            outcome = (
                click(offer_id, user) if offer_id is not None else ClickOutcome(ClickResult.CLOSED)
            )
            render(body, respond, client, outcome, user)

        return lazy

    def render(
        body: dict[str, Any], respond: Respond, client: WebClient, outcome: ClickOutcome, user: str
    ) -> None:
        in_message = (body.get("container") or {}).get("type") == "message"
        if outcome.result in CLOSURE and outcome.offer is not None:
            if in_message:
                closed = messages.offer_closed(outcome.offer, CLOSURE[outcome.result])
                respond(replace_original=True, **closed.as_kwargs())
        else:
            text = (
                messages.NOT_YOURS
                if outcome.result is ClickResult.NOT_YOURS
                else (messages.NO_LONGER_OPEN)
            )
            if in_message:
                respond(response_type="ephemeral", replace_original=False, text=text)
            else:
                services.notifier.dm(user, messages.plain(text))
        if not in_message:
            publish_home(client, services, user)

    accept = handler(
        lambda offer_id, user: services.mentoring.accept(offer_id, clicker_slack_id=user)
    )
    decline = handler(
        lambda offer_id, user: services.mentoring.decline(offer_id, clicker_slack_id=user)
    )
    pause = handler(
        lambda offer_id, user: services.mentoring.decline(
            offer_id, clicker_slack_id=user, pause=True
        )
    )

    app.action(Action.ACCEPT.value)(ack=ack_only, lazy=[accept])
    app.action(Action.DECLINE.value)(ack=ack_only, lazy=[decline])
    app.action(Action.PAUSE.value)(ack=ack_only, lazy=[pause])
