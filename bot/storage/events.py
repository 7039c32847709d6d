"""Repository for speed-mentoring events: sign-up, the saved plan, notices sent once, and what
participants said afterwards. State changes are claims (conditional UPDATEs or a unique
insert), as everywhere else: double clicks, retries and several instances change things once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from bot.storage.db import bulk_update
from bot.storage.models import (
    EventNotice,
    EventPairing,
    EventParticipant,
    EventRole,
    EventStatus,
    SpeedEvent,
)


@dataclass(frozen=True)
class NewPairing:
    round: int
    mentee_slack_id: str
    mentor_slack_id: str
    score: float
    reasons: tuple[str, ...]


def create_event(session: Session, event: SpeedEvent) -> SpeedEvent:
    session.add(event)
    session.flush()
    return event


def get_event(session: Session, event_id: int) -> SpeedEvent | None:
    return session.get(SpeedEvent, event_id)


def set_announcement(session: Session, event_id: int, ts: str) -> None:
    bulk_update(
        session,
        sa.update(SpeedEvent).where(col(SpeedEvent.id) == event_id).values(announcement_ts=ts),
    )


def move_event(
    session: Session, event_id: int, *, to: EventStatus, allowed_from: Sequence[EventStatus]
) -> bool:
    """Change an event's status only from one of `allowed_from` (True for one caller)."""
    changed = bulk_update(
        session,
        sa.update(SpeedEvent)
        .where(
            col(SpeedEvent.id) == event_id,
            col(SpeedEvent.status).in_([s.value for s in allowed_from]),
        )
        .values(status=to.value),
    )
    return changed == 1


def join(
    session: Session,
    event_id: int,
    *,
    slack_id: str,
    role: EventRole,
    question: str | None,
    timezone: str,
) -> bool:
    """Sign someone up, or change their role/question; True when they were new. The caller
    checks the event is open: this locks its row first, so a close cannot slip in between."""
    session.execute(
        sa.select(col(SpeedEvent.id)).where(col(SpeedEvent.id) == event_id).with_for_update()
    )
    existing = session.exec(
        select(EventParticipant).where(
            EventParticipant.event_id == event_id, EventParticipant.slack_id == slack_id
        )
    ).first()
    if existing is not None:
        existing.role, existing.question, existing.timezone = role.value, question, timezone
        session.add(existing)
        return False
    session.add(
        EventParticipant(
            event_id=event_id,
            slack_id=slack_id,
            role=role.value,
            question=question,
            timezone=timezone,
        )
    )
    try:
        session.flush()
    except IntegrityError:  # the same person joining twice at once: the first one counts
        session.rollback()
        return False
    return True


def leave(session: Session, event_id: int, slack_id: str) -> bool:
    result = session.execute(
        sa.delete(EventParticipant).where(
            col(EventParticipant.event_id) == event_id, col(EventParticipant.slack_id) == slack_id
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def participants(session: Session, event_id: int) -> Sequence[EventParticipant]:
    return session.exec(
        select(EventParticipant)
        .where(EventParticipant.event_id == event_id)
        .order_by(col(EventParticipant.joined_at), col(EventParticipant.id))
    ).all()


def counts(session: Session, event_id: int) -> tuple[int, int]:
    """(mentees, mentors) signed up."""
    rows = session.execute(
        sa.select(col(EventParticipant.role), func.count())
        .where(col(EventParticipant.event_id) == event_id)
        .group_by(col(EventParticipant.role))
    ).all()
    by_role = {str(role): int(n) for role, n in rows}
    return by_role.get(EventRole.MENTEE.value, 0), by_role.get(EventRole.MENTOR.value, 0)


def save_plan(session: Session, event_id: int, plan: Sequence[NewPairing]) -> None:
    """Replace the event's plan (planning again after people left replaces it whole)."""
    session.execute(sa.delete(EventPairing).where(col(EventPairing.event_id) == event_id))
    session.add_all(
        EventPairing(
            event_id=event_id,
            round=p.round,
            mentee_slack_id=p.mentee_slack_id,
            mentor_slack_id=p.mentor_slack_id,
            score=p.score,
            reasons=list(p.reasons),
        )
        for p in plan
    )
    session.flush()


def pairings(session: Session, event_id: int) -> Sequence[EventPairing]:
    return session.exec(
        select(EventPairing)
        .where(EventPairing.event_id == event_id)
        .order_by(col(EventPairing.round), col(EventPairing.id))
    ).all()


def get_pairing(session: Session, pairing_id: int) -> EventPairing | None:
    return session.get(EventPairing, pairing_id)


def claim_notice(session: Session, event_id: int, kind: str, round_number: int = 0) -> bool:
    """True for exactly one caller per (event, kind, round), across processes. Must be the
    session's first write (see stats.claim_digest: no SAVEPOINT)."""
    session.add(EventNotice(event_id=event_id, kind=kind, round=round_number))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return False
    return True


def rate(session: Session, pairing_id: int, mentee_slack_id: str, rating: int) -> bool:
    """The mentee's rating of one conversation (a later click changes it)."""
    changed = bulk_update(
        session,
        sa.update(EventPairing)
        .where(
            col(EventPairing.id) == pairing_id,
            col(EventPairing.mentee_slack_id) == mentee_slack_id,
        )
        .values(rating=rating),
    )
    return changed == 1


def claim_follow_up(session: Session, pairing_id: int, request_id: int) -> bool:
    """Link the flash request a conversation turned into; once per conversation."""
    changed = bulk_update(
        session,
        sa.update(EventPairing)
        .where(col(EventPairing.id) == pairing_id, col(EventPairing.follow_up_request_id).is_(None))
        .values(follow_up_request_id=request_id),
    )
    return changed == 1


def set_follow_up(session: Session, pairing_id: int, request_id: int | None) -> None:
    """The flash request a claimed follow-up became (None: it could not be made; the claim is
    given back, so the mentee may try again)."""
    bulk_update(
        session,
        sa.update(EventPairing)
        .where(col(EventPairing.id) == pairing_id)
        .values(follow_up_request_id=request_id),
    )


def mark_mentor_continues(session: Session, pairing_id: int, mentor_slack_id: str) -> bool:
    """The mentor's "happy to continue", as a claim: True the first time only."""
    changed = bulk_update(
        session,
        sa.update(EventPairing)
        .where(
            col(EventPairing.id) == pairing_id,
            col(EventPairing.mentor_slack_id) == mentor_slack_id,
            col(EventPairing.mentor_continues).is_(False),
        )
        .values(mentor_continues=True),
    )
    return changed == 1


def events_between(session: Session, start: datetime, end: datetime) -> Sequence[SpeedEvent]:
    """Events that started in [start, end) and were not cancelled (the digest's count)."""
    return session.exec(
        select(SpeedEvent).where(
            col(SpeedEvent.starts_at) >= start,
            col(SpeedEvent.starts_at) < end,
            SpeedEvent.status != EventStatus.CANCELLED.value,
        )
    ).all()


def events_due_to_close(session: Session, now: datetime) -> Sequence[int]:
    """Open events whose sign-up has closed: the safety net behind each event's own job."""
    rows = session.exec(
        select(SpeedEvent.id).where(
            SpeedEvent.status == EventStatus.OPEN.value, col(SpeedEvent.signup_closes_at) <= now
        )
    ).all()
    return [r for r in rows if r is not None]


# -- personal data ---------------------------------------------------------------------------


def personal_events(session: Session, slack_id: str) -> list[dict[str, object]]:
    """The events a person joined: their role, their own question, whom they met and how they
    rated it (never another person's question)."""
    joined = session.exec(
        select(EventParticipant).where(EventParticipant.slack_id == slack_id)
    ).all()
    out: list[dict[str, object]] = []
    for person in joined:
        met = [
            {
                "round": p.round,
                "with": p.mentor_slack_id if p.mentee_slack_id == slack_id else p.mentee_slack_id,
                # A rating is the mentee's own: a mentor's export never shows who rated them how.
                "rating": p.rating if p.mentee_slack_id == slack_id else None,
                "mentor_happy_to_continue": p.mentor_continues,
                "flash_request_id": p.follow_up_request_id,
            }
            for p in pairings(session, person.event_id)
            if slack_id in (p.mentee_slack_id, p.mentor_slack_id)
        ]
        out.append(
            {
                "event_id": person.event_id,
                "role": person.role,
                "question": person.question,
                "joined_at": person.joined_at.isoformat(),
                "conversations": met,
            }
        )
    return out


def erase_events_of(session: Session, slack_id: str, anonymous: str) -> int:
    """Scrub a person from every event. In events not posted yet they simply leave (their
    pairings too): an anonymous sign-up without a question can be neither planned nor sent a
    schedule. Elsewhere their sign-ups lose id and question and their pairings their id (each
    row its own anonymous id: the per-round unique keys still hold), so leads' counts stay.
    Returns how many sign-ups were removed or scrubbed."""
    upcoming = sa.select(col(SpeedEvent.id)).where(
        col(SpeedEvent.status).in_([EventStatus.OPEN.value, EventStatus.PLANNED.value])
    )
    theirs = sa.or_(
        col(EventPairing.mentee_slack_id) == slack_id,
        col(EventPairing.mentor_slack_id) == slack_id,
    )
    session.execute(sa.delete(EventPairing).where(col(EventPairing.event_id).in_(upcoming), theirs))
    left = session.execute(
        sa.delete(EventParticipant).where(
            col(EventParticipant.slack_id) == slack_id, col(EventParticipant.event_id).in_(upcoming)
        )
    )
    # An organiser's events stay (their participants are owed the plan); leads take over.
    bulk_update(
        session,
        sa.update(SpeedEvent)
        .where(col(SpeedEvent.lead_slack_id) == slack_id)
        .values(lead_slack_id=anonymous),
    )
    # Reasons are the mentor's own expertise phrases: they go with the mentor.
    bulk_update(
        session,
        sa.update(EventPairing)
        .where(col(EventPairing.mentor_slack_id) == slack_id)
        .values(reasons=[]),
    )
    unique = sa.literal(f"{anonymous}-") + sa.cast(col(EventParticipant.id), sa.String)
    scrubbed = bulk_update(
        session,
        sa.update(EventParticipant)
        .where(col(EventParticipant.slack_id) == slack_id)
        .values(slack_id=unique, question=None, timezone="UTC"),
    )
    pairing_id = sa.cast(col(EventPairing.id), sa.String)
    for column in (EventPairing.mentee_slack_id, EventPairing.mentor_slack_id):
        bulk_update(
            session,
            sa.update(EventPairing)
            .where(col(column) == slack_id)
            .values({column: sa.literal(f"{anonymous}-p") + pairing_id}),
        )
    return int(left.rowcount or 0) + scrubbed  # type: ignore[attr-defined]


def purge_event_texts(session: Session, before: datetime) -> int:
    """Drop the questions of sign-ups older than `before` (RETENTION_DAYS), in events that
    are over (a question still to be planned, or shown to its mentors, stays until then)."""
    over = sa.select(col(SpeedEvent.id)).where(
        col(SpeedEvent.status).in_([EventStatus.FINISHED.value, EventStatus.CANCELLED.value])
    )
    return bulk_update(
        session,
        sa.update(EventParticipant)
        .where(
            col(EventParticipant.event_id).in_(over),
            col(EventParticipant.joined_at) < before,
            col(EventParticipant.question).is_not(None),
        )
        .values(question=None),
    )
