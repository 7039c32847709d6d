"""MentoringService: one request at a time to one mentor at a time, until someone accepts.

Longer than the house's ~400 lines on purpose: it is the offer state machine (submit, offer,
accept / decline / pause / expire, cancel, reassign, release), and every transition is a
claim on the same two tables. Reading them side by side is how one checks that exactly one
mentor ends up with a request; outcomes and views live in `views.py`, demand reporting in
`demand.py`, program-wide figures in `insights.py`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import ParamSpec, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.errors import TooManyOpenRequestsError
from bot.i18n import N_, ngettext, supported
from bot.logging import log_event
from bot.matching.service import MatchingService
from bot.mentoring import demand
from bot.mentoring.language import question_language
from bot.mentoring.messaging import log_posted, safely
from bot.mentoring.ports import (
    MessageRef,
    Notifier,
    OfferClosure,
    OfferTimer,
    OfferView,
    RequestView,
    Unmatched,
)
from bot.mentoring.questions import clean_question
from bot.mentoring.views import (
    CancelResult,
    ClickOutcome,
    ClickResult,
    FindResult,
    ReassignResult,
    RequestSummary,
    listed,
    offer_view,
    request_view,
    summary,
)
from bot.storage import mentors as mentor_repo
from bot.storage import messages as message_repo
from bot.storage import requests as request_repo
from bot.storage import sessions as session_repo
from bot.storage.db import session_scope
from bot.storage.models import (
    MentoringFormat,
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
# Stored with the offer as its "reason", and translated where it is shown (reasons_line).
LEAD_REASON = N_("Chosen for this request by a program lead")
# A follow-on candidate must score at least this share of the first candidate's score.
FOLLOW_ON_RATIO = 0.6


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
        on_not_my_topic: Callable[[int], object] | None = None,
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
        self._demand = demand.DemandReporter(
            engine=engine,
            matching=matching,
            notifier=notifier,
            min_score=min_score,
            program_leads=program_leads,
        )
        # Called with the new session's id after an accept (booking proposes times).
        self._on_accepted = on_accepted
        # Told "offered", "unmatched", "accepted", "declined", "paused", "expired", "cancelled".
        self._on_outcome = on_outcome or (lambda _: None)
        # Called with the offer's id when a mentor declines it as not their topic (learning).
        self._on_not_my_topic = on_not_my_topic

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
        language: str | None = None,
    ) -> RequestView:
        """Store a request. Raises InvalidQuestionError for unusable questions, and
        TooManyOpenRequestsError while MAX_OPEN_REQUESTS of this mentee's wait for a mentor:
        one person's burst of questions would otherwise fill every expert's queue."""
        cleaned = clean_question(question)
        details = clean_optional(context, multiline=True)
        with session_scope(self._engine) as session:
            request_repo.lock_mentee(session, mentee_slack_id)
            waiting = request_repo.searching_count(session, mentee_slack_id)
            if waiting >= self._max_open:
                raise TooManyOpenRequestsError(
                    ngettext(
                        "You already have {count} open request waiting for a mentor. Cancel it"
                        " with `/mentor cancel`, or wait for an answer, then ask again.",
                        "You already have {count} open requests waiting for a mentor. Cancel"
                        " one with `/mentor cancel`, or wait for an answer, then ask again.",
                        waiting,
                    )
                )
            request = request_repo.create_request(
                session,
                mentee_slack_id=mentee_slack_id,
                question=cleaned,
                format=format.value,
                context=details[:MAX_CONTEXT_CHARS] if details else None,
                urgency=urgency if urgency in set(Urgency) else None,
                mentee_timezone=mentee_timezone,
                language=supported(language) or question_language(cleaned),
            )
            view = request_view(request)
        log_event(logger, "request_created", request_id=view.request_id, format=format.value)
        return view

    def confirm_received(self, request: RequestView) -> None:
        """Tell the mentee their form arrived (a slash command's ack already says so)."""
        posted = safely(self._notifier.tell_mentee_received, request)
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
            view = request_view(request)
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
            prefer_language=view.language,
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
                made = OfferView(
                    offer.id, view, best.slack_id, best.name, offer.rank, best.reasons, due
                )
        except IntegrityError:
            # A concurrent find_mentor for the same request won the one-pending-offer index.
            return FindResult.NOT_SEARCHING
        self._timer.start(made.offer_id, due)
        self._on_outcome("offered")
        log_event(
            logger,
            "offer_made",
            request_id=request_id,
            offer_id=made.offer_id,
            rank=made.rank,
            score=round(best.score, 3),
        )
        self._send_offer(made)
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
            view = request_view(request)
            accepted = request_repo.accepted_offer(session, request_id)
            if not request_repo.move_request(
                session,
                request_id,
                to=RequestStatus.CANCELLED,
                allowed_from=(*SEARCHING, RequestStatus.MATCHED),
            ):
                return CancelResult.ALREADY_CLOSED
            withdrawn = [
                offer_view(session, o, view)
                for o in request_repo.withdraw_pending_offers(session, request_id)
            ]
            accepted_view = offer_view(session, accepted, view) if accepted else None
        log_event(logger, "request_cancelled", request_id=request_id)
        self._on_outcome("cancelled")
        closure = OfferClosure.ERASED if erasing else OfferClosure.WITHDRAWN
        for offer in withdrawn:
            self._timer.stop(offer.offer_id)
            safely(self._notifier.close_offer, offer, closure)
        if accepted_view is not None:
            safely(self._notifier.tell_mentor_cancelled, accepted_view, erased=erasing)
        return CancelResult.CANCELLED

    def active_requests(self, mentee_slack_id: str) -> list[RequestSummary]:
        with session_scope(self._engine) as session:
            requests = request_repo.active_requests_of(session, mentee_slack_id)
            return [summary(session, r) for r in requests]

    def recent_requests(self, mentee_slack_id: str, limit: int = 5) -> list[RequestSummary]:
        with session_scope(self._engine) as session:
            requests = request_repo.recent_requests_of(session, mentee_slack_id, limit)
            return [summary(session, r) for r in requests]

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
                meeting = session_repo.create_session(
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
        introductions = safely(self._notifier.introduce, view) or ()
        log_posted(
            self._engine,
            MessageKind.INTRODUCTION,
            introductions,
            request_id=view.request.request_id,
        )
        if self._on_accepted is not None and meeting.id is not None:
            safely(self._on_accepted, meeting.id)
        return ClickOutcome(ClickResult.ACCEPTED, view)

    def decline(
        self,
        offer_id: int,
        *,
        clicker_slack_id: str,
        pause: bool = False,
        not_my_topic: bool = False,
    ) -> ClickOutcome:
        """Decline (or pause); `not_my_topic` also teaches the matcher to ask this mentor less
        often about questions like this one."""
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
        if not_my_topic and self._on_not_my_topic is not None:
            safely(self._on_not_my_topic, offer_id)
        self.find_mentor(view.request.request_id)
        if pause:
            return ClickOutcome(ClickResult.PAUSED, view)
        declined = ClickResult.NOT_MY_TOPIC if not_my_topic else ClickResult.DECLINED
        return ClickOutcome(declined, view)

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
            view = offer_view(session, offer, request_view(request))
        log_event(logger, "offer_expired", request_id=view.request.request_id, offer_id=offer_id)
        self._on_outcome("expired")
        safely(self._notifier.close_offer, view, OfferClosure.EXPIRED)
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
                safely(self._notifier.close_offer, outcome.offer, OfferClosure.RELEASED)
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
                if mentor is None or mentor.id is None or not listed(mentor):
                    return ReassignResult.NO_SUCH_MENTOR
                if mentor_slack_id == request.mentee_slack_id:
                    return ReassignResult.UNSUITABLE
                view = request_view(request)
                prior = request_repo.offers_for(session, request_id)
                if any(o.mentor_id == mentor.id for o in prior):
                    return ReassignResult.ALREADY_ASKED
                if not request_repo.move_request(
                    session, request_id, to=RequestStatus.OFFERED, allowed_from=REASSIGNABLE
                ):
                    return ReassignResult.CLOSED
                withdrawn = [
                    offer_view(session, o, view)
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
                made = offer_view(session, offer, view)
        except IntegrityError:
            return ReassignResult.CLOSED  # a concurrent accept or offer won
        for old in withdrawn:
            self._timer.stop(old.offer_id)
            safely(self._notifier.close_offer, old, OfferClosure.REASSIGNED)
        self._timer.start(made.offer_id, due)
        log_event(logger, "request_reassigned", request_id=request_id, offer_id=made.offer_id)
        self._send_offer(made)
        return ReassignResult.OFFERED

    def pending_offers(self, mentor_slack_id: str) -> list[OfferView]:
        with session_scope(self._engine) as session:
            mentor = mentor_repo.get_by_slack_id(session, mentor_slack_id)
            if mentor is None or mentor.id is None:
                return []
            views = []
            for offer in request_repo.pending_offers_of(session, mentor.id):
                request = request_repo.get_request(session, offer.request_id)
                if request is not None and request.question:
                    views.append(offer_view(session, offer, request_view(request)))
            return views

    # -- internals -----------------------------------------------------------------------

    def _send_offer(self, offer: OfferView) -> None:
        request_id = offer.request.request_id
        message = safely(self._notifier.ask_mentor, offer)
        if isinstance(message, MessageRef):
            with session_scope(self._engine) as session:
                request_repo.set_offer_message(session, offer.offer_id, message.channel, message.ts)
                message_repo.record(
                    session,
                    MessageKind.OFFER,
                    [(message.recipient, message.channel, message.ts)],
                    request_id=request_id,
                )
        asked = safely(self._notifier.tell_mentee_asked, offer)
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
        told = safely(self._notifier.tell_mentee_unmatched, view, reason)
        log_posted(self._engine, MessageKind.UNMATCHED, [told], request_id=view.request_id)
        safely(self._demand.report, view)
        return FindResult.UNMATCHED

    def _load_offer(
        self, session: Session, offer_id: int, clicker_slack_id: str
    ) -> tuple[Offer | None, OfferView | None, bool]:
        offer = request_repo.get_offer(session, offer_id)
        if offer is None:
            return None, None, False
        request = request_repo.get_request(session, offer.request_id)
        if request is None or not request.question:
            return None, None, False
        view = offer_view(session, offer, request_view(request))
        if offer.status != OfferStatus.PENDING.value:
            return None, None, False  # answered, expired or withdrawn: closed, whoever asks
        return offer, view, view.mentor_slack_id == clicker_slack_id
