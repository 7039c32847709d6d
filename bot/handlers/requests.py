"""The intake modal and the mentee's Cancel button."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.errors import InvalidQuestionError
from bot.handlers import messages
from bot.handlers.context import HandlerServices
from bot.handlers.errors import ACCEPTED, user_safe
from bot.handlers.ids import Action, Callback, Field
from bot.handlers.people import slack_timezone
from bot.matching.service import clean_question
from bot.mentoring.service import CancelResult
from bot.storage.models import MentoringFormat


def modal_values(view: dict[str, Any]) -> dict[str, str | None]:
    """Modal input values by field id (selected option values for selects)."""
    values: dict[str, str | None] = {}
    state = view.get("state") if isinstance(view, dict) else None
    blocks = state.get("values") if isinstance(state, dict) else None
    if not isinstance(blocks, dict):
        return values  # not Slack's shape: every field reads as empty
    for block_id, actions in blocks.items():
        for state in actions.values() if isinstance(actions, dict) else ():
            if not isinstance(state, dict):
                continue
            if "selected_option" in state:
                option = state.get("selected_option") or {}
                values[block_id] = option.get("value")
            elif "selected_date" in state:
                values[block_id] = state.get("selected_date")
            elif "selected_time" in state:
                values[block_id] = state.get("selected_time")
            elif "selected_date_time" in state:
                picked = state.get("selected_date_time")
                values[block_id] = None if picked is None else str(picked)
            else:
                values[block_id] = state.get("value")
    return values


def parse_format(value: str | None) -> MentoringFormat:
    try:
        return MentoringFormat(value or MentoringFormat.FLASH.value)
    except ValueError:
        return MentoringFormat.FLASH


def register(app: App, services: HandlerServices) -> None:
    safe = user_safe(services)

    def ack_intake(
        ack: Ack, view: dict[str, Any], body: dict[str, Any], context: BoltContext
    ) -> None:
        try:
            clean_question(modal_values(view).get(Field.QUESTION.value))
        except InvalidQuestionError as error:
            ack(response_action="errors", errors={Field.QUESTION.value: str(error)})
            return
        if not services.question_limit.allow(str(body["user"]["id"])):
            limit = services.question_limit.limit
            ack(
                response_action="errors",
                errors={Field.QUESTION.value: messages.too_many_questions(limit)},
            )
            return
        context[ACCEPTED] = True  # a refused form must not be submitted by the lazy part
        ack()

    @safe
    def submit_intake(
        view: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        if not context.get(ACCEPTED):
            return
        values = modal_values(view)
        user = body["user"]["id"]
        request = services.mentoring.submit(
            mentee_slack_id=user,
            question=values.get(Field.QUESTION.value) or "",
            format=parse_format(values.get(Field.FORMAT.value)),
            context=values.get(Field.CONTEXT.value),
            urgency=values.get(Field.URGENCY.value),
            mentee_timezone=slack_timezone(client, user),
        )
        services.mentoring.confirm_received(request)
        services.mentoring.find_mentor(request.request_id)

    def ack_only(ack: Ack) -> None:
        ack()

    @safe
    def cancel_request(body: dict[str, Any], respond: Respond) -> None:
        user = body["user"]["id"]
        try:
            request_id = int(body["actions"][0]["value"])
        except (KeyError, IndexError, TypeError, ValueError):
            respond(
                response_type="ephemeral",
                replace_original=False,
                text="That button is broken; try `/mentor cancel` instead.",
            )
            return
        result = services.mentoring.cancel(request_id, mentee_slack_id=user)
        if result is CancelResult.CANCELLED:
            respond(replace_original=True, text=f"Request #{request_id} is cancelled.")
        elif result is CancelResult.ALREADY_CLOSED:
            respond(
                response_type="ephemeral",
                replace_original=False,
                text="That request is already closed.",
            )
        else:
            respond(
                response_type="ephemeral",
                replace_original=False,
                text="That request isn't yours, or no longer exists.",
            )

    app.view(Callback.INTAKE.value)(ack=ack_intake, lazy=[submit_intake])
    app.action(Action.CANCEL_REQUEST.value)(ack=ack_only, lazy=[cancel_request])
