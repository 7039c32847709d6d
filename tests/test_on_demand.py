"""On demand, without Slack: urgent fan-out, the waiting list, auto-pause and `/mentor again`."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine

from bot.digest.render import digest_text
from bot.digest.report import week_label
from bot.digest.service import DigestService
from bot.handlers.blocks.admin import demand_message
from bot.handlers.commands import ParsedCommand, parse_command
from bot.handlers.ids import Subcommand
from bot.matching.service import MatchingService
from bot.mentoring.again import AgainResult, PastMentor, resolve
from bot.mentoring.ports import OfferClosure, Unmatched
from bot.mentoring.service import AGAIN_REASON, MentoringService
from bot.mentoring.views import ClickResult
from bot.storage.db import session_scope
from bot.storage.models import Mentor, MentoringRequest, Offer, Urgency, utcnow
from tests.conftest import add_mentor
from tests.test_mentoring import ManualTimer, RecordingNotifier
from tests.utils.fake_embedder import FakeEmbedder

QUESTION = "incident postmortems"
Flow = tuple[MentoringService, RecordingNotifier, ManualTimer]


def service_for(engine: Engine, matching: MatchingService, **overrides: object) -> Flow:
    notifier, timer = RecordingNotifier(), ManualTimer()
    settings: dict[str, object] = {
        "response_time": timedelta(hours=8),
        "urgent_response_time": timedelta(minutes=60),
        "urgent_fanout": 3,
        "waitlist_time": timedelta(days=14),
        "max_candidates": 3,
        "min_score": 0.3,
    }
    settings.update(overrides)
    service = MentoringService(
        engine=engine,
        matching=matching,
        notifier=notifier,
        timer=timer,
        **settings,  # type: ignore[arg-type]  # the keyword arguments above
    )
    return service, notifier, timer


@pytest.fixture
def flow(engine: Engine, matching: MatchingService) -> Flow:
    return service_for(engine, matching)


def three_experts(engine: Engine, **fields: object) -> None:
    add_mentor(engine, "U0SRE0001", "incident postmortems, writing postmortems", **fields)
    add_mentor(engine, "U0SRE0002", "incident postmortems, incident review", **fields)
    add_mentor(engine, "U0SRE0003", "incident postmortems, postmortem templates", **fields)


def ask(service: MentoringService, mentee: str = "U0ME", urgency: str | None = None) -> int:
    request = service.submit(mentee_slack_id=mentee, question=QUESTION, urgency=urgency)
    service.find_mentor(request.request_id)
    return request.request_id


def stored(engine: Engine, request_id: int) -> MentoringRequest:
    with session_scope(engine) as session:
        request = session.get(MentoringRequest, request_id)
        assert request is not None
        session.expunge(request)
        return request


# -- urgency that acts -------------------------------------------------------------------------


def test_an_urgent_request_goes_to_three_mentors_at_once_and_the_first_accept_wins(
    engine: Engine, flow: Flow
) -> None:
    service, notifier, timer = flow
    three_experts(engine)
    before = utcnow()
    ask(service, urgency=Urgency.TODAY.value)
    assert sorted(notifier.of("ask")) == ["U0SRE0001", "U0SRE0002", "U0SRE0003"]
    assert len(timer.due) == 3
    for due in timer.due.values():  # an hour to answer, not eight
        assert timedelta(minutes=59) < due - before < timedelta(minutes=61)
    first, second, third = (
        service.pending_offers(m)[0].offer_id for m in ("U0SRE0001", "U0SRE0002", "U0SRE0003")
    )
    assert service.accept(second, clicker_slack_id="U0SRE0002").result is ClickResult.ACCEPTED
    assert notifier.of("closed") == [OfferClosure.TAKEN, OfferClosure.TAKEN]
    assert timer.due == {}
    assert service.accept(first, clicker_slack_id="U0SRE0001").result is ClickResult.CLOSED
    assert service.decline(third, clicker_slack_id="U0SRE0003").result is ClickResult.CLOSED


def test_simultaneous_accepts_of_an_urgent_request_make_one_match(
    engine: Engine, flow: Flow
) -> None:
    service, notifier, _timer = flow
    three_experts(engine)
    ask(service, urgency=Urgency.TODAY.value)
    offers = [
        (service.pending_offers(m)[0].offer_id, m) for m in ("U0SRE0001", "U0SRE0002", "U0SRE0003")
    ]
    results: list[ClickResult] = []
    barrier = threading.Barrier(3)

    def click(offer_id: int, mentor: str) -> None:
        barrier.wait()
        results.append(service.accept(offer_id, clicker_slack_id=mentor).result)

    threads = [threading.Thread(target=click, args=offer) for offer in offers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == sorted([ClickResult.ACCEPTED, ClickResult.CLOSED, ClickResult.CLOSED])
    assert len(notifier.of("introduce")) == 1


def test_a_clearly_weaker_fit_is_not_asked_even_when_urgent(engine: Engine, flow: Flow) -> None:
    service, notifier, _timer = flow
    add_mentor(engine, "U0SRE0001", "incident postmortems")
    add_mentor(engine, "U0SRE0002", "incident postmortems, kubernetes, terraform, golang")
    add_mentor(engine, "U0SRE0003", "incident response, kubernetes, terraform, golang, rust")
    ask(service, urgency=Urgency.TODAY.value)
    asked = notifier.of("ask")
    assert asked[0] == "U0SRE0001" and "U0SRE0003" not in asked


def test_this_week_keeps_one_mentor_at_a_time(engine: Engine, flow: Flow) -> None:
    service, notifier, timer = flow
    three_experts(engine)
    ask(service, urgency=Urgency.THIS_WEEK.value)
    assert len(notifier.of("ask")) == 1 and len(timer.due) == 1


def test_the_status_shows_who_was_asked_and_until_when(engine: Engine, flow: Flow) -> None:
    service, _notifier, timer = flow
    three_experts(engine)
    ask(service, urgency=Urgency.TODAY.value)
    [status] = service.active_requests("U0ME")
    assert sorted(m for m, _due in status.pending) == ["U0SRE0001", "U0SRE0002", "U0SRE0003"]
    assert {due for _m, due in status.pending} == set(timer.due.values())


def test_when_every_urgent_mentor_says_no_the_mentee_is_told(engine: Engine, flow: Flow) -> None:
    service, notifier, _timer = flow
    three_experts(engine)
    ask(service, urgency=Urgency.TODAY.value)
    for mentor in ("U0SRE0001", "U0SRE0002", "U0SRE0003"):
        service.decline(service.pending_offers(mentor)[0].offer_id, clicker_slack_id=mentor)
    assert notifier.of("unmatched") == [Unmatched.ALL_DECLINED]


# -- the waiting list --------------------------------------------------------------------------


def test_busy_experts_put_requests_in_line_and_the_first_in_line_gets_the_freed_place(
    engine: Engine, flow: Flow
) -> None:
    service, notifier, timer = flow
    add_mentor(engine, "U0SRE0001", QUESTION, weekly_capacity=1)
    first = ask(service, "U0FIRST1")  # takes the mentor's one place this week
    second, third = ask(service, "U0SECOND"), ask(service, "U0THIRD1")
    assert notifier.of("waiting") == [1, 2]  # their places in line
    assert stored(engine, second).status == "waiting"
    assert stored(engine, third).waiting_until is not None
    assert service.offer_waiting() == 0  # nobody has room yet: nothing happens, nobody is told
    assert notifier.of("waiting") == [1, 2]
    [offer_id] = timer.due
    service.decline(offer_id, clicker_slack_id="U0SRE0001")  # the place is free again
    assert stored(engine, first).status == "unmatched"
    assert service.offer_waiting() == 1
    assert stored(engine, second).status == "offered"
    assert stored(engine, third).status == "waiting"  # next in line, now number 1
    [status] = service.active_requests("U0THIRD1")
    assert status.waiting_place == 1


def test_a_request_waits_at_most_waitlist_days(engine: Engine, flow: Flow) -> None:
    service, notifier, _timer = flow
    add_mentor(engine, "U0SRE0001", QUESTION, paused_until=utcnow() + timedelta(days=30))
    waiting = ask(service)
    assert notifier.of("waiting") == [1]
    assert service.offer_waiting(now=utcnow() + timedelta(days=13)) == 0
    assert stored(engine, waiting).status == "waiting"
    service.offer_waiting(now=utcnow() + timedelta(days=15))
    assert stored(engine, waiting).status == "unmatched"
    assert notifier.of("unmatched") == [Unmatched.WAITED_TOO_LONG]


def test_no_waiting_when_switched_off_or_when_nobody_ever_has_room(
    engine: Engine, matching: MatchingService
) -> None:
    service, notifier, _timer = service_for(engine, matching, waitlist_time=timedelta(0))
    add_mentor(engine, "U0SRE0001", QUESTION, paused_until=utcnow() + timedelta(days=3))
    ask(service)
    add_mentor(engine, "U0SRE0001", QUESTION, weekly_capacity=0)  # mentoring nobody
    waiting_service, waiting_notifier, _ = service_for(engine, matching)
    ask(waiting_service, "U0OTHER1")
    assert notifier.of("unmatched") == [Unmatched.NOBODY_AVAILABLE]
    assert waiting_notifier.of("unmatched") == [Unmatched.NOBODY_AVAILABLE]
    assert notifier.of("waiting") == waiting_notifier.of("waiting") == []


def test_a_waiting_request_can_be_cancelled_and_counts_as_open(engine: Engine, flow: Flow) -> None:
    service, _notifier, _timer = flow
    add_mentor(engine, "U0SRE0001", QUESTION, paused_until=utcnow() + timedelta(days=3))
    waiting = ask(service)
    assert [r.status for r in service.active_requests("U0ME")] == ["waiting"]
    service.cancel(waiting, mentee_slack_id="U0ME")
    assert stored(engine, waiting).status == "cancelled"
    assert service.offer_waiting() == 0


# -- unresponsive mentors ----------------------------------------------------------------------


def expire_all(engine: Engine, service: MentoringService, timer: ManualTimer) -> None:
    for offer_id in list(timer.due):
        timer.stop(offer_id)
        with session_scope(engine) as session:
            offer = session.get(Offer, offer_id)
            assert offer is not None
            offer.expires_at = utcnow() - timedelta(seconds=1)
        assert service.expire(offer_id)


def test_two_offers_in_a_row_left_to_expire_pause_the_mentor_until_they_resume(
    engine: Engine, flow: Flow
) -> None:
    service, notifier, timer = flow
    add_mentor(engine, "U0SRE0001", QUESTION)
    ask(service, "U0FIRST1")
    expire_all(engine, service, timer)
    assert notifier.of("auto_paused") == []  # one miss happens to anyone
    ask(service, "U0SECOND")
    expire_all(engine, service, timer)
    assert notifier.of("auto_paused") == ["U0SRE0001"]
    with session_scope(engine) as session:
        mentor = session.get(Mentor, 1)
        assert mentor is not None and mentor.paused_until is not None
        assert mentor.paused_until > utcnow() + timedelta(days=29)
    third = ask(service, "U0THIRD1")
    assert stored(engine, third).status == "waiting"  # the only expert is paused
    assert service.resume("U0SRE0001") is True
    assert stored(engine, third).status == "offered"  # back: the waiting request reaches them
    assert service.resume("U0SRE0001") is False


def test_an_answer_between_two_misses_starts_the_count_again(engine: Engine, flow: Flow) -> None:
    service, notifier, timer = flow
    add_mentor(engine, "U0SRE0001", QUESTION)
    ask(service, "U0FIRST1")
    expire_all(engine, service, timer)
    ask(service, "U0SECOND")
    [offer_id] = timer.due
    service.decline(offer_id, clicker_slack_id="U0SRE0001")
    ask(service, "U0THIRD1")
    expire_all(engine, service, timer)
    assert notifier.of("auto_paused") == []


# -- /mentor again -----------------------------------------------------------------------------


def met_before(engine: Engine, service: MentoringService, timer: ManualTimer) -> None:
    add_mentor(engine, "U0SRE0001", QUESTION, name="Ana Maria Kowalska")
    add_mentor(engine, "U0SRE0002", "incident postmortems, incident review", name="Ana")
    ask(service)
    [offer_id] = timer.due
    service.accept(offer_id, clicker_slack_id="U0SRE0001")


def test_again_offers_to_the_named_mentor_only(engine: Engine, flow: Flow) -> None:
    service, notifier, timer = flow
    met_before(engine, service, timer)
    outcome = service.ask_again(
        mentee_slack_id="U0ME", text="@Ana Maria Kowalska how do I present a roadmap?"
    )
    assert outcome.result is AgainResult.ASKED and outcome.request is not None
    assert notifier.of("ask") == ["U0SRE0001", "U0SRE0001"]  # no matching: nobody else
    [offer] = service.pending_offers("U0SRE0001")
    assert offer.reasons == (AGAIN_REASON,)
    assert offer.request.question == "how do I present a roadmap?"


def test_again_names_only_mentors_met_before(engine: Engine, flow: Flow) -> None:
    service, _notifier, timer = flow
    met_before(engine, service, timer)
    outcome = service.ask_again(mentee_slack_id="U0ME", text="@Bo help me with postmortems")
    assert outcome.result is AgainResult.UNKNOWN_MENTOR
    assert [m.name for m in outcome.past_mentors] == ["Ana Maria Kowalska"]
    stranger = service.ask_again(mentee_slack_id="U0NEW", text="@Ana help with postmortems")
    assert stranger.result is AgainResult.UNKNOWN_MENTOR and stranger.past_mentors == ()
    no_question = service.ask_again(mentee_slack_id="U0ME", text="@Ana")
    assert no_question.result is AgainResult.NO_QUESTION


def test_again_respects_pauses_and_ends_politely_after_a_no(engine: Engine, flow: Flow) -> None:
    service, notifier, timer = flow
    met_before(engine, service, timer)
    with session_scope(engine) as session:
        mentor = session.get(Mentor, 1)
        assert mentor is not None
        mentor.paused_until = utcnow() + timedelta(days=2)
    outcome = service.ask_again(mentee_slack_id="U0ME", text="@ana.maria.kowalska roadmap help")
    assert outcome.request is not None
    assert stored(engine, outcome.request.request_id).status == "waiting"
    assert service.resume("U0SRE0001")
    [offer] = service.pending_offers("U0SRE0001")
    service.decline(offer.offer_id, clicker_slack_id="U0SRE0001")
    assert notifier.of("unmatched") == [Unmatched.MENTOR_DECLINED]
    assert notifier.of("ask").count("U0SRE0002") == 0  # the other Ana was never asked
    assert notifier.of("leads") == []


def test_names_resolve_longest_first_and_from_escaped_mentions() -> None:
    ana, maria = PastMentor(1, "U0ANA0001", "Ana"), PastMentor(2, "U0AM00001", "Ana Maria")
    assert resolve("@Ana Maria: budgeting?", [ana, maria]) == (maria, "budgeting?")
    assert resolve("@ana budgeting?", [ana, maria]) == (ana, "budgeting?")
    assert resolve("<@U0ANA0001|ana> budgeting?", [ana, maria]) == (ana, "budgeting?")
    assert resolve("@Anastasia budgeting?", [ana, maria]) is None
    assert resolve("budgeting?", [ana]) is None


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("again @ana budgets", ParsedCommand(Subcommand.AGAIN, "", "@ana budgets")),
        ("lagi @ana anggaran", ParsedCommand(Subcommand.AGAIN, "", "@ana anggaran")),
        ("again", ParsedCommand(Subcommand.AGAIN, "")),
        ("again the build fails", ParsedCommand(None, "again the build fails")),
        ("encore une question", ParsedCommand(None, "encore une question")),
    ],
)
def test_again_never_steals_a_question(text: str, parsed: ParsedCommand) -> None:
    assert parse_command(text) == parsed


# -- what leads see ------------------------------------------------------------------------------


def test_leads_see_waiting_demand_and_auto_pauses_as_counts(engine: Engine, flow: Flow) -> None:
    service, _notifier, timer = flow
    add_mentor(engine, "U0SRE0001", QUESTION, name="Ana")
    ask(service, "U0FIRST1")
    ask(service, "U0SECOND")  # both offered (capacity 2)
    expire_all(engine, service, timer)  # two misses in a row: paused
    ask(service, "U0THIRD1")
    ask(service, "U0FOURTH")  # in line behind her pause
    digest = DigestService(
        engine=engine, embedder=FakeEmbedder(), notifier=NoDigest(), timezone=ZoneInfo("UTC")
    ).build(week=week_label(utcnow()), now=utcnow())
    assert (digest.waiting_now, digest.auto_pauses) == (2, 1)
    text = digest_text(digest)
    assert "On the waiting list now: *2*" in text and "unanswered requests this week: *1*" in text
    assert "Ana" not in text and "U0SRE0001" not in text  # a count, never who
    demand = demand_message([], [], waiting=2).text
    assert "2 requests are on the waiting list now" in demand


class NoDigest:
    def send_digest(self, text: str, chart: Path) -> None:
        raise AssertionError("not sent in this test")
