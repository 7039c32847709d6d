"""What the mentoring flow hands out: outcomes of each step, and frozen views of requests and
offers (never ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from bot.mentoring.ports import MessageRef, OfferView, RequestView
from bot.storage import mentors as mentor_repo
from bot.storage import requests as request_repo
from bot.storage.models import (
    Mentor,
    MentorApproval,
    MentoringRequest,
    Offer,
    OfferStatus,
    RequestStatus,
)


class ClickResult(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    NOT_MY_TOPIC = "not_my_topic"  # declined, and the matcher learns from it
    PAUSED = "paused"
    CLOSED = "closed"  # expired, withdrawn, taken, or answered already
    NOT_YOURS = "not_yours"  # someone else clicked the mentor's buttons


class FindResult(StrEnum):
    OFFERED = "offered"
    UNMATCHED = "unmatched"
    WAITING = "waiting"  # the fitting mentors are all busy: on the waiting list
    NOT_SEARCHING = "not_searching"  # cancelled, matched, or someone else is already asking


class ReassignResult(StrEnum):
    OFFERED = "offered"
    NOT_FOUND = "not_found"
    CLOSED = "closed"  # matched, cancelled or completed: nothing to reassign
    TARGET_IS_LEAD = "target_is_lead"  # no lead may hand a request (and its text) to a lead
    NO_SUCH_MENTOR = "no_such_mentor"  # not on the roster, inactive or not approved
    ALREADY_ASKED = "already_asked"
    UNSUITABLE = "unsuitable"  # e.g. the mentee themself: said without saying who asked


class CancelResult(StrEnum):
    CANCELLED = "cancelled"
    NOT_FOUND = "not_found"
    ALREADY_CLOSED = "already_closed"


@dataclass(frozen=True)
class ClickOutcome:
    result: ClickResult
    offer: OfferView | None = None


@dataclass(frozen=True)
class RequestSummary:
    request_id: int
    question: str
    format: str
    status: str
    created_at: datetime
    asked_mentors: tuple[str, ...] = field(default_factory=tuple)
    # Offers still waiting for an answer: who, and until when (an urgent request has several).
    pending: tuple[tuple[str, datetime], ...] = field(default_factory=tuple)
    waiting_place: int | None = None  # on the waiting list: 1 is next
    waiting_until: datetime | None = None


def offer_view(session: Session, offer: Offer, request: RequestView) -> OfferView:
    """The offer as services hand it out (who was asked, why, until when, where its DM is)."""
    mentor = mentor_repo.get_many(session, [offer.mentor_id]).get(offer.mentor_id)
    message = (
        MessageRef(offer.message_channel, offer.message_ts)
        if offer.message_channel and offer.message_ts
        else None
    )
    assert offer.id is not None
    return OfferView(
        offer.id,
        request,
        mentor.slack_id if mentor else "",
        mentor.name if mentor else "",
        offer.rank,
        tuple(offer.reasons),
        offer.expires_at,
        message,
        offer.slot,
    )


def summary(session: Session, request: MentoringRequest) -> RequestSummary:
    """A request with the mentors asked so far (the mentee's status and Home tab)."""
    assert request.id is not None
    offers = request_repo.offers_for(session, request.id)
    mentors = mentor_repo.get_many(session, [o.mentor_id for o in offers])
    asked = tuple(mentors[o.mentor_id].slack_id for o in offers if o.mentor_id in mentors)
    pending = tuple(
        (mentors[o.mentor_id].slack_id, o.expires_at)
        for o in offers
        if o.status == OfferStatus.PENDING.value and o.mentor_id in mentors
    )
    waiting = request.status == RequestStatus.WAITING.value
    return RequestSummary(
        request.id,
        request.question or "",
        request.format,
        request.status,
        request.created_at,
        asked,
        pending,
        request_repo.waiting_place(session, request) if waiting else None,
        request.waiting_until if waiting else None,
    )


def listed(mentor: Mentor) -> bool:
    """An active, approved mentor: someone a request may be offered to."""
    return mentor.active and mentor.approval == MentorApproval.APPROVED.value


def request_view(request: MentoringRequest) -> RequestView:
    assert request.id is not None
    return RequestView(
        request.id,
        request.mentee_slack_id,
        request.question or "",
        request.format,
        request.status,
        request.context,
        request.urgency,
        request.language,
        direct=request.preferred_mentor_id is not None,
        goal=request.goal,
    )
