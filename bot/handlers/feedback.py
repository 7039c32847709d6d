"""Follow-up buttons: rating, meet again, private comment, practice progress."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.booking.feedback import MAX_COMMENT_CHARS, AttendanceResult, FeedbackResult
from bot.handlers import messages
from bot.handlers.context import HandlerServices
from bot.handlers.errors import ACCEPTED, report, user_safe
from bot.handlers.ids import Action, Callback, Field
from bot.handlers.requests import modal_values

THANKS = {
    FeedbackResult.SAVED: "Thanks, noted!",
    FeedbackResult.MEETING_AGAIN: "You both want to meet again: I'm sending times to book.",
    FeedbackResult.NOT_YOURS: "This session isn't yours to give feedback on.",
    FeedbackResult.INVALID: "That answer doesn't fit; please try again.",
}


COMMENT_SAVED = "Thanks: your private comment is saved. Only the program sees it."


def split_value(body: dict[str, Any]) -> tuple[int, str] | None:
    try:
        session_id, answer = str(body["actions"][0]["value"]).split(":", 1)
        return int(session_id), answer
    except (KeyError, IndexError, ValueError):
        return None


def register(app: App, services: HandlerServices) -> None:
    safe = user_safe(services)
    feedback = services.feedback

    def ack_only(ack: Ack) -> None:
        ack()

    def reply(respond: Respond, result: FeedbackResult) -> None:
        respond(response_type="ephemeral", replace_original=False, text=THANKS[result])

    @safe
    def rate(body: dict[str, Any], respond: Respond) -> None:
        parsed = split_value(body)
        if parsed is None or not parsed[1].isdigit():
            reply(respond, FeedbackResult.INVALID)
        else:
            reply(respond, feedback.rate(parsed[0], body["user"]["id"], int(parsed[1])))

    @safe
    def meet_again(body: dict[str, Any], respond: Respond) -> None:
        parsed = split_value(body)
        if parsed is None or parsed[1] not in ("yes", "no"):
            reply(respond, FeedbackResult.INVALID)
        else:
            reply(respond, feedback.meet_again(parsed[0], body["user"]["id"], parsed[1] == "yes"))

    @safe
    def practice(body: dict[str, Any], respond: Respond) -> None:
        parsed = split_value(body)
        if parsed is None:
            reply(respond, FeedbackResult.INVALID)
        else:
            reply(respond, feedback.practice(parsed[0], body["user"]["id"], parsed[1]))

    def open_comment(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()  # inline: the trigger_id lives 3 s
        try:
            session_id, _, kind = str(body["actions"][0]["value"]).partition(":")
            view = messages.comment_modal(int(session_id), kind or "follow_up")
            client.views_open(trigger_id=body["trigger_id"], view=view)
        except (KeyError, IndexError, ValueError):
            return
        except Exception as error:  # noqa: BLE001  (reported to the user, never a 500)
            report(error, body, None, services)

    @safe
    def attendance(body: dict[str, Any], respond: Respond) -> None:
        try:
            session_id, answer = messages.parse_attendance_value(str(body["actions"][0]["value"]))
        except (KeyError, IndexError, ValueError):
            session_id, answer = 0, None
        result = (
            feedback.attendance(session_id, body["user"]["id"], answer.value)
            if answer is not None
            else AttendanceResult.INVALID
        )
        if result is AttendanceResult.HELD:
            meeting = services.booking.view(session_id)
            if meeting is not None:
                for_mentor = body["user"]["id"] == meeting.mentor_slack_id
                follow_up = messages.follow_up(meeting, for_mentor=for_mentor)
                respond(replace_original=True, **follow_up.as_kwargs())
                return
        reply = messages.ATTENDANCE_REPLIES.get(result.value, THANKS[FeedbackResult.SAVED])
        replace = result in (AttendanceResult.NO_SHOW, AttendanceResult.MOVED)
        respond(replace_original=replace, response_type="ephemeral", text=reply)

    def check_comment(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        # Only the text is checked here: saving needs the database, which has no place in
        # Slack's 3-second ack (it could fail or be slow); the lazy part saves it.
        text = (modal_values(view).get(Field.COMMENT.value) or "").strip()
        if not text:
            ack(response_action="errors", errors={Field.COMMENT.value: "Please write a comment."})
        elif len(text) > MAX_COMMENT_CHARS:
            ack(
                response_action="errors",
                errors={
                    Field.COMMENT.value: f"Please keep it under {MAX_COMMENT_CHARS} characters."
                },
            )
        else:
            context[ACCEPTED] = True
            ack()

    @safe
    def save_comment(body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        if not context.get(ACCEPTED):
            return
        raw_id, _, kind = str(view.get("private_metadata") or "").partition(":")
        try:
            session_id = int(raw_id)
        except ValueError:
            return  # not a form we opened
        text = modal_values(view).get(Field.COMMENT.value) or ""
        author = body["user"]["id"]
        if kind == "practice":
            result = feedback.practice_note(session_id, author, text)
        else:
            result = feedback.comment(session_id, author, text)
        reply = COMMENT_SAVED if result is FeedbackResult.SAVED else THANKS[result]
        services.notifier.dm(author, messages.plain(reply))

    app.action(re.compile(rf"^{Action.RATE.value}_[1-5]$"))(ack=ack_only, lazy=[rate])
    app.action(re.compile(rf"^{Action.MEET_AGAIN.value}_(yes|no)$"))(
        ack=ack_only, lazy=[meet_again]
    )
    app.action(re.compile(rf"^{Action.PRACTICE.value}_\w+$"))(ack=ack_only, lazy=[practice])
    app.action(re.compile(rf"^{Action.ATTENDANCE.value}_\w+$"))(ack=ack_only, lazy=[attendance])
    app.action(Action.ADD_COMMENT.value)(open_comment)
    app.view(Callback.COMMENT.value)(ack=check_comment, lazy=[save_comment])
