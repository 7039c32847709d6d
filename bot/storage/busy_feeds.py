"""Repository for mentors' calendar feeds: the secret address, and whether its failure was told.

The address is a secret: it is read here for its mentor's own form and for fetching, and
never put in a log, an export or a message to anyone else.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.storage.db import bulk_update
from bot.storage.models import Mentor


def address_of(session: Session, slack_id: str) -> str | None:
    """The mentor's feed address (for their own profile form only)."""
    return session.exec(select(Mentor.busy_feed_url).where(Mentor.slack_id == slack_id)).first()


def set_address(session: Session, mentor_id: int, address: str | None) -> bool:
    """Set or (None) remove the address; a new one starts with no failure told. True when it
    changed."""
    return (
        bulk_update(
            session,
            sa.update(Mentor)
            .where(
                col(Mentor.id) == mentor_id,
                col(Mentor.busy_feed_url).is_distinct_from(address),
            )
            .values(busy_feed_url=address, busy_feed_failed_at=None),
        )
        == 1
    )


def claim_failure_notice(session: Session, mentor_id: int, at: datetime) -> bool:
    """Record that the mentor is being told their feed failed; True only for the first caller
    since the feed last worked (a claim: two proposals failing at once tell them once)."""
    return (
        bulk_update(
            session,
            sa.update(Mentor)
            .where(
                col(Mentor.id) == mentor_id,
                col(Mentor.busy_feed_url).is_not(None),
                col(Mentor.busy_feed_failed_at).is_(None),
            )
            .values(busy_feed_failed_at=at),
        )
        == 1
    )


def feed_works(session: Session, mentor_id: int) -> None:
    """The feed was read: a later failure is told again."""
    bulk_update(
        session,
        sa.update(Mentor)
        .where(col(Mentor.id) == mentor_id, col(Mentor.busy_feed_failed_at).is_not(None))
        .values(busy_feed_failed_at=None),
    )
