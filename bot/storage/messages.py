"""Repository for the log of bot messages that quote people's words (see `SlackMessage`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.storage.db import bulk_update
from bot.storage.models import Mentor, MentoringRequest, MentoringSession, MessageKind, SlackMessage


def record(
    session: Session,
    kind: MessageKind,
    posted: Iterable[tuple[str, str, str]],
    *,
    request_id: int | None = None,
    session_id: int | None = None,
    mentor_id: int | None = None,
    about_slack_id: str | None = None,
) -> None:
    """Log messages as (recipient, channel, ts)."""
    session.add_all(
        SlackMessage(
            kind=kind.value,
            recipient_slack_id=recipient,
            channel=channel,
            ts=ts,
            request_id=request_id,
            session_id=session_id,
            mentor_id=mentor_id,
            about_slack_id=about_slack_id,
        )
        for recipient, channel, ts in posted
    )


def mark_for_redaction(session: Session, slack_id: str, anonymous: str) -> int:
    """Flag every message that quotes this person's requests or was sent to them, and drop the
    person's id from the log; returns how many are flagged. Call before the person's rows are
    scrubbed (their requests are found by their Slack id)."""
    own_requests = select(MentoringRequest.id).where(MentoringRequest.mentee_slack_id == slack_id)
    own_sessions = select(MentoringSession.id).where(MentoringSession.mentee_slack_id == slack_id)
    own_profile = select(Mentor.id).where(Mentor.slack_id == slack_id)
    mine = sa.or_(
        col(SlackMessage.recipient_slack_id) == slack_id,
        col(SlackMessage.request_id).in_(own_requests),
        col(SlackMessage.session_id).in_(own_sessions),
        col(SlackMessage.mentor_id).in_(own_profile),
        col(SlackMessage.about_slack_id) == slack_id,
    )
    flagged = bulk_update(session, sa.update(SlackMessage).where(mine).values(redact_pending=True))
    bulk_update(
        session,
        sa.update(SlackMessage)
        .where(col(SlackMessage.recipient_slack_id) == slack_id)
        .values(recipient_slack_id=anonymous),
    )
    bulk_update(
        session,
        sa.update(SlackMessage)
        .where(col(SlackMessage.about_slack_id) == slack_id)
        .values(about_slack_id=anonymous),
    )
    return flagged


def pending_redactions(session: Session, limit: int = 500) -> Sequence[SlackMessage]:
    return session.exec(
        select(SlackMessage)
        .where(col(SlackMessage.redact_pending).is_(True))
        .order_by(col(SlackMessage.id))
        .limit(limit)
    ).all()


def forget(session: Session, message_ids: Sequence[int]) -> None:
    """Drop rows whose message was rewritten: nothing of them is left to redact."""
    if message_ids:
        session.execute(sa.delete(SlackMessage).where(col(SlackMessage.id).in_(message_ids)))


def approval_messages(session: Session, mentor_id: int) -> Sequence[SlackMessage]:
    return session.exec(
        select(SlackMessage).where(
            SlackMessage.mentor_id == mentor_id,
            SlackMessage.kind == MessageKind.APPROVAL.value,
        )
    ).all()
