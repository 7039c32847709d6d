"""Mentor roster repository: profiles, the roster change log and cached embeddings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.storage.db import bulk_update
from bot.storage.models import (
    Mentor,
    MentorApproval,
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


def change_at(session: Session, version: int) -> tuple[int, datetime] | None:
    """(mentor id, time) of the change-log entry that brought the roster to `version`: two
    databases that agree on it share their roster history up to there (the log is
    append-only)."""
    row = session.exec(
        select(RosterChange.mentor_id, RosterChange.changed_at).where(
            RosterChange.revision == version
        )
    ).first()
    return None if row is None else (int(row[0]), row[1])


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


def pause_mentor(session: Session, mentor_id: int, until: datetime) -> None:
    """No new offers for this mentor until `until` ("Not now, pause me a week")."""
    bulk_update(
        session,
        sa.update(Mentor)
        .where(col(Mentor.id) == mentor_id)
        .values(paused_until=until, updated_at=utcnow()),
    )
    record_changes(session, [mentor_id])


def offer_answered(session: Session, mentor_id: int) -> None:
    """The mentor answered an offer: their run of unanswered offers starts again from zero."""
    bulk_update(
        session,
        sa.update(Mentor)
        .where(col(Mentor.id) == mentor_id, col(Mentor.missed_offers) > 0)
        .values(missed_offers=0),
    )


def offer_missed(session: Session, mentor_id: int, *, limit: int, pause_until: datetime) -> bool:
    """Count an offer left to expire; the `limit`-th in a row pauses the mentor. True only for
    the call that paused them (a claim: two expiries at once pause once)."""
    bulk_update(
        session,
        sa.update(Mentor)
        .where(col(Mentor.id) == mentor_id)
        .values(missed_offers=col(Mentor.missed_offers) + 1),
    )
    paused = bulk_update(
        session,
        sa.update(Mentor)
        .where(col(Mentor.id) == mentor_id, col(Mentor.missed_offers) >= limit)
        .values(
            missed_offers=0, paused_until=pause_until, auto_paused_at=utcnow(), updated_at=utcnow()
        ),
    )
    if paused:
        record_changes(session, [mentor_id])
    return paused == 1


def resume_mentor(session: Session, mentor_id: int, now: datetime) -> bool:
    """End a pause now; False when the mentor was not paused."""
    changed = bulk_update(
        session,
        sa.update(Mentor)
        .where(col(Mentor.id) == mentor_id, col(Mentor.paused_until) > now)
        .values(paused_until=None, missed_offers=0, updated_at=utcnow()),
    )
    if changed:
        record_changes(session, [mentor_id])
    return changed == 1


def auto_pauses_between(session: Session, start: datetime, end: datetime) -> int:
    """How many mentors were paused for unanswered offers in [start, end) (a count for leads,
    never who)."""
    query = (
        select(sa.func.count())
        .select_from(Mentor)
        .where(col(Mentor.auto_paused_at) >= start, col(Mentor.auto_paused_at) < end)
    )
    return int(session.exec(query).one())


def set_approval(
    session: Session, mentor_id: int, *, to: MentorApproval, allowed_from: Sequence[MentorApproval]
) -> bool:
    """A lead's decision on a profile, as a claim: the first of several leads' clicks wins."""
    changed = bulk_update(
        session,
        sa.update(Mentor)
        .where(
            col(Mentor.id) == mentor_id,
            col(Mentor.approval).in_([a.value for a in allowed_from]),
        )
        .values(approval=to.value, updated_at=utcnow()),
    )
    if changed:
        record_changes(session, [mentor_id])
    return changed == 1


@dataclass(frozen=True)
class Standing:
    """What the database holds about a mentor's availability (the rules: matching.availability)."""

    mentor_id: int
    slack_id: str
    active: bool
    approval: str
    paused_until: datetime | None
    weekly_capacity: int
    offers_pending: int
    accepted_since: int  # offers accepted since the `since` given to `standing`
    languages: tuple[str, ...] = ()  # as the mentor wrote them ("pl", "Polish", "polski")


def standing(
    session: Session, mentor_ids: Iterable[int], *, since: datetime
) -> dict[int, Standing]:
    """The standing of these mentors: one small query for the offers that count (pending, or
    accepted since `since`), one for five columns of the mentors; no ORM rows."""
    ids = list(mentor_ids)
    if not ids:
        return {}
    is_pending = col(Offer.status) == OfferStatus.PENDING.value
    counts_load = sa.or_(
        is_pending,
        sa.and_(col(Offer.status) == OfferStatus.ACCEPTED.value, col(Offer.responded_at) >= since),
    )
    load_rows = session.execute(
        sa.select(
            col(Offer.mentor_id), sa.func.count(), sa.func.sum(sa.case((is_pending, 1), else_=0))
        )
        .where(col(Offer.mentor_id).in_(ids), counts_load)
        .group_by(col(Offer.mentor_id))
    ).all()
    load = {int(m): (int(p or 0), int(n) - int(p or 0)) for m, n, p in load_rows}
    rows = session.execute(
        sa.select(
            col(Mentor.id),
            col(Mentor.slack_id),
            col(Mentor.active),
            col(Mentor.approval),
            col(Mentor.paused_until),
            col(Mentor.weekly_capacity),
            col(Mentor.languages),
        ).where(col(Mentor.id).in_(ids))
    ).all()
    return {
        row[0]: Standing(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5],
            *load.get(row[0], (0, 0)),
            languages=tuple(row[6] or ()),
        )
        for row in rows
    }
