"""MentoringService: one request at a time to one mentor at a time, until someone accepts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import ParamSpec, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.digest.topics import Asked, shared_terms
from bot.errors import TooManyOpenRequestsError
from bot.logging import log_event
from bot.matching.service import MatchingService, clean_question
from bot.mentoring import demand
from bot.mentoring.message_log import log_posted
from bot.mentoring.ports import (
    MessageRef,
    Notifier,
    OfferClosure,
    OfferTimer,
    OfferView,
    RequestView,
    Unmatched,
    UnmetDemand,
)
from bot.storage import mentors as mentor_repo
from bot.storage import messages as message_repo
from bot.storage import requests as request_repo
from bot.storage.db import session_scope
from bot.storage.models import (
    Mentor,
    MentorApproval,
    MentoringFormat,
    MentoringRequest,
    MessageKind,
    Offer,
    OfferStatus,
    RequestStatus,
    Urgency,
    utcnow,
)
from bot.text import clean_optional

logger = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")

PAUSE_DAYS = 7
MAX_CONTEXT_CHARS = 3000
SESSION_MINUTES = {MentoringFormat.FLASH: 60, MentoringFormat.MICRO: 60, MentoringFormat.SPEED: 15}
SEARCHING = (RequestStatus.OPEN, RequestStatus.OFFERED)
# A lead may hand these to a mentor of their choice.
REASSIGNABLE = (*SEARCHING, RequestStatus.UNMATCHED)
LEAD_REASON = "Chosen for this request by a program lead"
# A follow-on candidate must score at least this share of the first candidate's score.
FOLLOW_ON_RATIO = 0.6


class ClickResult(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    PAUSED = "paused"
    CLOSED = "closed"  # expired, withdrawn, taken, or answered already
    NOT_YOURS = "not_yours"  # someone else clicked the mentor's buttons


class FindResult(StrEnum):
    OFFERED = "offered"
    UNMATCHED = "unmatched"
    NOT_SEARCHING = "not_searching"  # cancelled, matched, or someone else is already asking


class ReassignResult(StrEnum):
    OFFERED = "offered"
    NOT_FOUND = "not_found"
    CLOSED = "closed"  # matched, cancelled or completed: nothing to reassign
    TARGET_IS_LEAD = "target_is_lead"  # no lead may hand a request (and its text) to a lead
    NO_SUCH_MENTOR = "no_such_mentor"  # not on the roster, inactive or not approved
    ALREADY_ASKED = "already_asked"
    UNSUITABLE = "unsuitable"  # e.g. the mentee themself: said without saying who asked


@dataclass(frozen=True)
class UnmetRequest:
    """What a lead may see of an unmatched request: never its text."""

    request_id: int
    format: str
    created_at: datetime
    best_score: float | None


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


class MentoringService:
    def __init__(
        self,
        *,
        engine: Engine,
        matching: MatchingService,
        notifier: Notifier,
        timer: OfferTimer,
        response_time: timedelta,
        max_candidates: int = 3,
        min_score: float = 0.3,
        max_open_requests: int = 3,
        program_leads: frozenset[str] = frozenset(),
        on_accepted: Callable[[int], object] | None = None,
        on_outcome: Callable[[str], None] | None = None,
    ) -> None:
        self._engine = engine
        self._matching = matching
        self._notifier = notifier
        self._timer = timer
        self._response_time = response_time
        self._max_candidates = max_candidates
        self._min_score = min_score
        self._max_open = max_open_requests
        self._leads = program_leads
        # Called with the new session's id after an accept (booking proposes times).
        self._on_accepted = on_accepted
        # Told "offered", "unmatched", "accepted", "declined", "paused", "expired", "cancelled".
        self._on_outcome = on_outcome or (lambda _: None)

    # -- mentee side ---------------------------------------------------------------------

    def submit(
        self,
        *,
        mentee_slack_id: str,
        question: str,
        format: MentoringFormat = MentoringFormat.FLASH,
        context: str | None = None,
        urgency: str | None = None,
        mentee_timezone: str | None = None,
    ) -> RequestView:
        """Store a request. Raises InvalidQuestionError for unusable questions, and
        TooManyOpenRequestsError while MAX_OPEN_REQUESTS of this mentee's wait for a mentor:
        one person's burst of questions would otherwise fill every expert's queue."""
        cleaned = clean_question(question)
        details = clean_optional(context, multiline=True)
        with session_scope(self._engine) as session:
            waiting = request_repo.searching_count(session, mentee_slack_id)
            if waiting >= self._max_open:
                raise TooManyOpenRequestsError(
                    f"You already have {waiting} open requests waiting for a mentor. Cancel one "
                    "with `/mentor cancel`, or wait for an answer, then ask again."
                )
            request = request_repo.create_request(
                session,
                mentee_slack_id=mentee_slack_id,
                question=cleaned,
                format=format.value,
                context=details[:MAX_CONTEXT_CHARS] if details else None,
                urgency=urgency if urgency in set(Urgency) else None,
                mentee_timezone=mentee_timezone,
            )
            view = _request_view(request)
        log_event(logger, "request_created", request_id=view.request_id, format=format.value)
        return view

    def confirm_received(self, request: RequestView) -> None:
        """Tell the mentee their form arrived (a slash command's ack already says so)."""
        posted = self._safely(self._notifier.tell_mentee_received, request)
        log_posted(self._engine, MessageKind.RECEIVED, [posted], request_id=request.request_id)

    def find_mentor(self, request_id: int) -> FindResult:
        """Offer the request to the best available mentor not asked yet (the slow step)."""
        with session_scope(self._engine) as session:
            request = request_repo.get_request(session, request_id)
            if request is None or request.status not in SEARCHING or not request.question:
                return FindResult.NOT_SEARCHING
            prior = request_repo.offers_for(session, request_id)
            if any(o.status == OfferStatus.PENDING.value for o in prior):
                return FindResult.NOT_SEARCHING
            view = _request_view(request)
            asked = frozenset(o.mentor_id for o in prior)
            best_score = request.best_score
        if len(asked) >= self._max_candidates:
            return self._unmatched(view, Unmatched.ALL_DECLINED)
        # After a "no", the next mentor must still fit nearly as well: asking a poor fit wastes
        # a colleague's time and gives the mentee a bad session.
        floor = self._min_score
        if asked and best_score is not None:
            floor = max(floor, FOLLOW_ON_RATIO * best_score)
        matches = self._matching.match(
            view.question,
            mentee_slack_id=view.mentee_slack_id,
            top_k=1,
            exclude_mentor_ids=asked,
            min_score=floor,
        )
        if not matches:
            return self._unmatched(view, self._why_unmatched(view, asked, floor))
        best = matches[0]
        due = utcnow() + self._response_time
        try:
            with session_scope(self._engine) as session:
                if not request_repo.move_request(
                    session, request_id, to=RequestStatus.OFFERED, allowed_from=SEARCHING
                ):
                    return FindResult.NOT_SEARCHING
                offer = request_repo.create_offer(
                    session,
                    request_id=request_id,
                    mentor_id=best.mentor_id,
                    rank=len(asked) + 1,
                    score=best.score,
                    reasons=list(best.reasons),
                    expires_at=due,
                )
                if not asked:
                    request = request_repo.get_request(session, request_id)
                    assert request is not None
                    request.best_score = best.score
                assert offer.id is not None
                offer_view = OfferView(
                    offer.id, view, best.slack_id, best.name, offer.rank, best.reasons, due
                )
        except IntegrityError:
            # A concurrent find_mentor for the same request won the one-pending-offer index.
            return FindResult.NOT_SEARCHING
        self._timer.start(offer_view.offer_id, due)
        self._on_outcome("offered")
        log_event(
            logger,
            "offer_made",
            request_id=request_id,
            offer_id=offer_view.offer_id,
            rank=offer_view.rank,
            score=round(best.score, 3),
        )
        self._send_offer(offer_view)
        return FindResult.OFFERED

    def cancel(
        self, request_id: int, *, mentee_slack_id: str, erasing: bool = False
    ) -> CancelResult:
        """The mentee withdraws a request. `erasing`: they asked for their data to be deleted,
        so nothing quotes or names them again (their messages are redacted afterwards)."""
        with session_scope(self._engine) as session:
            request = request_repo.get_request(session, request_id)
            if request is None or request.mentee_slack_id != mentee_slack_id:
                return CancelResult.NOT_FOUND
            view = _request_view(request)
            accepted = request_repo.accepted_offer(session, request_id)
            if not request_repo.move_request(
                session,
                request_id,
                to=RequestStatus.CANCELLED,
                allowed_from=(*SEARCHING, RequestStatus.MATCHED),
            ):
                return CancelResult.ALREADY_CLOSED
            withdrawn = [
                self._offer_view(session, o, view)
                for o in request_repo.withdraw_pending_offers(session, request_id)
            ]
            accepted_view = self._offer_view(session, accepted, view) if accepted else None
        log_event(logger, "request_cancelled", request_id=request_id)
        self._on_outcome("cancelled")
        closure = OfferClosure.ERASED if erasing else OfferClosure.WITHDRAWN
        for offer in withdrawn:
            self._timer.stop(offer.offer_id)
            self._safely(self._notifier.close_offer, offer, closure)
        if accepted_view is not None:
            self._safely(self._notifier.tell_mentor_cancelled, accepted_view, erased=erasing)
        return CancelResult.CANCELLED

    def active_requests(self, mentee_slack_id: str) -> list[RequestSummary]:
        with session_scope(self._engine) as session:
            requests = request_repo.active_requests_of(session, mentee_slack_id)
            return [self._summary(session, r) for r in requests]

    def recent_requests(self, mentee_slack_id: str, limit: int = 5) -> list[RequestSummary]:
        with session_scope(self._engine) as session:
            requests = request_repo.recent_requests_of(session, mentee_slack_id, limit)
            return [self._summary(session, r) for r in requests]

    # -- mentor side ---------------------------------------------------------------------

    def accept(self, offer_id: int, *, clicker_slack_id: str) -> ClickOutcome:
        try:
            with session_scope(self._engine) as session:
                offer, view, mine = self._load_offer(session, offer_id, clicker_slack_id)
                if offer is None or view is None:
                    return ClickOutcome(ClickResult.CLOSED)
                if not mine:
                    return ClickOutcome(ClickResult.NOT_YOURS, view)
                if not request_repo.claim_offer(session, offer_id, to=OfferStatus.ACCEPTED):
                    return ClickOutcome(ClickResult.CLOSED, view)
                if not request_repo.move_request(
                    session,
                    offer.request_id,
                    to=RequestStatus.MATCHED,
                    allowed_from=(RequestStatus.OFFERED,),
                    matched_at=utcnow(),
                ):
                    session.rollback()
                    return ClickOutcome(ClickResult.CLOSED, view)
                meeting = request_repo.create_session(
                    session,
                    request_id=offer.request_id,
                    mentor_id=offer.mentor_id,
                    mentee_slack_id=view.request.mentee_slack_id,
                    minutes=SESSION_MINUTES[MentoringFormat(view.request.format)],
                )
        except IntegrityError:
            return ClickOutcome(ClickResult.CLOSED)  # another accept for this request won
        self._timer.stop(offer_id)
        log_event(logger, "offer_accepted", request_id=view.request.request_id, offer_id=offer_id)
        self._on_outcome("accepted")
        introductions = self._safely(self._notifier.introduce, view) or ()
        log_posted(
            self._engine,
            MessageKind.INTRODUCTION,
            introductions,
            request_id=view.request.request_id,
        )
        if self._on_accepted is not None and meeting.id is not None:
            self._safely(self._on_accepted, meeting.id)
        return ClickOutcome(ClickResult.ACCEPTED, view)

    def decline(self, offer_id: int, *, clicker_slack_id: str, pause: bool = False) -> ClickOutcome:
        status = OfferStatus.PAUSED if pause else OfferStatus.DECLINED
        with session_scope(self._engine) as session:
            offer, view, mine = self._load_offer(session, offer_id, clicker_slack_id)
            if offer is None or view is None:
                return ClickOutcome(ClickResult.CLOSED)
            if not mine:
                return ClickOutcome(ClickResult.NOT_YOURS, view)
            if not request_repo.claim_offer(session, offer_id, to=status):
                return ClickOutcome(ClickResult.CLOSED, view)
            if pause:
                mentor_repo.pause_mentor(
                    session, offer.mentor_id, utcnow() + timedelta(days=PAUSE_DAYS)
                )
        self._timer.stop(offer_id)
        self._on_outcome(status.value)
        log_event(
            logger, "offer_" + status.value, request_id=view.request.request_id, offer_id=offer_id
        )
        self.find_mentor(view.request.request_id)
        return ClickOutcome(ClickResult.PAUSED if pause else ClickResult.DECLINED, view)

    def expire(self, offer_id: int) -> bool:
        """Called by the offer timer: expire the offer if still unanswered, ask the next one."""
        with session_scope(self._engine) as session:
            offer = request_repo.get_offer(session, offer_id)
            if offer is None or not request_repo.claim_offer(
                session, offer_id, to=OfferStatus.EXPIRED, due_by=utcnow() + timedelta(seconds=5)
            ):
                return False
            request = request_repo.get_request(session, offer.request_id)
            assert request is not None
            view = self._offer_view(session, offer, _request_view(request))
        log_event(logger, "offer_expired", request_id=view.request.request_id, offer_id=offer_id)
        self._on_outcome("expired")
        self._safely(self._notifier.close_offer, view, OfferClosure.EXPIRED)
        self.find_mentor(view.request.request_id)
        return True

    def expire_overdue(self) -> int:
        """Expire every pending offer past due (the sweep behind the per-offer timers)."""
        with session_scope(self._engine) as session:
            overdue = request_repo.overdue_offer_ids(session, utcnow())
        return sum(self.expire(offer_id) for offer_id in overdue)

    def release_offers_of(self, mentor_slack_id: str) -> int:
        """Decline this mentor's pending offers so each request moves on to the next mentor
        (they are leaving the roster, or being erased); returns how many moved on."""
        with session_scope(self._engine) as session:
            mentor = mentor_repo.get_by_slack_id(session, mentor_slack_id)
            pending = (
                [o.id for o in request_repo.pending_offers_of(session, mentor.id) if o.id]
                if mentor is not None and mentor.id is not None
                else []
            )
        moved = 0
        for offer_id in pending:
            outcome = self.decline(offer_id, clicker_slack_id=mentor_slack_id)
            if outcome.result is ClickResult.DECLINED and outcome.offer is not None:
                moved += 1
                # Their DM's buttons no longer apply (erasure then redacts the message).
                self._safely(self._notifier.close_offer, outcome.offer, OfferClosure.RELEASED)
        return moved

    def reassign(self, request_id: int, *, mentor_slack_id: str) -> ReassignResult:
        """A program lead hands a request to a mentor of their choice (pending offer withdrawn).

        The request's state is checked before anything about the target, and no answer says
        who asked: a lead must not learn a request's mentee, or read its question by making
        themselves (or another lead) its mentor."""
        due = utcnow() + self._response_time
        try:
            with session_scope(self._engine) as session:
                request = request_repo.get_request(session, request_id)
                if request is None or not request.question:
                    return ReassignResult.NOT_FOUND
                if request.status not in REASSIGNABLE:
                    return ReassignResult.CLOSED
                if mentor_slack_id in self._leads:
                    return ReassignResult.TARGET_IS_LEAD
                mentor = mentor_repo.get_by_slack_id(session, mentor_slack_id)
                if mentor is None or mentor.id is None or not _listed(mentor):
                    return ReassignResult.NO_SUCH_MENTOR
                if mentor_slack_id == request.mentee_slack_id:
                    return ReassignResult.UNSUITABLE
                view = _request_view(request)
                prior = request_repo.offers_for(session, request_id)
                if any(o.mentor_id == mentor.id for o in prior):
                    return ReassignResult.ALREADY_ASKED
                if not request_repo.move_request(
                    session, request_id, to=RequestStatus.OFFERED, allowed_from=REASSIGNABLE
                ):
                    return ReassignResult.CLOSED
                withdrawn = [
                    self._offer_view(session, o, view)
                    for o in request_repo.withdraw_pending_offers(session, request_id)
                ]
                offer = request_repo.create_offer(
                    session,
                    request_id=request_id,
                    mentor_id=mentor.id,
                    rank=len(prior) + 1,
                    score=0.0,
                    reasons=[LEAD_REASON],
                    expires_at=due,
                )
                offer_view = self._offer_view(session, offer, view)
        except IntegrityError:
            return ReassignResult.CLOSED  # a concurrent accept or offer won
        for old in withdrawn:
            self._timer.stop(old.offer_id)
            self._safely(self._notifier.close_offer, old, OfferClosure.REASSIGNED)
        self._timer.start(offer_view.offer_id, due)
        log_event(logger, "request_reassigned", request_id=request_id, offer_id=offer_view.offer_id)
        self._send_offer(offer_view)
        return ReassignResult.OFFERED

    def unmet_requests(self, since: datetime) -> list[UnmetRequest]:
        """Unmatched requests created since `since`, newest first, without their text."""
        with session_scope(self._engine) as session:
            rows = request_repo.unmatched_since(session, since)
            return [UnmetRequest(r.id, r.format, r.created_at, r.best_score) for r in rows if r.id]

    def week_numbers(self) -> dict[str, int]:
        """This week's figures for program leads (Monday 00:00 UTC onwards)."""
        with session_scope(self._engine) as session:
            counts = request_repo.request_counts_since(session, mentor_repo.week_start(utcnow()))
            mentors = request_repo.mentor_count(session, active_only=True)
        return {
            "requests": sum(counts.values()),
            "matched": counts.get(RequestStatus.MATCHED.value, 0)
            + counts.get(RequestStatus.COMPLETED.value, 0),
            "unmatched": counts.get(RequestStatus.UNMATCHED.value, 0),
            "waiting": counts.get(RequestStatus.OFFERED.value, 0)
            + counts.get(RequestStatus.OPEN.value, 0),
            "active_mentors": mentors,
        }

    def pending_offers(self, mentor_slack_id: str) -> list[OfferView]:
        with session_scope(self._engine) as session:
            mentor = mentor_repo.get_by_slack_id(session, mentor_slack_id)
            if mentor is None or mentor.id is None:
                return []
            views = []
            for offer in request_repo.pending_offers_of(session, mentor.id):
                request = request_repo.get_request(session, offer.request_id)
                if request is not None and request.question:
                    views.append(self._offer_view(session, offer, _request_view(request)))
            return views

    # -- internals -----------------------------------------------------------------------

    def _send_offer(self, offer: OfferView) -> None:
        request_id = offer.request.request_id
        message = self._safely(self._notifier.ask_mentor, offer)
        if isinstance(message, MessageRef):
            with session_scope(self._engine) as session:
                request_repo.set_offer_message(session, offer.offer_id, message.channel, message.ts)
                message_repo.record(
                    session,
                    MessageKind.OFFER,
                    [(message.recipient, message.channel, message.ts)],
                    request_id=request_id,
                )
        asked = self._safely(self._notifier.tell_mentee_asked, offer)
        log_posted(self._engine, MessageKind.ASKED, [asked], request_id=request_id)

    def _why_unmatched(self, view: RequestView, asked: frozenset[int], floor: float) -> Unmatched:
        if asked:
            return Unmatched.ALL_DECLINED
        anyone = self._matching.match(
            view.question,
            mentee_slack_id=view.mentee_slack_id,
            top_k=1,
            min_score=floor,
            available_only=False,
        )
        return Unmatched.NOBODY_AVAILABLE if anyone else Unmatched.NO_EXPERT

    def _unmatched(self, view: RequestView, reason: Unmatched) -> FindResult:
        with session_scope(self._engine) as session:
            if not request_repo.move_request(
                session, view.request_id, to=RequestStatus.UNMATCHED, allowed_from=SEARCHING
            ):
                return FindResult.NOT_SEARCHING
            request_repo.set_unmet_reason(session, view.request_id, reason.value)
        log_event(logger, "request_unmatched", request_id=view.request_id, reason=reason.value)
        self._on_outcome("unmatched")
        told = self._safely(self._notifier.tell_mentee_unmatched, view, reason)
        log_posted(self._engine, MessageKind.UNMATCHED, [told], request_id=view.request_id)
        self._safely(self._report_demand, view)
        return FindResult.UNMATCHED

    def _report_demand(self, view: RequestView) -> None:
        """Tell the leads once enough different people found no mentor on this topic."""
        now = utcnow()
        with session_scope(self._engine) as session:
            rows = [
                demand.UnmetRow(
                    r.id, r.mentee_slack_id, r.question, r.unmet_reason, bool(r.unmet_reported_at)
                )
                for r in request_repo.unmatched_since(session, now - demand.WINDOW, demand.RECENT)
                if r.id is not None and r.question
            ]
        if demand.people(rows) < demand.MIN_PEOPLE:
            return  # too few people in all: nothing to embed
        vectors = self._matching.embed_questions([r.question for r in rows])
        mine = self._matching.question_vector(view.question)
        topic = demand.same_topic(mine, rows, vectors)
        if demand.people(topic) < demand.MIN_PEOPLE:
            return
        if any(row.reported for row in topic):
            # The leads already know this topic: this request joins it without a new DM.
            with session_scope(self._engine) as session:
                request_repo.claim_unmet_report(session, [view.request_id], now)
            return
        grouped = {row.request_id for row in topic}
        found = UnmetDemand(
            terms=tuple(shared_terms([Asked(r.question, r.mentee_slack_id) for r in topic])),
            expertise=self._matching.closest_expertise(
                demand.centre(vectors[[r.request_id in grouped for r in rows]]),
                min_score=self._min_score,
            ),
            people=demand.people(topic),
            request_ids=tuple(sorted(grouped)),
            reasons=demand.reasons(topic),
        )
        with session_scope(self._engine) as session:
            if not request_repo.claim_unmet_report(session, found.request_ids, now):
                return  # another process reported this topic at the same moment
            # Sent inside the claim's transaction: if Slack fails, the claim rolls back and
            # the next unmet request on the topic tries again.
            self._notifier.alert_leads_unmet(found)
        log_event(logger, "unmet_demand_reported", people=found.people)

    def _load_offer(
        self, session: Session, offer_id: int, clicker_slack_id: str
    ) -> tuple[Offer | None, OfferView | None, bool]:
        offer = request_repo.get_offer(session, offer_id)
        if offer is None:
            return None, None, False
        request = request_repo.get_request(session, offer.request_id)
        if request is None or not request.question:
            return None, None, False
        view = self._offer_view(session, offer, _request_view(request))
        if offer.status != OfferStatus.PENDING.value:
            return None, None, False  # answered, expired or withdrawn: closed, whoever asks
        return offer, view, view.mentor_slack_id == clicker_slack_id

    def _offer_view(self, session: Session, offer: Offer, request: RequestView) -> OfferView:
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
        )

    def _summary(self, session: Session, request: MentoringRequest) -> RequestSummary:
        assert request.id is not None
        offers = request_repo.offers_for(session, request.id)
        mentors = mentor_repo.get_many(session, [o.mentor_id for o in offers])
        asked = tuple(mentors[o.mentor_id].slack_id for o in offers if o.mentor_id in mentors)
        return RequestSummary(
            request.id,
            request.question or "",
            request.format,
            request.status,
            request.created_at,
            asked,
        )

    @staticmethod
    def _safely(action: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R | None:
        """Run a notification; a failed Slack call is logged and never undoes stored state."""
        try:
            return action(*args, **kwargs)
        except Exception:
            logger.exception("notification_failed", extra={"action": action.__name__})
            return None


def _listed(mentor: Mentor) -> bool:
    """An active, approved mentor: someone a request may be offered to."""
    return mentor.active and mentor.approval == MentorApproval.APPROVED.value


def _request_view(request: MentoringRequest) -> RequestView:
    assert request.id is not None
    return RequestView(
        request.id,
        request.mentee_slack_id,
        request.question or "",
        request.format,
        request.status,
        request.context,
        request.urgency,
    )
