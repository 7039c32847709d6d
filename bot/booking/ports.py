"""What booking needs from the outside: telling people, and timing reminders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.booking.slots import Slot
from bot.mentoring.ports import MessageRef


class NudgeKind(StrEnum):
    """Each message a session sends on its own, sent once per session (and start time)."""

    BOOKING_NUDGE = "booking_nudge"  # a day after the accept, if nothing is booked
    REMINDER_EARLY = "reminder_early"
    REMINDER_SOON = "reminder_soon"
    FOLLOW_UP = "follow_up"  # "Did it take place?" at the end
    PRACTICE = "practice"  # "Did you put it into practice?" a week later
    SLOTS_OFFERED = "slots_offered"  # the claim of a session's first slot proposal


@dataclass(frozen=True)
class SessionView:
    session_id: int
    request_id: int
    mentee_slack_id: str
    mentor_slack_id: str
    duration_minutes: int
    starts_at: datetime | None
    question: str
    calendar_sequence: int = 0
    status: str = "proposed"
    # Each person's IANA time zone: a message to them shows times in it.
    mentee_timezone: str = "UTC"
    mentor_timezone: str = "UTC"
    # Where the mentor meets, as written in their profile (see bot/booking/place.py).
    meeting_place: str | None = None

    def timezone_of(self, slack_id: str) -> str:
        return self.mentor_timezone if slack_id == self.mentor_slack_id else self.mentee_timezone


class BookingNotifier(Protocol):
    def offer_slots(self, meeting: SessionView, slots: Sequence[Slot]) -> None:
        """Ask the mentee to pick one of `slots` (one button each)."""

    def no_common_slot(self, meeting: SessionView) -> None:
        """No time fits both in the next days: ask them to agree one directly."""

    def slot_taken(self, meeting: SessionView) -> None:
        """The picked time was just taken; fresh slots follow."""

    def booked(self, meeting: SessionView) -> Sequence[MessageRef]:
        """Tell both people the session is booked (the messages quote the question)."""

    def remind(self, meeting: SessionView, kind: NudgeKind) -> Sequence[MessageRef]:
        """A reminder or follow-up (`kind` as in booking.nudges.NUDGES); returns the
        messages that quote the question (the practice nudge's)."""

    def changed(
        self, meeting: SessionView, *, by: str, cancelled: bool, erasing: bool = False
    ) -> None:
        """The session was rescheduled or cancelled by `by`: tell both. `erasing`: `by` is
        being forgotten, so only the other person is told, without naming them."""

    def nudge_booking(self, meeting: SessionView) -> None:
        """Nobody booked a time a day after the accept."""


class BusyFeedNotifier(Protocol):
    """Telling a mentor about their calendar feed. A protocol of its own, next to
    BookingNotifier, so notifiers written before calendar feeds still type-check."""

    def busy_feed_failed(self, mentor_slack_id: str) -> None:
        """Their feed could not be read, so times came from their working hours (told once,
        until it works again)."""


class ReminderTimer(Protocol):
    def schedule(
        self, session_id: int, kind: NudgeKind, at: datetime, grace_seconds: int
    ) -> None: ...

    def cancel(self, session_id: int, kinds: Sequence[str]) -> None:
        """Remove the session's pending reminders of these kinds (none left is fine)."""
