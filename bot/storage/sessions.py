"""Repository for mentoring sessions and the notification log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.storage.db import bulk_update
from bot.storage.models import (
    Mentor,
    MentoringSession,
    NotificationLog,
    SessionStatus,
    utcnow,
)

BOOKED = (SessionStatus.SCHEDULED.value,)


def get_session(session: Session, session_id: int) -> MentoringSession | None:
    return session.get(MentoringSession, session_id)


def _intervals(rows: list[MentoringSession]) -> list[tuple[datetime, datetime]]:
    return [
        (r.starts_at, r.starts_at + timedelta(minutes=r.duration_minutes))
        for r in rows
        if r.starts_at is not None
    ]


def busy_of(
    session: Session, slack_id: str, since: datetime, *, excluding: int | None = None
) -> list[tuple[datetime, datetime]]:
    """Booked sessions of a person, as mentee and (if they mentor too) as mentor.

    `excluding` leaves out the session being booked: a second click on the same slot must read
    as "already booked", not as a clash with itself.
    """
    mentor_id = session.exec(select(Mentor.id).where(Mentor.slack_id == slack_id)).first()
    who = col(MentoringSession.mentee_slack_id) == slack_id
    if mentor_id is not None:
        who = sa.or_(who, col(MentoringSession.mentor_id) == mentor_id)
    rows = session.exec(
        select(MentoringSession).where(
            who,
            col(MentoringSession.status).in_(BOOKED),
            col(MentoringSession.starts_at) >= since - timedelta(days=1),
            col(MentoringSession.id) != (excluding if excluding is not None else -1),
        )
    ).all()
    return _intervals(list(rows))


def mentor_session_starts(session: Session, mentor_id: int, since: datetime) -> list[datetime]:
    """When the mentor's booked sessions start, from the week before `since` on."""
    starts = session.exec(
        select(MentoringSession.starts_at).where(
            MentoringSession.mentor_id == mentor_id,
            col(MentoringSession.status).in_(BOOKED),
            col(MentoringSession.starts_at) >= since - timedelta(days=7),
        )
    ).all()
    return [s for s in starts if s is not None]


def create_follow_up(session: Session, meeting: MentoringSession) -> MentoringSession:
    """The next session of the same request and pair ("meet again"); the unique (request,
    sequence) key makes a second one raise IntegrityError."""
    follow_up = MentoringSession(
        request_id=meeting.request_id,
        mentor_id=meeting.mentor_id,
        mentee_slack_id=meeting.mentee_slack_id,
        sequence=meeting.sequence + 1,
        duration_minutes=meeting.duration_minutes,
        status=SessionStatus.PROPOSED.value,
    )
    session.add(follow_up)
    session.flush()
    return follow_up


def create_session(
    session: Session, *, request_id: int, mentor_id: int, mentee_slack_id: str, minutes: int
) -> MentoringSession:
    meeting = MentoringSession(
        request_id=request_id,
        mentor_id=mentor_id,
        mentee_slack_id=mentee_slack_id,
        duration_minutes=minutes,
        status=SessionStatus.PROPOSED.value,
    )
    session.add(meeting)
    session.flush()
    return meeting


def upcoming_sessions_of(
    session: Session, slack_id: str, mentor_id: int | None, now: datetime
) -> Sequence[MentoringSession]:
    who = col(MentoringSession.mentee_slack_id) == slack_id
    if mentor_id is not None:
        who = sa.or_(who, col(MentoringSession.mentor_id) == mentor_id)
    return session.exec(
        select(MentoringSession)
        .where(
            who,
            col(MentoringSession.status).in_(
                [SessionStatus.PROPOSED.value, SessionStatus.SCHEDULED.value]
            ),
            sa.or_(
                col(MentoringSession.starts_at).is_(None), col(MentoringSession.starts_at) >= now
            ),
        )
        .order_by(col(MentoringSession.starts_at))
    ).all()


def claim_booking(session: Session, session_id: int, start: datetime) -> bool:
    """Book a proposed session at `start`; False if it was booked (or cancelled) meanwhile."""
    changed = bulk_update(
        session,
        sa.update(MentoringSession)
        .where(
            col(MentoringSession.id) == session_id,
            col(MentoringSession.status) == SessionStatus.PROPOSED.value,
        )
        .values(
            status=SessionStatus.SCHEDULED.value,
            starts_at=start,
            updated_at=utcnow(),
            calendar_sequence=col(MentoringSession.calendar_sequence) + 1,
        ),
    )
    return changed == 1


def log_once(session: Session, kind: str, session_id: int, due_key: str = "") -> bool:
    """Claim sending `kind` for a session (for the start time in `due_key`, if it depends on
    one); False if someone already did (and the session's transaction is rolled back, so claim
    before any other write).

    The claim commits with the caller's transaction, i.e. after the message went out: a process
    killed mid-send leaves no claim, and the nudge catch-up sends it again. No SAVEPOINT on
    purpose: with pysqlite, releasing a transaction's first savepoint commits it."""
    session.add(NotificationLog(kind=kind, session_id=session_id, due_key=due_key))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return False
    return True


def nudge_candidates(session: Session, now: datetime) -> Sequence[MentoringSession]:
    """Sessions that may have a nudge due around `now` (the catch-up checks each exactly)."""
    recent = col(MentoringSession.created_at) >= now - timedelta(days=3)
    around = col(MentoringSession.starts_at).between(
        now - timedelta(days=11), now + timedelta(days=2)
    )
    return session.exec(
        select(MentoringSession)
        .where(
            col(MentoringSession.status).in_(
                [SessionStatus.PROPOSED.value, SessionStatus.SCHEDULED.value]
            ),
            sa.or_(recent, around),
        )
        .order_by(col(MentoringSession.id))  # oldest first, and the same order every sweep
    ).all()


def logged_kinds(session: Session, session_ids: Sequence[int]) -> set[tuple[int, str, str]]:
    """(session id, kind, due key) of every nudge already sent for these sessions."""
    rows = session.exec(
        select(NotificationLog.session_id, NotificationLog.kind, NotificationLog.due_key).where(
            col(NotificationLog.session_id).in_(session_ids)
        )
    ).all()
    return {(session_id, kind, due_key) for session_id, kind, due_key in rows}


def move_session(
    session: Session, session_id: int, *, to: SessionStatus, allowed_from: tuple[SessionStatus, ...]
) -> bool:
    """Change a session's status only from `allowed_from` (a claim); clears the time when
    going back to proposed."""
    values: dict[str, object] = {"status": to.value, "updated_at": utcnow()}
    if to is SessionStatus.PROPOSED:
        values["starts_at"] = None
    changed = bulk_update(
        session,
        sa.update(MentoringSession)
        .where(
            col(MentoringSession.id) == session_id,
            col(MentoringSession.status).in_([s.value for s in allowed_from]),
        )
        .values(**values),
    )
    return changed == 1


def sessions_of_request(session: Session, request_id: int) -> Sequence[MentoringSession]:
    """A request's sessions: the first, then any follow-ups, in order."""
    return session.exec(
        select(MentoringSession)
        .where(MentoringSession.request_id == request_id)
        .order_by(col(MentoringSession.sequence))
    ).all()
