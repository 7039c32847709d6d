"""After a session: next steps, the mentor's suggestions and takeaways, progress, follow-ups.
Parse → NextStepsService → render."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.handlers.blocks import next_steps as blocks
from bot.handlers.blocks.common import parse_id_value, plain
from bot.handlers.context import HandlerServices
from bot.handlers.errors import ACCEPTED, opens_modal, user_safe
from bot.handlers.ids import Action, Callback, Field
from bot.handlers.payload import ack_only, body_value, clicked_value, metadata, who
from bot.mentoring.next_steps import MAX_ACTION_CHARS, MAX_ACTIONS
from bot.storage.actions import NewAction
from bot.storage.models import ActionStatus


def form_values(view: dict[str, Any]) -> dict[str, Any]:
    """Every input of a form by block id: its element's state (checkboxes keep their list)."""
    state = view.get("state") if isinstance(view, dict) else None
    blocks_by_id = state.get("values") if isinstance(state, dict) else None
    found: dict[str, Any] = {}
    for block_id, actions in blocks_by_id.items() if isinstance(blocks_by_id, dict) else ():
        for element in actions.values() if isinstance(actions, dict) else ():
            if isinstance(element, dict):  # not Slack's shape: the field reads as empty
                found[block_id] = element
    return found


def parse_actions(view: dict[str, Any]) -> tuple[list[NewAction], bool] | dict[str, str]:
    """The next steps of the form and whether they are shared, or field -> problem."""
    values = form_values(view)
    items: list[NewAction] = []
    problems: dict[str, str] = {}
    for n in range(1, MAX_ACTIONS + 1):
        text = str((values.get(f"{Field.ACTION_TEXT.value}_{n}") or {}).get("value") or "").strip()
        picked = (values.get(f"{Field.ACTION_DUE.value}_{n}") or {}).get("selected_date")
        try:
            due = date.fromisoformat(picked) if picked else None
        except (TypeError, ValueError):
            problems[f"{Field.ACTION_DUE.value}_{n}"] = blocks.saved_reply_invalid_date()
            continue
        if text:
            items.append(NewAction(text[:MAX_ACTION_CHARS], due))
    if not items:
        problems[f"{Field.ACTION_TEXT.value}_1"] = blocks.saved_reply_empty()
    shared = bool((values.get(Field.ACTIONS_SHARED.value) or {}).get("selected_options"))
    return problems or (items, shared)


def register(app: App, services: HandlerServices) -> None:
    safe = user_safe(services)
    steps = services.next_steps

    def tell(respond: Respond, text: str) -> None:
        respond(response_type="ephemeral", replace_original=False, text=text)

    def steps_form(body: dict[str, Any], _client: WebClient) -> Any:
        session_id = parse_id_value(body_value(body))
        user = str((body.get("user") or {}).get("id", ""))
        return blocks.next_steps_modal(session_id, steps.draft(session_id, user))

    app.action(Action.WRITE_NEXT_STEPS.value)(opens_modal(services, steps_form))
    app.action(Action.SUGGEST_NEXT_STEPS.value)(
        opens_modal(
            services, lambda body, _c: blocks.suggest_modal(parse_id_value(body_value(body)))
        )
    )
    app.action(Action.SEND_TAKEAWAYS.value)(
        opens_modal(
            services, lambda body, _c: blocks.takeaways_modal(parse_id_value(body_value(body)))
        )
    )

    def check_steps(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        parsed = parse_actions(view)
        if isinstance(parsed, dict):
            ack(response_action="errors", errors=parsed)
            return
        context[ACCEPTED] = True
        ack()

    @safe
    def save_steps(view: dict[str, Any], context: BoltContext) -> None:
        parsed = parse_actions(view)
        if not context.get(ACCEPTED) or isinstance(parsed, dict):
            return
        items, shared = parsed
        user = who(context)
        result = steps.save_actions(parse_id_value(metadata(view)), user, items, shared=shared)
        services.notifier.dm(user, plain(blocks.saved_reply(result)))

    app.view(Callback.NEXT_STEPS.value)(ack=check_steps, lazy=[save_steps])

    @safe
    def send_suggestions(view: dict[str, Any], context: BoltContext) -> None:
        values = form_values(view)
        texts = [
            str((values.get(f"{Field.ACTION_TEXT.value}_{n}") or {}).get("value") or "")
            for n in range(1, MAX_ACTIONS + 1)
        ]
        user = who(context)
        result = steps.suggest(parse_id_value(metadata(view)), user, texts)
        services.notifier.dm(user, plain(blocks.mentor_reply(result)))

    @safe
    def send_takeaways(view: dict[str, Any], context: BoltContext) -> None:
        text = str((form_values(view).get(Field.TAKEAWAYS.value) or {}).get("value") or "")
        user = who(context)
        result = steps.send_takeaways(parse_id_value(metadata(view)), user, text)
        services.notifier.dm(user, plain(blocks.mentor_reply(result)))

    app.view(Callback.SUGGEST_STEPS.value)(ack=ack_only, lazy=[send_suggestions])
    app.view(Callback.TAKEAWAYS.value)(ack=ack_only, lazy=[send_takeaways])

    @safe
    def accept(action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        result = steps.accept_suggestions(parse_id_value(clicked_value(action)), who(context))
        tell(respond, blocks.saved_reply(result))

    @safe
    def progress(action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        status = ActionStatus(
            str(action.get("action_id", "")).removeprefix(f"{Action.ACTION_STATUS.value}_")
        )
        if steps.set_status(parse_id_value(clicked_value(action)), who(context), status):
            tell(respond, blocks.status_reply(status.value))
        else:
            tell(respond, blocks.saved_reply_not_yours())

    @safe
    def follow_up(action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        result = steps.book_follow_up(parse_id_value(clicked_value(action)), who(context))
        tell(respond, blocks.follow_up_reply(result))

    statuses = "|".join(s.value for s in ActionStatus if s is not ActionStatus.OPEN)
    app.action(Action.ACCEPT_SUGGESTIONS.value)(ack=ack_only, lazy=[accept])
    app.action(re.compile(rf"^{Action.ACTION_STATUS.value}_({statuses})$"))(
        ack=ack_only, lazy=[progress]
    )
    app.action(Action.BOOK_FOLLOW_UP.value)(ack=ack_only, lazy=[follow_up])
