"""Mentor roster repository: profiles, the roster change log and cached embeddings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from bot.storage.db import bulk_update
from bot.storage.models import (
    Mentor,
    MentorEmbedding,
    MentorProfile,
    Offer,
    OfferStatus,
    RosterChange,
    RosterState,
    utcnow,
)


def record_changes(session: Session, mentor_ids: Sequence[int]) -> int:
    """Bump the roster version once per mentor and log each change; returns the new version.

    The UPDATE takes a row lock held until commit, so concurrent writers get versions in commit
    order and a reader that saw version N has seen every change up to N.
    """
    if not mentor_ids:
        return roster_version(session)
    new_version = session.execute(
        sa.update(RosterState)
        .where(col(RosterState.id) == 1)
        .values(version=col(RosterState.version) + len(mentor_ids))
        .returning(col(RosterState.version))
    ).scalar_one()
    first = new_version - len(mentor_ids) + 1
    now = utcnow()
    session.add_all(
        RosterChange(revision=first + i, mentor_id=mentor_id, changed_at=now)
        for i, mentor_id in enumerate(mentor_ids)
    )
    bulk_update(
        session,
        sa.update(Mentor).where(col(Mentor.id).in_(mentor_ids)).values(revision=new_version),
    )
    return int(new_version)


def roster_version(session: Session) -> int:
    return int(session.exec(select(RosterState.version).where(RosterState.id == 1)).one())


def changed_since(session: Session, version: int) -> tuple[set[int], int]:
    """Mentor ids changed after `version`, and the version they bring the reader to."""
    current = roster_version(session)
    if current <= version:
        return set(), current
    rows = session.exec(
        select(RosterChange.mentor_id).where(
            RosterChange.revision > version, RosterChange.revision <= current
        )
    ).all()
    return set(rows), current


def get_by_slack_id(session: Session, slack_id: str) -> Mentor | None:
    return session.exec(select(Mentor).where(Mentor.slack_id == slack_id)).first()


def get_many(session: Session, mentor_ids: Iterable[int]) -> dict[int, Mentor]:
    ids = list(mentor_ids)
    if not ids:
        return {}
    mentors = session.exec(select(Mentor).where(col(Mentor.id).in_(ids))).all()
    return {m.id: m for m in mentors if m.id is not None}


def list_mentors(session: Session, *, include_inactive: bool = True) -> Sequence[Mentor]:
    query = select(Mentor).order_by(col(Mentor.slack_id))
    if not include_inactive:
        query = query.where(Mentor.active == True)  # noqa: E712  (SQL expression)
    return session.exec(query).all()


def count_mentors(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(Mentor)).one())


def upsert_mentor(session: Session, profile: MentorProfile) -> tuple[Mentor, bool]:
    """Create or update the mentor with `profile.slack_id`; returns (mentor, created).

    An update changes only the fields the profile was given explicitly. The caller records the
    roster change (so a batch import bumps the version once per batch).
    """
    mentor = get_by_slack_id(session, profile.slack_id)
    created = mentor is None
    if mentor is None:
        mentor = Mentor.model_validate(profile.model_dump())
    else:
        for field, value in profile.model_dump(exclude_unset=True).items():
            setattr(mentor, field, value)
    mentor.updated_at = utcnow()
    session.add(mentor)
    session.flush()
    return mentor, created


def remove_mentor(session: Session, slack_id: str) -> bool:
    mentor = get_by_slack_id(session, slack_id)
    if mentor is None or mentor.id is None:
        return False
    mentor_id = mentor.id
    # Explicit deletes: SQLite only cascades with PRAGMA foreign_keys, which other tools may skip.
    session.execute(sa.delete(MentorEmbedding).where(col(MentorEmbedding.mentor_id) == mentor_id))
    session.execute(sa.delete(Offer).where(col(Offer.mentor_id) == mentor_id))
    session.delete(mentor)
    session.flush()
    record_changes(session, [mentor_id])
    return True


def embeddings_for(
    session: Session, mentor_ids: Iterable[int] | None, model: str
) -> dict[int, MentorEmbedding]:
    """Cached embeddings for `model`; all of them when `mentor_ids` is None."""
    query = select(MentorEmbedding).where(MentorEmbedding.model == model)
    if mentor_ids is not None:
        ids = list(mentor_ids)
        if not ids:
            return {}
        query = query.where(col(MentorEmbedding.mentor_id).in_(ids))
    return {e.mentor_id: e for e in session.exec(query).all()}


def save_embedding(session: Session, embedding: MentorEmbedding) -> None:
    session.merge(embedding)


@dataclass(frozen=True)
class Availability:
    mentor_id: int
    slack_id: str
    active: bool
    paused_until: datetime | None
    weekly_capacity: int
    load_this_week: int

    def is_available(self, now: datetime) -> bool:
        paused = self.paused_until is not None and self.paused_until > now
        return self.active and not paused and self.load_this_week < self.weekly_capacity

    @property
    def load_ratio(self) -> float:
        return self.load_this_week / self.weekly_capacity if self.weekly_capacity else 1.0


def week_start(now: datetime) -> datetime:
    """Monday 00:00 UTC of the week containing `now`."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight - timedelta(days=midnight.weekday())


def availability(
    session: Session, mentor_ids: Iterable[int], now: datetime
) -> dict[int, Availability]:
    """Availability of the given mentors; this week's accepted and all pending offers are load."""
    ids = list(mentor_ids)
    if not ids:
        return {}
    counts_load = sa.or_(
        col(Offer.status) == OfferStatus.PENDING.value,
        sa.and_(
            col(Offer.status) == OfferStatus.ACCEPTED.value,
            col(Offer.responded_at) >= week_start(now),
        ),
    )
    load_rows = session.execute(
        sa.select(col(Offer.mentor_id), func.count())
        .where(col(Offer.mentor_id).in_(ids), counts_load)
        .group_by(col(Offer.mentor_id))
    ).all()
    load = {int(mentor_id): int(n) for mentor_id, n in load_rows}
    rows = session.execute(
        sa.select(
            col(Mentor.id),
            col(Mentor.slack_id),
            col(Mentor.active),
            col(Mentor.paused_until),
            col(Mentor.weekly_capacity),
        ).where(col(Mentor.id).in_(ids))
    ).all()
    return {
        row[0]: Availability(row[0], row[1], row[2], row[3], row[4], load.get(row[0], 0))
        for row in rows
    }
