"""Builders for the mentor profile: the form and its defaults, and the "saved" reply."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.models.blocks import (
    DatePickerElement,
    InputBlock,
    NumberInputElement,
    PlainTextInputElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.handlers.blocks.common import Message, modal, plain, section
from bot.handlers.ids import Callback, Field
from bot.storage.models import (
    MAX_EXPERTISE_CHARS,
    MentorView,
)


@dataclass(frozen=True)
class ProfileDefaults:
    expertise: str = ""
    skills: str = ""
    languages: str = ""
    capacity: int = 2
    timezone: str = "UTC"
    paused_until: str | None = None  # YYYY-MM-DD
    available_from: str | None = None  # HH:MM
    available_until: str | None = None

    @classmethod
    def of(cls, mentor: MentorView | None, timezone: str) -> ProfileDefaults:
        if mentor is None:
            return cls(timezone=timezone)
        return cls(
            mentor.expertise,
            ", ".join(mentor.skills),
            ", ".join(mentor.languages),
            mentor.weekly_capacity,
            mentor.timezone or timezone,
            mentor.paused_until.date().isoformat() if mentor.paused_until else None,
            mentor.available_from,
            mentor.available_until,
        )


def profile_modal(defaults: ProfileDefaults, *, is_mentor: bool) -> View:
    return modal(
        Callback.PROFILE,
        "Mentor profile",
        "Save",
        [
            section(
                "Edit your mentor profile."
                if is_mentor
                else "Become a mentor: tell colleagues what you can help with. Reverse mentors"
                " welcome — juniors often know what seniors don't."
            ),
            InputBlock(
                block_id=Field.EXPERTISE.value,
                label="What can you help with?",
                hint="Short phrases separated by commas: incident postmortems, on-call rotations",
                element=PlainTextInputElement(
                    action_id=Field.EXPERTISE.value,
                    multiline=True,
                    max_length=MAX_EXPERTISE_CHARS,
                    initial_value=defaults.expertise or None,
                ),
            ),
            InputBlock(
                block_id=Field.SKILLS.value,
                label="Skills and tools",
                optional=True,
                element=PlainTextInputElement(
                    action_id=Field.SKILLS.value, initial_value=defaults.skills or None
                ),
            ),
            InputBlock(
                block_id=Field.LANGUAGES.value,
                label="Languages you mentor in",
                optional=True,
                element=PlainTextInputElement(
                    action_id=Field.LANGUAGES.value,
                    initial_value=defaults.languages or None,
                    placeholder="en, fr",
                ),
            ),
            InputBlock(
                block_id=Field.CAPACITY.value,
                label="Sessions per week",
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
                label="Time zone",
                element=PlainTextInputElement(
                    action_id=Field.TIMEZONE.value, initial_value=defaults.timezone
                ),
            ),
            _time_input(Field.AVAILABLE_FROM, "from", "09:00", defaults.available_from),
            _time_input(Field.AVAILABLE_UNTIL, "until", "17:30", defaults.available_until),
            InputBlock(
                block_id=Field.PAUSED_UNTIL.value,
                label="Pause until",
                optional=True,
                element=DatePickerElement(
                    action_id=Field.PAUSED_UNTIL.value, initial_date=defaults.paused_until
                ),
            ),
        ],
    )


def _time_input(field: Field, word: str, default: str, initial: str | None) -> InputBlock:
    return InputBlock(
        block_id=field.value,
        label=f"Available for sessions {word}",
        optional=True,
        hint=f"Your local time; leave empty for {default}",
        element=TimePickerElement(action_id=field.value, initial_time=initial),
    )


def profile_saved(mentor: MentorView, *, waiting: bool) -> Message:
    if waiting:
        return plain(
            "Your mentor profile is saved. A program lead will review it: you'll start"
            " receiving questions once it's approved (I'll tell you)."
        )
    return plain(
        f"Your mentor profile is saved. Capacity: {mentor.weekly_capacity} session(s) a week."
        " I'll send you questions that match what you know."
    )
