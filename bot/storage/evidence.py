"""Repository for what outcomes taught the matcher (`match_evidence`): recording, bounding,
streaming into memory and erasing. Which outcomes count, and how they score, is decided in
`bot/matching/`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.storage.mentors import record_changes
from bot.storage.models import EvidenceKind, MatchEvidence, MentoringRequest, utcnow


@dataclass(frozen=True)
class EvidenceRow:
    mentor_id: int
    kind: EvidenceKind
    vector: bytes  # float16[dim]
    created_at: datetime


def record(
    session: Session,
    *,
    mentor_id: int,
    request_id: int,
    kind: EvidenceKind,
    model: str,
    vector: bytes,
    keep: int,
) -> bool:
    """Store (or replace) what request `request_id` taught about `mentor_id`, keep only the
    `keep` newest pieces of that kind for the mentor, and tell every process to reload it.

    False, and nothing stored, when the request's text is gone (erased or purged meanwhile):
    the request row is locked first, as erasure locks it (see `erase_for`), so a vector is
    never stored after its question was erased."""
    question = session.execute(
        sa.select(col(MentoringRequest.question))
        .where(col(MentoringRequest.id) == request_id)
        .with_for_update()
    ).scalar_one_or_none()
    if not question:
        return False
    session.execute(
        sa.delete(MatchEvidence).where(
            col(MatchEvidence.request_id) == request_id, col(MatchEvidence.mentor_id) == mentor_id
        )
    )
    session.add(
        MatchEvidence(
            mentor_id=mentor_id,
            request_id=request_id,
            kind=kind.value,
            model=model,
            vector=vector,
            created_at=utcnow(),
        )
    )
    session.flush()
    newest = (
        select(MatchEvidence.id)
        .where(MatchEvidence.mentor_id == mentor_id, MatchEvidence.kind == kind.value)
        .order_by(col(MatchEvidence.created_at).desc(), col(MatchEvidence.id).desc())
        .limit(keep)
    )
    session.execute(
        sa.delete(MatchEvidence).where(
            col(MatchEvidence.mentor_id) == mentor_id,
            col(MatchEvidence.kind) == kind.value,
            col(MatchEvidence.id).not_in(newest.scalar_subquery()),
        )
    )
    record_changes(session, [mentor_id])
    return True


def forget(session: Session, *, mentor_id: int, request_id: int) -> bool:
    """Drop what one request taught about one mentor (the mentee lowered their rating)."""
    deleted = session.execute(
        sa.delete(MatchEvidence).where(
            col(MatchEvidence.request_id) == request_id, col(MatchEvidence.mentor_id) == mentor_id
        )
    )
    if deleted.rowcount:  # type: ignore[attr-defined]
        record_changes(session, [mentor_id])
    return bool(deleted.rowcount)  # type: ignore[attr-defined]


def stream(
    session: Session, model: str, mentor_ids: Sequence[int] | None = None
) -> Iterator[EvidenceRow]:
    """Every piece of evidence made by `model` (for the given mentors, default all)."""
    query = select(
        MatchEvidence.mentor_id, MatchEvidence.kind, MatchEvidence.vector, MatchEvidence.created_at
    ).where(MatchEvidence.model == model)
    if mentor_ids is not None:
        query = query.where(col(MatchEvidence.mentor_id).in_(list(mentor_ids)))
    for mentor_id, kind, vector, created_at in session.exec(query):
        yield EvidenceRow(mentor_id, EvidenceKind(kind), vector, created_at)


def erase_for(session: Session, *, mentee_slack_id: str | None, mentor_id: int | None) -> int:
    """Erase the evidence made of a person's questions (as mentee) and what was learned about
    them (as mentor)."""
    conditions: list[sa.ColumnElement[bool]] = []
    if mentee_slack_id is not None:
        asked = select(MentoringRequest.id).where(
            MentoringRequest.mentee_slack_id == mentee_slack_id
        )
        # Waits for a `record` in flight on one of these requests, then sees its row.
        session.execute(asked.with_for_update()).all()
        conditions.append(col(MatchEvidence.request_id).in_(asked.scalar_subquery()))
    if mentor_id is not None:
        conditions.append(col(MatchEvidence.mentor_id) == mentor_id)
    return _delete(session, sa.or_(*conditions)) if conditions else 0


def purge_before(session: Session, before: datetime) -> int:
    """Drop evidence recorded before `before` (RETENTION_DAYS)."""
    return _delete(session, col(MatchEvidence.created_at) < before)


def count_for(session: Session, *, mentee_slack_id: str, mentor_id: int | None) -> dict[str, int]:
    """How much evidence a person's questions made, and how much is held about them (my-data)."""
    asked = select(MentoringRequest.id).where(MentoringRequest.mentee_slack_id == mentee_slack_id)
    from_questions = session.exec(
        select(sa.func.count())
        .select_from(MatchEvidence)
        .where(col(MatchEvidence.request_id).in_(asked.scalar_subquery()))
    ).one()
    about_mentor = 0
    if mentor_id is not None:
        about_mentor = session.exec(
            select(sa.func.count())
            .select_from(MatchEvidence)
            .where(MatchEvidence.mentor_id == mentor_id)
        ).one()
    return {"from_my_questions": int(from_questions), "about_me_as_mentor": int(about_mentor)}


def _delete(session: Session, condition: sa.ColumnElement[bool]) -> int:
    mentor_ids = sorted(set(session.exec(select(MatchEvidence.mentor_id).where(condition)).all()))
    if not mentor_ids:
        return 0
    deleted = session.execute(sa.delete(MatchEvidence).where(condition))
    # Every process drops the erased vectors from memory at its next refresh.
    record_changes(session, mentor_ids)
    return int(deleted.rowcount)  # type: ignore[attr-defined]
