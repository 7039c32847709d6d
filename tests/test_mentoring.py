"""The mentoring flow without Slack: a recording notifier and a manual offer timer."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.errors import TooManyOpenRequestsError
from bot.matching.service import MatchingService
from bot.mentoring.ports import MessageRef, OfferClosure, Unmatched, UnmetDemand
from bot.mentoring.service import MentoringService
from bot.mentoring.views import CancelResult, ClickResult, FindResult, ReassignResult
from bot.storage.db import session_scope
from bot.storage.models import MentoringRequest
from tests.conftest import add_mentor
from tests.utils.fake_embedder import FakeEmbedder


@dataclass
class RecordingNotifier:
    events: list[tuple[str, Any]] = field(default_factory=list)

    def ask_mentor(self, offer: Any) -> MessageRef:
        self.events.append(("ask", offer.mentor_slack_id))
        return MessageRef("D" + offer.mentor_slack_id, str(offer.offer_id))

    def tell_mentee_received(self, request: Any) -> None:
        self.events.append(("received", request.request_id))

    def tell_mentee_asked(self, offers: Any) -> None:
        for offer in offers:
            self.events.append(("asked", offer.mentor_slack_id))

    def tell_mentee_waiting(self, request: Any, place: int, until: datetime) -> None:
        self.events.append(("waiting", place))

    def tell_mentor_auto_paused(self, mentor_slack_id: str, until: datetime) -> None:
        self.events.append(("auto_paused", mentor_slack_id))

    def close_offer(self, offer: Any, closure: OfferClosure) -> None:
        self.events.append(("closed", closure))

    def tell_mentee_unmatched(self, request: Any, reason: Unmatched) -> None:
        self.events.append(("unmatched", reason))

    def alert_leads_unmet(self, demand: UnmetDemand) -> None:
        self.events.append(("leads", demand))

    def introduce(self, offer: Any) -> list[MessageRef]:
        self.events.append(("introduce", offer.mentor_slack_id))
        return []

    def tell_mentor_cancelled(self, offer: Any, *, erased: bool = False) -> None:
        self.events.append(("mentor_cancelled", offer.mentor_slack_id))

    def redact(self, message: MessageRef, kind: str) -> None:
        self.events.append(("redact", kind))

    def of(self, kind: str) -> list[Any]:
        return [value for name, value in self.events if name == kind]


@dataclass
class ManualTimer:
    due: dict[int, datetime] = field(default_factory=dict)

    def start(self, offer_id: int, due: datetime) -> None:
        self.due[offer_id] = due

    def stop(self, offer_id: int) -> None:
        self.due.pop(offer_id, None)


Flow = tuple[MentoringService, RecordingNotifier, ManualTimer]


@pytest.fixture
def flow(engine: Engine, matching: MatchingService) -> Flow:
    notifier, timer = RecordingNotifier(), ManualTimer()
    service = MentoringService(
        engine=engine,
        matching=matching,
        notifier=notifier,
        timer=timer,
        response_time=timedelta(hours=8),
        max_candidates=3,
        min_score=0.3,
    )
    return service, notifier, timer


def test_offer_accept_introduces_and_stops_the_timer(engine: Engine, flow: Flow) -> None:
    service, notifier, timer = flow
    add_mentor(engine, "U0SRE0001", "incident postmortems")
    request = service.submit(mentee_slack_id="U0ME", question="incident postmortems")
    assert service.find_mentor(request.request_id) is FindResult.OFFERED
    [offer_id] = timer.due
    assert service.find_mentor(request.request_id) is FindResult.NOT_SEARCHING  # one at a time
    assert service.accept(offer_id, clicker_slack_id="U0SRE0001").result is ClickResult.ACCEPTED
    assert timer.due == {}
    assert notifier.of("introduce") == ["U0SRE0001"]
    assert service.accept(offer_id, clicker_slack_id="U0SRE0001").result is ClickResult.CLOSED


def test_a_poor_fit_is_never_asked_after_a_decline(engine: Engine, flow: Flow) -> None:
    service, notifier, timer = flow
    add_mentor(engine, "U0SRE0001", "incident postmortems")
    add_mentor(engine, "U0SRE0002", "incident response, kubernetes")  # a weak partial fit
    request = service.submit(mentee_slack_id="U0ME", question="incident postmortems")
    service.find_mentor(request.request_id)
    [offer_id] = timer.due
    assert service.decline(offer_id, clicker_slack_id="U0SRE0001").result is ClickResult.DECLINED
    assert notifier.of("ask") == ["U0SRE0001"]
    assert notifier.of("unmatched") == [Unmatched.ALL_DECLINED]
    assert notifier.of("leads") == []  # one person's unmet request is never reported alone
    with session_scope(engine) as session:
        stored = session.get(MentoringRequest, request.request_id)
        assert stored is not None
        assert (stored.unmet_reason, stored.unmet_reported_at) == ("all_declined", None)


def unmet(service: MentoringService, mentee: str, question: str) -> None:
    request = service.submit(mentee_slack_id=mentee, question=question)
    assert service.find_mentor(request.request_id) is FindResult.UNMATCHED


def test_leads_hear_of_unmet_demand_once_three_different_people_asked(
    engine: Engine, flow: Flow
) -> None:
    service, notifier, _ = flow
    add_mentor(engine, "U0SRE0001", "incident postmortems", weekly_capacity=0)  # busy
    for question in ("incident postmortems", "postmortems for incidents", "incident postmortems?"):
        unmet(service, "U0SAME", question)  # one person, three times: still one person
    assert notifier.of("leads") == []
    unmet(service, "U0TWO", "writing incident postmortems")
    assert notifier.of("leads") == []
    unmet(service, "U0OFFTOPIC", "knitting a woollen scarf")  # another topic: not grouped
    unmet(service, "U0THREE", "our incident postmortems")
    [demand] = notifier.of("leads")
    assert demand.people == 3 and demand.terms == ("incident", "postmortems")
    assert demand.expertise == ("incident postmortems",)  # the roster's words, when close
    assert len(demand.request_ids) == 5
    assert demand.reasons == {Unmatched.NOBODY_AVAILABLE: 5}
    unmet(service, "U0FOUR", "incident postmortems at scale")
    assert len(notifier.of("leads")) == 1  # once per topic, not per duplicate request


def test_a_topic_nobody_covers_is_named_by_the_askers_shared_words(
    engine: Engine, flow: Flow
) -> None:
    service, notifier, _ = flow
    add_mentor(engine, "U0SRE0001", "incident postmortems")
    for mentee, question in (
        ("U0A", "knitting a scarf"),
        ("U0B", "knitting socks for beginners"),
        ("U0C", "which knitting needles for a scarf"),
    ):
        unmet(service, mentee, question)
    [demand] = notifier.of("leads")
    assert demand.terms == ("knitting",)  # "scarf": only two people wrote it
    assert demand.expertise == ()  # nothing on the roster is close: said so, not guessed


def test_one_person_may_have_only_so_many_requests_waiting(
    engine: Engine, matching: MatchingService
) -> None:
    notifier, timer = RecordingNotifier(), ManualTimer()
    service = MentoringService(
        engine=engine,
        matching=matching,
        notifier=notifier,
        timer=timer,
        response_time=timedelta(hours=8),
        max_open_requests=2,
    )
    add_mentor(engine, "U0SRE0001", "incident postmortems", weekly_capacity=9)
    first = service.submit(mentee_slack_id="U0ME", question="incident postmortems")
    service.find_mentor(first.request_id)
    service.submit(mentee_slack_id="U0ME", question="incident postmortems again")
    with pytest.raises(TooManyOpenRequestsError, match="already have 2 open requests"):
        service.submit(mentee_slack_id="U0ME", question="and a third one")
    service.submit(mentee_slack_id="U0SOMEONE", question="others are not limited by it")
    assert service.cancel(first.request_id, mentee_slack_id="U0ME") is CancelResult.CANCELLED
    service.submit(mentee_slack_id="U0ME", question="room again after a cancel")


def test_the_open_request_cap_holds_when_submits_race(
    any_engine: Engine, fake_embedder: FakeEmbedder
) -> None:
    """Ten of one person's submits at once (double clicks, several instances): the cap counts
    then inserts, so without a per-person lock all ten would see room for one more."""
    service = MentoringService(
        engine=any_engine,
        matching=MatchingService(engine=any_engine, embedder=fake_embedder),
        notifier=RecordingNotifier(),
        timer=ManualTimer(),
        response_time=timedelta(hours=8),
        max_open_requests=3,
    )
    start = threading.Barrier(10)

    def submit(n: int) -> str:
        start.wait()
        try:
            service.submit(mentee_slack_id="U0BURST", question=f"incident postmortems {n}")
        except TooManyOpenRequestsError:
            return "refused"
        return "stored"

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = sorted(pool.map(submit, range(10)))
    assert outcomes == ["refused"] * 7 + ["stored"] * 3
    with session_scope(any_engine) as session:
        stored = session.exec(select(MentoringRequest)).all()
    assert len(stored) == 3


def test_reassign_never_reveals_the_mentee_nor_reaches_a_lead(
    engine: Engine, matching: MatchingService
) -> None:
    service = MentoringService(
        engine=engine,
        matching=matching,
        notifier=RecordingNotifier(),
        timer=ManualTimer(),
        response_time=timedelta(hours=8),
        program_leads=frozenset({"U0LEAD"}),
    )
    add_mentor(engine, "U0LEAD", "anything at all")  # a lead who is also a mentor
    add_mentor(engine, "U0ME", "incident postmortems")  # the mentee mentors too
    add_mentor(engine, "U0SRE0002", "incident postmortems")
    request = service.submit(mentee_slack_id="U0ME", question="incident postmortems")
    assert service.reassign(request.request_id, mentor_slack_id="U0LEAD") is (
        ReassignResult.TARGET_IS_LEAD
    )
    assert service.reassign(request.request_id, mentor_slack_id="U0ME") is (
        ReassignResult.UNSUITABLE
    )
    assert service.cancel(request.request_id, mentee_slack_id="U0ME") is CancelResult.CANCELLED
    # A closed request answers the same whoever is named: nothing about its mentee leaks.
    for target in ("U0ME", "U0SRE0002", "U0NOBODY"):
        assert service.reassign(request.request_id, mentor_slack_id=target) is (
            ReassignResult.CLOSED
        )


def test_expiry_is_idempotent_and_moves_on(engine: Engine, flow: Flow) -> None:
    service, notifier, timer = flow
    add_mentor(engine, "U0SRE0001", "incident postmortems")
    add_mentor(engine, "U0SRE0002", "incident postmortems and reviews")
    request = service.submit(mentee_slack_id="U0ME", question="incident postmortems")
    service.find_mentor(request.request_id)
    [offer_id] = timer.due
    assert not service.expire(offer_id)  # not due yet: a job fired early does nothing
    from bot.storage.db import session_scope
    from bot.storage.models import Offer

    with session_scope(engine) as session:
        offer = session.get(Offer, offer_id)
        assert offer is not None
        offer.expires_at = offer.expires_at - timedelta(hours=9)
        session.add(offer)
    assert service.expire(offer_id)
    assert not service.expire(offer_id)  # a second run (another process, a retry) is a no-op
    assert service.expire_overdue() == 0
    assert notifier.of("closed") == [OfferClosure.EXPIRED]
    assert notifier.of("ask") == ["U0SRE0001", "U0SRE0002"]


def test_cancel_after_accept_tells_the_mentor(engine: Engine, flow: Flow) -> None:
    service, notifier, timer = flow
    add_mentor(engine, "U0SRE0001", "incident postmortems")
    request = service.submit(mentee_slack_id="U0ME", question="incident postmortems")
    service.find_mentor(request.request_id)
    [offer_id] = timer.due
    service.accept(offer_id, clicker_slack_id="U0SRE0001")
    assert service.cancel(request.request_id, mentee_slack_id="U0OTHER") is CancelResult.NOT_FOUND
    assert service.cancel(request.request_id, mentee_slack_id="U0ME") is CancelResult.CANCELLED
    assert service.cancel(request.request_id, mentee_slack_id="U0ME") is CancelResult.ALREADY_CLOSED
    assert notifier.of("mentor_cancelled") == ["U0SRE0001"]


def test_a_failing_notifier_never_loses_the_offer(
    engine: Engine, matching: MatchingService
) -> None:
    class Broken(RecordingNotifier):
        def ask_mentor(self, offer: Any) -> MessageRef:
            raise ConnectionError("Slack is down")

    timer = ManualTimer()
    service = MentoringService(
        engine=engine,
        matching=matching,
        notifier=Broken(),
        timer=timer,
        response_time=timedelta(hours=8),
    )
    add_mentor(engine, "U0SRE0001", "incident postmortems")
    request = service.submit(mentee_slack_id="U0ME", question="incident postmortems")
    assert service.find_mentor(request.request_id) is FindResult.OFFERED
    assert len(timer.due) == 1  # the offer stands and will expire to the next mentor
