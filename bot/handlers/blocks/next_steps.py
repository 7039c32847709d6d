"""Builders for what comes after a session: the invitation to write next steps, the forms
(actions with due dates, the mentor's suggestions, takeaways), the progress check with one
button per action, and the Home tab's "My next steps" / "People I'm helping"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
)
from slack_sdk.models.views import View

from bot.booking.ports import SessionView
from bot.handlers.blocks.common import (
    Message,
    context,
    escape,
    id_value,
    mention,
    modal,
    plain,
    quote,
    section,
)
from bot.handlers.ids import Action, Callback, Field
from bot.i18n import N_, _, format_day
from bot.mentoring.next_steps import (
    MAX_ACTION_CHARS,
    MAX_ACTIONS,
    MAX_TAKEAWAY_CHARS,
    ActionView,
    FollowUpResult,
    NextStepsResult,
)
from bot.storage.models import ActionStatus

STATUS_NAMES = {
    ActionStatus.OPEN.value: N_("not started"),
    ActionStatus.IN_PROGRESS.value: N_("in progress"),
    ActionStatus.DONE.value: N_("done"),
    ActionStatus.DROPPED.value: N_("dropped"),
}
SHARED = "shared"


def invitation_to_mentee(meeting: SessionView) -> Message:
    text = _(
        'Glad you met {mentor}! What will you do with it? Write up to 3 next steps ("try X in'
        ' Friday\'s retro", "read Y"), with a date if you like: I\'ll check in with you then.',
        mentor=mention(meeting.mentor_slack_id),
    )
    button = ButtonElement(
        text=_("Write my next steps"),
        action_id=Action.WRITE_NEXT_STEPS.value,
        value=id_value(meeting.session_id),
        style="primary",
    )
    return Message(_("Your next steps"), [section(text), ActionsBlock(elements=[button])])


def invitation_to_mentor(meeting: SessionView) -> Message:
    text = _(
        "Thanks for meeting {mentee}! You can suggest next steps, or send your takeaways and"
        " resources (docs, a course, a person to talk to).",
        mentee=mention(meeting.mentee_slack_id),
    )
    value = id_value(meeting.session_id)
    buttons = [
        ButtonElement(
            text=_("Suggest next steps"), action_id=Action.SUGGEST_NEXT_STEPS.value, value=value
        ),
        ButtonElement(text=_("Send takeaways"), action_id=Action.SEND_TAKEAWAYS.value, value=value),
    ]
    return Message(_("After your session"), [section(text), ActionsBlock(elements=buttons)])


def next_steps_modal(session_id: int, initial: Sequence[str] = ()) -> View:
    blocks: list[Block] = []
    for n in range(1, MAX_ACTIONS + 1):
        text = initial[n - 1] if n <= len(initial) else None
        blocks.append(
            InputBlock(
                block_id=f"{Field.ACTION_TEXT.value}_{n}",
                label=_("Next step {number}", number=n),
                optional=n > 1,
                element=PlainTextInputElement(
                    action_id=f"{Field.ACTION_TEXT.value}_{n}",
                    max_length=MAX_ACTION_CHARS,
                    initial_value=text[:MAX_ACTION_CHARS] if text else None,
                    placeholder=_("e.g. Try a blameless format in Friday's retro"),
                ),
            )
        )
        blocks.append(
            InputBlock(
                block_id=f"{Field.ACTION_DUE.value}_{n}",
                label=_("By when (optional)"),
                optional=True,
                element=DatePickerElement(action_id=f"{Field.ACTION_DUE.value}_{n}"),
            )
        )
    share = Option(value=SHARED, text=_("My mentor may see these next steps"))
    blocks.append(
        InputBlock(
            block_id=Field.ACTIONS_SHARED.value,
            label=_("Sharing"),
            optional=True,
            element=CheckboxesElement(
                action_id=Field.ACTIONS_SHARED.value, options=[share], initial_options=[share]
            ),
        )
    )
    return modal(Callback.NEXT_STEPS, _("Your next steps"), _("Save"), blocks, id_value(session_id))


def suggest_modal(session_id: int) -> View:
    blocks: list[Block] = [
        InputBlock(
            block_id=f"{Field.ACTION_TEXT.value}_{n}",
            label=_("Next step {number}", number=n),
            optional=n > 1,
            element=PlainTextInputElement(
                action_id=f"{Field.ACTION_TEXT.value}_{n}", max_length=MAX_ACTION_CHARS
            ),
        )
        for n in range(1, MAX_ACTIONS + 1)
    ]
    return modal(
        Callback.SUGGEST_STEPS, _("Suggest next steps"), _("Send"), blocks, id_value(session_id)
    )


def takeaways_modal(session_id: int) -> View:
    note = InputBlock(
        block_id=Field.TAKEAWAYS.value,
        label=_("Takeaways and resources"),
        hint=_("One per line; links welcome. Your mentee gets them by DM and on their Home tab."),
        element=PlainTextInputElement(
            action_id=Field.TAKEAWAYS.value, multiline=True, max_length=MAX_TAKEAWAY_CHARS
        ),
    )
    return modal(Callback.TAKEAWAYS, _("Send takeaways"), _("Send"), [note], id_value(session_id))


def suggested_message(meeting: SessionView, texts: Sequence[str]) -> Message:
    head = _("{mentor} suggests these next steps:", mentor=mention(meeting.mentor_slack_id))
    lines = "\n".join(f"• {escape(t)}" for t in texts)
    value = id_value(meeting.session_id)
    buttons = [
        ButtonElement(
            text=_("Accept them"),
            action_id=Action.ACCEPT_SUGGESTIONS.value,
            value=value,
            style="primary",
        ),
        ButtonElement(text=_("Edit"), action_id=Action.WRITE_NEXT_STEPS.value, value=value),
    ]
    return Message(head, [section(head + "\n" + lines), ActionsBlock(elements=buttons)])


def takeaways_message(meeting: SessionView, text: str) -> Message:
    head = _("Takeaways from {mentor}:", mentor=mention(meeting.mentor_slack_id))
    button = ButtonElement(
        text=_("Turn into next steps"),
        action_id=Action.WRITE_NEXT_STEPS.value,
        value=id_value(meeting.session_id),
    )
    return Message(
        head, [section(head), section(quote(text, 2500)), ActionsBlock(elements=[button])]
    )


def progress_message(
    meeting: SessionView, actions: Sequence[ActionView], *, can_follow_up: bool
) -> Message:
    head = _(
        "How are your next steps from your session with {mentor} going?",
        mentor=mention(meeting.mentor_slack_id),
    )
    blocks: list[Block] = [section(head)]
    for action in actions:
        blocks.append(section(_action_line(action, meeting.mentee_timezone)))
        blocks.append(
            ActionsBlock(
                block_id=f"next_step:{action.action_id}",
                elements=[
                    ButtonElement(
                        text=_(name),
                        action_id=f"{Action.ACTION_STATUS.value}_{status}",
                        value=id_value(action.action_id),
                    )
                    for status, name in STATUS_BUTTONS
                ],
            )
        )
    if can_follow_up:
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text=_("Book a follow-up"),
                        action_id=Action.BOOK_FOLLOW_UP.value,
                        value=id_value(meeting.session_id),
                    )
                ]
            )
        )
        blocks.append(
            context(_("A follow-up is another session with the same mentor (2 at most)."))
        )
    return Message(_("How are your next steps going?"), blocks)


STATUS_BUTTONS = (
    (ActionStatus.DONE.value, N_("Done")),
    (ActionStatus.IN_PROGRESS.value, N_("In progress")),
    (ActionStatus.DROPPED.value, N_("Dropped")),
)


def help_worked_message(meeting: SessionView) -> Message:
    return plain(
        _(
            "Your help worked: {mentee} marked a next step from your session as done. 🎉",
            mentee=mention(meeting.mentee_slack_id),
        )
    )


def home_blocks(
    mine: Sequence[ActionView], helping: Sequence[ActionView], zone: str
) -> list[Block]:
    """ "My next steps", and for mentors "People I'm helping" (shared actions only)."""
    blocks: list[Block] = []
    if mine:
        lines = [_action_line(a, zone) for a in mine[:10]]
        blocks.append(section(_("*My next steps*") + "\n" + "\n".join(lines)))
    if helping:
        lines = [f"{mention(a.mentee_slack_id)} · {_action_line(a, zone)}" for a in helping[:10]]
        blocks.append(section(_("*People I'm helping*") + "\n" + "\n".join(lines)))
    return blocks


def saved_reply(result: NextStepsResult) -> str:
    texts = {
        NextStepsResult.SAVED: _(
            "Saved. I'll check in with you on the dates you chose (or in a week)."
        ),
        NextStepsResult.NOT_YOURS: _("Only the mentee of that session can do this."),
        NextStepsResult.INVALID: _(
            "Write 1 to 3 next steps of up to 200 characters, with dates from today on."
        ),
        NextStepsResult.NOT_HELD: _("That session hasn't taken place yet."),
    }
    return texts[result]


def mentor_reply(result: NextStepsResult) -> str:
    texts = {
        NextStepsResult.SAVED: _("Sent to your mentee."),
        NextStepsResult.NOT_YOURS: _("Only the mentor of that session can do this."),
        NextStepsResult.INVALID: _(
            "That can't be sent: write up to 3 short next steps (your mentee may have written"
            " theirs already), or takeaways of up to 2,000 characters."
        ),
        NextStepsResult.NOT_HELD: _("That session hasn't taken place yet."),
    }
    return texts[result]


def follow_up_reply(result: FollowUpResult) -> str:
    texts = {
        FollowUpResult.BOOKING: _("A follow-up with the same mentor: times are on their way."),
        FollowUpResult.LIMIT: _(
            "You've had 2 follow-ups on this question already. For something new, ask with"
            " `/mentor <your question>`."
        ),
        FollowUpResult.NOT_YOURS: _("Only the mentee of that session can do this."),
        FollowUpResult.UNAVAILABLE: _(
            "Your mentor can't take a follow-up right now. For a new conversation, ask with"
            " `/mentor <your question>`."
        ),
    }
    return texts[result]


def saved_reply_invalid_date() -> str:
    return _("Pick a date from today on.")


def saved_reply_empty() -> str:
    return _("Write at least one next step.")


def saved_reply_not_yours() -> str:
    return _("Only the mentee of that session can do this.")


def status_reply(status: str) -> str:
    return _("Marked as {status}.", status=_(STATUS_NAMES[status]))


def _action_line(action: ActionView, zone: str) -> str:
    due = ""
    if action.due_on is not None:
        moment = datetime.combine(action.due_on, time(12), ZoneInfo(zone))
        due = " · " + _("by {day}", day=format_day(moment, zone))
    return f"• {escape(action.text)} · _{_(STATUS_NAMES[action.status])}_{due}"
