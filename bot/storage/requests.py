"""Repository for mentoring requests, offers and sessions. State changes are conditional
UPDATEs ("claims"): they succeed for exactly one caller, whatever retries and double clicks do."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from bot.storage.db import bulk_update
from bot.storage.models import (
    Mentor,
    MentorApproval,
    MentoringRequest,
    Offer,
    OfferStatus,
    RequestStatus,
    utcnow,
)

ACTIVE_REQUEST_STATUSES = (
    RequestStatus.OPEN,
    RequestStatus.OFFERED,
    RequestStatus.WAITING,
    RequestStatus.MATCHED,
)
# Waiting for a mentor: counted against MAX_OPEN_REQUESTS.
UNANSWERED = (RequestStatus.OPEN.value, RequestStatus.OFFERED.value, RequestStatus.WAITING.value)


def create_request(
    session: Session,
    *,
    mentee_slack_id: str,
    question: str,
    format: str,
    context: str | None = None,
    urgency: str | None = None,
    mentee_timezone: str | None = None,
    language: str | None = None,
    preferred_mentor_id: int | None = None,
    goal: str | None = None,
) -> MentoringRequest:
    request = MentoringRequest(
        mentee_slack_id=mentee_slack_id,
        question=question,
        format=format,
        context=context,
        urgency=urgency,
        mentee_timezone=mentee_timezone,
        language=language,
        preferred_mentor_id=preferred_mentor_id,
        goal=goal,
    )
    session.add(request)
    session.flush()
    return request


def get_request(session: Session, request_id: int) -> MentoringRequest | None:
    return session.get(MentoringRequest, request_id)


def get_offer(session: Session, offer_id: int) -> Offer | None:
    return session.get(Offer, offer_id)


def offers_for(session: Session, request_id: int) -> Sequence[Offer]:
    query = select(Offer).where(Offer.request_id == request_id).order_by(col(Offer.rank))
    return session.exec(query).all()


def create_offer(
    session: Session,
    *,
    request_id: int,
    mentor_id: int,
    rank: int,
    score: float,
    reasons: list[str],
    expires_at: datetime,
    slot: int = 0,
) -> Offer:
    offer = Offer(
        request_id=request_id,
        mentor_id=mentor_id,
        rank=rank,
        slot=slot,
        score=score,
        reasons=reasons,
        expires_at=expires_at,
    )
    session.add(offer)
    session.flush()
    return offer


def claim_offer(
    session: Session, offer_id: int, *, to: OfferStatus, due_by: datetime | None = None
) -> bool:
    """Move a pending offer to `to`; False when it is no longer pending (or not yet due)."""
    conditions = [col(Offer.id) == offer_id, col(Offer.status) == OfferStatus.PENDING.value]
    if due_by is not None:
        conditions.append(col(Offer.expires_at) <= due_by)
    changed = bulk_update(
        session, sa.update(Offer).where(*conditions).values(status=to.value, responded_at=utcnow())
    )
    return changed == 1


def move_request(
    session: Session,
    request_id: int,
    *,
    to: RequestStatus,
    allowed_from: Sequence[RequestStatus],
    **values: object,
) -> bool:
    """Change a request's status only from one of `allowed_from`; False when it was elsewhere."""
    changed = bulk_update(
        session,
        sa.update(MentoringRequest)
        .where(
            col(MentoringRequest.id) == request_id,
            col(MentoringRequest.status).in_([s.value for s in allowed_from]),
        )
        .values(status=to.value, updated_at=utcnow(), **values),
    )
    return changed == 1


def withdraw_pending_offers(session: Session, request_id: int) -> list[Offer]:
    pending = session.exec(
        select(Offer).where(
            Offer.request_id == request_id, Offer.status == OfferStatus.PENDING.value
        )
    ).all()
    return [
        o
        for o in pending
        if o.id is not None and claim_offer(session, o.id, to=OfferStatus.WITHDRAWN)
    ]


def set_offer_message(session: Session, offer_id: int, channel: str, ts: str) -> None:
    bulk_update(
        session,
        sa.update(Offer)
        .where(col(Offer.id) == offer_id)
        .values(message_channel=channel, message_ts=ts),
    )


def lock_mentee(session: Session, mentee_slack_id: str) -> None:
    """Serialise this mentee's request creation until the transaction ends, so a count
    followed by an insert (the open-request cap) holds when two submits race.

    PostgreSQL: a transaction-scoped advisory lock on the mentee alone (instances share it).
    SQLite: a write statement that changes nothing takes the database's write lock now,
    before the count, so the second writer waits (busy_timeout) instead of counting stale."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"mentee:{mentee_slack_id}"},
        )
    else:
        session.execute(sa.text("UPDATE mentoring_request SET id = id WHERE 1 = 0"))


def searching_count(session: Session, mentee_slack_id: str) -> int:
    """This mentee's requests still waiting for a mentor (open, offered, or on the waiting
    list)."""
    query = (
        select(func.count())
        .select_from(MentoringRequest)
        .where(
            MentoringRequest.mentee_slack_id == mentee_slack_id,
            col(MentoringRequest.status).in_(UNANSWERED),
        )
    )
    return int(session.exec(query).one())


def waiting_requests(session: Session) -> Sequence[MentoringRequest]:
    """The waiting list, first come first served."""
    return session.exec(
        select(MentoringRequest)
        .where(MentoringRequest.status == RequestStatus.WAITING.value)
        .order_by(col(MentoringRequest.created_at), col(MentoringRequest.id))
    ).all()


def waiting_place(session: Session, request: MentoringRequest) -> int:
    """1 for the oldest waiting request: how many wait before this one, plus one."""
    ahead = sa.or_(
        col(MentoringRequest.created_at) < request.created_at,
        sa.and_(
            col(MentoringRequest.created_at) == request.created_at,
            col(MentoringRequest.id) < request.id,
        ),
    )
    query = (
        select(func.count())
        .select_from(MentoringRequest)
        .where(MentoringRequest.status == RequestStatus.WAITING.value, ahead)
    )
    return int(session.exec(query).one()) + 1


def waiting_count(session: Session) -> int:
    query = (
        select(func.count())
        .select_from(MentoringRequest)
        .where(MentoringRequest.status == RequestStatus.WAITING.value)
    )
    return int(session.exec(query).one())


def past_mentors_of(session: Session, mentee_slack_id: str) -> Sequence[Mentor]:
    """Listed mentors who accepted one of this person's requests, most recent first."""
    accepted = (
        select(Offer.mentor_id, func.max(Offer.responded_at).label("last"))
        .join(MentoringRequest, col(MentoringRequest.id) == col(Offer.request_id))
        .where(
            MentoringRequest.mentee_slack_id == mentee_slack_id,
            Offer.status == OfferStatus.ACCEPTED.value,
        )
        .group_by(col(Offer.mentor_id))
        .subquery()
    )
    return session.exec(
        select(Mentor)
        .join(accepted, col(Mentor.id) == accepted.c.mentor_id)
        .where(
            Mentor.active == True,  # noqa: E712  (SQL expression)
            Mentor.approval == MentorApproval.APPROVED.value,
        )
        .order_by(accepted.c.last.desc())
    ).all()


def set_best_score(session: Session, request_id: int, score: float) -> None:
    """The first candidate's score: later candidates must fit nearly as well."""
    bulk_update(
        session,
        sa.update(MentoringRequest)
        .where(col(MentoringRequest.id) == request_id)
        .values(best_score=score),
    )


def set_unmet_reason(session: Session, request_id: int, reason: str) -> None:
    bulk_update(
        session,
        sa.update(MentoringRequest)
        .where(col(MentoringRequest.id) == request_id)
        .values(unmet_reason=reason),
    )


def claim_unmet_report(session: Session, request_ids: Sequence[int], now: datetime) -> bool:
    """Mark these unmet requests as reported to leads; True only if none of them was (two
    processes reporting the same topic at once: one wins)."""
    changed = bulk_update(
        session,
        sa.update(MentoringRequest)
        .where(
            col(MentoringRequest.id).in_(list(request_ids)),
            col(MentoringRequest.unmet_reported_at).is_(None),
        )
        .values(unmet_reported_at=now),
    )
    return changed == len(set(request_ids))


def active_requests_of(session: Session, mentee_slack_id: str) -> Sequence[MentoringRequest]:
    return session.exec(
        select(MentoringRequest)
        .where(
            MentoringRequest.mentee_slack_id == mentee_slack_id,
            col(MentoringRequest.status).in_([s.value for s in ACTIVE_REQUEST_STATUSES]),
        )
        .order_by(col(MentoringRequest.created_at).desc())
    ).all()


def recent_requests_of(
    session: Session, mentee_slack_id: str, limit: int = 5
) -> Sequence[MentoringRequest]:
    return session.exec(
        select(MentoringRequest)
        .where(MentoringRequest.mentee_slack_id == mentee_slack_id)
        .order_by(col(MentoringRequest.created_at).desc(), col(MentoringRequest.id).desc())
        .limit(limit)
    ).all()


def pending_offers_of(session: Session, mentor_id: int) -> Sequence[Offer]:
    return session.exec(
        select(Offer)
        .where(Offer.mentor_id == mentor_id, Offer.status == OfferStatus.PENDING.value)
        .order_by(col(Offer.created_at))
    ).all()


def accepted_offer(session: Session, request_id: int) -> Offer | None:
    return session.exec(
        select(Offer).where(
            Offer.request_id == request_id, Offer.status == OfferStatus.ACCEPTED.value
        )
    ).first()


def request_counts_since(session: Session, since: datetime) -> dict[str, int]:
    rows = session.execute(
        sa.select(col(MentoringRequest.status), func.count())
        .where(col(MentoringRequest.created_at) >= since)
        .group_by(col(MentoringRequest.status))
    ).all()
    return {str(status): int(n) for status, n in rows}


def overdue_offer_ids(session: Session, now: datetime) -> Sequence[int]:
    rows = session.exec(
        select(Offer.id).where(
            Offer.status == OfferStatus.PENDING.value, col(Offer.expires_at) <= now
        )
    ).all()
    return [r for r in rows if r is not None]


def mentor_count(session: Session, *, listed_only: bool) -> int:
    """Mentors on the roster; `listed_only`: only those requests may be offered to (active
    and approved: a profile waiting for a lead, or rejected, is no mentor yet)."""
    query = select(func.count()).select_from(Mentor)
    if listed_only:
        query = query.where(
            Mentor.active == True,  # noqa: E712  (SQL expression)
            Mentor.approval == MentorApproval.APPROVED.value,
        )
    return int(session.exec(query).one())


def unmatched_since(
    session: Session, since: datetime, limit: int | None = None
) -> Sequence[MentoringRequest]:
    """Unmatched requests created since `since`, newest first."""
    query = (
        select(MentoringRequest)
        .where(
            MentoringRequest.status == RequestStatus.UNMATCHED.value,
            col(MentoringRequest.created_at) >= since,
        )
        .order_by(col(MentoringRequest.created_at).desc())
    )
    return session.exec(query.limit(limit) if limit else query).all()
