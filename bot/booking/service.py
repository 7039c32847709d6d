"""BookingService: propose slots after an accept, book one, remind both people before it."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.booking.busy_feed import BusyFeeds, Interval, address_problem
from bot.booking.nudges import (
    AFTER_BOOKING,
    DEFAULT_REMINDERS,
    Anchor,
    build_nudges,
    due_at,
    due_key,
)
from bot.booking.ports import (
    BookingNotifier,
    BusyFeedNotifier,
    NudgeKind,
    ReminderTimer,
    SessionView,
)
from bot.booking.slots import CORE_HOURS, HORIZON, Person, Slot, propose_slots
from bot.logging import log_event
from bot.mentoring.messaging import log_posted
from bot.mentoring.ports import MessageRef
from bot.storage import busy_feeds as busy_feed_repo
from bot.storage import mentors as mentor_repo
from bot.storage import requests as request_repo
from bot.storage import sessions as session_repo
from bot.storage.db import session_scope
from bot.storage.models import MentoringSession, MessageKind, SessionStatus, Urgency, utcnow
from bot.weeks import week_of

logger = logging.getLogger(__name__)


# Claim kind for the first slot proposal of a session (see BookingService.start).
SLOTS_OFFERED = NudgeKind.SLOTS_OFFERED
# A session proposed this long ago without its slots was left by a process that died.
START_GRACE = timedelta(seconds=15)


@dataclass(frozen=True)
class _Loaded:
    """A session with what proposing times for it needs to know about the two people."""

    meeting: MentoringSession
    view: SessionView
    mentor_zone: ZoneInfo
    mentee_zone: ZoneInfo
    mentor_capacity: int
    mentor_hours: tuple[time, time]
    busy_feed_url: str | None = None  # a secret: never logged, never in a message
    busy_feed_failing: bool = False  # the mentor was told it failed, and it has not worked since
    urgent: bool = False  # asked for "today": same-day times first


@dataclass(frozen=True)
class _FeedRead:
    """How reading a mentor's calendar feed went, settled once the caller's transaction ends."""

    mentor_id: int
    mentor_slack_id: str
    ok: bool
    was_failing: bool


class BookResult(StrEnum):
    BOOKED = "booked"
    CHANGED = "changed"  # rescheduled or cancelled as asked
    TAKEN = "taken"  # the time is no longer free for one of them: fresh slots were sent
    CLOSED = "closed"  # already booked or cancelled
    NOT_YOURS = "not_yours"
    INVALID = "invalid"  # a time in the past or outside the booking horizon


class BookingService:
    def __init__(
        self,
        *,
        engine: Engine,
        notifier: BookingNotifier,
        timer: ReminderTimer,
        reminders: tuple[timedelta, timedelta] = DEFAULT_REMINDERS,
        feeds: BusyFeeds | None = None,
        feed_notifier: BusyFeedNotifier | None = None,
    ) -> None:
        self._engine = engine
        self._notifier = notifier
        self._timer = timer
        self._nudges = build_nudges(*reminders)
        self._feeds = feeds
        self._feed_notifier = feed_notifier

    def feed_address_problem(self, text: str) -> str | None:
        """What is wrong with a calendar feed address typed in the profile form, in the
        reader's language (None: it may be saved)."""
        tests_only = self._feeds is not None and self._feeds.private_hosts
        return address_problem(text, allow_http=tests_only)

    def propose(self, session_id: int, *, now: datetime | None = None) -> list[Slot]:
        """Send the mentee 3-5 slots that fit both; tell them when none does."""
        now = now or utcnow()
        slots, feed = self._offer_slots(session_id, now)
        if feed is not None:
            self._settle_feed(feed, now)
        return slots

    def _offer_slots(self, session_id: int, now: datetime) -> tuple[list[Slot], _FeedRead | None]:
        with session_scope(self._engine) as session:
            loaded = self._load(session, session_id)
            if loaded is None or loaded.meeting.status != SessionStatus.PROPOSED.value:
                return [], None
            view = loaded.view
            mentor_busy = session_repo.busy_of(session, view.mentor_slack_id, now)
            mentee_busy = session_repo.busy_of(session, view.mentee_slack_id, now)
            starts = session_repo.mentor_session_starts(session, loaded.meeting.mentor_id, now)
        # Read after the transaction: a slow feed must not keep a database connection busy.
        calendar, feed = self._calendar_busy(loaded, now, now + HORIZON)
        slots = propose_slots(
            now=now,
            mentor=Person(loaded.mentor_zone, [*mentor_busy, *calendar], loaded.mentor_hours),
            mentee=Person(loaded.mentee_zone, mentee_busy),
            duration=timedelta(minutes=view.duration_minutes),
            mentor_week_load=Counter(week_of(start) for start in starts),
            mentor_capacity=loaded.mentor_capacity,
            same_day=loaded.urgent,
        )
        if slots:
            self._notifier.offer_slots(view, slots)
        else:
            self._notifier.no_common_slot(view)
        log_event(logger, "slots_proposed", session_id=session_id, count=len(slots))
        return slots, feed

    def _calendar_busy(
        self, loaded: _Loaded, start: datetime, end: datetime
    ) -> tuple[list[Interval], _FeedRead | None]:
        """The mentor's busy times from their calendar feed in [start, end): none when they
        set no feed, or when it cannot be read (slots then come from working hours alone)."""
        url = loaded.busy_feed_url
        if url is None or self._feeds is None:
            return [], None
        mentor_id = loaded.meeting.mentor_id
        found = self._feeds.busy(url, zone=loaded.mentor_zone, start=start, end=end)
        if not found.ok:  # the class name only: the address and the feed's texts stay out
            log_event(logger, "busy_feed_failed", mentor_id=mentor_id, reason=found.failure)
        read = _FeedRead(mentor_id, loaded.view.mentor_slack_id, found.ok, loaded.busy_feed_failing)
        return list(found.busy), read

    def _settle_feed(self, read: _FeedRead, now: datetime) -> None:
        """After a feed was read: a working feed clears its failure; a failing one is told to
        its mentor once, until it works again. Never in the way of the booking itself."""
        if read.ok:
            if read.was_failing:
                with session_scope(self._engine) as session:
                    busy_feed_repo.feed_works(session, read.mentor_id)
            return
        try:
            with session_scope(self._engine) as session:
                if not busy_feed_repo.claim_failure_notice(session, read.mentor_id, now):
                    return
                # Sent before the claim commits: a DM that fails is tried at the next proposal.
                if self._feed_notifier is not None:
                    self._feed_notifier.busy_feed_failed(read.mentor_slack_id)
        except Exception:
            logger.exception("busy_feed_notice_failed", extra={"mentor_id": read.mentor_id})

    def book(
        self,
        session_id: int,
        start: datetime,
        *,
        clicker_slack_id: str,
        now: datetime | None = None,
        fresh_slots_if_taken: bool = True,
    ) -> BookResult:
        now = now or utcnow()
        with session_scope(self._engine) as session:
            found = self._as_participant(session, session_id, clicker_slack_id)
        if isinstance(found, BookResult):
            return found
        view = found.view
        if start <= now or start > now + timedelta(days=60):
            return BookResult.INVALID
        end = start + timedelta(minutes=view.duration_minutes)
        # A mentee's click is checked against the mentor's calendar too (a meeting may have
        # been added since the slots went out). A time the mentor proposes is theirs to
        # choose: they see their own calendar, and may mean to move the other meeting.
        calendar: list[Interval] = []
        if clicker_slack_id != view.mentor_slack_id:
            calendar, feed = self._calendar_busy(found, start, end)
            if feed is not None and feed.ok:  # a failure is told with the next proposal
                self._settle_feed(feed, now)
        with session_scope(self._engine) as session:
            taken = _overlaps(start, end, calendar) or any(
                _overlaps(start, end, session_repo.busy_of(session, who, now, excluding=session_id))
                for who in (view.mentor_slack_id, view.mentee_slack_id)
            )
            if not taken and not session_repo.claim_booking(session, session_id, start):
                return BookResult.CLOSED
        if taken:
            if fresh_slots_if_taken:  # a mentee's stale button; a mentor's own pick is re-asked
                self._notifier.slot_taken(view)
                self.propose(session_id, now=now)
            return BookResult.TAKEN
        booked = self.view(session_id) or view
        for kind in AFTER_BOOKING:
            self._schedule(booked, kind, now)
        log_event(logger, "session_booked", session_id=session_id)
        posted = self._notifier.booked(booked)
        log_posted(
            self._engine,
            MessageKind.BOOKED,
            posted,
            request_id=booked.request_id,
            session_id=session_id,
        )
        return BookResult.BOOKED

    def remind(self, session_id: int, kind: NudgeKind, *, now: datetime | None = None) -> bool:
        """Send a nudge once (a database claim), and only while it still makes sense."""
        now = now or utcnow()
        nudge = self._nudges.get(kind)
        if nudge is None:
            return False
        with session_scope(self._engine) as session:
            loaded = self._load(session, session_id)
            if loaded is None:
                return False
            meeting, view = loaded.meeting, loaded.view
            due = due_at(meeting, nudge)
            if meeting.status not in nudge.needs or due is None:
                return False
            if now > due + nudge.grace:
                logger.info(
                    "nudge_skipped_too_late", extra={"session_id": session_id, "kind": kind}
                )
                return False
            if not session_repo.log_once(session, kind, session_id, due_key(meeting, nudge)):
                return False
            # Sent before the claim commits: killed mid-send, the claim is rolled back and the
            # catch-up sends it again; a Slack failure raises and is retried the same way.
            posted: Sequence[MessageRef] = ()
            if kind == NudgeKind.BOOKING_NUDGE:
                self._notifier.nudge_booking(view)
            else:
                posted = self._notifier.remind(view, kind)
        log_posted(
            self._engine,
            MessageKind.PRACTICE,
            posted,
            request_id=view.request_id,
            session_id=session_id,
        )
        log_event(logger, "nudge_sent", session_id=session_id, kind=kind)
        if kind == NudgeKind.BOOKING_NUDGE:
            self.propose(session_id, now=now)
        return True

    def catch_up(self, *, now: datetime | None = None) -> int:
        """Send what is due and was never sent: slots after an accept whose process died, and
        nudges whose job was lost (APScheduler drops a job as it starts running it)."""
        now = now or utcnow()
        with session_scope(self._engine) as session:
            candidates = session_repo.nudge_candidates(session, now)
            sent = session_repo.logged_kinds(session, [c.id for c in candidates if c.id])
        due: list[tuple[int, NudgeKind]] = []
        for meeting in candidates:
            assert meeting.id is not None
            if (
                meeting.status == SessionStatus.PROPOSED.value
                and (meeting.id, SLOTS_OFFERED, "") not in sent
                and meeting.created_at <= now - START_GRACE
            ):
                due.append((meeting.id, SLOTS_OFFERED))
            for nudge in self._nudges.values():
                at = due_at(meeting, nudge)
                if (
                    at is not None
                    and meeting.status in nudge.needs
                    and at <= now <= at + nudge.grace
                    and (meeting.id, nudge.kind, due_key(meeting, nudge)) not in sent
                ):
                    due.append((meeting.id, nudge.kind))
        done = sum(
            self.start(session_id, now=now)
            if kind is SLOTS_OFFERED
            else self.remind(session_id, kind, now=now)
            for session_id, kind in due
        )
        if done:
            logger.warning("nudges_caught_up", extra={"count": done})
        return done

    def drop_reminders(self, session_id: int) -> None:
        """Remove the session's pending nudge jobs (they would stay silent anyway)."""
        self._timer.cancel(session_id, tuple(self._nudges))

    def reschedule(self, session_id: int, *, by: str, now: datetime | None = None) -> BookResult:
        """Either side frees the booked time; the other is told and fresh slots go out."""
        return self._change(session_id, by, SessionStatus.PROPOSED, now or utcnow())

    def cancel(self, session_id: int, *, by: str, erasing: bool = False) -> BookResult:
        """Cancel a session `by` one of its two people. `erasing`: they asked to be forgotten,
        so the other person is told without their name (and they are not DM'd at all)."""
        return self._change(session_id, by, SessionStatus.CANCELLED, utcnow(), erasing=erasing)

    def _change(
        self, session_id: int, by: str, to: SessionStatus, now: datetime, *, erasing: bool = False
    ) -> BookResult:
        with session_scope(self._engine) as session:
            found = self._as_participant(session, session_id, by)
            if isinstance(found, BookResult):
                return found
            view = found.view
            # A no-show can be rescheduled ("they didn't come, let's find another time").
            allowed = (
                (SessionStatus.SCHEDULED, SessionStatus.NO_SHOW)
                if to is SessionStatus.PROPOSED
                else (SessionStatus.SCHEDULED, SessionStatus.PROPOSED)
            )
            if not session_repo.move_session(session, session_id, to=to, allowed_from=allowed):
                return BookResult.CLOSED
        # Pending reminders see the new status (or, once re-booked, a new start) and stay
        # silent; no job needs deleting.
        log_event(logger, "session_" + to.value, session_id=session_id)
        self._notifier.changed(
            view, by=by, cancelled=to is SessionStatus.CANCELLED, erasing=erasing
        )
        if to is SessionStatus.PROPOSED:
            self.propose(session_id, now=now)
        return BookResult.CHANGED

    def start(self, session_id: int, *, now: datetime | None = None) -> bool:
        """After an accept (or a "meet again"): propose times, and nudge in a day if unbooked.

        Once per session: a claim taken before proposing and committed after, so a process
        killed in between leaves the session to `catch_up`, never stuck and never doubled."""
        now = now or utcnow()
        with session_scope(self._engine) as session:
            if not session_repo.log_once(session, SLOTS_OFFERED, session_id):
                return False
            _slots, feed = self._offer_slots(session_id, now)
        # After the claim commits: on SQLite, writing the mentor's row from a second
        # connection while the claim's transaction is open would wait for it.
        if feed is not None:
            self._settle_feed(feed, now)
        meeting = self.view(session_id)
        if meeting is not None:
            self._schedule(meeting, NudgeKind.BOOKING_NUDGE, now)
        return True

    def _schedule(self, meeting: SessionView, kind: NudgeKind, now: datetime) -> None:
        nudge = self._nudges[kind]
        anchor = {
            Anchor.START: meeting.starts_at,
            Anchor.END: meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
            if meeting.starts_at
            else None,
            Anchor.CREATED: now,
        }[nudge.anchor]
        if anchor is not None and anchor + nudge.offset > now:
            at = anchor + nudge.offset
            self._timer.schedule(meeting.session_id, kind, at, int(nudge.grace.total_seconds()))

    def upcoming(self, slack_id: str, *, now: datetime | None = None) -> list[SessionView]:
        """Sessions to come for this person, as mentee or mentor (unbooked ones last)."""
        now = now or utcnow()
        with session_scope(self._engine) as session:
            mentor = mentor_repo.get_by_slack_id(session, slack_id)
            rows = session_repo.upcoming_sessions_of(
                session, slack_id, mentor.id if mentor else None, now
            )
            views = [loaded.view for r in rows if r.id and (loaded := self._load(session, r.id))]
        return sorted(views, key=lambda v: (v.starts_at is None, v.starts_at or now))

    def _as_participant(self, session: Session, session_id: int, who: str) -> _Loaded | BookResult:
        """The session when `who` is its mentee or mentor; CLOSED or NOT_YOURS otherwise."""
        loaded = self._load(session, session_id)
        if loaded is None:
            return BookResult.CLOSED
        if who not in (loaded.view.mentee_slack_id, loaded.view.mentor_slack_id):
            return BookResult.NOT_YOURS
        return loaded

    def view(self, session_id: int) -> SessionView | None:
        with session_scope(self._engine) as session:
            loaded = self._load(session, session_id)
            return loaded.view if loaded else None

    def _load(self, session: Session, session_id: int) -> _Loaded | None:
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
            meeting.calendar_sequence,
            meeting.status,
            str(_zone(request.mentee_timezone)),
            str(_zone(mentor.timezone)),
            mentor.meeting_place,
        )
        return _Loaded(
            meeting,
            view,
            _zone(mentor.timezone),
            _zone(request.mentee_timezone),
            mentor.weekly_capacity,
            _hours(mentor.available_from, mentor.available_until),
            mentor.busy_feed_url,
            mentor.busy_feed_failed_at is not None,
            urgent=request.urgency == Urgency.TODAY.value,
        )


def _overlaps(start: datetime, end: datetime, busy: Sequence[Interval]) -> bool:
    return any(start < b_end and b_start < end for b_start, b_end in busy)


def _hours(start: str | None, end: str | None) -> tuple[time, time]:
    """The mentor's own working hours, or the core hours where unset."""
    return (
        time.fromisoformat(start) if start else CORE_HOURS[0],
        time.fromisoformat(end) if end else CORE_HOURS[1],
    )


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


__all__ = ["BookResult", "BookingService"]
