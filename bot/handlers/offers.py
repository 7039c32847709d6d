"""Accept / Decline / "Not now" on an offer, from the DM or the Home tab."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.handlers.blocks import offers as blocks
from bot.handlers.blocks.common import parse_id_value, plain
from bot.handlers.context import HandlerServices
from bot.handlers.errors import user_safe
from bot.handlers.home import publish_home
from bot.handlers.ids import Action
from bot.handlers.payload import ack_only, clicked_value, who
from bot.i18n import _
from bot.mentoring.ports import OfferClosure
from bot.mentoring.views import ClickOutcome, ClickResult

CLOSURE = {
    ClickResult.ACCEPTED: OfferClosure.ACCEPTED,
    ClickResult.DECLINED: OfferClosure.DECLINED,
    ClickResult.NOT_MY_TOPIC: OfferClosure.NOT_MY_TOPIC,
    ClickResult.PAUSED: OfferClosure.PAUSED,
}
Click = Callable[[int, str], ClickOutcome]


def register(app: App, services: HandlerServices) -> None:
    safe = user_safe(services)

    def handler(click: Click) -> Callable[..., None]:
        @safe
        def lazy(
            action: dict[str, Any],
            body: dict[str, Any],
            context: BoltContext,
            respond: Respond,
            client: WebClient,
        ) -> None:
            try:
                outcome = click(parse_id_value(clicked_value(action)), who(context))
            except ValueError:
                outcome = ClickOutcome(ClickResult.CLOSED)
            # From the DM the message itself is answered; from the Home tab, the tab is redrawn.
            in_message = (body.get("container") or {}).get("type") == "message"
            if in_message:
                respond(**reply(outcome))
            elif outcome.result not in CLOSURE:
                services.notifier.dm(who(context), plain(refusal(outcome)))
            if not in_message:
                publish_home(client, services, who(context))

        return lazy

    def reply(outcome: ClickOutcome) -> dict[str, Any]:
        if outcome.result in CLOSURE and outcome.offer is not None:
            closed = blocks.offer_closed(outcome.offer, CLOSURE[outcome.result])
            return {"replace_original": True, **closed.as_kwargs()}
        return {"response_type": "ephemeral", "replace_original": False, "text": refusal(outcome)}

    def refusal(outcome: ClickOutcome) -> str:
        if outcome.result is ClickResult.NOT_YOURS:
            return _(blocks.NOT_YOURS)
        return _(blocks.NO_LONGER_OPEN)

    mentoring = services.mentoring
    accept = handler(lambda offer, user: mentoring.accept(offer, clicker_slack_id=user))
    decline = handler(lambda offer, user: mentoring.decline(offer, clicker_slack_id=user))
    not_mine = handler(
        lambda offer, user: mentoring.decline(offer, clicker_slack_id=user, not_my_topic=True)
    )
    pause = handler(lambda offer, user: mentoring.decline(offer, clicker_slack_id=user, pause=True))
    app.action(Action.ACCEPT.value)(ack=ack_only, lazy=[accept])
    app.action(Action.DECLINE.value)(ack=ack_only, lazy=[decline])
    app.action(Action.NOT_MY_TOPIC.value)(ack=ack_only, lazy=[not_mine])
    app.action(Action.PAUSE.value)(ack=ack_only, lazy=[pause])

    @safe
    def resume(context: BoltContext, respond: Respond) -> None:
        resumed = mentoring.resume(who(context))
        respond(replace_original=True, text=blocks.resumed(was_paused=resumed))

    app.action(Action.RESUME_OFFERS.value)(ack=ack_only, lazy=[resume])
