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

from bot.booking.place import MeetingPlace, meeting_place
from bot.booking.ports import NudgeKind, SessionView
from bot.booking.slots import Slot
from bot.handlers.blocks.common import (
    Message,
    confirmed_button,
    escape,
    id_value,
    local_time,
    mention,
    modal,
    plain,
    quote,
    section,
)
from bot.handlers.ids import Action, Callback, Field
from bot.i18n import _, format_when


def slot_value(session_id: int, slot: Slot) -> str:
    return f"{session_id}:{int(slot.start.timestamp())}"


def parse_slot_value(value: str) -> tuple[int, datetime]:
    """(session id, start) from a Book button; ValueError when it is not ours."""
    session_id, epoch = value.split(":")
    return int(session_id), datetime.fromtimestamp(int(epoch), UTC)


def slot_picker(meeting: SessionView, slots: Sequence[Slot]) -> Message:
    zone = meeting.mentee_timezone
    blocks: list[Block] = [
        section(
            _(
                "Pick a time for your {minutes}-minute session with {mentor} (shown in your"
                " time zone):",
                minutes=meeting.duration_minutes,
                mentor=mention(meeting.mentor_slack_id),
            )
        )
    ]
    for slot in slots:
        note = " _" + _("(early or late for one of you)") + "_" if slot.stretched else ""
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=f"*{local_time(slot.start, zone)}*{note}"),
                accessory=ButtonElement(
                    text=_("Book"),
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
                    text=_("None of these work"),
                    action_id=Action.NO_SLOT_FITS.value,
                    value=id_value(meeting.session_id),
                )
            ]
        )
    )
    return Message(_("Pick a time for your mentoring session"), blocks)


def no_common_slot(meeting: SessionView, *, for_mentor: bool) -> Message:
    other = mention(meeting.mentee_slack_id if for_mentor else meeting.mentor_slack_id)
    if not for_mentor:
        return plain(
            _(
                "I couldn't find a time in the next days that suits both you and {other}."
                " I've asked them to propose one.",
                other=other,
            )
        )
    return propose_message(
        _(
            "I couldn't find a time in the next days that suits both you and {other}.",
            other=other,
        ),
        meeting,
    )


def propose_message(text: str, meeting: SessionView) -> Message:
    button = ButtonElement(
        text=_("Propose a time"),
        action_id=Action.PROPOSE_TIME.value,
        value=id_value(meeting.session_id),
        style="primary",
    )
    return Message(
        text,
        [section(text + " " + _("Please propose a time:")), ActionsBlock(elements=[button])],
    )


def propose_time_modal(session_id: int) -> View:
    return modal(
        Callback.PROPOSE_TIME,
        _("Propose a time"),
        _("Book it"),
        [
            InputBlock(
                block_id=Field.PROPOSED_AT.value,
                label=_("When? (your time zone)"),
                element=DateTimePickerElement(action_id=Field.PROPOSED_AT.value),
            ),
        ],
        id_value(session_id),
    )


def proposal_failed(reason: str, meeting: SessionView | None) -> Message:
    """The mentor's proposed time could not be booked: why, and a button to try again."""
    if meeting is None or meeting.status != "proposed":
        return plain(reason)
    return propose_message(
        _("I couldn't book the time you proposed: {reason}", reason=reason), meeting
    )


def busy_feed_failed() -> Message:
    """To a mentor whose calendar feed could not be read (once, until it works again)."""
    return plain(
        _(
            "I couldn't read your calendar feed, so times were offered from your working hours;"
            " check the address in `/mentor profile`. Once it can be read again, offered times"
            " will avoid your busy times as before."
        )
    )


def slot_taken() -> Message:
    return plain(_("That time was just taken. Here are fresh options:"))


def session_booked(meeting: SessionView, *, for_mentor: bool) -> Message:
    assert meeting.starts_at is not None
    me = meeting.mentor_slack_id if for_mentor else meeting.mentee_slack_id
    other = meeting.mentee_slack_id if for_mentor else meeting.mentor_slack_id
    zone = meeting.timezone_of(me)
    text = _(
        "📅 Booked: *{when}* ({local}, {zone}), {minutes} minutes with {other}. I'll remind"
        " you before it starts.",
        when=local_time(meeting.starts_at, zone),
        local=format_when(meeting.starts_at, zone),
        zone=zone,
        minutes=meeting.duration_minutes,
        other=mention(other),
    )
    where = place_line(meeting_place(meeting.meeting_place))
    if where:
        text += "\n" + where
    sid = id_value(meeting.session_id)
    buttons = ActionsBlock(
        elements=[
            ButtonElement(text=_("Reschedule"), action_id=Action.RESCHEDULE.value, value=sid),
            confirmed_button(
                _("Cancel session"),
                Action.CANCEL_SESSION,
                sid,
                ask=(_("Cancel this session?"), _("The other person will be told.")),
                answers=(_("Cancel it"), _("Keep it")),
            ),
        ]
    )
    return Message(
        _("Your mentoring session is booked"),
        [section(text), section(quote(meeting.question, 500)), buttons],
    )


def session_changed(
    meeting: SessionView, *, by: str | None, cancelled: bool, for_user: str
) -> Message:
    """`by` None: the person who cancelled asked to be forgotten, so they are not named."""
    request = meeting.request_id
    if by is None:
        return plain(
            _("The mentoring session (request #{request}) was cancelled.", request=request)
        )
    mine = by == for_user
    if cancelled:
        text = (
            _("You cancelled the mentoring session (request #{request}).", request=request)
            if mine
            else _(
                "{who} cancelled the mentoring session (request #{request}).",
                who=mention(by),
                request=request,
            )
        )
    else:
        text = (
            _(
                "You asked to reschedule the mentoring session (request #{request}). New times"
                " are on their way to the mentee.",
                request=request,
            )
            if mine
            else _(
                "{who} asked to reschedule the mentoring session (request #{request}). New"
                " times are on their way to the mentee.",
                who=mention(by),
                request=request,
            )
        )
    return plain(text)


def session_reminder(meeting: SessionView, kind: NudgeKind, *, for_mentor: bool) -> Message:
    assert meeting.starts_at is not None
    me = meeting.mentor_slack_id if for_mentor else meeting.mentee_slack_id
    other = mention(meeting.mentee_slack_id if for_mentor else meeting.mentor_slack_id)
    when = local_time(meeting.starts_at, meeting.timezone_of(me))
    if kind is NudgeKind.REMINDER_EARLY:
        text = _(
            "Reminder: your mentoring session with {other} is on {when}.", other=other, when=when
        )
    else:
        text = _(
            "Your mentoring session with {other} starts soon, at {when}.", other=other, when=when
        )
    blocks: list[Block] = [section(text)]
    place = meeting_place(meeting.meeting_place)
    where = place_line(place)
    if where:
        blocks.append(section(where))
    if kind is NudgeKind.REMINDER_SOON and place is not None and place.link:
        join = ButtonElement(
            text=_("Join"), action_id=Action.JOIN_SESSION.value, url=place.link, style="primary"
        )
        blocks.append(ActionsBlock(elements=[join]))
    return Message(text, blocks)


def place_line(place: MeetingPlace | None) -> str:
    """Where the session happens, for both people ("" when the mentor set no place)."""
    if place is None:
        return ""
    if place.huddle:
        return _("📍 Where: a Slack huddle — start one from your DM with each other.")
    if place.link:
        return _("📍 Where: <{link}|join the call>", link=place.link)
    return _("📍 Where: {place}", place=escape(place.text))


def no_slot_fits_to_mentor(meeting: SessionView) -> Message:
    return propose_message(
        _(
            "None of the proposed times work for {mentee}.",
            mentee=mention(meeting.mentee_slack_id),
        ),
        meeting,
    )


def booking_nudge(meeting: SessionView) -> Message:
    return plain(
        _(
            "Your session with {mentor} isn't booked yet. Here are fresh times that suit you both:",
            mentor=mention(meeting.mentor_slack_id),
        )
    )


def sessions_message(sessions: Sequence[SessionView], user_id: str) -> Message:
    if not sessions:
        return plain(_("No upcoming sessions. Ask for mentoring with `/mentor <your question>`."))
    lines = []
    for meeting in sessions[:20]:
        other = (
            meeting.mentor_slack_id
            if meeting.mentee_slack_id == user_id
            else (meeting.mentee_slack_id)
        )
        when = (
            local_time(meeting.starts_at, meeting.timezone_of(user_id))
            if meeting.starts_at
            else _("time not booked yet")
        )
        lines.append(
            "• "
            + _(
                "{when} · {minutes} min with {other}",
                when=when,
                minutes=meeting.duration_minutes,
                other=mention(other),
            )
        )
    title = _("Your upcoming sessions")
    return Message(title, [section(f"*{title}*\n" + "\n".join(lines))])
