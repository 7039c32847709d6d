"""The messages a session sends on its own, and when: each at an anchor (the accept, the start,
the end) plus an offset, with its own grace after a restart, while the session is in the right
state. Pure definitions; `BookingService` schedules and sends them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from bot.booking.ports import NudgeKind
from bot.storage.models import MentoringSession, SessionStatus


class Anchor(StrEnum):
    START = "start"
    END = "end"
    CREATED = "created"  # when the session was proposed, i.e. the mentor accepted


@dataclass(frozen=True)
class Nudge:
    """A message due at `anchor + offset`; after a restart it may still go out up to `grace`
    late, later it is skipped with a log line. Each is sent once per session (a DB claim)."""

    kind: NudgeKind
    anchor: Anchor
    offset: timedelta
    grace: timedelta
    needs: tuple[SessionStatus, ...]


def build_nudges(early: timedelta, soon: timedelta) -> dict[NudgeKind, Nudge]:
    """Every nudge; the two reminders come `early` and `soon` before the session."""
    nudges = (
        Nudge(
            NudgeKind.BOOKING_NUDGE,
            Anchor.CREATED,
            timedelta(days=1),
            timedelta(days=1),
            (SessionStatus.PROPOSED,),
        ),
        Nudge(
            NudgeKind.REMINDER_EARLY,
            Anchor.START,
            -early,
            min(timedelta(hours=6), early / 4),
            (SessionStatus.SCHEDULED,),
        ),
        # A "starts soon" reminder after the start is useless: its grace ends just before.
        Nudge(
            NudgeKind.REMINDER_SOON,
            Anchor.START,
            -soon,
            max(timedelta(minutes=1), soon * 0.9),
            (SessionStatus.SCHEDULED,),
        ),
        # "Did it take place?", then rating and "meet again?"
        Nudge(
            NudgeKind.FOLLOW_UP,
            Anchor.END,
            timedelta(0),
            timedelta(days=2),
            (SessionStatus.SCHEDULED,),
        ),
        # Also for sessions nobody confirmed yet; never after a no-show or a cancellation.
        Nudge(
            NudgeKind.PRACTICE,
            Anchor.END,
            timedelta(days=7),
            timedelta(days=3),
            (SessionStatus.SCHEDULED, SessionStatus.HELD),
        ),
    )
    return {n.kind: n for n in nudges}


DEFAULT_REMINDERS = (timedelta(hours=24), timedelta(minutes=10))
NUDGES = build_nudges(*DEFAULT_REMINDERS)
AFTER_BOOKING = (
    NudgeKind.REMINDER_EARLY,
    NudgeKind.REMINDER_SOON,
    NudgeKind.FOLLOW_UP,
    NudgeKind.PRACTICE,
)


def due_key(meeting: MentoringSession, nudge: Nudge) -> str:
    """What a nudge's send-once claim is for: the session's start, when the nudge depends on
    it, so a rescheduled session gets its reminders again."""
    if nudge.anchor is Anchor.CREATED or meeting.starts_at is None:
        return ""
    return meeting.starts_at.astimezone(UTC).isoformat(timespec="seconds")


def due_at(meeting: MentoringSession, nudge: Nudge) -> datetime | None:
    if nudge.anchor is Anchor.CREATED:
        return meeting.created_at + nudge.offset
    if meeting.starts_at is None:
        return None
    if nudge.anchor is Anchor.START:
        return meeting.starts_at + nudge.offset
    return meeting.starts_at + timedelta(minutes=meeting.duration_minutes) + nudge.offset
