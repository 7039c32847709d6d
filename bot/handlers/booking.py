"""The mentee's slot buttons (Book, "None of these work"), the mentor's proposed time, and
Reschedule / Cancel session from the booked DM."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond

from bot.booking.service import BookResult
from bot.handlers.blocks import booking as blocks
from bot.handlers.blocks.common import parse_id_value
from bot.handlers.context import HandlerServices
from bot.handlers.errors import ACCEPTED, opens_modal, user_safe
from bot.handlers.ids import Action, Callback, Field
from bot.handlers.payload import ack_only, body_value, clicked_value, metadata, modal_values, who
from bot.i18n import N_, _

PROPOSAL_ERRORS = {
    BookResult.TAKEN: N_("One of you already has a session around then; pick another time."),
    BookResult.INVALID: N_("Pick a time in the future, within the next 60 days."),
    BookResult.CLOSED: N_("This session is already booked or was cancelled."),
    BookResult.NOT_YOURS: N_("Only the mentee and the mentor of this session can book it."),
}
REPLIES = {
    BookResult.CLOSED: N_("This session is already booked, was rescheduled or was cancelled."),
    BookResult.NOT_YOURS: N_("Only the mentee and the mentor of this session can book it."),
    BookResult.INVALID: N_("That time can no longer be booked; pick another one."),
}


def parse_proposal(view: dict[str, Any], now: datetime | None = None) -> tuple[int, datetime] | str:
    """(session id, start) from the propose-time form, or what to tell the mentor."""
    picked = modal_values(view).get(Field.PROPOSED_AT.value)
    try:
        session_id = parse_id_value(metadata(view))
        start = datetime.fromtimestamp(int(picked or ""), UTC)
    except (ValueError, OverflowError, OSError):
        return _("Pick a date and time.")
    now = now or datetime.now(UTC)
    if start <= now or start > now + timedelta(days=60):
        return _(PROPOSAL_ERRORS[BookResult.INVALID])
    return session_id, start


def register(app: App, services: HandlerServices) -> None:
    safe = user_safe(services)

    def tell(respond: Respond, text: str) -> None:
        respond(response_type="ephemeral", replace_original=False, text=text)

    @safe
    def book(action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        try:
            session_id, start = blocks.parse_slot_value(clicked_value(action))
        except (ValueError, OverflowError, OSError):
            tell(respond, _(REPLIES[BookResult.INVALID]))
            return
        result = services.booking.book(session_id, start, clicker_slack_id=who(context))
        if result is BookResult.BOOKED:
            respond(replace_original=True, text=_("📅 Booked. Details are in the message below."))
        elif result is not BookResult.TAKEN:  # TAKEN: fresh slots were just sent
            tell(respond, _(REPLIES[result]))

    @safe
    def none_fits(action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        try:
            meeting = services.booking.view(parse_id_value(clicked_value(action)))
        except ValueError:
            return
        if meeting is None or who(context) != meeting.mentee_slack_id:
            tell(respond, _(REPLIES[BookResult.NOT_YOURS]))
            return
        services.notifier.dm(meeting.mentor_slack_id, blocks.no_slot_fits_to_mentor(meeting))
        respond(
            replace_original=True,
            text=_("OK. I've asked your mentor to propose a time to you in a DM."),
        )

    def change(cancel: bool) -> Callable[..., None]:
        @safe
        def lazy(action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
            try:
                session_id = parse_id_value(clicked_value(action))
            except ValueError:
                return
            by = who(context)
            booking = services.booking
            result = (
                booking.cancel(session_id, by=by)
                if cancel
                else booking.reschedule(session_id, by=by)
            )
            if result is not BookResult.CHANGED:
                tell(respond, _(REPLIES[result]))

        return lazy

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
    def book_proposal(view: dict[str, Any], context: BoltContext) -> None:
        proposal = parse_proposal(view)
        if isinstance(proposal, str) or not context.get(ACCEPTED):
            return
        session_id, start = proposal
        user = who(context)
        result = services.booking.book(
            session_id, start, clicker_slack_id=user, fresh_slots_if_taken=False
        )
        if result is not BookResult.BOOKED:
            meeting = services.booking.view(session_id)
            retry = blocks.proposal_failed(_(PROPOSAL_ERRORS[result]), meeting)
            services.notifier.dm(user, retry)

    app.action(Action.PROPOSE_TIME.value)(
        opens_modal(
            services,
            lambda body, _client: blocks.propose_time_modal(parse_id_value(body_value(body))),
        )
    )
    app.view(Callback.PROPOSE_TIME.value)(ack=check_proposal, lazy=[book_proposal])
    app.action(Action.RESCHEDULE.value)(ack=ack_only, lazy=[change(cancel=False)])
    app.action(Action.CANCEL_SESSION.value)(ack=ack_only, lazy=[change(cancel=True)])
    # Slack still sends the click of a link button; acknowledging it is all there is to do.
    app.action(Action.JOIN_SESSION.value)(ack_only)
    app.action(Action.BOOK_SLOT.value)(ack=ack_only, lazy=[book])
    app.action(Action.NO_SLOT_FITS.value)(ack=ack_only, lazy=[none_fits])
