"""Builders for sessions: slot buttons (and their value format), proposing a time, booked,
rescheduled or cancelled, reminders, and the upcoming-sessions list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DateTimePickerElement,
    InputBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.booking.ports import NudgeKind, SessionView
from bot.booking.slots import Slot
from bot.handlers.blocks.common import (
    Message,
    confirmed_button,
    id_value,
    local_time,
    mention,
    modal,
    plain,
    quote,
    section,
)
from bot.handlers.ids import Action, Callback, Field


def slot_value(session_id: int, slot: Slot) -> str:
    return f"{session_id}:{int(slot.start.timestamp())}"


def parse_slot_value(value: str) -> tuple[int, datetime]:
    """(session id, start) from a Book button; ValueError when it is not ours."""
    session_id, epoch = value.split(":")
    return int(session_id), datetime.fromtimestamp(int(epoch), UTC)


def slot_picker(meeting: SessionView, slots: Sequence[Slot]) -> Message:
    blocks: list[Block] = [
        section(
            f"Pick a time for your {meeting.duration_minutes}-minute session with "
            f"{mention(meeting.mentor_slack_id)} (shown in your time zone):"
        )
    ]
    for slot in slots:
        note = " _(early or late for one of you)_" if slot.stretched else ""
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=f"*{local_time(slot.start)}*{note}"),
                accessory=ButtonElement(
                    text="Book",
                    action_id=Action.BOOK_SLOT.value,
                    value=slot_value(meeting.session_id, slot),
                    style="primary",
                ),
            )
        )
    blocks.append(
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="None of these work",
                    action_id=Action.NO_SLOT_FITS.value,
                    value=id_value(meeting.session_id),
                )
            ]
        )
    )
    return Message("Pick a time for your mentoring session", blocks)


def no_common_slot(meeting: SessionView, *, for_mentor: bool) -> Message:
    other = meeting.mentee_slack_id if for_mentor else meeting.mentor_slack_id
    if not for_mentor:
        return plain(
            f"I couldn't find a time in the next days that suits both you and {mention(other)}."
            " I've asked them to propose one."
        )
    return propose_message(
        f"I couldn't find a time in the next days that suits both you and {mention(other)}.",
        meeting,
    )


def propose_message(text: str, meeting: SessionView) -> Message:
    button = ButtonElement(
        text="Propose a time",
        action_id=Action.PROPOSE_TIME.value,
        value=id_value(meeting.session_id),
        style="primary",
    )
    return Message(
        text, [section(text + " Please propose a time:"), ActionsBlock(elements=[button])]
    )


def propose_time_modal(session_id: int) -> View:
    return modal(
        Callback.PROPOSE_TIME,
        "Propose a time",
        "Book it",
        [
            InputBlock(
                block_id=Field.PROPOSED_AT.value,
                label="When? (your time zone)",
                element=DateTimePickerElement(action_id=Field.PROPOSED_AT.value),
            ),
        ],
        id_value(session_id),
    )


def proposal_failed(reason: str, meeting: SessionView | None) -> Message:
    """The mentor's proposed time could not be booked: why, and a button to try again."""
    if meeting is None or meeting.status != "proposed":
        return plain(reason)
    return propose_message(f"I couldn't book the time you proposed: {reason}", meeting)


def slot_taken() -> Message:
    return plain("That time was just taken. Here are fresh options:")


def session_booked(meeting: SessionView, *, for_mentor: bool) -> Message:
    assert meeting.starts_at is not None
    other = meeting.mentee_slack_id if for_mentor else meeting.mentor_slack_id
    text = (
        f"📅 Booked: *{local_time(meeting.starts_at)}*, {meeting.duration_minutes} minutes with "
        f"{mention(other)}. I'll remind you before it starts."
    )
    sid = id_value(meeting.session_id)
    buttons = ActionsBlock(
        elements=[
            ButtonElement(text="Reschedule", action_id=Action.RESCHEDULE.value, value=sid),
            confirmed_button(
                "Cancel session",
                Action.CANCEL_SESSION,
                sid,
                ask=("Cancel this session?", "The other person will be told."),
                answers=("Cancel it", "Keep it"),
            ),
        ]
    )
    return Message(
        "Your mentoring session is booked",
        [section(text), section(quote(meeting.question, 500)), buttons],
    )


def session_changed(
    meeting: SessionView, *, by: str | None, cancelled: bool, for_user: str
) -> Message:
    """`by` None: the person who cancelled asked to be forgotten, so they are not named."""
    if by is None:
        return plain(f"The mentoring session (request #{meeting.request_id}) was cancelled.")
    who = "You" if by == for_user else mention(by)
    if cancelled:
        text = f"{who} cancelled the mentoring session (request #{meeting.request_id})."
    else:
        text = (
            f"{who} asked to reschedule the mentoring session (request #{meeting.request_id})."
            " New times are on their way to the mentee."
        )
    return plain(text)


REMINDER_TEXT: dict[NudgeKind, str] = {
    NudgeKind.REMINDER_EARLY: "Reminder: your mentoring session with {other} is on {when}.",
    NudgeKind.REMINDER_SOON: "Your mentoring session with {other} starts soon, at {when}.",
}


def session_reminder(meeting: SessionView, kind: NudgeKind, *, for_mentor: bool) -> Message:
    assert meeting.starts_at is not None
    other = mention(meeting.mentee_slack_id if for_mentor else meeting.mentor_slack_id)
    text = REMINDER_TEXT[kind].format(other=other, when=local_time(meeting.starts_at))
    return Message(text, [section(text)])


def no_slot_fits_to_mentor(meeting: SessionView) -> Message:
    return propose_message(
        f"None of the proposed times work for {mention(meeting.mentee_slack_id)}.", meeting
    )


def booking_nudge(meeting: SessionView) -> Message:
    return plain(
        f"Your session with {mention(meeting.mentor_slack_id)} isn't booked yet."
        " Here are fresh times that suit you both:"
    )


def sessions_message(sessions: Sequence[SessionView], user_id: str) -> Message:
    if not sessions:
        return plain("No upcoming sessions. Ask for mentoring with `/mentor <your question>`.")
    lines = []
    for meeting in sessions[:20]:
        other = (
            meeting.mentor_slack_id
            if meeting.mentee_slack_id == user_id
            else (meeting.mentee_slack_id)
        )
        when = local_time(meeting.starts_at) if meeting.starts_at else "time not booked yet"
        lines.append(f"• {when} · {meeting.duration_minutes} min with {mention(other)}")
    return Message(
        "Your upcoming sessions", [section("*Your upcoming sessions*\n" + "\n".join(lines))]
    )
