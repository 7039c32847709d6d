"""Builders for the mentor profile: the form and its defaults, and the "saved" reply."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.models.blocks import (
    DatePickerElement,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.booking.busy_feed import MAX_ADDRESS_CHARS
from bot.handlers.blocks.common import Message, modal, plain, section
from bot.handlers.ids import Callback, Field
from bot.i18n import NATIVE_NAMES, _, ngettext
from bot.storage.models import (
    MAX_EXPERTISE_CHARS,
    MAX_HELP_QUESTION_CHARS,
    MAX_HELP_QUESTIONS,
    MAX_MEETING_PLACE_CHARS,
    MentorView,
)

# The calendar feed input's block and action id (block_id == action_id, as for `Field`).
BUSY_FEED = "busy_feed"


@dataclass(frozen=True)
class ProfileDefaults:
    expertise: str = ""
    skills: str = ""
    help_questions: str = ""  # one per line
    languages: str = ""
    meeting_place: str = ""
    capacity: int = 2
    timezone: str = "UTC"
    paused_until: str | None = None  # YYYY-MM-DD
    available_from: str | None = None  # HH:MM
    available_until: str | None = None
    message_language: str | None = None  # None: the person's Slack language
    # A secret: only ever filled in for the mentor's own form.
    busy_feed: str = ""

    @classmethod
    def of(
        cls,
        mentor: MentorView | None,
        timezone: str,
        *,
        message_language: str | None = None,
        busy_feed: str | None = None,
    ) -> ProfileDefaults:
        if mentor is None:
            return cls(timezone=timezone, message_language=message_language)
        return cls(
            expertise=mentor.expertise,
            skills=", ".join(mentor.skills),
            help_questions="\n".join(mentor.help_questions),
            languages=", ".join(mentor.languages),
            meeting_place=mentor.meeting_place or "",
            capacity=mentor.weekly_capacity,
            timezone=mentor.timezone or timezone,
            paused_until=mentor.paused_until.date().isoformat() if mentor.paused_until else None,
            available_from=mentor.available_from,
            available_until=mentor.available_until,
            message_language=message_language,
            busy_feed=busy_feed or "",
        )


def profile_modal(defaults: ProfileDefaults, *, is_mentor: bool) -> View:
    return modal(
        Callback.PROFILE,
        _("Mentor profile"),
        _("Save"),
        [
            section(
                _("Edit your mentor profile.")
                if is_mentor
                else _(
                    "Become a mentor: tell colleagues what you can help with. Reverse mentors"
                    " welcome — juniors often know what seniors don't."
                )
            ),
            InputBlock(
                block_id=Field.EXPERTISE.value,
                label=_("What can you help with?"),
                hint=_(
                    "Short phrases separated by commas: incident postmortems, on-call rotations"
                ),
                element=PlainTextInputElement(
                    action_id=Field.EXPERTISE.value,
                    multiline=True,
                    max_length=MAX_EXPERTISE_CHARS,
                    initial_value=defaults.expertise or None,
                ),
            ),
            InputBlock(
                block_id=Field.SKILLS.value,
                label=_("Skills and tools"),
                optional=True,
                element=PlainTextInputElement(
                    action_id=Field.SKILLS.value, initial_value=defaults.skills or None
                ),
            ),
            InputBlock(
                block_id=Field.HELP_QUESTIONS.value,
                label=_("Questions you can help with"),
                hint=_(
                    'A few examples in the words a colleague would use, one per line: "how much'
                    ' downtime is acceptable for our API?"'
                ),
                optional=True,
                element=PlainTextInputElement(
                    action_id=Field.HELP_QUESTIONS.value,
                    multiline=True,
                    max_length=MAX_HELP_QUESTIONS * (MAX_HELP_QUESTION_CHARS + 1),
                    initial_value=defaults.help_questions or None,
                ),
            ),
            InputBlock(
                block_id=Field.LANGUAGES.value,
                label=_("Languages you mentor in"),
                optional=True,
                element=PlainTextInputElement(
                    action_id=Field.LANGUAGES.value,
                    initial_value=defaults.languages or None,
                    placeholder="en, fr",
                ),
            ),
            InputBlock(
                block_id=Field.MEETING_PLACE.value,
                label=_("Where you meet"),
                hint=_(
                    'Your video call link (https://…), a room, or "Slack huddle". It goes in the'
                    " booking message and the calendar invite."
                ),
                optional=True,
                element=PlainTextInputElement(
                    action_id=Field.MEETING_PLACE.value,
                    max_length=MAX_MEETING_PLACE_CHARS,
                    initial_value=defaults.meeting_place or None,
                ),
            ),
            InputBlock(
                block_id=Field.CAPACITY.value,
                label=_("Sessions per week"),
                element=NumberInputElement(
                    action_id=Field.CAPACITY.value,
                    is_decimal_allowed=False,
                    min_value="0",
                    max_value="40",
                    initial_value=str(defaults.capacity),
                ),
            ),
            InputBlock(
                block_id=Field.TIMEZONE.value,
                label=_("Time zone"),
                element=PlainTextInputElement(
                    action_id=Field.TIMEZONE.value, initial_value=defaults.timezone
                ),
            ),
            _time_input(
                Field.AVAILABLE_FROM,
                _("Available for sessions from"),
                "09:00",
                defaults.available_from,
            ),
            _time_input(
                Field.AVAILABLE_UNTIL,
                _("Available for sessions until"),
                "17:30",
                defaults.available_until,
            ),
            _busy_feed_input(defaults.busy_feed),
            _message_language_input(defaults.message_language),
            InputBlock(
                block_id=Field.PAUSED_UNTIL.value,
                label=_("Pause until"),
                optional=True,
                element=DatePickerElement(
                    action_id=Field.PAUSED_UNTIL.value, initial_date=defaults.paused_until
                ),
            ),
        ],
    )


FOLLOW_SLACK = "auto"


def _busy_feed_input(address: str) -> InputBlock:
    return InputBlock(
        block_id=BUSY_FEED,
        label=_("Calendar feed (secret iCal address)"),
        hint=_(
            "Optional. Paste your calendar's secret iCal address (Google Calendar: Settings →"
            " your calendar → Integrate calendar; Outlook: Settings → Calendar → Shared"
            " calendars → Publish a calendar; Apple: Calendar → Share Calendar → Public"
            " Calendar). Only your busy times are read, so offered times avoid your meetings;"
            " event titles are never stored or shown, and nobody else sees this address. Leave"
            " it empty to remove it."
        ),
        optional=True,
        element=PlainTextInputElement(
            action_id=BUSY_FEED,
            max_length=MAX_ADDRESS_CHARS,
            initial_value=address or None,
            placeholder="https://…/basic.ics",
        ),
    )


def _message_language_input(chosen: str | None) -> InputBlock:
    """Which language mentor-bot writes to this person in (also `/mentor language`)."""
    options = [Option(value=FOLLOW_SLACK, text=_("Same as my Slack"))] + [
        Option(value=code, text=name) for code, name in NATIVE_NAMES.items()
    ]
    initial = next((o for o in options if o.value == chosen), options[0])
    return InputBlock(
        block_id=Field.MESSAGE_LANGUAGE.value,
        label=_("Language of my messages from mentor-bot"),
        optional=True,
        element=StaticSelectElement(
            action_id=Field.MESSAGE_LANGUAGE.value, options=options, initial_option=initial
        ),
    )


def _time_input(field: Field, title: str, default: str, initial: str | None) -> InputBlock:
    return InputBlock(
        block_id=field.value,
        label=title,
        optional=True,
        hint=_("Your local time; leave empty for {time}", time=default),
        element=TimePickerElement(action_id=field.value, initial_time=initial),
    )


def profile_saved(mentor: MentorView, *, waiting: bool) -> Message:
    if waiting:
        return plain(
            _(
                "Your mentor profile is saved. A program lead will review it: you'll start"
                " receiving questions once it's approved (I'll tell you)."
            )
        )
    return plain(
        ngettext(
            "Your mentor profile is saved. Capacity: {count} session a week. I'll send you"
            " questions that match what you know.",
            "Your mentor profile is saved. Capacity: {count} sessions a week. I'll send you"
            " questions that match what you know.",
            mentor.weekly_capacity,
        )
    )
