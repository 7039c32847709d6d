"""Next steps without Slack: the rules of actions, suggestions, takeaways, progress and
follow-ups; what leads see (hand-computed digest figures) and the privacy of it all."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.booking.service import BookingService
from bot.digest.render import digest_text
from bot.digest.report import week_label
from bot.digest.service import DigestService
from bot.handlers.next_steps import parse_actions
from bot.mentoring.next_steps import FollowUpResult, NextStepsResult, NextStepsService
from bot.storage import feedback as feedback_repo
from bot.storage import sessions as session_repo
from bot.storage.actions import NewAction
from bot.storage.db import session_scope
from bot.storage.models import (
    ActionStatus,
    DevelopmentAction,
    FeedbackKind,
    Mentor,
    MentoringRequest,
    MentoringSession,
    SessionStatus,
    Takeaway,
    utcnow,
)
from bot.storage.privacy import erase_person, personal_data, purge_texts
from tests.conftest import add_mentor
from tests.test_booking import Recorder, make_session
from tests.test_on_demand import NoDigest
from tests.utils.fake_embedder import FakeEmbedder

MENTEE, MENTOR = "U0MENTEE1", "U0MENTOR1"


@dataclass
class Told:
    events: list[tuple[str, Any]] = field(default_factory=list)
    checks: dict[tuple[int, str], datetime] = field(default_factory=dict)

    def invite_next_steps(self, meeting: Any) -> list[Any]:
        self.events.append(("invite", meeting.session_id))
        return []

    def suggested_steps(self, meeting: Any, texts: Any) -> None:
        self.events.append(("suggested", list(texts)))

    def takeaways_sent(self, meeting: Any, text: str) -> None:
        self.events.append(("takeaways", text))

    def check_progress(self, meeting: Any, actions: Any, *, can_follow_up: bool) -> None:
        self.events.append(("check", ([a.text for a in actions], can_follow_up)))

    def help_worked(self, meeting: Any, status: Any) -> None:
        self.events.append(("worked", meeting.mentor_slack_id))

    def schedule(self, session_id: int, due_key: str, at: datetime) -> None:
        self.checks[(session_id, due_key)] = at

    def of(self, kind: str) -> list[Any]:
        return [value for name, value in self.events if name == kind]


Flow = tuple[NextStepsService, Told, int]


def held(engine: Engine, session_id: int) -> None:
    with session_scope(engine) as session:
        meeting = session.get(MentoringSession, session_id)
        assert meeting is not None
        meeting.status = SessionStatus.HELD.value
        meeting.starts_at = utcnow() - timedelta(hours=2)


@pytest.fixture
def flow(engine: Engine) -> Flow:
    told, recorder = Told(), Recorder()
    booking = BookingService(engine=engine, notifier=recorder, timer=recorder)
    service = NextStepsService(engine=engine, sessions=booking, notifier=told, timer=told)
    mentor = add_mentor(engine, MENTOR, "sql", timezone="Europe/Paris")
    session_id = make_session(engine, MENTEE, mentor)
    held(engine, session_id)
    return service, told, session_id


def test_next_steps_are_one_to_three_from_today_on_and_the_mentees_alone(flow: Flow) -> None:
    service, told, sid = flow
    today = date.today()
    assert service.save_actions(sid, MENTEE, []) is NextStepsResult.INVALID
    four = [NewAction(f"step {n}") for n in range(4)]
    assert service.save_actions(sid, MENTEE, four) is NextStepsResult.INVALID
    past = [NewAction("read it", today - timedelta(days=2))]
    assert service.save_actions(sid, MENTEE, past) is NextStepsResult.INVALID
    assert service.save_actions(sid, MENTOR, [NewAction("x y z")]) is NextStepsResult.NOT_YOURS
    due = today + timedelta(days=5)
    saved = service.save_actions(
        sid, MENTEE, [NewAction("read the SRE book", due), NewAction("pair")]
    )
    assert saved is NextStepsResult.SAVED
    paris = ZoneInfo("Europe/Paris")
    assert told.checks[(sid, due.isoformat())] == datetime(
        due.year, due.month, due.day, 9, tzinfo=paris
    )
    assert (sid, "week") in told.checks  # the step without a date: asked about in a week


def test_nothing_before_the_session_took_place(engine: Engine, flow: Flow) -> None:
    service, _told, _sid = flow
    pending = make_session(engine, "U0OTHER01", 1)
    assert service.save_actions(pending, "U0OTHER01", [NewAction("x y z")]) is (
        NextStepsResult.NOT_HELD
    )
    assert service.send_takeaways(pending, MENTOR, "notes") is NextStepsResult.NOT_HELD


def test_the_invitation_goes_once_after_a_session_took_place(flow: Flow) -> None:
    service, told, sid = flow
    assert service.session_held(sid) and not service.session_held(sid)
    assert told.of("invite") == [sid]


def test_suggestions_become_actions_once_the_mentee_accepts(engine: Engine, flow: Flow) -> None:
    service, told, sid = flow
    assert service.suggest(sid, MENTEE, ["a b c"]) is NextStepsResult.NOT_YOURS
    assert service.suggest(sid, MENTOR, ["Shadow an on-call shift", ""]) is NextStepsResult.SAVED
    assert told.of("suggested") == [["Shadow an on-call shift"]]
    assert service.open_actions(MENTEE) == []  # not theirs until accepted
    assert service.draft(sid, MENTEE) == ["Shadow an on-call shift"]
    assert service.draft(sid, "U0SOMEONE") == []
    assert service.accept_suggestions(sid, MENTEE) is NextStepsResult.SAVED
    assert [a.text for a in service.open_actions(MENTEE)] == ["Shadow an on-call shift"]
    assert service.suggest(sid, MENTOR, ["another"]) is NextStepsResult.INVALID  # theirs now


def test_takeaways_seed_the_mentees_form(flow: Flow) -> None:
    service, told, sid = flow
    note = "• Read the Google SRE book\n- Talk to Dana about paging\n"
    assert service.send_takeaways(sid, MENTOR, note) is NextStepsResult.SAVED
    assert told.of("takeaways") == [note.strip()]
    assert service.draft(sid, MENTEE) == ["Read the Google SRE book", "Talk to Dana about paging"]
    assert service.takeaways_for(MENTEE) == [note.strip()]


def test_progress_is_asked_once_per_date_and_done_tells_the_mentor_only_if_shared(
    engine: Engine, flow: Flow
) -> None:
    service, told, sid = flow
    service.save_actions(sid, MENTEE, [NewAction("private step")], shared=False)
    assert service.check(sid, "week") and not service.check(sid, "week")
    assert told.of("check") == [(["private step"], True)]
    [action] = service.open_actions(MENTEE)
    assert not service.set_status(action.action_id, MENTOR, ActionStatus.DONE)
    assert service.set_status(action.action_id, MENTEE, ActionStatus.DONE)
    assert told.of("worked") == []  # not shared: the mentor hears nothing
    service.save_actions(sid, MENTEE, [NewAction("shared step")])
    [shared] = service.open_actions(MENTEE)
    assert service.set_status(shared.action_id, MENTEE, ActionStatus.DONE)
    assert told.of("worked") == [MENTOR]
    assert not service.check(sid, "later")  # nothing open: no DM


def test_at_most_two_follow_ups_with_the_same_mentor(engine: Engine, flow: Flow) -> None:
    service, _told, sid = flow
    assert service.book_follow_up(sid, MENTOR) is FollowUpResult.NOT_YOURS
    assert service.book_follow_up(sid, MENTEE) is FollowUpResult.BOOKING
    assert service.book_follow_up(sid, MENTEE) is FollowUpResult.BOOKING  # the same one again
    with session_scope(engine) as session:
        request_id = session.get(MentoringSession, sid).request_id  # type: ignore[union-attr]
        second = session_repo.sessions_of_request(session, request_id)[-1]
        assert second.id is not None
        second_id = second.id
    held(engine, second_id)
    assert service.book_follow_up(sid, MENTEE) is FollowUpResult.BOOKING
    with session_scope(engine) as session:
        third = session_repo.sessions_of_request(session, request_id)[-1]
        assert third.sequence == 3 and third.id is not None
        third_id = third.id
    held(engine, third_id)
    assert service.book_follow_up(sid, MENTEE) is FollowUpResult.LIMIT


def test_leads_see_hand_computed_counts_never_texts(engine: Engine, flow: Flow) -> None:
    service, _told, sid = flow
    other = make_session(engine, "U0MENTEE2", 1)
    held(engine, other)  # held, but no next steps
    with session_scope(engine) as session:
        for request in session.exec(select(MentoringRequest)).all():
            request.goal = "a goal" if request.mentee_slack_id == MENTEE else None
    service.save_actions(
        sid, MENTEE, [NewAction("step one"), NewAction("step two"), NewAction("step three")]
    )
    done, in_progress, dropped = service.open_actions(MENTEE)
    service.set_status(done.action_id, MENTEE, ActionStatus.DONE)
    service.set_status(in_progress.action_id, MENTEE, ActionStatus.IN_PROGRESS)
    service.set_status(dropped.action_id, MENTEE, ActionStatus.DROPPED)
    service.book_follow_up(sid, MENTEE)
    digest = DigestService(
        engine=engine, embedder=FakeEmbedder(), notifier=NoDigest(), timezone=ZoneInfo("UTC")
    ).build(week=week_label(utcnow()), now=utcnow())
    progress = digest.progress
    assert progress.goals_set == 1
    assert (progress.sessions_held, progress.sessions_with_actions) == (2, 1)
    assert progress.with_actions_rate == 0.5
    assert (progress.actions_done, progress.actions_in_progress, progress.actions_dropped) == (
        1,
        1,
        1,
    )
    assert progress.follow_up_sessions == 1
    text = digest_text(digest)
    assert "Goals set: 1 · sessions followed by a next step: 50% · follow-up sessions: 1" in text
    assert "Done: *1* · In progress: *1* · Dropped: *1* · Not reported yet: *0*" in text
    assert "step one" not in text and "a goal" not in text


def test_next_steps_and_takeaways_in_my_data_forget_me_and_retention(
    engine: Engine, flow: Flow
) -> None:
    service, _told, sid = flow
    service.save_actions(sid, MENTEE, [NewAction("an old step")])
    with session_scope(engine) as session:
        purge_texts(session, utcnow() + timedelta(seconds=1))  # RETENTION_DAYS passed
        assert session.exec(select(DevelopmentAction.text)).all() == [None]
    service.save_actions(sid, MENTEE, [NewAction("my private step")])
    service.send_takeaways(sid, MENTOR, "mentor's note")
    with session_scope(engine) as session:
        mine = personal_data(session, MENTEE)
        assert [a["text"] for a in mine["next_steps"]] == ["my private step"]
        assert mine["takeaways"]["received"][0]["text"] == "mentor's note"
        assert personal_data(session, MENTOR)["takeaways"]["written"][0]["text"] == "mentor's note"
        erase_person(session, MENTEE)
    with session_scope(engine) as session:
        assert session.exec(select(DevelopmentAction.text)).all() == [None]
        assert session.exec(select(Takeaway.text)).all() == [None]
        assert personal_data(session, MENTEE)["next_steps"] == []


def test_a_follow_up_needs_a_willing_mentor(engine: Engine, flow: Flow) -> None:
    service, _told, sid = flow
    with session_scope(engine) as session:
        feedback_repo.record(
            session,
            session_id=sid,
            author_slack_id=MENTOR,
            role="mentor",
            kind=FeedbackKind.FOLLOW_UP,
            meet_again=False,
        )
    assert service.book_follow_up(sid, MENTEE) is FollowUpResult.UNAVAILABLE  # said no
    other = make_session(engine, "U0MENTEE2", 1)
    held(engine, other)
    with session_scope(engine) as session:
        mentor = session.get(Mentor, 1)
        assert mentor is not None
        mentor.paused_until = utcnow() + timedelta(days=3)
    assert service.book_follow_up(other, "U0MENTEE2") is FollowUpResult.UNAVAILABLE  # paused
    cancelled = make_session(engine, "U0MENTEE3", 1)  # never took place
    assert service.book_follow_up(cancelled, "U0MENTEE3") is FollowUpResult.UNAVAILABLE


@pytest.mark.parametrize("view", [{}, {"state": "x"}, {"state": {"values": {"a": "b"}}}, []])
def test_a_next_steps_form_not_in_slacks_shape_is_answered_never_crashes(view: Any) -> None:
    assert parse_actions(view) == {"action_text_1": "Write at least one next step."}


def test_the_next_steps_form_reads_steps_dates_and_sharing() -> None:
    view = {
        "state": {
            "values": {
                "action_text_1": {
                    "a": {"type": "plain_text_input", "value": " Pair on the runbook "}
                },
                "action_due_1": {"a": {"type": "datepicker", "selected_date": "2026-12-11"}},
                "action_text_2": {"a": {"type": "plain_text_input", "value": ""}},
                "action_due_3": {"a": {"type": "datepicker", "selected_date": "not a date"}},
                "actions_shared": {"a": {"type": "checkboxes", "selected_options": []}},
            }
        }
    }
    assert parse_actions(view) == {"action_due_3": "Pick a date from today on."}
    del view["state"]["values"]["action_due_3"]
    assert parse_actions(view) == ([NewAction("Pair on the runbook", date(2026, 12, 11))], False)
