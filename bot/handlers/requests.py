"""The intake modal and the mentee's Cancel button."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.errors import InvalidQuestionError
from bot.handlers.blocks import requests as blocks
from bot.handlers.blocks.common import parse_id_value, plain
from bot.handlers.context import HandlerServices
from bot.handlers.errors import ACCEPTED, user_safe
from bot.handlers.ids import Action, Callback, Field
from bot.handlers.payload import ack_only, clicked_value, modal_values, who
from bot.i18n import N_, _
from bot.mentoring.questions import clean_question
from bot.mentoring.views import CancelResult
from bot.storage.models import MentoringFormat

CANCEL_REPLIES = {
    CancelResult.CANCELLED: N_("Request #{request_id} is cancelled."),
    CancelResult.ALREADY_CLOSED: N_("That request is already closed."),
    CancelResult.NOT_FOUND: N_("That request isn't yours, or no longer exists."),
}
BROKEN_CANCEL = N_("That button is broken; try `/mentor cancel` instead.")


def parse_format(value: str | None) -> MentoringFormat:
    try:
        return MentoringFormat(value or MentoringFormat.FLASH.value)
    except ValueError:
        return MentoringFormat.FLASH


def register(app: App, services: HandlerServices) -> None:
    safe = user_safe(services)

    def ack_intake(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        try:
            clean_question(modal_values(view).get(Field.QUESTION.value))
        except InvalidQuestionError as error:
            ack(response_action="errors", errors={Field.QUESTION.value: str(error)})
            return
        if not services.question_limit.allow(who(context)):
            limit = services.question_limit.limit
            ack(
                response_action="errors",
                errors={Field.QUESTION.value: blocks.too_many_questions(limit)},
            )
            return
        context[ACCEPTED] = True  # a refused form must not be submitted by the lazy part
        ack()

    @safe
    def submit_intake(view: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        if not context.get(ACCEPTED):
            return
        values = modal_values(view)
        user = who(context)
        request = services.mentoring.submit(
            mentee_slack_id=user,
            question=values.get(Field.QUESTION.value) or "",
            format=parse_format(values.get(Field.FORMAT.value)),
            context=values.get(Field.CONTEXT.value),
            urgency=values.get(Field.URGENCY.value),
            mentee_timezone=services.directory.timezone(user),
            language=values.get(Field.MENTORING_LANGUAGE.value),
            goal=values.get(Field.GOAL.value),
        )
        services.mentoring.confirm_received(request)
        services.mentoring.find_mentor(request.request_id)

    @safe
    def cancel_request(action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        try:
            request_id = parse_id_value(clicked_value(action))
        except ValueError:
            respond(response_type="ephemeral", replace_original=False, text=_(BROKEN_CANCEL))
            return
        result = services.mentoring.cancel(request_id, mentee_slack_id=who(context))
        text = _(CANCEL_REPLIES[result], request_id=request_id)
        if result is CancelResult.CANCELLED:
            respond(replace_original=True, **plain(text).as_kwargs())
        else:
            respond(response_type="ephemeral", replace_original=False, text=text)

    app.view(Callback.INTAKE.value)(ack=ack_intake, lazy=[submit_intake])
    app.action(Action.CANCEL_REQUEST.value)(ack=ack_only, lazy=[cancel_request])
