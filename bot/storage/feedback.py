"""Repository for feedback: ratings, private comments, meet-again votes, practice progress."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.storage.models import Feedback, FeedbackKind, utcnow


def record(
    session: Session,
    *,
    session_id: int,
    author_slack_id: str,
    role: str,
    kind: FeedbackKind,
    **fields: object,
) -> Feedback:
    """Create or update this author's feedback of this kind; only the given fields change."""
    query = select(Feedback).where(
        Feedback.session_id == session_id,
        Feedback.author_slack_id == author_slack_id,
        Feedback.kind == kind.value,
    )
    feedback = session.exec(query).first()
    if feedback is None:
        feedback = Feedback(
            session_id=session_id, author_slack_id=author_slack_id, role=role, kind=kind.value
        )
        try:
            with session.begin_nested():
                session.add(feedback)
        except IntegrityError:  # the same person's double click, in another transaction
            feedback = session.exec(query).one()
    for name, value in fields.items():
        setattr(feedback, name, value)
    feedback.created_at = utcnow()
    session.add(feedback)
    session.flush()
    return feedback


def meet_again_votes(session: Session, session_id: int) -> dict[str, bool | None]:
    rows = session.exec(
        select(Feedback).where(
            Feedback.session_id == session_id, Feedback.kind == FeedbackKind.FOLLOW_UP.value
        )
    ).all()
    return {f.role: f.meet_again for f in rows}
