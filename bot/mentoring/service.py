"""MentoringService: each request to the best available mentor until someone accepts — one
at a time, or to the top two or three at once when it is urgent; when every fitting mentor is
busy, the request waits in line for one of them.

Longer than the house's ~400 lines on purpose: it is the offer state machine (submit, offer,
accept / decline / pause / expire, wait, cancel, reassign, release), and every transition is a
claim on the same two tables. Reading them side by side is how one checks that exactly one
mentor ends up with a request; outcomes and views live in `views.py`, demand reporting in
`demand.py`, program-wide figures in `insights.py`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ParamSpec, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.errors import TooManyOpenRequestsError
from bot.i18n import N_, ngettext, supported
from bot.logging import log_event
from bot.matching.availability import availability_of
from bot.matching.service import MatchingService, MatchResult
from bot.mentoring import again, demand
from bot.mentoring.again import AgainOutcome, AgainResult, PastMentor
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
MAX_GOAL_CHARS = 500
SESSION_MINUTES = {MentoringFormat.FLASH: 60, MentoringFormat.MICRO: 60, MentoringFormat.SPEED: 15}
SEARCHING = (RequestStatus.OPEN, RequestStatus.OFFERED)
# A lead may hand these to a mentor of their choice; a mentee may cancel them.
REASSIGNABLE = (*SEARCHING, RequestStatus.WAITING, RequestStatus.UNMATCHED)
CANCELLABLE = (*SEARCHING, RequestStatus.WAITING, RequestStatus.MATCHED)
# Stored with the offer as its "reason", and translated where it is shown (reasons_line).
LEAD_REASON = N_("Chosen for this request by a program lead")
AGAIN_REASON = N_("Asked for you by name: you helped them before")
# A follow-on candidate (and every mentor of an urgent fan-out) must score at least this share
# of the first candidate's score.
FOLLOW_ON_RATIO = 0.6
# Offers left to expire in a row before a mentor is paused, and for how long (a click on
# "Resume" ends it sooner): nobody should wait on an answer that is not coming.
MISSED_OFFERS_BEFORE_PAUSE = 2
AUTO_PAUSE_DAYS = 30


@dataclass(frozen=True)
class Search:
    """Where a request's search stands: who was asked, and how well the next one must fit."""

    view: RequestView
    asked: frozenset[int]
    floor: float
    preferred_mentor_id: int | None


class MentoringService:
    def __init__(
        self,
        *,
        engine: Engine,
        matching: MatchingService,
        notifier: Notifier,
        timer: OfferTimer,
        response_time: timedelta,
        urgent_response_time: timedelta = timedelta(hours=1),
        urgent_fanout: int = 3,
        waitlist_time: timedelta = timedelta(0),
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
        self._urgent_response_time = urgent_response_time
        self._urgent_fanout = urgent_fanout
        self._waitlist_time = waitlist_time
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
        # Told "offered", "unmatched", "accepted", "declined", "paused", "expired", "cancelled",
        # "waiting", "auto_paused".
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
        preferred_mentor_id: int | None = None,
        goal: str | None = None,
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
                preferred_mentor_id=preferred_mentor_id,
                goal=(clean_optional(goal, multiline=True) or "")[:MAX_GOAL_CHARS] or None,
            )
            view = request_view(request)
        log_event(logger, "request_created", request_id=view.request_id, format=format.value)
        return view

    def ask_again(
        self, *, mentee_slack_id: str, text: str, mentee_timezone: str | None = None
    ) -> AgainOutcome:
        """`/mentor again @ana <question>`: a request for a mentor met before, offered to
        them alone (no matching) — or waiting while they are paused or fully booked. Raises
        what `submit` raises for the question."""
        with session_scope(self._engine) as session:
            past = tuple(
                PastMentor(m.id, m.slack_id, m.name)
                for m in request_repo.past_mentors_of(session, mentee_slack_id)
                if m.id is not None
            )
        found = again.resolve(text, past)
        if found is None:
            return AgainOutcome(AgainResult.UNKNOWN_MENTOR, past)
        mentor, question = found
        if not question:
            return AgainOutcome(AgainResult.NO_QUESTION, past, mentor=mentor)
        request = self.submit(
            mentee_slack_id=mentee_slack_id,
            question=question,
            mentee_timezone=mentee_timezone,
            preferred_mentor_id=mentor.mentor_id,
        )
        self.find_mentor(request.request_id)
        return AgainOutcome(AgainResult.ASKED, past, request, mentor)

    def ask_directly(
        self,
        mentee_slack_id: str,
        mentor_slack_id: str,
        question: str,
        mentee_timezone: str | None = None,
    ) -> int | None:
        """A flash request to one mentor, no matching (a speed-mentoring conversation turned
        into a session): the same preferred-mentor path as `/mentor again`. None when that
        mentor is no longer on the roster."""
        with session_scope(self._engine) as session:
            mentor = mentor_repo.get_by_slack_id(session, mentor_slack_id)
            if mentor is None or mentor.id is None or not listed(mentor):
                return None
            mentor_id = mentor.id
        request = self.submit(
            mentee_slack_id=mentee_slack_id,
            question=question,
            mentee_timezone=mentee_timezone,
            preferred_mentor_id=mentor_id,
        )
        self.find_mentor(request.request_id)
        return request.request_id

    def confirm_received(self, request: RequestView) -> None:
        """Tell the mentee their form arrived (a slash command's ack already says so)."""
        posted = safely(self._notifier.tell_mentee_received, request)
        log_posted(self._engine, MessageKind.RECEIVED, [posted], request_id=request.request_id)

    def find_mentor(self, request_id: int) -> FindResult:
        """Offer the request to the best available mentor not asked yet (the slow step); an
        urgent request's first offer goes to the top few at once."""
        with session_scope(self._engine) as session:
            search = self._search_of(session, request_id)
        if search is None:
            return FindResult.NOT_SEARCHING
        if search.preferred_mentor_id is not None:
            return self._offer_preferred(search, search.preferred_mentor_id)
        if len(search.asked) >= self._max_candidates:
            return self._unmatched(search.view, Unmatched.ALL_DECLINED)
        urgent = search.view.urgency == Urgency.TODAY.value
        wave = self._urgent_fanout if urgent and not search.asked else 1
        matches = self._matching.match(
            search.view.question,
            mentee_slack_id=search.view.mentee_slack_id,
            top_k=min(wave, self._max_candidates - len(search.asked)),
            exclude_mentor_ids=search.asked,
            min_score=search.floor,
            prefer_language=search.view.language,
        )
        if not matches:
            return self._nobody_available(search)
        # Asking a clearly weaker fit at the same time wastes a colleague's time.
        matches = [m for m in matches if m.score >= FOLLOW_ON_RATIO * matches[0].score]
        return self._offer(search, matches)

    def offer_waiting(self, now: datetime | None = None) -> int:
        """Offer waiting requests, first come first served, to mentors who have room again
        (capacity resets weekly, a pause ends, a session is cancelled); end those that waited
        WAITLIST_DAYS. Returns how many were offered. Requests are taken one at a time, so an
        earlier one takes a freed place before a later one sees it."""
        now = now or utcnow()
        with session_scope(self._engine) as session:
            waiting = [(r.id, r.waiting_until) for r in request_repo.waiting_requests(session)]
        offered = 0
        for request_id, until in waiting:
            assert request_id is not None
            if until is not None and until <= now:
                self._end_wait(request_id)
            elif self._has_room(request_id):
                with session_scope(self._engine) as session:
                    reopened = request_repo.move_request(
                        session,
                        request_id,
                        to=RequestStatus.OPEN,
                        allowed_from=(RequestStatus.WAITING,),
                    )
                if reopened and self.find_mentor(request_id) is FindResult.OFFERED:
                    offered += 1
        return offered

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
                allowed_from=CANCELLABLE,
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
                mentor_repo.offer_answered(session, offer.mentor_id)
                # An urgent request's other mentors: their offers close as "already taken".
                taken = [
                    offer_view(session, o, view.request)
                    for o in request_repo.withdraw_pending_offers(session, offer.request_id)
                ]
        except IntegrityError:
            return ClickOutcome(ClickResult.CLOSED)  # another accept for this request won
        self._timer.stop(offer_id)
        for other in taken:
            self._timer.stop(other.offer_id)
            safely(self._notifier.close_offer, other, OfferClosure.TAKEN)
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
            mentor_repo.offer_answered(session, offer.mentor_id)
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
            pause_until = utcnow() + timedelta(days=AUTO_PAUSE_DAYS)
            auto_paused = mentor_repo.offer_missed(
                session,
                offer.mentor_id,
                limit=MISSED_OFFERS_BEFORE_PAUSE,
                pause_until=pause_until,
            )
        log_event(logger, "offer_expired", request_id=view.request.request_id, offer_id=offer_id)
        self._on_outcome("expired")
        safely(self._notifier.close_offer, view, OfferClosure.EXPIRED)
        if auto_paused:
            log_event(logger, "mentor_auto_paused", mentor_id=offer.mentor_id)
            self._on_outcome("auto_paused")
            safely(self._notifier.tell_mentor_auto_paused, view.mentor_slack_id, pause_until)
        self.find_mentor(view.request.request_id)
        return True

    def resume(self, mentor_slack_id: str) -> bool:
        """The mentor is back ("Resume requests"): offers may reach them again, starting with
        requests waiting for someone like them. False when they were not paused."""
        with session_scope(self._engine) as session:
            mentor = mentor_repo.get_by_slack_id(session, mentor_slack_id)
            if mentor is None or mentor.id is None:
                return False
            resumed = mentor_repo.resume_mentor(session, mentor.id, utcnow())
        if resumed:
            log_event(logger, "mentor_resumed", mentor_id=mentor.id)
            self.offer_waiting()
        return resumed

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
        self._send_offers([made])
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

    def _search_of(self, session: Session, request_id: int) -> Search | None:
        """None unless the request is looking for a mentor and nobody is being asked."""
        request = request_repo.get_request(session, request_id)
        if request is None or request.status not in SEARCHING or not request.question:
            return None
        prior = request_repo.offers_for(session, request_id)
        if any(o.status == OfferStatus.PENDING.value for o in prior):
            return None
        return self._search_state(request, prior)

    def _search_state(self, request: MentoringRequest, prior: Sequence[Offer]) -> Search:
        asked = frozenset(o.mentor_id for o in prior)
        # After a "no", the next mentor must still fit nearly as well: asking a poor fit wastes
        # a colleague's time and gives the mentee a bad session.
        floor = self._min_score
        if asked and request.best_score is not None:
            floor = max(floor, FOLLOW_ON_RATIO * request.best_score)
        return Search(request_view(request), asked, floor, request.preferred_mentor_id)

    def _response_due(self, view: RequestView) -> datetime:
        urgent = view.urgency == Urgency.TODAY.value
        return utcnow() + (self._urgent_response_time if urgent else self._response_time)

    def _offer(self, search: Search, matches: Sequence[MatchResult]) -> FindResult:
        """Offer the request to these mentors at once (one each in its own slot)."""
        view, due = search.view, self._response_due(search.view)
        try:
            with session_scope(self._engine) as session:
                if not request_repo.move_request(
                    session, view.request_id, to=RequestStatus.OFFERED, allowed_from=SEARCHING
                ):
                    return FindResult.NOT_SEARCHING
                made = []
                for slot, match in enumerate(matches):
                    row = request_repo.create_offer(
                        session,
                        request_id=view.request_id,
                        mentor_id=match.mentor_id,
                        rank=len(search.asked) + slot + 1,
                        slot=slot,
                        score=match.score,
                        reasons=list(match.reasons),
                        expires_at=due,
                    )
                    assert row.id is not None
                    made.append(
                        OfferView(
                            row.id,
                            view,
                            match.slack_id,
                            match.name,
                            row.rank,
                            match.reasons,
                            due,
                            slot=slot,
                            others_asked=len(matches) - 1,
                        )
                    )
                if not search.asked:
                    request_repo.set_best_score(session, view.request_id, matches[0].score)
        except IntegrityError:
            # A concurrent find_mentor for the same request won the one-pending-offer index.
            return FindResult.NOT_SEARCHING
        for offer, match in zip(made, matches, strict=True):
            self._timer.start(offer.offer_id, due)
            self._on_outcome("offered")
            log_event(
                logger,
                "offer_made",
                request_id=view.request_id,
                offer_id=offer.offer_id,
                rank=offer.rank,
                score=round(match.score, 3),
            )
        self._send_offers(made)
        return FindResult.OFFERED

    def _offer_preferred(self, search: Search, mentor_id: int) -> FindResult:
        """`/mentor again`: only this mentor is asked, if they have room; once they said no
        (or let it expire) the mentee is told, and may ask as usual."""
        if mentor_id in search.asked:
            return self._unmatched(search.view, Unmatched.MENTOR_DECLINED)
        with session_scope(self._engine) as session:
            mentor = mentor_repo.get_many(session, [mentor_id]).get(mentor_id)
            standing = availability_of(session, [mentor_id], utcnow()).get(mentor_id)
        if mentor is None or standing is None or not standing.listed:
            return self._unmatched(search.view, Unmatched.MENTOR_DECLINED)
        if not standing.is_available(utcnow()):
            return self._wait_or_end(search.view, Unmatched.NOBODY_AVAILABLE)
        chosen = MatchResult(
            mentor_id=mentor_id,
            slack_id=mentor.slack_id,
            name=mentor.name,
            title=mentor.title,
            score=0.0,
            reasons=(AGAIN_REASON,),
        )
        return self._offer(search, [chosen])

    def _nobody_available(self, search: Search) -> FindResult:
        """No available mentor fits: wait when a fitting one is only busy, else end."""
        busy_experts = self._matching.match(
            search.view.question,
            mentee_slack_id=search.view.mentee_slack_id,
            top_k=self._max_candidates,
            exclude_mentor_ids=search.asked,
            min_score=search.floor,
            available_only=False,
        )
        if busy_experts:
            with session_scope(self._engine) as session:
                ids = [m.mentor_id for m in busy_experts]
                standing = availability_of(session, ids, utcnow()).values()
            if any(a.may_have_room for a in standing):
                return self._wait_or_end(search.view, Unmatched.NOBODY_AVAILABLE)
        if search.asked:
            return self._unmatched(search.view, Unmatched.ALL_DECLINED)
        if busy_experts:
            return self._unmatched(search.view, Unmatched.NOBODY_AVAILABLE)
        return self._unmatched(search.view, Unmatched.NO_EXPERT)

    def _wait_or_end(self, view: RequestView, reason: Unmatched) -> FindResult:
        if not self._waitlist_time:
            return self._unmatched(view, reason)
        with session_scope(self._engine) as session:
            request = request_repo.get_request(session, view.request_id)
            if request is None:
                return FindResult.NOT_SEARCHING
            # Back in line after a freed place went to someone else: same place, same deadline.
            first_time = request.waiting_until is None
            until = request.waiting_until or utcnow() + self._waitlist_time
            if not request_repo.move_request(
                session,
                view.request_id,
                to=RequestStatus.WAITING,
                allowed_from=SEARCHING,
                waiting_until=until,
            ):
                return FindResult.NOT_SEARCHING
            place = request_repo.waiting_place(session, request)
        log_event(logger, "request_waiting", request_id=view.request_id, place=place)
        self._on_outcome("waiting")
        if first_time:
            told = safely(self._notifier.tell_mentee_waiting, view, place, until)
            log_posted(self._engine, MessageKind.UNMATCHED, [told], request_id=view.request_id)
        return FindResult.WAITING

    def _has_room(self, request_id: int) -> bool:
        """Whether a mentor who fits this waiting request could take it now."""
        with session_scope(self._engine) as session:
            request = request_repo.get_request(session, request_id)
            if request is None or request.status != RequestStatus.WAITING.value:
                return False
            assert request.id is not None
            search = self._search_state(request, request_repo.offers_for(session, request.id))
        if search.preferred_mentor_id is not None:
            with session_scope(self._engine) as session:
                wanted = search.preferred_mentor_id
                standing = availability_of(session, [wanted], utcnow()).get(wanted)
            return standing is None or standing.is_available(utcnow())  # gone: end it politely
        return bool(
            self._matching.match(
                search.view.question,
                mentee_slack_id=search.view.mentee_slack_id,
                top_k=1,
                exclude_mentor_ids=search.asked,
                min_score=search.floor,
                prefer_language=search.view.language,
            )
        )

    def _end_wait(self, request_id: int) -> None:
        with session_scope(self._engine) as session:
            request = request_repo.get_request(session, request_id)
            if request is None:
                return
            view = request_view(request)
        self._unmatched(view, Unmatched.WAITED_TOO_LONG, allowed_from=(RequestStatus.WAITING,))

    def _send_offers(self, offers: Sequence[OfferView]) -> None:
        if not offers:
            return
        request_id = offers[0].request.request_id
        for offer in offers:
            message = safely(self._notifier.ask_mentor, offer)
            if isinstance(message, MessageRef):
                with session_scope(self._engine) as session:
                    request_repo.set_offer_message(
                        session, offer.offer_id, message.channel, message.ts
                    )
                    message_repo.record(
                        session,
                        MessageKind.OFFER,
                        [(message.recipient, message.channel, message.ts)],
                        request_id=request_id,
                    )
        asked = safely(self._notifier.tell_mentee_asked, offers)
        log_posted(self._engine, MessageKind.ASKED, [asked], request_id=request_id)

    def _unmatched(
        self,
        view: RequestView,
        reason: Unmatched,
        allowed_from: Sequence[RequestStatus] = SEARCHING,
    ) -> FindResult:
        with session_scope(self._engine) as session:
            if not request_repo.move_request(
                session, view.request_id, to=RequestStatus.UNMATCHED, allowed_from=allowed_from
            ):
                return FindResult.NOT_SEARCHING
            request_repo.set_unmet_reason(session, view.request_id, reason.value)
        log_event(logger, "request_unmatched", request_id=view.request_id, reason=reason.value)
        self._on_outcome("unmatched")
        told = safely(self._notifier.tell_mentee_unmatched, view, reason)
        log_posted(self._engine, MessageKind.UNMATCHED, [told], request_id=view.request_id)
        if reason is not Unmatched.MENTOR_DECLINED:  # one person's choice, not unmet demand
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
