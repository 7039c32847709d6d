"""Read-only queries behind the weekly digest. Counts and ids only; question texts leave this
module solely to be embedded for topic clustering, never to be shown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from bot.storage import actions as action_repo
from bot.storage.models import (
    DigestLog,
    Feedback,
    FeedbackKind,
    Mentor,
    MentoringRequest,
    MentoringSession,
    RequestStatus,
    SessionStatus,
)

MATCHED = (RequestStatus.MATCHED.value, RequestStatus.COMPLETED.value)


@dataclass(frozen=True)
class RequestRow:
    id: int
    mentee_slack_id: str
    question: str | None
    status: str
    best_score: float | None
    created_at: datetime
    matched_at: datetime | None


def requests_between(session: Session, start: datetime, end: datetime) -> list[RequestRow]:
    rows = session.exec(
        select(MentoringRequest).where(
            col(MentoringRequest.created_at) >= start, col(MentoringRequest.created_at) < end
        )
    ).all()
    return [
        RequestRow(
            r.id or 0,
            r.mentee_slack_id,
            r.question,
            r.status,
            r.best_score,
            r.created_at,
            r.matched_at,
        )
        for r in rows
    ]


def sessions_between(session: Session, start: datetime, end: datetime) -> dict[str, int]:
    """Sessions whose time fell in the window, by status ("scheduled": nobody has said yet
    whether it took place), plus those cancelled or marked no-show during the window."""
    rows = session.execute(
        sa.select(col(MentoringSession.status), func.count())
        .where(col(MentoringSession.starts_at) >= start, col(MentoringSession.starts_at) < end)
        .group_by(col(MentoringSession.status))
    ).all()
    counts = {str(status): int(n) for status, n in rows}
    cancelled = session.execute(
        sa.select(func.count()).where(
            col(MentoringSession.status).in_(
                [SessionStatus.CANCELLED.value, SessionStatus.NO_SHOW.value]
            ),
            col(MentoringSession.updated_at) >= start,
            col(MentoringSession.updated_at) < end,
        )
    ).scalar_one()
    counts["cancelled_or_no_show"] = int(cancelled)
    return counts


def follow_ups_between(session: Session, start: datetime, end: datetime) -> Sequence[Feedback]:
    return session.exec(
        select(Feedback).where(
            Feedback.kind == FeedbackKind.FOLLOW_UP.value,
            col(Feedback.created_at) >= start,
            col(Feedback.created_at) < end,
        )
    ).all()


def mentors_now(session: Session) -> Sequence[Mentor]:
    return session.exec(select(Mentor).where(Mentor.active == True)).all()  # noqa: E712


def weekly_counts(
    session: Session, weeks: Sequence[tuple[datetime, datetime]]
) -> list[tuple[int, int]]:
    """(requests, sessions held, as confirmed by the people who met) for each window."""
    out = []
    for start, end in weeks:
        requests = session.execute(
            sa.select(func.count()).where(
                col(MentoringRequest.created_at) >= start, col(MentoringRequest.created_at) < end
            )
        ).scalar_one()
        held = session.execute(
            sa.select(func.count()).where(
                col(MentoringSession.status) == SessionStatus.HELD.value,
                col(MentoringSession.starts_at) >= start,
                col(MentoringSession.starts_at) < end,
            )
        ).scalar_one()
        out.append((int(requests), int(held)))
    return out


def claim_digest(session: Session, week: str) -> bool:
    """True for exactly one caller per week, across processes. Must be the session's first
    write: a failure rolls the whole session back (no SAVEPOINT, which pysqlite would commit
    on release, so a failed send could not give its claim back)."""
    session.add(DigestLog(week=week))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return False
    return True


def progress_between(session: Session, start: datetime, end: datetime) -> dict[str, int]:
    """What came after the sessions of [start, end): goals set in the week's requests, sessions
    held and how many had next steps, next steps by status, follow-up sessions created."""
    goals = session.execute(
        sa.select(func.count()).where(
            col(MentoringRequest.created_at) >= start,
            col(MentoringRequest.created_at) < end,
            col(MentoringRequest.goal).is_not(None),
        )
    ).scalar_one()
    held = (
        session.execute(
            sa.select(col(MentoringSession.id)).where(
                col(MentoringSession.status) == SessionStatus.HELD.value,
                col(MentoringSession.starts_at) >= start,
                col(MentoringSession.starts_at) < end,
            )
        )
        .scalars()
        .all()
    )
    follow_ups = session.execute(
        sa.select(func.count()).where(
            col(MentoringSession.sequence) > 1,
            col(MentoringSession.created_at) >= start,
            col(MentoringSession.created_at) < end,
        )
    ).scalar_one()
    return {
        "goals_set": int(goals),
        "sessions_held": len(held),
        "sessions_with_actions": action_repo.sessions_with_actions(session, list(held)),
        "follow_up_sessions": int(follow_ups),
        **action_repo.status_counts(session, start, end),
    }
