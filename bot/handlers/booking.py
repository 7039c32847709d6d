"""The mentee's slot buttons: Book, or "None of these work"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.booking.service import BookResult
from bot.handlers import messages
from bot.handlers.context import HandlerServices
from bot.handlers.errors import ACCEPTED, report, user_safe
from bot.handlers.ids import Action, Callback, Field
from bot.handlers.requests import modal_values

PROPOSAL_ERRORS = {
    BookResult.TAKEN: "One of you already has a session around then; pick another time.",
    BookResult.INVALID: "Pick a time in the future, within the next 60 days.",
    BookResult.CLOSED: "This session is already booked or was cancelled.",
    BookResult.NOT_YOURS: "Only the mentee and the mentor of this session can book it.",
}
REPLIES = {
    BookResult.CLOSED: "This session is already booked, was rescheduled or was cancelled.",
    BookResult.NOT_YOURS: "Only the mentee and the mentor of this session can book it.",
    BookResult.INVALID: "That time can no longer be booked; pick another one.",
}


def parse_proposal(view: dict[str, Any], now: datetime | None = None) -> tuple[int, datetime] | str:
    """(session id, start) from the propose-time form, or what to tell the mentor."""
    picked = modal_values(view).get(Field.PROPOSED_AT.value)
    try:
        session_id = int(view.get("private_metadata") or "")
        start = datetime.fromtimestamp(int(picked or ""), UTC)
    except (ValueError, OverflowError, OSError):
        return "Pick a date and time."
    now = now or datetime.now(UTC)
    if start <= now or start > now + timedelta(days=60):
        return PROPOSAL_ERRORS[BookResult.INVALID]
    return session_id, start


def register(app: App, services: HandlerServices) -> None:
    safe = user_safe(services)

    def ack_only(ack: Ack) -> None:
        ack()

    @safe
    def book(body: dict[str, Any], respond: Respond) -> None:
        user = body["user"]["id"]
        try:
            session_id, start = messages.parse_slot_value(str(body["actions"][0]["value"]))
        except (KeyError, IndexError, ValueError, OverflowError):
            respond(
                response_type="ephemeral", replace_original=False, text=REPLIES[BookResult.INVALID]
            )
            return
        result = services.booking.book(session_id, start, clicker_slack_id=user)
        if result is BookResult.BOOKED:
            respond(replace_original=True, text="📅 Booked. Details are in the message below.")
        elif result is not BookResult.TAKEN:  # TAKEN: fresh slots were just sent
            respond(response_type="ephemeral", replace_original=False, text=REPLIES[result])

    @safe
    def none_fits(body: dict[str, Any], respond: Respond) -> None:
        user = body["user"]["id"]
        try:
            session_id = int(body["actions"][0]["value"])
        except (KeyError, IndexError, ValueError):
            return
        meeting = services.booking.view(session_id)
        if meeting is None or user != meeting.mentee_slack_id:
            respond(
                response_type="ephemeral",
                replace_original=False,
                text=REPLIES[BookResult.NOT_YOURS],
            )
            return
        services.notifier.dm(meeting.mentor_slack_id, messages.no_slot_fits_to_mentor(meeting))
        respond(
            replace_original=True,
            text="OK. I've asked your mentor to propose a time to you in a DM.",
        )

    def change(cancel: bool) -> Any:
        @safe
        def lazy(body: dict[str, Any], respond: Respond) -> None:
            user = body["user"]["id"]
            try:
                session_id = int(body["actions"][0]["value"])
            except (KeyError, IndexError, ValueError):
                return
            booking = services.booking
            result = (
                booking.cancel(session_id, by=user)
                if cancel
                else booking.reschedule(session_id, by=user)
            )
            if result is not BookResult.BOOKED:
                respond(response_type="ephemeral", replace_original=False, text=REPLIES[result])

        return lazy

    def open_proposal(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()  # inline: the trigger_id lives 3 s
        try:
            session_id = int(body["actions"][0]["value"])
            client.views_open(
                trigger_id=body["trigger_id"], view=messages.propose_time_modal(session_id)
            )
        except (KeyError, IndexError, ValueError):
            return
        except Exception as error:  # noqa: BLE001  (reported to the user, never a 500)
            report(error, body, None, services)

    def check_proposal(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        # The form is checked without the database (its work has no place in Slack's 3-second
        # ack); the lazy part books, and tells the mentor if the time was taken meanwhile.
        proposal = parse_proposal(view)
        if isinstance(proposal, str):
            ack(response_action="errors", errors={Field.PROPOSED_AT.value: proposal})
            return
        context[ACCEPTED] = True
        ack()

    @safe
    def book_proposal(body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        proposal = parse_proposal(view)
        if isinstance(proposal, str) or not context.get(ACCEPTED):
            return
        session_id, start = proposal
        user = body["user"]["id"]
        result = services.booking.book(
            session_id, start, clicker_slack_id=user, fresh_slots_if_taken=False
        )
        if result is not BookResult.BOOKED:
            meeting = services.booking.view(session_id)
            retry = messages.proposal_failed(PROPOSAL_ERRORS[result], meeting)
            services.notifier.dm(user, retry)

    app.action(Action.PROPOSE_TIME.value)(open_proposal)
    app.view(Callback.PROPOSE_TIME.value)(ack=check_proposal, lazy=[book_proposal])
    app.action(Action.RESCHEDULE.value)(ack=ack_only, lazy=[change(cancel=False)])
    app.action(Action.CANCEL_SESSION.value)(ack=ack_only, lazy=[change(cancel=True)])
    app.action(Action.BOOK_SLOT.value)(ack=ack_only, lazy=[book])
    app.action(Action.NO_SLOT_FITS.value)(ack=ack_only, lazy=[none_fits])
