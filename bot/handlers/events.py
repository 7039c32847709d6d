"""Speed-mentoring events in Slack: the lead's form, Join/Leave on the announcement, the plan
review's buttons, ratings and follow-ups. Parse → EventService → render."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.errors import InvalidQuestionError
from bot.events.service import EventDraft, JoinResult, LeadAction
from bot.handlers.blocks import events as blocks
from bot.handlers.blocks.common import parse_id_value, plain
from bot.handlers.context import HandlerServices
from bot.handlers.errors import ACCEPTED, opens_modal, user_safe
from bot.handlers.ids import Action, Callback, Field
from bot.handlers.payload import ack_only, body_value, clicked_value, metadata, modal_values, who
from bot.i18n import _
from bot.mentoring.questions import clean_question
from bot.storage.models import EventRole, utcnow

DEFAULT_CLOSE_BEFORE = timedelta(hours=1)
# EventDraft's field names -> the form's inputs, where a problem is shown.
FORM_FIELDS = {
    "title": Field.EVENT_TITLE,
    "starts_at": Field.EVENT_START,
    "rounds": Field.EVENT_ROUNDS,
    "round_minutes": Field.EVENT_MINUTES,
    "break_minutes": Field.EVENT_BREAK,
    "signup_closes_at": Field.EVENT_CLOSES,
}
LEAD_RESULTS = {LeadAction.NOT_LEAD: "not_lead", LeadAction.ALREADY: "already"}


def parse_event_form(view: dict[str, Any], now: datetime) -> EventDraft | dict[str, str]:
    """The lead's form as a draft, or field id -> the problem to show under it."""
    values = modal_values(view)
    try:
        starts_at = _moment(values.get(Field.EVENT_START.value))
    except ValueError:
        return {Field.EVENT_START.value: blocks.form_error("start")}
    closes = values.get(Field.EVENT_CLOSES.value)
    try:
        closes_at = _moment(closes) if closes else starts_at - DEFAULT_CLOSE_BEFORE
        draft = EventDraft(
            title=values.get(Field.EVENT_TITLE.value) or "",
            starts_at=starts_at,
            rounds=int(values.get(Field.EVENT_ROUNDS.value) or 3),
            round_minutes=int(values.get(Field.EVENT_MINUTES.value) or 15),
            break_minutes=int(values.get(Field.EVENT_BREAK.value) or 5),
            channel=values.get(Field.EVENT_CHANNEL.value) or "",
            signup_closes_at=closes_at,
            place=values.get(Field.EVENT_PLACE.value),
            theme=values.get(Field.EVENT_THEME.value),
        )
    except ValueError:
        return {Field.EVENT_CLOSES.value: blocks.form_error("closes")}
    problems = {
        FORM_FIELDS[field].value: blocks.form_error(why)
        for field, why in draft.problems(now).items()
    }
    if not re.fullmatch(r"[CGD][A-Z0-9]{2,31}", draft.channel):
        problems[Field.EVENT_CHANNEL.value] = blocks.form_error("channel")
    return problems or draft


def _moment(epoch: str | None) -> datetime:
    if not epoch or not epoch.isdigit():
        raise ValueError("not a time")
    return datetime.fromtimestamp(int(epoch), UTC)


def register(app: App, services: HandlerServices) -> None:
    safe = user_safe(services)
    events = services.events

    def tell(respond: Respond, text: str) -> None:
        respond(response_type="ephemeral", replace_original=False, text=text)

    # -- the lead's form -----------------------------------------------------------------

    def check_event(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        if not services.is_lead(who(context)):
            ack(
                response_action="errors",
                errors={Field.EVENT_TITLE.value: _("Only program leads can plan events.")},
            )
            return
        parsed = parse_event_form(view, utcnow())
        if isinstance(parsed, dict):
            ack(response_action="errors", errors=parsed)
            return
        context[ACCEPTED] = True
        ack()

    @safe
    def create_event(view: dict[str, Any], context: BoltContext) -> None:
        parsed = parse_event_form(view, utcnow())
        if context.get(ACCEPTED) and isinstance(parsed, EventDraft):
            events.create(parsed, lead_slack_id=who(context))

    app.view(Callback.EVENT.value)(ack=check_event, lazy=[create_event])

    # -- sign-up ---------------------------------------------------------------------------

    def join_modal(body: dict[str, Any], _client: WebClient) -> Any:
        event = events.view(parse_id_value(body_value(body)))
        if event is None:
            raise ValueError("no such event")
        return blocks.join_modal(event)

    app.action(Action.EVENT_JOIN_MENTEE.value)(opens_modal(services, join_modal))

    def check_join(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        try:
            clean_question(modal_values(view).get(Field.EVENT_QUESTION.value))
            parse_id_value(metadata(view))
        except (InvalidQuestionError, ValueError) as error:
            ack(response_action="errors", errors={Field.EVENT_QUESTION.value: str(error)})
            return
        context[ACCEPTED] = True
        ack()

    @safe
    def join_as_mentee(view: dict[str, Any], context: BoltContext) -> None:
        if not context.get(ACCEPTED):
            return
        user = who(context)
        result = events.join(
            parse_id_value(metadata(view)),
            slack_id=user,
            role=EventRole.MENTEE,
            question=modal_values(view).get(Field.EVENT_QUESTION.value),
            timezone=services.directory.timezone(user),
        )
        services.notifier.dm(user, plain(blocks.join_reply(result.value)))

    app.view(Callback.EVENT_JOIN.value)(ack=check_join, lazy=[join_as_mentee])

    @safe
    def join_as_mentor(action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        user = who(context)
        result = events.join(
            parse_id_value(clicked_value(action)),
            slack_id=user,
            role=EventRole.MENTOR,
            timezone=services.directory.timezone(user),
        )
        tell(respond, blocks.join_reply(result.value))

    @safe
    def leave(action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        result = events.leave(parse_id_value(clicked_value(action)), slack_id=who(context))
        answer = {JoinResult.UPDATED: "left", JoinResult.NOT_FOUND: "not_in"}
        tell(respond, blocks.join_reply(answer.get(result, result.value)))

    app.action(Action.EVENT_JOIN_MENTOR.value)(ack=ack_only, lazy=[join_as_mentor])
    app.action(Action.EVENT_LEAVE.value)(ack=ack_only, lazy=[leave])

    # -- the lead's buttons ----------------------------------------------------------------

    @safe
    def cancel(action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        result = events.cancel(parse_id_value(clicked_value(action)), by=who(context))
        tell(respond, blocks.lead_reply(LEAD_RESULTS.get(result, "cancelled")))

    @safe
    def post(action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        result = events.post_plan(parse_id_value(clicked_value(action)), by=who(context))
        tell(respond, blocks.lead_reply(LEAD_RESULTS.get(result, "posted")))

    app.action(Action.EVENT_CANCEL.value)(ack=ack_only, lazy=[cancel])
    app.action(Action.EVENT_POST_PLAN.value)(ack=ack_only, lazy=[post])

    # -- afterwards ------------------------------------------------------------------------

    @safe
    def rate(action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        rating = int(str(action.get("action_id", ""))[-1])
        pairing = parse_id_value(clicked_value(action))
        if events.rate(pairing, mentee_slack_id=who(context), rating=rating):
            tell(respond, _("Thanks! You rated that conversation {rating}/5.", rating=rating))
        else:
            tell(respond, _("Only the mentee of that conversation can rate it."))

    @safe
    def follow_up(action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        pairing = parse_id_value(clicked_value(action))
        if events.ask_for_flash(pairing, mentee_slack_id=who(context)) is None:
            tell(respond, _("That flash session was already requested, or can't be any more."))
        else:
            tell(respond, _("Asked! They'll get your question as a flash request; I'll DM you."))

    @safe
    def keep_going(action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        pairing = parse_id_value(clicked_value(action))
        if events.continue_with(pairing, mentor_slack_id=who(context)):
            tell(respond, _("Noted, thank you: they can ask you for a flash session any time."))
        else:
            tell(respond, _("Only the mentor of that conversation can say this."))

    app.action(re.compile(rf"^{Action.EVENT_RATE.value}_[1-5]$"))(ack=ack_only, lazy=[rate])
    app.action(Action.EVENT_FOLLOW_UP.value)(ack=ack_only, lazy=[follow_up])
    app.action(Action.EVENT_CONTINUE.value)(ack=ack_only, lazy=[keep_going])
