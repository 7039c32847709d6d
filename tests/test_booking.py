"""Booking without Slack: explicit `now`, a recording notifier, a recording reminder timer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.booking.feedback import FeedbackResult, FeedbackService
from bot.booking.ports import NudgeKind, SessionView
from bot.booking.service import BookingService, BookResult
from bot.booking.slots import Slot
from bot.mentoring.ports import MessageRef
from bot.storage import requests as request_repo
from bot.storage import sessions as session_repo
from bot.storage.db import session_scope
from bot.storage.models import Feedback, MentoringSession
from tests.conftest import add_mentor

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # Monday


@dataclass
class Recorder:
    events: list[tuple[str, Any]] = field(default_factory=list)

    def offer_slots(self, meeting: SessionView, slots: Sequence[Slot]) -> None:
        self.events.append(("slots", list(slots)))

    def no_common_slot(self, meeting: SessionView) -> None:
        self.events.append(("none", meeting.session_id))

    def slot_taken(self, meeting: SessionView) -> None:
        self.events.append(("taken", meeting.session_id))

    def booked(self, meeting: SessionView) -> list[MessageRef]:
        self.events.append(("booked", meeting.starts_at))
        return []

    def remind(self, meeting: SessionView, kind: str) -> list[MessageRef]:
        self.events.append(("remind", kind))
        return []

    def nudge_booking(self, meeting: SessionView) -> None:
        self.events.append(("nudge_booking", meeting.session_id))

    def changed(
        self, meeting: SessionView, *, by: str, cancelled: bool, erasing: bool = False
    ) -> None:
        self.events.append(("changed", (by, cancelled)))

    def schedule(self, session_id: int, kind: str, at: datetime, grace_seconds: int) -> None:
        self.events.append(("schedule", (kind, at)))

    def cancel(self, session_id: int, kinds: Sequence[str]) -> None:
        self.events.append(("cancel", (session_id, tuple(kinds))))

    def of(self, kind: str) -> list[Any]:
        return [v for k, v in self.events if k == kind]


def make_session(engine: Engine, mentee: str, mentor_id: int, *, tz: str = "Europe/Paris") -> int:
    with session_scope(engine) as session:
        request = request_repo.create_request(
            session, mentee_slack_id=mentee, question="q?", format="flash"
        )
        request.mentee_timezone = tz
        assert request.id is not None
        meeting = session_repo.create_session(
            session, request_id=request.id, mentor_id=mentor_id, mentee_slack_id=mentee, minutes=60
        )
        assert meeting.id is not None
        return meeting.id


Booking = tuple[BookingService, Recorder]


@pytest.fixture
def booking(engine: Engine) -> Booking:
    recorder = Recorder()
    return BookingService(engine=engine, notifier=recorder, timer=recorder), recorder


def test_book_schedules_both_reminders_and_refuses_a_second_booking(
    engine: Engine, booking: Booking
) -> None:
    service, recorder = booking
    mentor = add_mentor(engine, "U0MENTOR1", "sql", timezone="Europe/Paris")
    session_id = make_session(engine, "U0MENTEE1", mentor)
    slots = service.propose(session_id, now=NOW)
    assert recorder.of("slots") == [slots]
    start = slots[-1].start  # days away: both reminders are in the future
    assert (
        service.book(session_id, start, clicker_slack_id="U0MENTEE1", now=NOW) is BookResult.BOOKED
    )
    end = start + timedelta(hours=1)
    assert recorder.of("schedule") == [
        ("reminder_early", start - timedelta(hours=24)),
        ("reminder_soon", start - timedelta(minutes=10)),
        ("follow_up", end),
        ("practice", end + timedelta(days=7)),
    ]
    again = service.book(session_id, slots[0].start, clicker_slack_id="U0MENTEE1", now=NOW)
    assert again is BookResult.CLOSED


def test_a_time_taken_meanwhile_sends_fresh_slots(engine: Engine, booking: Booking) -> None:
    service, recorder = booking
    mentor = add_mentor(engine, "U0MENTOR1", "sql", timezone="Europe/Paris", weekly_capacity=5)
    first = make_session(engine, "U0MENTEE1", mentor)
    second = make_session(engine, "U0MENTEE2", mentor)
    slot = service.propose(first, now=NOW)[0]
    service.propose(second, now=NOW)
    assert (
        service.book(first, slot.start, clicker_slack_id="U0MENTEE1", now=NOW) is BookResult.BOOKED
    )
    # The second mentee clicks the same time from an older message: the mentor is busy then.
    result = service.book(second, slot.start, clicker_slack_id="U0MENTEE2", now=NOW)
    assert result is BookResult.TAKEN
    fresh = recorder.of("slots")[-1]
    assert all(s.start >= slot.end + timedelta(minutes=15) or s.end <= slot.start for s in fresh)


def test_reminders_send_once_and_skip_when_too_late(engine: Engine, booking: Booking) -> None:
    service, recorder = booking
    mentor = add_mentor(engine, "U0MENTOR1", "sql", timezone="Europe/Paris")
    session_id = make_session(engine, "U0MENTEE1", mentor)
    start = service.propose(session_id, now=NOW)[-1].start
    service.book(session_id, start, clicker_slack_id="U0MENTEE1", now=NOW)
    at_24h = start - timedelta(hours=24)
    assert service.remind(session_id, NudgeKind.REMINDER_EARLY, now=at_24h)
    # A second run of the same job sends nothing.
    assert not service.remind(session_id, NudgeKind.REMINDER_EARLY, now=at_24h)
    # The 10-minute reminder after a long outage: the session has started, so it is skipped.
    assert not service.remind(session_id, NudgeKind.REMINDER_SOON, now=start + timedelta(minutes=1))
    assert recorder.of("remind") == ["reminder_early"]


def test_bad_times_and_strangers_are_refused(engine: Engine, booking: Booking) -> None:
    service, _ = booking
    mentor = add_mentor(engine, "U0MENTOR1", "sql")
    session_id = make_session(engine, "U0MENTEE1", mentor)
    past = NOW - timedelta(hours=1)
    assert (
        service.book(session_id, past, clicker_slack_id="U0MENTEE1", now=NOW) is BookResult.INVALID
    )
    future = NOW + timedelta(days=2)
    assert (
        service.book(session_id, future, clicker_slack_id="U0OTHER01", now=NOW)
        is BookResult.NOT_YOURS
    )
    assert service.book(999, future, clicker_slack_id="U0MENTEE1", now=NOW) is BookResult.CLOSED


def test_booking_nudge_a_day_later_only_if_still_unbooked(engine: Engine, booking: Booking) -> None:
    service, recorder = booking
    mentor = add_mentor(engine, "U0MENTOR1", "sql", timezone="Europe/Paris")
    unbooked = make_session(engine, "U0MENTEE1", mentor)
    booked = make_session(engine, "U0MENTEE2", mentor)
    with session_scope(engine) as session:  # both were proposed a day ago
        for session_id in (unbooked, booked):
            meeting = session.get(MentoringSession, session_id)
            assert meeting is not None
            meeting.created_at = NOW - timedelta(days=1)
            session.add(meeting)
    start = service.propose(booked, now=NOW)[0].start
    service.book(booked, start, clicker_slack_id="U0MENTEE2", now=NOW)
    assert service.remind(unbooked, NudgeKind.BOOKING_NUDGE, now=NOW)
    assert not service.remind(booked, NudgeKind.BOOKING_NUDGE, now=NOW)
    assert recorder.of("nudge_booking") == [unbooked]
    assert len(recorder.of("slots")) == 2  # fresh slots for the unbooked one


def booked_session(engine: Engine, service: BookingService) -> tuple[int, datetime]:
    mentor = add_mentor(engine, "U0MENTOR1", "sql", timezone="Europe/Paris")
    session_id = make_session(engine, "U0MENTEE1", mentor)
    start = service.propose(session_id, now=NOW)[0].start
    service.book(session_id, start, clicker_slack_id="U0MENTEE1", now=NOW)
    return session_id, start


def test_feedback_is_private_and_meet_again_needs_both(engine: Engine, booking: Booking) -> None:
    service, recorder = booking
    feedback = FeedbackService(engine=engine, booking=service)
    session_id, _ = booked_session(engine, service)
    assert feedback.rate(session_id, "U0MENTEE1", 5) is FeedbackResult.SAVED
    assert feedback.rate(session_id, "U0MENTEE1", 9) is FeedbackResult.INVALID
    assert feedback.rate(session_id, "U0STRANGER", 1) is FeedbackResult.NOT_YOURS
    comment = "my manager is the problem"
    assert feedback.comment(session_id, "U0MENTEE1", comment) is FeedbackResult.SAVED
    assert feedback.meet_again(session_id, "U0MENTEE1", True) is FeedbackResult.SAVED
    slots_before = len(recorder.of("slots"))
    assert feedback.meet_again(session_id, "U0MENTOR1", True) is FeedbackResult.MEETING_AGAIN
    assert len(recorder.of("slots")) == slots_before + 1  # straight to slots for session 2
    assert feedback.meet_again(session_id, "U0MENTOR1", True) is FeedbackResult.MEETING_AGAIN
    with session_scope(engine) as session:
        sessions = session.exec(select(MentoringSession).order_by(col(MentoringSession.id))).all()
        rows = session.exec(select(Feedback)).all()
    assert [s.sequence for s in sessions] == [1, 2]  # created once despite the repeat vote
    mentee_row = next(r for r in rows if r.author_slack_id == "U0MENTEE1")
    assert (mentee_row.rating, mentee_row.comment, mentee_row.meet_again) == (5, comment, True)
    # The comment is stored, and no notification ever carried it to anyone.
    assert "my manager" not in repr(recorder.events)


def test_practice_progress_is_the_mentees_alone(engine: Engine, booking: Booking) -> None:
    service, _ = booking
    feedback = FeedbackService(engine=engine, booking=service)
    session_id, _ = booked_session(engine, service)
    assert feedback.practice(session_id, "U0MENTOR1", "yes") is FeedbackResult.NOT_YOURS
    assert feedback.practice(session_id, "U0MENTEE1", "maybe") is FeedbackResult.INVALID
    assert feedback.practice(session_id, "U0MENTEE1", "partly") is FeedbackResult.SAVED


def test_follow_up_and_practice_nudges_fire_once_each(engine: Engine, booking: Booking) -> None:
    service, recorder = booking
    session_id, start = booked_session(engine, service)
    end = start + timedelta(hours=1)
    assert service.remind(session_id, NudgeKind.FOLLOW_UP, now=end + timedelta(minutes=1))
    assert not service.remind(session_id, NudgeKind.FOLLOW_UP, now=end + timedelta(minutes=2))
    assert service.remind(session_id, NudgeKind.PRACTICE, now=end + timedelta(days=7, hours=1))
    assert not service.remind(session_id, NudgeKind.PRACTICE, now=end + timedelta(days=8))
    assert recorder.of("remind") == ["follow_up", "practice"]


@pytest.mark.postgres
def test_two_processes_on_postgres_send_each_nudge_once(pg_engine: Engine) -> None:
    """Two bot instances (own engines, own scheduler threads) run the same due jobs at the same
    moment, as APScheduler does when both share the job table: the notification_log claim lets
    exactly one of them send."""
    import threading

    from bot.storage import db
    from tests.conftest import PG_URL

    assert PG_URL
    recorders = [Recorder(), Recorder()]
    engines = [pg_engine, db.make_engine(PG_URL)]
    services = [
        BookingService(engine=e, notifier=r, timer=r)
        for e, r in zip(engines, recorders, strict=True)
    ]
    mentor = add_mentor(pg_engine, "U0MENTOR1", "sql", timezone="Europe/Paris", weekly_capacity=40)
    sessions = []
    for i in range(20):
        session_id = make_session(pg_engine, f"U0MENTEE{i:02d}", mentor)
        slot = services[0].propose(session_id, now=NOW)[0]
        services[0].book(
            session_id,
            slot.start + timedelta(days=i % 5, hours=0),
            clicker_slack_id=f"U0MENTEE{i:02d}",
            now=NOW,
        )
        sessions.append(session_id)
    with session_scope(pg_engine) as session:
        due = {s.id: s.starts_at for s in session.exec(select(MentoringSession)).all()}
    barrier = threading.Barrier(2)

    def sweep(service: BookingService) -> None:
        barrier.wait()
        for session_id in sessions:
            if due[session_id] is not None:
                at = due[session_id]
                assert at is not None
                service.remind(session_id, NudgeKind.REMINDER_EARLY, now=at - timedelta(hours=24))

    threads = [threading.Thread(target=sweep, args=(s,)) for s in services]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engines[1].dispose()
    sent = recorders[0].of("remind") + recorders[1].of("remind")
    booked = sum(1 for s in sessions if due[s] is not None)
    assert booked >= 10
    assert len(sent) == booked  # every due reminder went out, none twice


def test_mentor_availability_window_limits_slots(engine: Engine, booking: Booking) -> None:
    from zoneinfo import ZoneInfo

    service, _ = booking
    mentor = add_mentor(
        engine,
        "U0MENTOR1",
        "sql",
        timezone="Europe/Paris",
        available_from="14:00",
        available_until="16:00",
    )
    session_id = make_session(engine, "U0MENTEE1", mentor)
    slots = service.propose(session_id, now=NOW)
    assert slots
    paris = ZoneInfo("Europe/Paris")
    for slot in slots:
        assert slot.start.astimezone(paris).hour >= 14
        assert slot.end.astimezone(paris).hour <= 16


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [("9:00", None, "not a time like 09:30"), ("15:00", "14:00", "must be later")],
)
def test_availability_window_is_validated(start: str, end: str | None, message: str) -> None:
    from pydantic import ValidationError

    from bot.storage.models import MentorProfile

    with pytest.raises(ValidationError, match=message):
        MentorProfile(
            slack_id="U0MENTOR1", expertise="sql", available_from=start, available_until=end
        )


def test_reminder_times_are_configurable(engine: Engine) -> None:
    recorder = Recorder()
    service = BookingService(
        engine=engine,
        notifier=recorder,
        timer=recorder,
        reminders=(timedelta(hours=48), timedelta(minutes=30)),
    )
    mentor = add_mentor(engine, "U0MENTOR1", "sql", timezone="Europe/Paris")
    session_id = make_session(engine, "U0MENTEE1", mentor)
    start = service.propose(session_id, now=NOW)[-1].start
    service.book(session_id, start, clicker_slack_id="U0MENTEE1", now=NOW)
    scheduled = dict(recorder.of("schedule"))
    assert scheduled["reminder_soon"] == start - timedelta(minutes=30)
    assert "reminder_early" not in scheduled or scheduled["reminder_early"] == start - timedelta(
        hours=48
    )


def test_catch_up_sends_what_a_dead_process_left_once(engine: Engine, booking: Booking) -> None:
    """Jobs lost to a crash: the catch-up proposes slots for an accepted session that never got
    them, and sends a due reminder inside its grace, once; a reminder past its grace stays out."""
    service, recorder = booking
    mentor = add_mentor(engine, "U0MENTOR1", "sql", timezone="Europe/Paris")
    orphan = make_session(engine, "U0MENTEE1", mentor)  # accepted, then the process died
    with session_scope(engine) as session:
        created = session.get(MentoringSession, orphan).created_at  # type: ignore[union-attr]
    assert service.catch_up(now=created + timedelta(seconds=5)) == 0  # start() may be running
    assert service.catch_up(now=created + timedelta(seconds=20)) == 1
    assert len(recorder.of("slots")) == 1
    assert service.catch_up(now=created + timedelta(seconds=30)) == 0  # claimed: not again
    service.cancel(orphan, by="U0MENTEE1")  # (else its booking nudge falls due below)

    booked = make_session(engine, "U0MENTEE2", mentor)
    start = service.propose(booked, now=NOW)[-1].start
    service.book(booked, start, clicker_slack_id="U0MENTEE2", now=NOW)
    recorder.events.clear()
    soon = start - timedelta(minutes=10)
    assert service.catch_up(now=soon + timedelta(minutes=3)) == 1
    assert service.catch_up(now=soon + timedelta(minutes=4)) == 0
    assert recorder.of("remind") == ["reminder_soon"]
    late = start + timedelta(days=11)
    assert service.catch_up(now=late) == 0  # follow-up and practice are past their grace
