"""Speed-mentoring events without Slack: a recording notifier, a manual timer and a planner
that pairs in rotation (the real planner is tested in test_event_planning.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.digest.render import digest_text
from bot.digest.report import week_label
from bot.digest.service import DigestService
from bot.errors import InvalidQuestionError
from bot.events.ports import NoticeKind, PlannedPair
from bot.events.service import EventDraft, EventService, JoinResult, LeadAction, PlanResult
from bot.handlers.blocks.events import summary_message
from bot.handlers.commands import ParsedCommand, parse_command, resolve
from bot.handlers.ids import Subcommand
from bot.storage.db import session_scope
from bot.storage.models import EventPairing, EventParticipant, EventRole, utcnow
from bot.storage.privacy import erase_person, personal_data, purge_texts
from tests.conftest import add_mentor
from tests.test_on_demand import NoDigest
from tests.utils.fake_embedder import FakeEmbedder

LEAD = "U0LEAD001"
MENTEES = {
    "U0MENTEE1": "How do I write incident postmortems?",
    "U0MENTEE2": "How do I size an A/B test?",
    "U0MENTEE3": "How do I ask for a raise?",
}
MENTORS = ("U0SRE0001", "U0DSC0001")


def rotation(mentees: Sequence[tuple[str, str]], mentors: Sequence[str], rounds: int) -> PlanResult:
    """Round r: mentee i meets mentor (i + r) mod len(mentors), the rest sit out."""
    plan, out = [], []
    for r in range(rounds):
        seated: dict[str, str] = {}
        for i, (mentee, _question) in enumerate(mentees):
            mentor = mentors[(i + r) % len(mentors)]
            if mentor not in seated.values() and i < len(mentors):
                seated[mentee] = mentor
        plan.append(
            tuple(
                PlannedPair(r + 1, mentee, mentor, score, ("x",), weak=score < 0.3)
                for mentee, mentor in seated.items()
                for score in [0.2 if mentor == "U0DSC0001" else 0.8]
            )
        )
        out.append(tuple(m for m, _q in mentees if m not in seated))
    return PlanResult(tuple(plan), tuple(out))


@dataclass
class Recorder:
    events: list[tuple[str, Any]] = field(default_factory=list)

    def announce(self, event: Any) -> str:
        self.events.append(("announce", event.event_id))
        return "1700000000.000100"

    def refresh_announcement(self, event: Any) -> None:
        self.events.append(("refresh", (event.mentees, event.mentors, event.status)))

    def tell_lead_created(self, event: Any) -> None:
        self.events.append(("created", event.lead_slack_id))

    def show_plan(self, plan: Any) -> None:
        self.events.append(("plan", plan))

    def too_few(self, event: Any) -> None:
        self.events.append(("too_few", event.event_id))

    def send_schedule(self, schedule: Any, place: str | None) -> None:
        self.events.append(("schedule", schedule))

    def remind(self, schedule: Any, kind: NoticeKind, round_number: int) -> None:
        self.events.append(("remind", (schedule.slack_id, kind, round_number)))

    def ask_for_ratings(self, conversations: Any) -> None:
        self.events.append(("ratings", conversations))

    def offer_to_continue(self, conversations: Any) -> None:
        self.events.append(("continue", conversations))

    def mentor_continues(self, conversation: Any) -> None:
        self.events.append(("continues", conversation.mentee_slack_id))

    def summarise(self, summary: Any) -> None:
        self.events.append(("summary", summary))

    def cancelled(self, event: Any, slack_id: str) -> None:
        self.events.append(("cancelled", slack_id))

    def of(self, kind: str) -> list[Any]:
        return [value for name, value in self.events if name == kind]


@dataclass
class Timer:
    jobs: dict[tuple[int, NoticeKind, int], datetime] = field(default_factory=dict)

    def schedule(self, event_id: int, kind: NoticeKind, round_number: int, at: datetime) -> None:
        self.jobs[(event_id, kind, round_number)] = at

    def cancel(self, event_id: int) -> None:
        self.jobs = {k: v for k, v in self.jobs.items() if k[0] != event_id}


Flow = tuple[EventService, Recorder, Timer, list[tuple[str, str, str]]]


@pytest.fixture
def flow(engine: Engine) -> Flow:
    recorder, timer, asked = Recorder(), Timer(), []

    def ask_mentor(mentee: str, mentor: str, question: str, zone: str | None) -> int:
        asked.append((mentee, mentor, question))
        return 100 + len(asked)

    service = EventService(
        engine=engine,
        planner=rotation,
        notifier=recorder,
        timer=timer,
        program_leads=frozenset({LEAD}),
        ask_mentor=ask_mentor,
    )
    return service, recorder, timer, asked


def draft(**changes: Any) -> EventDraft:
    start = utcnow() + timedelta(days=2)
    values: dict[str, Any] = {
        "title": "Ask an expert",
        "starts_at": start,
        "rounds": 3,
        "round_minutes": 15,
        "break_minutes": 5,
        "channel": "C0EVENTS1",
        "signup_closes_at": start - timedelta(hours=1),
        "place": "Slack huddle",
    }
    values.update(changes)
    return EventDraft(**values)


def signed_up(engine: Engine, service: EventService) -> int:
    for mentor in MENTORS:
        add_mentor(engine, mentor, "incident postmortems" if "SRE" in mentor else "A/B testing")
    event = service.create(draft(), lead_slack_id=LEAD)
    for mentee, question in MENTEES.items():
        service.join(event.event_id, slack_id=mentee, role=EventRole.MENTEE, question=question)
    for mentor in MENTORS:
        service.join(event.event_id, slack_id=mentor, role=EventRole.MENTOR)
    return event.event_id


def posted(engine: Engine, service: EventService) -> int:
    """An event signed up for, planned at the close, and posted by its lead."""
    event_id = signed_up(engine, service)
    service.close(event_id)
    service.post_plan(event_id, by=LEAD)
    return event_id


def test_the_form_refuses_what_cannot_work() -> None:
    now = utcnow()
    assert draft().problems(now) == {}
    assert set(draft(starts_at=now + timedelta(minutes=5)).problems(now)) >= {"starts_at"}
    assert draft(rounds=7).problems(now) == {"rounds": "rounds"}
    assert draft(round_minutes=20).problems(now) == {"round_minutes": "round_minutes"}
    late = draft().starts_at + timedelta(minutes=1)
    assert draft(signup_closes_at=late).problems(now) == {"signup_closes_at": "closes"}


def test_sign_up_counts_live_and_only_mentors_join_as_mentors(engine: Engine, flow: Flow) -> None:
    service, recorder, timer, _asked = flow
    add_mentor(engine, "U0SRE0001", "incident postmortems")
    event = service.create(draft(), lead_slack_id=LEAD)
    assert recorder.of("announce") == [event.event_id] and recorder.of("created") == [LEAD]
    assert timer.jobs[(event.event_id, NoticeKind.CLOSE, 0)] == event.signup_closes_at
    join = service.join
    assert join(event.event_id, slack_id="U0SRE0001", role=EventRole.MENTOR) is JoinResult.JOINED
    assert join(event.event_id, slack_id="U0NOPROF1", role=EventRole.MENTOR) is (
        JoinResult.NOT_A_MENTOR
    )
    with pytest.raises(InvalidQuestionError):
        join(event.event_id, slack_id="U0MENTEE1", role=EventRole.MENTEE, question="?")
    assert (
        join(event.event_id, slack_id="U0MENTEE1", role=EventRole.MENTEE, question="postmortems?")
        is JoinResult.JOINED
    )
    assert recorder.of("refresh")[-1] == (1, 1, "open")
    assert service.leave(event.event_id, slack_id="U0MENTEE1") is JoinResult.UPDATED
    assert recorder.of("refresh")[-1] == (0, 1, "open")


def test_at_the_close_the_lead_sees_the_plan_first_and_nothing_else_is_sent(
    engine: Engine, flow: Flow
) -> None:
    service, recorder, _timer, _asked = flow
    event_id = signed_up(engine, service)
    assert service.notice(event_id, NoticeKind.CLOSE)
    [plan] = recorder.of("plan")
    assert len(plan.rounds) == 3 and all(len(pairs) == 2 for pairs in plan.rounds)
    assert [p.weak for p in plan.rounds[0]] == [False, True]  # 0.2 is flagged
    assert plan.sitting_out[0] == ("U0MENTEE3",)
    assert recorder.of("schedule") == []  # the lead reviews first
    late = service.join(event_id, slack_id="U0MENTEE9", role=EventRole.MENTEE, question="late?")
    assert late is JoinResult.CLOSED
    assert not service.notice(event_id, NoticeKind.CLOSE)  # planned once


def test_posting_sends_each_person_their_schedule_and_sets_every_timer(
    engine: Engine, flow: Flow
) -> None:
    service, recorder, timer, _asked = flow
    event_id = signed_up(engine, service)
    service.close(event_id)
    assert service.post_plan(event_id, by="U0MENTEE1") is LeadAction.NOT_LEAD
    assert service.post_plan(event_id, by=LEAD) is LeadAction.DONE
    assert service.post_plan(event_id, by=LEAD) is LeadAction.ALREADY
    schedules = {s.slack_id: s for s in recorder.of("schedule")}
    assert set(schedules) == {*MENTEES, *MENTORS}
    sre = schedules["U0SRE0001"]
    assert [t.other_slack_id for t in sre.turns] == ["U0MENTEE1", "U0MENTEE2", "U0MENTEE1"]
    assert sre.turns[0].question == MENTEES["U0MENTEE1"]  # the mentor sees the question
    assert schedules["U0MENTEE3"].turns[0].other_slack_id is None  # sits round 1 out
    view = service.view(event_id)
    assert view is not None
    kinds = {(kind, number): at for (_e, kind, number), at in timer.jobs.items()}
    assert kinds[(NoticeKind.REMINDER, 0)] == view.starts_at - timedelta(minutes=10)
    assert kinds[(NoticeKind.ROUND_START, 2)] == view.starts_at + timedelta(minutes=20)
    assert kinds[(NoticeKind.ONE_MINUTE, 3)] == view.starts_at + timedelta(minutes=54)
    assert kinds[(NoticeKind.END, 0)] == view.starts_at + timedelta(minutes=55)


def test_round_pings_go_out_once(engine: Engine, flow: Flow) -> None:
    service, recorder, _timer, _asked = flow
    event_id = posted(engine, service)
    assert service.notice(event_id, NoticeKind.ROUND_START, 2)
    assert not service.notice(event_id, NoticeKind.ROUND_START, 2)  # a restart's second run
    assert len(recorder.of("remind")) == len(MENTEES) + len(MENTORS)


def test_after_the_event_ratings_follow_ups_and_the_leads_summary(
    engine: Engine, flow: Flow
) -> None:
    service, recorder, timer, asked = flow
    event_id = posted(engine, service)
    assert service.notice(event_id, NoticeKind.END)
    ratings = {c[0].mentee_slack_id: c for c in recorder.of("ratings")}
    assert set(ratings) == {"U0MENTEE1", "U0MENTEE2"}  # U0MENTEE3 sat every round out
    first = ratings["U0MENTEE1"][0]
    assert len(recorder.of("continue")) == len(MENTORS)
    assert (event_id, NoticeKind.SUMMARY, 0) in timer.jobs
    assert service.rate(first.pairing_id, mentee_slack_id="U0MENTEE1", rating=5)
    assert not service.rate(first.pairing_id, mentee_slack_id="U0MENTEE2", rating=1)
    assert service.ask_for_flash(first.pairing_id, mentee_slack_id="U0MENTEE1") == 101
    assert asked == [("U0MENTEE1", first.mentor_slack_id, MENTEES["U0MENTEE1"])]
    assert service.ask_for_flash(first.pairing_id, mentee_slack_id="U0MENTEE1") is None
    assert service.continue_with(first.pairing_id, mentor_slack_id=first.mentor_slack_id)
    assert service.continue_with(first.pairing_id, mentor_slack_id=first.mentor_slack_id)
    assert recorder.of("continues") == ["U0MENTEE1"]  # told once
    assert not service.continue_with(first.pairing_id, mentor_slack_id="U0MENTEE2")
    assert service.notice(event_id, NoticeKind.SUMMARY)
    [summary] = recorder.of("summary")
    assert (summary.mentees, summary.mentors, summary.conversations) == (3, 2, 6)
    assert (summary.ratings, summary.follow_ups, summary.mentors_continuing) == ((5,), 1, 1)
    assert summary.average_rating is None  # one rating: the lead could tell whose it is
    shown = summary_message(replace(summary, ratings=(5, 4, 3))).text
    assert "Average rating: 4.0 (3 rated)" in shown
    hidden = summary_message(replace(summary, ratings=(5, 1))).text
    assert "Average rating: shown from 3 ratings on (2 so far)" in hidden
    assert "3.0" not in hidden


def test_a_cancelled_event_tells_everyone_and_stops_its_timers(engine: Engine, flow: Flow) -> None:
    service, recorder, timer, _asked = flow
    event_id = signed_up(engine, service)
    assert service.cancel(event_id, by="U0MENTEE1") is LeadAction.NOT_LEAD
    assert service.cancel(event_id, by=LEAD) is LeadAction.DONE
    assert sorted(recorder.of("cancelled")) == sorted([*MENTEES, *MENTORS])
    assert timer.jobs == {}
    assert recorder.of("refresh")[-1][2] == "cancelled"
    assert not service.notice(event_id, NoticeKind.CLOSE)


def test_too_few_people_tells_the_lead(engine: Engine, flow: Flow) -> None:
    service, recorder, _timer, _asked = flow
    event = service.create(draft(), lead_slack_id=LEAD)
    service.join(event.event_id, slack_id="U0MENTEE1", role=EventRole.MENTEE, question="raise?")
    assert service.close(event.event_id)
    assert recorder.of("too_few") == [event.event_id] and recorder.of("plan") == []


def test_event_data_is_in_my_data_erased_by_forget_me_and_purged_by_retention(
    engine: Engine, flow: Flow
) -> None:
    service, _recorder, _timer, _asked = flow
    event_id = posted(engine, service)
    service.notice(event_id, NoticeKind.END)
    with session_scope(engine) as session:
        [mine] = personal_data(session, "U0MENTEE1")["speed_mentoring_events"]
        assert mine["question"] == MENTEES["U0MENTEE1"] and mine["role"] == "mentee"
        assert {c["with"] for c in mine["conversations"]} == set(MENTORS)
        erase_person(session, "U0MENTEE1")
    with session_scope(engine) as session:
        assert personal_data(session, "U0MENTEE1")["speed_mentoring_events"] == []
        texts = [p.question for p in session.exec(select(EventParticipant)).all()]
        assert MENTEES["U0MENTEE1"] not in texts
        pairs = session.exec(select(EventPairing)).all()
        assert all("U0MENTEE1" not in (p.mentee_slack_id, p.mentor_slack_id) for p in pairs)
        assert len(pairs) == 6  # the lead's counts stay
        purge_texts(session, utcnow() + timedelta(seconds=1))
    with session_scope(engine) as session:
        assert {p.question for p in session.exec(select(EventParticipant)).all()} == {None}


def test_the_weekly_digest_counts_events_and_their_conversations(
    engine: Engine, flow: Flow
) -> None:
    service, _recorder, _timer, _asked = flow
    event_id = signed_up(engine, service)
    service.close(event_id)
    view = service.view(event_id)
    assert view is not None
    digest = DigestService(
        engine=engine, embedder=FakeEmbedder(), notifier=NoDigest(), timezone=ZoneInfo("UTC")
    ).build(week=week_label(view.starts_at), now=view.ends_at + timedelta(days=1))
    assert (digest.events, digest.event_conversations) == (1, 6)
    assert "Speed-mentoring events: *1* (6 conversations planned)" in digest_text(digest)


@pytest.mark.parametrize("is_lead", [True, False])
def test_event_opens_the_form_only_alone(is_lead: bool) -> None:
    assert resolve(parse_command("event"), is_lead=is_lead).subcommand is Subcommand.EVENT
    question = resolve(parse_command("event planning for our offsite?"), is_lead=is_lead)
    assert question == ParsedCommand(None, "event planning for our offsite?")


def test_someone_forgotten_before_the_close_leaves_and_the_rest_is_planned(
    engine: Engine, flow: Flow
) -> None:
    service, recorder, _timer, _asked = flow
    event_id = signed_up(engine, service)
    with session_scope(engine) as session:
        erase_person(session, "U0MENTEE1")
    assert service.close(event_id)
    [plan] = recorder.of("plan")
    planned = {p.mentee_slack_id for pairs in plan.rounds for p in pairs}
    assert planned == {"U0MENTEE2", "U0MENTEE3"}
    view = service.view(event_id)
    assert view is not None and view.mentees == 2


def test_ratings_and_follow_ups_wait_for_the_event_to_have_happened(
    engine: Engine, flow: Flow
) -> None:
    service, _recorder, _timer, asked = flow
    event_id = signed_up(engine, service)
    service.close(event_id)
    with session_scope(engine) as session:
        pairing = session.exec(select(EventPairing)).first()
        assert pairing is not None and pairing.id is not None
        pairing_id, mentee = pairing.id, pairing.mentee_slack_id
    assert not service.rate(pairing_id, mentee_slack_id=mentee, rating=5)
    assert service.ask_for_flash(pairing_id, mentee_slack_id=mentee) is None
    assert asked == []
