"""What the speed-mentoring event flow hands out, and what it needs from the outside world."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bot.mentoring.ports import MessageRef


class NoticeKind(StrEnum):
    """Messages an event sends on its own, each once (see storage.events.claim_notice)."""

    CLOSE = "close"  # sign-up closes: plan, and show the lead
    REMINDER = "reminder"  # 10 minutes before the start
    ROUND_START = "round_start"  # "Round 2 now: you're with @X"
    ONE_MINUTE = "one_minute"  # "1 minute left"
    END = "end"  # rate each conversation, ask for a flash session
    SUMMARY = "summary"  # the lead's summary, a day after the end


@dataclass(frozen=True)
class EventView:
    event_id: int
    title: str
    lead_slack_id: str
    starts_at: datetime
    rounds: int
    round_minutes: int
    break_minutes: int
    channel: str
    signup_closes_at: datetime
    status: str
    theme: str | None = None
    place: str | None = None
    mentees: int = 0
    mentors: int = 0
    announcement_ts: str | None = None

    def round_start(self, number: int) -> datetime:
        """When round `number` (1-based) starts."""
        return self.starts_at + (number - 1) * timedelta(
            minutes=self.round_minutes + self.break_minutes
        )

    def round_end(self, number: int) -> datetime:
        return self.round_start(number) + timedelta(minutes=self.round_minutes)

    @property
    def ends_at(self) -> datetime:
        return self.round_end(self.rounds)


@dataclass(frozen=True)
class Turn:
    """One round of one person's schedule: who they meet (None: they sit this one out)."""

    round: int
    starts_at: datetime
    ends_at: datetime
    other_slack_id: str | None
    question: str | None = None  # the mentee's question, shown to the mentor
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Schedule:
    """A participant's personal schedule, built for them (their role and time zone)."""

    event: EventView
    slack_id: str
    role: str
    timezone: str
    turns: tuple[Turn, ...]


@dataclass(frozen=True)
class PlannedPair:
    round: int
    mentee_slack_id: str
    mentor_slack_id: str
    score: float
    reasons: tuple[str, ...] = ()
    weak: bool = False


@dataclass(frozen=True)
class PlanView:
    """The plan as the lead reviews it before it goes out."""

    event: EventView
    rounds: tuple[tuple[PlannedPair, ...], ...]
    sitting_out: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Conversation:
    """One conversation held, as its mentee or mentor sees it after the event."""

    pairing_id: int
    event: EventView
    round: int
    mentee_slack_id: str
    mentor_slack_id: str
    rating: int | None = None
    follow_up_requested: bool = False
    mentor_continues: bool = False


# The lead sees no average of fewer ratings than this: with one or two, the people who
# rated could be told apart (the digest's three-people rule).
MIN_RATINGS_SHOWN = 3


@dataclass(frozen=True)
class EventSummary:
    """For the lead, a day after the event: counts only."""

    event: EventView
    mentees: int
    mentors: int
    conversations: int
    ratings: tuple[int, ...] = field(default_factory=tuple)
    follow_ups: int = 0
    mentors_continuing: int = 0

    @property
    def average_rating(self) -> float | None:
        """None with fewer than MIN_RATINGS_SHOWN ratings."""
        if len(self.ratings) < MIN_RATINGS_SHOWN:
            return None
        return sum(self.ratings) / len(self.ratings)


class EventNotifier(Protocol):
    def announce(self, event: EventView) -> str | None:
        """Post the announcement with Join buttons in the event's channel; its ts."""

    def refresh_announcement(self, event: EventView) -> None:
        """Update the announcement's live counts (or say it is closed / cancelled)."""

    def tell_lead_created(self, event: EventView) -> None: ...

    def show_plan(self, plan: PlanView) -> MessageRef | None:
        """DM the lead the plan with scores, weakest pairings flagged, and a Post button."""

    def too_few(self, event: EventView) -> None:
        """Sign-up closed without at least one mentee and one mentor: the lead is told."""

    def send_schedule(self, schedule: Schedule, place: str | None) -> MessageRef | None: ...

    def remind(self, schedule: Schedule, kind: NoticeKind, round_number: int) -> MessageRef | None:
        """The 10-minute reminder, a round's start or its last minute, to one person."""

    def ask_for_ratings(self, conversations: Sequence[Conversation]) -> MessageRef | None:
        """To a mentee after the event: rate each conversation, ask for a flash session."""

    def offer_to_continue(self, conversations: Sequence[Conversation]) -> MessageRef | None:
        """To a mentor after the event: "happy to continue" per mentee."""

    def mentor_continues(self, conversation: Conversation) -> MessageRef | None:
        """Tell the mentee their mentor would happily continue (ask for a flash session)."""

    def summarise(self, summary: EventSummary) -> None: ...

    def cancelled(self, event: EventView, slack_id: str) -> None:
        """Tell one participant the event is cancelled."""


class EventTimer(Protocol):
    def schedule(self, event_id: int, kind: NoticeKind, round_number: int, at: datetime) -> None:
        """Run the notice at `at` (persisted: survives restarts)."""

    def cancel(self, event_id: int) -> None:
        """Drop every pending notice of the event."""
