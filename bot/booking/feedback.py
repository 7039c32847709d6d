"""After the session: ratings, private comments, "meet again?", and practice progress."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.booking.service import BookingService, BookResult
from bot.logging import log_event
from bot.mentoring.messaging import safely
from bot.storage import feedback as feedback_repo
from bot.storage import mentors as mentor_repo
from bot.storage import requests as request_repo
from bot.storage import sessions as session_repo
from bot.storage.db import session_scope
from bot.storage.models import (
    Attendance,
    FeedbackKind,
    MentoringSession,
    RequestStatus,
    SessionStatus,
    utcnow,
)
from bot.text import clean_text

logger = logging.getLogger(__name__)

MAX_COMMENT_CHARS = 3000


class Progress(StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NOT_YET = "not_yet"


class FeedbackResult(StrEnum):
    SAVED = "saved"
    NOT_YOURS = "not_yours"
    INVALID = "invalid"
    MEETING_AGAIN = "meeting_again"  # both said yes: a new session is being proposed


class AttendanceResult(StrEnum):
    HELD = "held"  # counted as held; rating and "meet again?" follow
    NO_SHOW = "no_show"
    MOVED = "moved"  # fresh times are on their way to the mentee
    ALREADY_HELD = "already_held"  # the other person said it took place: that stands
    TOO_EARLY = "too_early"  # the session has not started yet
    NOT_YOURS = "not_yours"
    INVALID = "invalid"


class FeedbackService:
    def __init__(
        self,
        *,
        engine: Engine,
        booking: BookingService,
        on_rated: Callable[[int, str, int], object] | None = None,
        on_held: Callable[[int], object] | None = None,
    ) -> None:
        self._engine = engine
        self._booking = booking
        # Called with (session id, author, rating) after a rating is saved (learning).
        self._on_rated = on_rated
        # Called with the session id once someone says it took place (next steps).
        self._on_held = on_held

    def rate(self, session_id: int, author: str, rating: int) -> FeedbackResult:
        if not 1 <= rating <= 5:
            return FeedbackResult.INVALID
        result = self._record(session_id, author, FeedbackKind.FOLLOW_UP, rating=rating)
        if result is FeedbackResult.SAVED and self._on_rated is not None:
            safely(self._on_rated, session_id, author, rating)
        return result

    def attendance(
        self, session_id: int, author: str, answer: str, *, now: datetime | None = None
    ) -> AttendanceResult:
        """ "Did it take place?" from either person. A "yes" from one of them makes it held
        (a no-show claimed by the other does not undo it); "we moved it" sends fresh times."""
        try:
            value = Attendance(answer)
        except ValueError:
            return AttendanceResult.INVALID
        now = now or utcnow()
        with session_scope(self._engine) as session:
            meeting = session_repo.get_session(session, session_id)
            role = _role(session, meeting, author)
            if meeting is None or role is None:
                return AttendanceResult.NOT_YOURS
            if meeting.starts_at is None or meeting.starts_at > now:
                return AttendanceResult.TOO_EARLY
            feedback_repo.record(
                session,
                session_id=session_id,
                author_slack_id=author,
                role=role,
                kind=FeedbackKind.FOLLOW_UP,
                attendance=value.value,
            )
            result = _settle(session, meeting, value)
        log_event(logger, "attendance_recorded", session_id=session_id, answer=value.value)
        if result is AttendanceResult.MOVED:
            moved = self._booking.reschedule(session_id, by=author, now=now)
            return result if moved is BookResult.CHANGED else AttendanceResult.ALREADY_HELD
        if result is AttendanceResult.HELD and self._on_held is not None:
            safely(self._on_held, session_id)
        return result

    def comment(self, session_id: int, author: str, text: str) -> FeedbackResult:
        """A private comment: stored for the programme, never shown to the other person."""
        text = clean_text(text, multiline=True).strip()
        if not text or len(text) > MAX_COMMENT_CHARS:
            return FeedbackResult.INVALID
        return self._record(session_id, author, FeedbackKind.FOLLOW_UP, comment=text)

    def meet_again(self, session_id: int, author: str, yes: bool) -> FeedbackResult:
        result = self._record(session_id, author, FeedbackKind.FOLLOW_UP, meet_again=yes)
        if result is not FeedbackResult.SAVED or not yes:
            return result
        with session_scope(self._engine) as session:
            votes = feedback_repo.meet_again_votes(session, session_id)
        if votes.get("mentee") and votes.get("mentor"):
            follow_up = self._next_session(session_id)
            if follow_up is not None:
                self._booking.start(follow_up)
            return FeedbackResult.MEETING_AGAIN
        return result

    def practice_note(self, session_id: int, author: str, text: str) -> FeedbackResult:
        """The mentee's optional note with the practice nudge (private, like comments)."""
        text = clean_text(text, multiline=True).strip()
        if not text or len(text) > MAX_COMMENT_CHARS:
            return FeedbackResult.INVALID
        return self._record(
            session_id, author, FeedbackKind.PRACTICE, comment=text, mentee_only=True
        )

    def practice(self, session_id: int, author: str, progress: str) -> FeedbackResult:
        try:
            value = Progress(progress)
        except ValueError:
            return FeedbackResult.INVALID
        return self._record(
            session_id, author, FeedbackKind.PRACTICE, progress=value.value, mentee_only=True
        )

    def _record(
        self,
        session_id: int,
        author: str,
        kind: FeedbackKind,
        *,
        mentee_only: bool = False,
        **fields: object,
    ) -> FeedbackResult:
        with session_scope(self._engine) as session:
            meeting = session_repo.get_session(session, session_id)
            role = _role(session, meeting, author)
            if meeting is None or role is None or (mentee_only and role != "mentee"):
                return FeedbackResult.NOT_YOURS
            feedback_repo.record(
                session,
                session_id=session_id,
                author_slack_id=author,
                role=role,
                kind=kind,
                **fields,
            )
        log_event(
            logger,
            "feedback_recorded",
            session_id=session_id,
            kind=kind.value,
            fields=sorted(fields),
        )  # field names only: comments never reach the log
        return FeedbackResult.SAVED

    def _next_session(self, session_id: int) -> int | None:
        """Create the follow-up session once, even if both votes land at the same moment."""
        try:
            with session_scope(self._engine) as session:
                meeting = session_repo.get_session(session, session_id)
                if meeting is None:
                    return None
                return session_repo.create_follow_up(session, meeting).id
        except IntegrityError:
            return None  # the other vote already created it


def _settle(session: Session, meeting: MentoringSession, answer: Attendance) -> AttendanceResult:
    """The session's status after one person's answer (each change is a claim)."""
    assert meeting.id is not None
    if answer is Attendance.HELD:
        if session_repo.move_session(
            session,
            meeting.id,
            to=SessionStatus.HELD,
            allowed_from=(SessionStatus.SCHEDULED, SessionStatus.NO_SHOW),
        ):
            request_repo.move_request(
                session,
                meeting.request_id,
                to=RequestStatus.COMPLETED,
                allowed_from=(RequestStatus.MATCHED,),
            )
        return AttendanceResult.HELD
    if meeting.status == SessionStatus.HELD.value:
        return AttendanceResult.ALREADY_HELD
    if answer is Attendance.NO_SHOW:
        session_repo.move_session(
            session, meeting.id, to=SessionStatus.NO_SHOW, allowed_from=(SessionStatus.SCHEDULED,)
        )
        return AttendanceResult.NO_SHOW
    return AttendanceResult.MOVED


def _role(session: Session, meeting: MentoringSession | None, author: str) -> str | None:
    if meeting is None:
        return None
    if author == meeting.mentee_slack_id:
        return "mentee"
    mentor = mentor_repo.get_many(session, [meeting.mentor_id]).get(meeting.mentor_id)
    return "mentor" if mentor is not None and mentor.slack_id == author else None
