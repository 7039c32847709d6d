"""The mentoring flow without Slack: a recording notifier and a manual offer timer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from bot.matching.service import MatchingService
from bot.mentoring.ports import MessageRef, OfferClosure, Unmatched
from bot.mentoring.service import CancelResult, ClickResult, FindResult, MentoringService
from tests.conftest import add_mentor


@dataclass
class RecordingNotifier:
    events: list[tuple[str, Any]] = field(default_factory=list)

    def ask_mentor(self, offer: Any) -> MessageRef:
        self.events.append(("ask", offer.mentor_slack_id))
        return MessageRef("D" + offer.mentor_slack_id, str(offer.offer_id))

    def tell_mentee_asked(self, offer: Any) -> None:
        self.events.append(("asked", offer.mentor_slack_id))

    def close_offer(self, offer: Any, closure: OfferClosure) -> None:
        self.events.append(("closed", closure))

    def tell_mentee_unmatched(self, request: Any, reason: Unmatched) -> None:
        self.events.append(("unmatched", reason))

    def alert_leads_unmet(self, request: Any, topic: tuple[str, ...], reason: Unmatched) -> None:
        self.events.append(("leads", topic))

    def introduce(self, offer: Any) -> None:
        self.events.append(("introduce", offer.mentor_slack_id))

    def tell_mentor_cancelled(self, offer: Any) -> None:
        self.events.append(("mentor_cancelled", offer.mentor_slack_id))

    def of(self, kind: str) -> list[Any]:
        return [value for name, value in self.events if name == kind]


@dataclass
class ManualTimer:
    due: dict[int, datetime] = field(default_factory=dict)

    def start(self, offer_id: int, due: datetime) -> None:
        self.due[offer_id] = due

    def stop(self, offer_id: int) -> None:
        self.due.pop(offer_id, None)


@pytest.fixture
def flow(
    engine: Engine, matching: MatchingService
) -> tuple[MentoringService, RecordingNotifier, ManualTimer]:
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


def test_offer_accept_introduces_and_stops_the_timer(engine: Engine, flow) -> None:  # type: ignore[no-untyped-def]
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


def test_a_poor_fit_is_never_asked_after_a_decline(engine: Engine, flow) -> None:  # type: ignore[no-untyped-def]
    service, notifier, timer = flow
    add_mentor(engine, "U0SRE0001", "incident postmortems")
    add_mentor(engine, "U0SRE0002", "incident response, kubernetes")  # a weak partial fit
    request = service.submit(mentee_slack_id="U0ME", question="incident postmortems")
    service.find_mentor(request.request_id)
    [offer_id] = timer.due
    assert service.decline(offer_id, clicker_slack_id="U0SRE0001").result is ClickResult.DECLINED
    assert notifier.of("ask") == ["U0SRE0001"]
    assert notifier.of("unmatched") == [Unmatched.ALL_DECLINED]
    assert notifier.of("leads") == [("incident postmortems",)]


def test_expiry_is_idempotent_and_moves_on(engine: Engine, flow) -> None:  # type: ignore[no-untyped-def]
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


def test_cancel_after_accept_tells_the_mentor(engine: Engine, flow) -> None:  # type: ignore[no-untyped-def]
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
