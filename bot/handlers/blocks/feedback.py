"""Builders after a session: "Did it take place?", rating and meet-again, practice progress and
the private comment form. Each button value's encoder stands next to its decoder."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    InputBlock,
    PlainTextInputElement,
)
from slack_sdk.models.views import View

from bot.booking.ports import SessionView
from bot.handlers.blocks.common import (
    Message,
    context,
    mention,
    modal,
    parse_id_value,
    quote,
    section,
)
from bot.handlers.ids import Action, Callback, Field
from bot.i18n import N_, _
from bot.storage.models import Attendance, FeedbackKind

ATTENDANCE_LABELS = {
    Attendance.HELD: N_("Yes, we met"),
    Attendance.NO_SHOW: N_("No, they didn't show up"),
    Attendance.MOVED: N_("We moved it"),
}


def attendance_question(meeting: SessionView, *, for_mentor: bool) -> Message:
    """Sent to both at the session's end: what happened decides what the digest counts."""
    other = mention(meeting.mentee_slack_id if for_mentor else meeting.mentor_slack_id)
    sid = meeting.session_id
    buttons = [
        ButtonElement(
            text=_(label),
            action_id=f"{Action.ATTENDANCE.value}_{answer.value}",
            value=session_answer(sid, answer.value),
            style="primary" if answer is Attendance.HELD else None,
        )
        for answer, label in ATTENDANCE_LABELS.items()
    ]
    return Message(
        _("Did your mentoring session take place?"),
        [
            section(_("Did your session with {other} take place?", other=other)),
            ActionsBlock(block_id=f"attended:{sid}", elements=buttons),
        ],
    )


def session_answer(session_id: int, answer: str) -> str:
    """The value of an answer button about a session: rating, meet again, practice, attended."""
    return f"{session_id}:{answer}"


def parse_session_answer(value: object) -> tuple[int, str]:
    """(session id, answer) from such a button; ValueError when it is not ours. The answer
    itself is checked by the service that records it."""
    session_id, answer = str(value or "").split(":")
    return parse_id_value(session_id), answer


def comment_metadata(session_id: int, kind: FeedbackKind) -> str:
    """The comment form's private_metadata (and the button that opens it): whose comment."""
    return f"{session_id}:{kind.value}"


def parse_comment_metadata(value: object) -> tuple[int, FeedbackKind]:
    """(session id, kind) of a comment form; ValueError when it is not ours."""
    session_id, _colon, kind = str(value or "").partition(":")
    return parse_id_value(session_id), FeedbackKind(kind or FeedbackKind.FOLLOW_UP.value)


ATTENDANCE_REPLIES = {
    "no_show": N_(
        "Thanks for telling me. Sorry it didn't happen: if you'd like another try, ask again"
        " with `/mentor`."
    ),
    "moved": N_("OK: fresh times are on their way to the mentee."),
    "already_held": N_(
        "Your mentoring partner already said the session took place, so it counts as held. Thanks!"
    ),
    "too_early": N_("This session hasn't started yet; answer after it."),
    "not_yours": N_("This session isn't yours to answer for."),
    "invalid": N_("That answer doesn't fit; please try again."),
}


def follow_up(meeting: SessionView, *, for_mentor: bool) -> Message:
    other = mention(meeting.mentee_slack_id if for_mentor else meeting.mentor_slack_id)
    sid = meeting.session_id
    ratings = [
        ButtonElement(
            text=str(n), action_id=f"{Action.RATE.value}_{n}", value=session_answer(sid, str(n))
        )
        for n in range(1, 6)
    ]
    return Message(
        _("How did your mentoring session go?"),
        [
            section(
                _(
                    "How did your session with {other} go? (1 = not useful, 5 = very useful)",
                    other=other,
                )
            ),
            ActionsBlock(block_id=f"rate:{sid}", elements=ratings),
            section(_("Would you like to meet again?")),
            ActionsBlock(
                block_id=f"again:{sid}",
                elements=[
                    ButtonElement(
                        text=_("Yes, let's meet again"),
                        action_id=f"{Action.MEET_AGAIN.value}_yes",
                        value=session_answer(sid, "yes"),
                        style="primary",
                    ),
                    ButtonElement(
                        text=_("No, all good"),
                        action_id=f"{Action.MEET_AGAIN.value}_no",
                        value=session_answer(sid, "no"),
                    ),
                    ButtonElement(
                        text=_("Add a private comment"),
                        action_id=Action.ADD_COMMENT.value,
                        value=comment_metadata(sid, FeedbackKind.FOLLOW_UP),
                    ),
                ],
            ),
            context(_("Your comment is private: {other} never sees it.", other=other)),
        ],
    )


PRACTICE_LABELS = {"yes": N_("Yes"), "partly": N_("Partly"), "not_yet": N_("Not yet")}


def practice_nudge(meeting: SessionView) -> Message:
    sid = meeting.session_id
    return Message(
        _("Did you put it into practice?"),
        [
            section(
                _("A week ago you met {mentor} about:", mentor=mention(meeting.mentor_slack_id))
                + "\n"
                + quote(meeting.question, 300)
                + "\n"
                + _("Did you put it into practice?")
            ),
            ActionsBlock(
                block_id=f"practice:{sid}",
                elements=[
                    *(
                        ButtonElement(
                            text=_(label),
                            action_id=f"{Action.PRACTICE.value}_{value}",
                            value=session_answer(sid, value),
                        )
                        for value, label in PRACTICE_LABELS.items()
                    ),
                    ButtonElement(
                        text=_("Add a note"),
                        action_id=Action.ADD_COMMENT.value,
                        value=comment_metadata(sid, FeedbackKind.PRACTICE),
                    ),
                ],
            ),
        ],
    )


def comment_modal(session_id: int, kind: FeedbackKind = FeedbackKind.FOLLOW_UP) -> View:
    return modal(
        Callback.COMMENT,
        _("Private comment"),
        _("Save"),
        [
            InputBlock(
                block_id=Field.COMMENT.value,
                label=_("Anything the program leads should know?"),
                hint=_("Only the program sees this, never the other person."),
                element=PlainTextInputElement(
                    action_id=Field.COMMENT.value, multiline=True, max_length=3000
                ),
            )
        ],
        comment_metadata(session_id, kind),
    )
