"""Repository for mentoring sessions and the notification log."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

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


def busy_of(session: Session, slack_id: str, since: datetime) -> list[tuple[datetime, datetime]]:
    """Booked sessions of a person, as mentee and (if they mentor too) as mentor."""
    mentor_id = session.exec(select(Mentor.id).where(Mentor.slack_id == slack_id)).first()
    who = col(MentoringSession.mentee_slack_id) == slack_id
    if mentor_id is not None:
        who = sa.or_(who, col(MentoringSession.mentor_id) == mentor_id)
    rows = session.exec(
        select(MentoringSession).where(
            who,
            col(MentoringSession.status).in_(BOOKED),
            col(MentoringSession.starts_at) >= since - timedelta(days=1),
        )
    ).all()
    return _intervals(list(rows))


def mentor_week_load(session: Session, mentor_id: int, since: datetime) -> Counter[datetime]:
    """Booked sessions per week (Monday 00:00 UTC) from `since` on."""
    from bot.booking.slots import week_of

    starts = session.exec(
        select(MentoringSession.starts_at).where(
            MentoringSession.mentor_id == mentor_id,
            col(MentoringSession.status).in_(BOOKED),
            col(MentoringSession.starts_at) >= since - timedelta(days=7),
        )
    ).all()
    return Counter(week_of(s) for s in starts if s is not None)


def claim_booking(session: Session, session_id: int, start: datetime) -> bool:
    """Book a proposed session at `start`; False if it was booked (or cancelled) meanwhile."""
    result = session.execute(
        sa.update(MentoringSession)
        .where(
            col(MentoringSession.id) == session_id,
            col(MentoringSession.status) == SessionStatus.PROPOSED.value,
        )
        .values(status=SessionStatus.SCHEDULED.value, starts_at=start, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def log_once(session: Session, kind: str, session_id: int) -> bool:
    """Record that `kind` was sent for a session; False if it already was (by anyone)."""
    try:
        with session.begin_nested():
            session.add(NotificationLog(kind=kind, session_id=session_id))
    except IntegrityError:
        return False
    return True


def was_logged(session: Session, kind: str, session_id: int) -> bool:
    found = session.exec(
        select(NotificationLog.id).where(
            NotificationLog.kind == kind, NotificationLog.session_id == session_id
        )
    ).first()
    return found is not None


def move_session(
    session: Session, session_id: int, *, to: SessionStatus, allowed_from: tuple[SessionStatus, ...]
) -> bool:
    """Change a session's status only from `allowed_from` (a claim); clears the time when
    going back to proposed."""
    values: dict[str, object] = {"status": to.value, "updated_at": utcnow()}
    if to is SessionStatus.PROPOSED:
        values["starts_at"] = None
    result = session.execute(
        sa.update(MentoringSession)
        .where(
            col(MentoringSession.id) == session_id,
            col(MentoringSession.status).in_([s.value for s in allowed_from]),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
