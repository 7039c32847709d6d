"""Follow-up buttons: "Did it take place?", rating, meet again, private comment, practice."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond

from bot.booking.feedback import MAX_COMMENT_CHARS, AttendanceResult, FeedbackResult
from bot.handlers.blocks import feedback as blocks
from bot.handlers.blocks.common import plain
from bot.handlers.context import HandlerServices
from bot.handlers.errors import ACCEPTED, opens_modal, user_safe
from bot.handlers.ids import Action, Callback, Field
from bot.handlers.payload import ack_only, body_value, clicked_value, metadata, modal_values, who
from bot.i18n import N_, _
from bot.storage.models import FeedbackKind

THANKS = {
    FeedbackResult.SAVED: N_("Thanks, noted!"),
    FeedbackResult.MEETING_AGAIN: N_("You both want to meet again: I'm sending times to book."),
    FeedbackResult.NOT_YOURS: N_("This session isn't yours to give feedback on."),
    FeedbackResult.INVALID: N_("That answer doesn't fit; please try again."),
}
COMMENT_SAVED = N_("Thanks: your private comment is saved. Only the program sees it.")
Record = Callable[[int, str, str], FeedbackResult]


def register(app: App, services: HandlerServices) -> None:
    safe = user_safe(services)
    feedback = services.feedback

    def answer(record: Record) -> Callable[..., None]:
        """A lazy listener recording one answer button (rating, meet again, practice)."""

        @safe
        def lazy(action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
            try:
                session_id, value = blocks.parse_session_answer(clicked_value(action))
                result = record(session_id, who(context), value)
            except ValueError:
                result = FeedbackResult.INVALID
            respond(response_type="ephemeral", replace_original=False, text=_(THANKS[result]))

        return lazy

    def rate(session_id: int, author: str, value: str) -> FeedbackResult:
        return feedback.rate(session_id, author, int(value))  # ValueError: not a rating

    def meet_again(session_id: int, author: str, value: str) -> FeedbackResult:
        if value not in ("yes", "no"):
            return FeedbackResult.INVALID
        return feedback.meet_again(session_id, author, value == "yes")

    @safe
    def attendance(action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        user = who(context)
        try:
            session_id, value = blocks.parse_session_answer(clicked_value(action))
        except ValueError:
            session_id, value = 0, ""
        result = feedback.attendance(session_id, user, value)
        meeting = services.booking.view(session_id) if result is AttendanceResult.HELD else None
        if meeting is not None:  # it took place: on to the rating and "meet again?"
            follow_up = blocks.follow_up(meeting, for_mentor=user == meeting.mentor_slack_id)
            respond(replace_original=True, **follow_up.as_kwargs())
            return
        reply = _(blocks.ATTENDANCE_REPLIES.get(result.value, THANKS[FeedbackResult.SAVED]))
        replace = result in (AttendanceResult.NO_SHOW, AttendanceResult.MOVED)
        respond(replace_original=replace, response_type="ephemeral", text=reply)

    def check_comment(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        # Only the text is checked here: saving needs the database, which has no place in
        # Slack's 3-second ack (it could fail or be slow); the lazy part saves it.
        text = (modal_values(view).get(Field.COMMENT.value) or "").strip()
        if not text:
            problem = _("Please write a comment.")
        elif len(text) > MAX_COMMENT_CHARS:
            problem = _("Please keep it under {limit} characters.", limit=MAX_COMMENT_CHARS)
        else:
            context[ACCEPTED] = True
            ack()
            return
        ack(response_action="errors", errors={Field.COMMENT.value: problem})

    @safe
    def save_comment(view: dict[str, Any], context: BoltContext) -> None:
        if not context.get(ACCEPTED):
            return
        try:
            session_id, kind = blocks.parse_comment_metadata(metadata(view))
        except ValueError:
            return  # not a form we opened
        text = modal_values(view).get(Field.COMMENT.value) or ""
        author = who(context)
        if kind is FeedbackKind.PRACTICE:
            result = feedback.practice_note(session_id, author, text)
        else:
            result = feedback.comment(session_id, author, text)
        reply = _(COMMENT_SAVED if result is FeedbackResult.SAVED else THANKS[result])
        services.notifier.dm(author, plain(reply))

    app.action(re.compile(rf"^{Action.RATE.value}_[1-5]$"))(ack=ack_only, lazy=[answer(rate)])
    app.action(re.compile(rf"^{Action.MEET_AGAIN.value}_(yes|no)$"))(
        ack=ack_only, lazy=[answer(meet_again)]
    )
    app.action(re.compile(rf"^{Action.PRACTICE.value}_\w+$"))(
        ack=ack_only, lazy=[answer(feedback.practice)]
    )
    app.action(re.compile(rf"^{Action.ATTENDANCE.value}_\w+$"))(ack=ack_only, lazy=[attendance])
    app.action(Action.ADD_COMMENT.value)(
        opens_modal(
            services,
            lambda body, _client: blocks.comment_modal(
                *blocks.parse_comment_metadata(body_value(body))
            ),
        )
    )
    app.view(Callback.COMMENT.value)(ack=check_comment, lazy=[save_comment])
