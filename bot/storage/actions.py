"""Repository for what comes after a session: development actions (the mentee's next steps)
and the mentor's takeaways. Texts are personal data: never logged, erased with either person,
emptied by RETENTION_DAYS."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from bot.storage.db import bulk_update
from bot.storage.models import (
    ActionStatus,
    DevelopmentAction,
    MentoringSession,
    Takeaway,
    utcnow,
)

# Suggested by the mentor, not yet accepted by the mentee: not an action of theirs yet.
SUGGESTED = "suggested"
COUNTED = [s.value for s in ActionStatus]


@dataclass(frozen=True)
class NewAction:
    text: str
    due_on: date | None = None


def replace_actions(
    session: Session,
    meeting: MentoringSession,
    items: Sequence[NewAction],
    *,
    shared: bool,
    status: str = ActionStatus.OPEN.value,
    suggested: bool = False,
) -> list[DevelopmentAction]:
    """The session's actions become `items` (the mentee writes them as a set of up to 3)."""
    assert meeting.id is not None
    session.execute(
        sa.delete(DevelopmentAction).where(col(DevelopmentAction.session_id) == meeting.id)
    )
    rows = [
        DevelopmentAction(
            session_id=meeting.id,
            mentee_slack_id=meeting.mentee_slack_id,
            mentor_id=meeting.mentor_id,
            text=item.text,
            due_on=item.due_on,
            status=status,
            shared=shared,
            suggested_by_mentor=suggested,
        )
        for item in items
    ]
    session.add_all(rows)
    session.flush()
    return rows


def actions_of_session(session: Session, session_id: int) -> Sequence[DevelopmentAction]:
    return session.exec(
        select(DevelopmentAction)
        .where(DevelopmentAction.session_id == session_id)
        .order_by(col(DevelopmentAction.id))
    ).all()


def accept_suggestions(session: Session, session_id: int, mentee_slack_id: str) -> int:
    return bulk_update(
        session,
        sa.update(DevelopmentAction)
        .where(
            col(DevelopmentAction.session_id) == session_id,
            col(DevelopmentAction.mentee_slack_id) == mentee_slack_id,
            col(DevelopmentAction.status) == SUGGESTED,
        )
        .values(status=ActionStatus.OPEN.value, updated_at=utcnow()),
    )


def get_action(session: Session, action_id: int) -> DevelopmentAction | None:
    return session.get(DevelopmentAction, action_id)


def set_status(
    session: Session, action_id: int, mentee_slack_id: str, status: ActionStatus
) -> bool:
    """The mentee's progress on one of their actions; False when it is not theirs."""
    changed = bulk_update(
        session,
        sa.update(DevelopmentAction)
        .where(
            col(DevelopmentAction.id) == action_id,
            col(DevelopmentAction.mentee_slack_id) == mentee_slack_id,
            col(DevelopmentAction.status).in_(COUNTED),
        )
        .values(status=status.value, updated_at=utcnow()),
    )
    return changed == 1


def open_actions_of(session: Session, mentee_slack_id: str) -> Sequence[DevelopmentAction]:
    """A mentee's actions not done nor dropped (their Home tab)."""
    return session.exec(
        select(DevelopmentAction)
        .where(
            DevelopmentAction.mentee_slack_id == mentee_slack_id,
            col(DevelopmentAction.status).in_(
                [ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value]
            ),
        )
        .order_by(col(DevelopmentAction.due_on), col(DevelopmentAction.id))
    ).all()


def shared_with_mentor(session: Session, mentor_id: int) -> Sequence[DevelopmentAction]:
    """Actions mentees shared with this mentor, not dropped (their Home tab)."""
    return session.exec(
        select(DevelopmentAction)
        .where(
            DevelopmentAction.mentor_id == mentor_id,
            DevelopmentAction.shared == True,  # noqa: E712  (SQL expression)
            col(DevelopmentAction.status).in_(
                [ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value, ActionStatus.DONE.value]
            ),
        )
        .order_by(col(DevelopmentAction.mentee_slack_id), col(DevelopmentAction.id))
    ).all()


def add_takeaway(session: Session, meeting: MentoringSession, text: str) -> Takeaway:
    assert meeting.id is not None
    row = Takeaway(
        session_id=meeting.id,
        mentee_slack_id=meeting.mentee_slack_id,
        mentor_id=meeting.mentor_id,
        text=text,
    )
    session.add(row)
    session.flush()
    return row


def takeaways_for(session: Session, mentee_slack_id: str, limit: int = 3) -> Sequence[Takeaway]:
    return session.exec(
        select(Takeaway)
        .where(Takeaway.mentee_slack_id == mentee_slack_id, col(Takeaway.text).is_not(None))
        .order_by(col(Takeaway.created_at).desc(), col(Takeaway.id).desc())
        .limit(limit)
    ).all()


def takeaways_of_session(session: Session, session_id: int) -> Sequence[Takeaway]:
    return session.exec(
        select(Takeaway).where(Takeaway.session_id == session_id).order_by(col(Takeaway.id))
    ).all()


def status_counts(session: Session, start: datetime, end: datetime) -> dict[str, int]:
    """Actions written in [start, end), by status (the digest's progress panel)."""
    rows = session.execute(
        sa.select(col(DevelopmentAction.status), func.count())
        .where(
            col(DevelopmentAction.created_at) >= start,
            col(DevelopmentAction.created_at) < end,
            col(DevelopmentAction.status).in_(COUNTED),
        )
        .group_by(col(DevelopmentAction.status))
    ).all()
    return {str(status): int(n) for status, n in rows}


def sessions_with_actions(session: Session, session_ids: Sequence[int]) -> int:
    if not session_ids:
        return 0
    query = sa.select(func.count(sa.distinct(col(DevelopmentAction.session_id)))).where(
        col(DevelopmentAction.session_id).in_(list(session_ids)),
        col(DevelopmentAction.status).in_(COUNTED),
    )
    return int(session.execute(query).scalar_one())


# -- personal data ---------------------------------------------------------------------------


def personal_actions(session: Session, slack_id: str) -> list[dict[str, object]]:
    rows = session.exec(
        select(DevelopmentAction).where(DevelopmentAction.mentee_slack_id == slack_id)
    ).all()
    return [
        {
            "session_id": a.session_id,
            "text": a.text,
            "due_on": a.due_on.isoformat() if a.due_on else None,
            "status": a.status,
            "shared_with_mentor": a.shared,
            "created_at": a.created_at.isoformat(),
        }
        for a in rows
    ]


def personal_takeaways(session: Session, slack_id: str, mentor_id: int | None) -> dict[str, object]:
    received = session.exec(select(Takeaway).where(Takeaway.mentee_slack_id == slack_id)).all()
    written = (
        session.exec(select(Takeaway).where(Takeaway.mentor_id == mentor_id)).all()
        if mentor_id is not None
        else []
    )
    return {
        "received": [{"session_id": t.session_id, "text": t.text} for t in received],
        # What they wrote for others: the session, not the mentee's name or words.
        "written": [{"session_id": t.session_id, "text": t.text} for t in written],
        "next_steps_suggested": [
            {"session_id": a.session_id, "text": a.text}
            for a in (
                session.exec(
                    select(DevelopmentAction).where(
                        DevelopmentAction.mentor_id == mentor_id,
                        DevelopmentAction.suggested_by_mentor == True,  # noqa: E712
                    )
                ).all()
                if mentor_id is not None
                else []
            )
        ],
    }


def erase_for(session: Session, slack_id: str, mentor_id: int | None, anonymous: str) -> None:
    """Scrub a person's actions and takeaways (theirs as mentee, and what they wrote as
    mentor); statuses stay for leads' counts."""
    bulk_update(
        session,
        sa.update(DevelopmentAction)
        .where(col(DevelopmentAction.mentee_slack_id) == slack_id)
        .values(mentee_slack_id=anonymous, text=None),
    )
    bulk_update(
        session,
        sa.update(Takeaway)
        .where(col(Takeaway.mentee_slack_id) == slack_id)
        .values(mentee_slack_id=anonymous, text=None),
    )
    if mentor_id is not None:
        bulk_update(
            session,
            sa.update(Takeaway).where(col(Takeaway.mentor_id) == mentor_id).values(text=None),
        )
        # Suggestions the mentee never accepted are still the mentor's words.
        bulk_update(
            session,
            sa.update(DevelopmentAction)
            .where(
                col(DevelopmentAction.mentor_id) == mentor_id,
                col(DevelopmentAction.status) == SUGGESTED,
            )
            .values(text=None),
        )


def purge_before(session: Session, before: datetime) -> None:
    """Empty action and takeaway texts written before `before` (RETENTION_DAYS)."""
    for model in (DevelopmentAction, Takeaway):
        bulk_update(
            session,
            sa.update(model)
            .where(col(model.created_at) < before, col(model.text).is_not(None))
            .values(text=None),
        )
