"""BookingService: propose slots after an accept, book one, remind both people before it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.booking.ports import BookingNotifier, ReminderTimer, SessionView
from bot.booking.slots import Person, Slot, propose_slots, week_of
from bot.logging import log_event
from bot.storage import mentors as mentor_repo
from bot.storage import requests as request_repo
from bot.storage import sessions as session_repo
from bot.storage.db import session_scope
from bot.storage.models import MentoringSession, SessionStatus, utcnow

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reminder:
    kind: str
    before: timedelta
    grace: timedelta  # how late it may still be sent after a restart; later it is skipped


REMINDERS = (
    Reminder("reminder_24h", timedelta(hours=24), grace=timedelta(hours=6)),
    Reminder("reminder_10m", timedelta(minutes=10), grace=timedelta(minutes=9)),
)


class BookResult(StrEnum):
    BOOKED = "booked"
    TAKEN = "taken"  # the time is no longer free for one of them: fresh slots were sent
    CLOSED = "closed"  # already booked or cancelled
    NOT_YOURS = "not_yours"
    INVALID = "invalid"  # a time in the past or outside the booking horizon


class BookingService:
    def __init__(self, *, engine: Engine, notifier: BookingNotifier, timer: ReminderTimer) -> None:
        self._engine = engine
        self._notifier = notifier
        self._timer = timer

    def propose(self, session_id: int, *, now: datetime | None = None) -> list[Slot]:
        """Send the mentee 3-5 slots that fit both; tell them when none does."""
        now = now or utcnow()
        with session_scope(self._engine) as session:
            loaded = self._load(session, session_id)
            if loaded is None:
                return []
            meeting, view, mentor_zone, mentee_zone, capacity = loaded
            if meeting.status != SessionStatus.PROPOSED.value:
                return []
            slots = propose_slots(
                now=now,
                mentor=Person(
                    mentor_zone, session_repo.busy_of(session, view.mentor_slack_id, now)
                ),
                mentee=Person(
                    mentee_zone, session_repo.busy_of(session, view.mentee_slack_id, now)
                ),
                duration=timedelta(minutes=meeting.duration_minutes),
                mentor_week_load=dict(
                    session_repo.mentor_week_load(session, meeting.mentor_id, now)
                ),
                mentor_capacity=capacity,
            )
        if slots:
            self._notifier.offer_slots(view, slots)
        else:
            self._notifier.no_common_slot(view)
        log_event(logger, "slots_proposed", session_id=session_id, count=len(slots))
        return slots

    def book(
        self,
        session_id: int,
        start: datetime,
        *,
        clicker_slack_id: str,
        now: datetime | None = None,
    ) -> BookResult:
        now = now or utcnow()
        with session_scope(self._engine) as session:
            loaded = self._load(session, session_id)
            if loaded is None:
                return BookResult.CLOSED
            meeting, view, *_ = loaded
            if clicker_slack_id not in (view.mentee_slack_id, view.mentor_slack_id):
                return BookResult.NOT_YOURS
            if start <= now or start > now + timedelta(days=60):
                return BookResult.INVALID
            end = start + timedelta(minutes=meeting.duration_minutes)
            clash = any(
                start < b_end and b_start < end
                for who in (view.mentor_slack_id, view.mentee_slack_id)
                for b_start, b_end in session_repo.busy_of(session, who, now)
            )
            if clash:
                taken = True
            else:
                taken = False
                if not session_repo.claim_booking(session, session_id, start):
                    return BookResult.CLOSED
        if taken:
            self._notifier.slot_taken(view)
            self.propose(session_id, now=now)
            return BookResult.TAKEN
        booked = SessionView(**{**view.__dict__, "starts_at": start})
        for reminder in REMINDERS:
            at = start - reminder.before
            if at > now:
                self._timer.schedule(
                    session_id, reminder.kind, at, int(reminder.grace.total_seconds())
                )
        log_event(logger, "session_booked", session_id=session_id)
        self._notifier.booked(booked)
        return BookResult.BOOKED

    def remind(self, session_id: int, kind: str, *, now: datetime | None = None) -> bool:
        """Send a reminder once (a database claim), and only while it still makes sense."""
        now = now or utcnow()
        reminder = next((r for r in REMINDERS if r.kind == kind), None)
        if reminder is None:
            return False
        with session_scope(self._engine) as session:
            loaded = self._load(session, session_id)
            if loaded is None:
                return False
            meeting, view, *_ = loaded
            if meeting.status != SessionStatus.SCHEDULED.value or meeting.starts_at is None:
                return False
            due = meeting.starts_at - reminder.before
            if now > due + reminder.grace:
                logger.info(
                    "reminder_skipped_too_late", extra={"session_id": session_id, "kind": kind}
                )
                return False
            if not session_repo.log_once(session, kind, session_id):
                return False
        self._notifier.remind(view, kind)
        return True

    def view(self, session_id: int) -> SessionView | None:
        with session_scope(self._engine) as session:
            loaded = self._load(session, session_id)
            return loaded[1] if loaded else None

    def _load(
        self, session: Session, session_id: int
    ) -> tuple[MentoringSession, SessionView, ZoneInfo, ZoneInfo, int] | None:
        meeting = session_repo.get_session(session, session_id)
        if meeting is None or meeting.id is None:
            return None
        mentor = mentor_repo.get_many(session, [meeting.mentor_id]).get(meeting.mentor_id)
        request = request_repo.get_request(session, meeting.request_id)
        if mentor is None or request is None:
            return None
        view = SessionView(
            meeting.id,
            meeting.request_id,
            meeting.mentee_slack_id,
            mentor.slack_id,
            meeting.duration_minutes,
            meeting.starts_at,
            request.question or "",
        )
        return (
            meeting,
            view,
            _zone(mentor.timezone),
            _zone(request.mentee_timezone),
            mentor.weekly_capacity,
        )


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


__all__ = ["REMINDERS", "BookResult", "BookingService", "week_of"]
