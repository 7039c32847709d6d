"""EventService: a speed-mentoring event from the lead's form to the follow-ups.

Sign-up in a channel, a plan made at the close (by the Planner: bot/events/planning.py) and
shown to the lead, schedules sent once the lead posts it, a reminder and per-round pings from
persisted timers (each sent once: a claim), ratings and follow-ups afterwards. Knows nothing of
Slack payloads: handlers parse, this decides, the notifier renders."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.events.ports import (
    Conversation,
    EventNotifier,
    EventSummary,
    EventTimer,
    EventView,
    NoticeKind,
    PlannedPair,
    PlanView,
    Schedule,
    Turn,
)
from bot.logging import log_event
from bot.mentoring.messaging import log_posted, safely
from bot.mentoring.ports import MessageRef
from bot.mentoring.questions import clean_question
from bot.mentoring.views import listed
from bot.storage import events as event_repo
from bot.storage import mentors as mentor_repo
from bot.storage.db import session_scope
from bot.storage.models import (
    EventPairing,
    EventParticipant,
    EventRole,
    EventStatus,
    MessageKind,
    SpeedEvent,
    utcnow,
)
from bot.storage.privacy import ANONYMOUS
from bot.text import clean_text

logger = logging.getLogger(__name__)

REMINDER_BEFORE = timedelta(minutes=10)
ONE_MINUTE = timedelta(minutes=1)
SUMMARY_AFTER = timedelta(days=1)
MAX_TITLE_CHARS = 150
MAX_THEME_CHARS = 300


@dataclass(frozen=True)
class PlanResult:
    rounds: tuple[tuple[PlannedPair, ...], ...]
    sitting_out: tuple[tuple[str, ...], ...]


class Planner(Protocol):
    def __call__(
        self, mentees: Sequence[tuple[str, str]], mentors: Sequence[str], rounds: int
    ) -> PlanResult:
        """Rounds for (mentee slack id, question) x mentor slack ids (see planning.py)."""


@dataclass(frozen=True)
class EventDraft:
    """The lead's form, parsed (handlers check types; `problems` checks the rules)."""

    title: str
    starts_at: datetime
    rounds: int
    round_minutes: int
    break_minutes: int
    channel: str
    signup_closes_at: datetime
    place: str | None = None
    theme: str | None = None

    def problems(self, now: datetime) -> dict[str, str]:
        """Field name -> what is wrong (English keys for handlers to translate)."""
        found: dict[str, str] = {}
        if not self.title.strip():
            found["title"] = "title"
        if self.starts_at <= now + timedelta(minutes=15):
            found["starts_at"] = "start_too_soon"
        elif self.starts_at > now + timedelta(days=90):
            found["starts_at"] = "start_too_far"
        if not 1 <= self.rounds <= 6:
            found["rounds"] = "rounds"
        if not 5 <= self.round_minutes <= 15:
            found["round_minutes"] = "round_minutes"
        if not 0 <= self.break_minutes <= 30:
            found["break_minutes"] = "break_minutes"
        if self.signup_closes_at >= self.starts_at or self.signup_closes_at <= now:
            found["signup_closes_at"] = "closes"
        return found


class JoinResult(StrEnum):
    JOINED = "joined"
    UPDATED = "updated"  # already in: role or question changed
    CLOSED = "closed"  # sign-up is over, or the event was cancelled
    NOT_A_MENTOR = "not_a_mentor"  # no active, approved mentor profile
    NOT_FOUND = "not_found"


class LeadAction(StrEnum):
    DONE = "done"
    NOT_LEAD = "not_lead"  # only the event's lead (or another program lead) may
    ALREADY = "already"  # posted, cancelled or finished already


class EventService:
    def __init__(
        self,
        *,
        engine: Engine,
        planner: Planner,
        notifier: EventNotifier,
        timer: EventTimer,
        program_leads: frozenset[str],
        ask_mentor: Callable[[str, str, str, str | None], int | None],
    ) -> None:
        self._engine = engine
        self._planner = planner
        self._notifier = notifier
        self._timer = timer
        self._leads = program_leads
        # (mentee, mentor, question, mentee time zone) -> the flash request's id, or None:
        # "Ask @X for a flash session" goes through the usual Accept/booking flow.
        self._ask_mentor = ask_mentor

    # -- the lead ----------------------------------------------------------------------------

    def create(self, draft: EventDraft, *, lead_slack_id: str) -> EventView:
        with session_scope(self._engine) as session:
            event = event_repo.create_event(
                session,
                SpeedEvent(
                    title=clean_text(draft.title).strip()[:MAX_TITLE_CHARS],
                    theme=clean_text(draft.theme or "").strip()[:MAX_THEME_CHARS] or None,
                    lead_slack_id=lead_slack_id,
                    starts_at=draft.starts_at,
                    rounds=draft.rounds,
                    round_minutes=draft.round_minutes,
                    break_minutes=draft.break_minutes,
                    place=clean_text(draft.place or "").strip() or None,
                    channel=draft.channel,
                    signup_closes_at=draft.signup_closes_at,
                ),
            )
            view = _view(event)
        log_event(logger, "event_created", event_id=view.event_id, rounds=view.rounds)
        self._timer.schedule(view.event_id, NoticeKind.CLOSE, 0, view.signup_closes_at)
        ts = safely(self._notifier.announce, view)
        if isinstance(ts, str):
            with session_scope(self._engine) as session:
                event_repo.set_announcement(session, view.event_id, ts)
        safely(self._notifier.tell_lead_created, view)
        return view

    def cancel(self, event_id: int, *, by: str) -> LeadAction:
        cancelled = self._lead_moves(
            event_id,
            by,
            to=EventStatus.CANCELLED,
            allowed_from=(EventStatus.OPEN, EventStatus.PLANNED, EventStatus.POSTED),
        )
        if cancelled is not LeadAction.DONE:
            return cancelled
        with session_scope(self._engine) as session:
            people = [p.slack_id for p in event_repo.participants(session, event_id)]
        self._timer.cancel(event_id)
        view = self.view(event_id)
        log_event(logger, "event_cancelled", event_id=event_id)
        if view is not None:
            safely(self._notifier.refresh_announcement, view)
            for slack_id in people:
                safely(self._notifier.cancelled, view, slack_id)
        return LeadAction.DONE

    def close(self, event_id: int) -> bool:
        """Sign-up is over: plan the rounds and show the lead (the CLOSE timer's job)."""
        with session_scope(self._engine) as session:
            if not event_repo.move_event(
                session, event_id, to=EventStatus.PLANNED, allowed_from=(EventStatus.OPEN,)
            ):
                return False
        view = self.view(event_id)
        assert view is not None
        safely(self._notifier.refresh_announcement, view)
        if view.mentees == 0 or view.mentors == 0:
            for organiser in self._organisers(view):
                safely(self._notifier.too_few, organiser)
            return True
        plan = self._plan(view)
        log_event(logger, "event_planned", event_id=event_id, mentees=view.mentees)
        for organiser in self._organisers(view):
            shown = safely(self._notifier.show_plan, replace(plan, event=organiser))
            named = [
                n
                for pairs in plan.rounds
                for p in pairs
                for n in (p.mentee_slack_id, p.mentor_slack_id)
            ]
            self._log(shown, [*named, *(s for out in plan.sitting_out for s in out)])
        return True

    def post_plan(self, event_id: int, *, by: str) -> LeadAction:
        """The lead posts the plan: everyone gets their schedule; the timers start."""
        posted = self._lead_moves(
            event_id, by, to=EventStatus.POSTED, allowed_from=(EventStatus.PLANNED,)
        )
        if posted is not LeadAction.DONE:
            return posted
        view = self.view(event_id)
        assert view is not None
        for schedule in self.schedules(event_id):
            sent = safely(self._notifier.send_schedule, schedule, view.place)
            self._log(sent, [t.other_slack_id for t in schedule.turns if t.other_slack_id])
        self._start_timers(view)
        log_event(logger, "event_posted", event_id=event_id)
        return LeadAction.DONE

    # -- participants ------------------------------------------------------------------------

    def join(
        self,
        event_id: int,
        *,
        slack_id: str,
        role: EventRole,
        question: str | None = None,
        timezone: str = "UTC",
    ) -> JoinResult:
        """Sign up (again: the role or question changes). Raises InvalidQuestionError for a
        mentee's unusable question."""
        cleaned = clean_question(question) if role is EventRole.MENTEE else None
        with session_scope(self._engine) as session:
            event = event_repo.get_event(session, event_id)
            if event is None:
                return JoinResult.NOT_FOUND
            if event.status != EventStatus.OPEN.value or event.signup_closes_at <= utcnow():
                return JoinResult.CLOSED
            if role is EventRole.MENTOR and not _is_listed_mentor(session, slack_id):
                return JoinResult.NOT_A_MENTOR
            new = event_repo.join(
                session,
                event_id,
                slack_id=slack_id,
                role=role,
                question=cleaned,
                timezone=timezone,
            )
        self._refresh(event_id)
        log_event(logger, "event_joined", event_id=event_id, role=role.value)
        return JoinResult.JOINED if new else JoinResult.UPDATED

    def leave(self, event_id: int, *, slack_id: str) -> JoinResult:
        with session_scope(self._engine) as session:
            event = event_repo.get_event(session, event_id)
            if event is None:
                return JoinResult.NOT_FOUND
            if event.status != EventStatus.OPEN.value or event.signup_closes_at <= utcnow():
                return JoinResult.CLOSED
            if not event_repo.leave(session, event_id, slack_id):
                return JoinResult.NOT_FOUND
        self._refresh(event_id)
        return JoinResult.UPDATED

    def rate(self, pairing_id: int, *, mentee_slack_id: str, rating: int) -> bool:
        if not 1 <= rating <= 5 or not self._finished(pairing_id):
            return False
        with session_scope(self._engine) as session:
            return event_repo.rate(session, pairing_id, mentee_slack_id, rating)

    def ask_for_flash(self, pairing_id: int, *, mentee_slack_id: str) -> int | None:
        """Turn a conversation into a normal flash request to that mentor (Accept/booking as
        usual); None when it is not theirs or was asked already."""
        if not self._finished(pairing_id):
            return None
        with session_scope(self._engine) as session:
            pairing = event_repo.get_pairing(session, pairing_id)
            if pairing is None or pairing.mentee_slack_id != mentee_slack_id:
                return None
            # Claimed first (0: being asked), so a double click asks once.
            if not event_repo.claim_follow_up(session, pairing_id, 0):
                return None
            mine = _participant(session, pairing.event_id, mentee_slack_id)
            question = mine.question if mine and mine.question else None
            timezone = mine.timezone if mine else "UTC"
            mentor = pairing.mentor_slack_id
        request_id = (
            self._ask_mentor(mentee_slack_id, mentor, question, timezone) if question else None
        )
        with session_scope(self._engine) as session:
            event_repo.set_follow_up(session, pairing_id, request_id)
        return request_id

    def continue_with(self, pairing_id: int, *, mentor_slack_id: str) -> bool:
        """The mentor would happily continue: their mentee hears it (once). False when the
        conversation is not theirs."""
        if not self._finished(pairing_id):
            return False
        with session_scope(self._engine) as session:
            pairing = event_repo.get_pairing(session, pairing_id)
            if pairing is None or pairing.mentor_slack_id != mentor_slack_id:
                return False
            first_time = event_repo.mark_mentor_continues(session, pairing_id, mentor_slack_id)
            event_id, number, mentee = pairing.event_id, pairing.round, pairing.mentee_slack_id
        view = self.view(event_id)
        if first_time and view is not None:
            said = Conversation(pairing_id, view, number, mentee, mentor_slack_id)
            self._log(safely(self._notifier.mentor_continues, said), [mentor_slack_id])
        return True

    # -- timers ------------------------------------------------------------------------------

    def notice(self, event_id: int, kind: NoticeKind, round_number: int = 0) -> bool:
        """A timer fired: send its messages once (whatever restarts and instances do)."""
        if kind is NoticeKind.CLOSE:
            return self.close(event_id)
        view = self.view(event_id)
        wanted = EventStatus.FINISHED if kind is NoticeKind.SUMMARY else EventStatus.POSTED
        if view is None or view.status != wanted.value:
            return False
        with session_scope(self._engine) as session:
            if not event_repo.claim_notice(session, event_id, kind.value, round_number):
                return False
        if kind is NoticeKind.END:
            self._finish(view)
        elif kind is NoticeKind.SUMMARY:
            summary = self.summary(event_id)
            for organiser in self._organisers(view):
                safely(self._notifier.summarise, replace(summary, event=organiser))
        else:
            for schedule in self.schedules(event_id):
                sent = safely(self._notifier.remind, schedule, kind, round_number)
                turn = next((t for t in schedule.turns if t.round == max(round_number, 1)), None)
                self._log(sent, [turn.other_slack_id] if turn and turn.other_slack_id else [])
        log_event(logger, "event_notice", event_id=event_id, kind=kind.value, round=round_number)
        return True

    def close_due(self) -> int:
        """Close every event whose sign-up is over (behind each event's own CLOSE job)."""
        with session_scope(self._engine) as session:
            due = event_repo.events_due_to_close(session, utcnow())
        return sum(self.close(event_id) for event_id in due)

    # -- views ---------------------------------------------------------------------------------

    def view(self, event_id: int) -> EventView | None:
        with session_scope(self._engine) as session:
            event = event_repo.get_event(session, event_id)
            if event is None:
                return None
            mentees, mentors = event_repo.counts(session, event_id)
            return _view(event, mentees, mentors)

    def schedules(self, event_id: int) -> list[Schedule]:
        """Every participant's personal schedule, from the saved plan."""
        view = self.view(event_id)
        if view is None:
            return []
        with session_scope(self._engine) as session:
            people = list(event_repo.participants(session, event_id))
            pairs = list(event_repo.pairings(session, event_id))
        questions = {p.slack_id: p.question for p in people}
        return [_schedule(view, person, pairs, questions) for person in people]

    def summary(self, event_id: int) -> EventSummary:
        view = self.view(event_id)
        assert view is not None
        with session_scope(self._engine) as session:
            pairs = list(event_repo.pairings(session, event_id))
        return EventSummary(
            event=view,
            mentees=view.mentees,
            mentors=view.mentors,
            conversations=len(pairs),
            ratings=tuple(p.rating for p in pairs if p.rating is not None),
            follow_ups=sum(1 for p in pairs if p.follow_up_request_id is not None),
            mentors_continuing=sum(1 for p in pairs if p.mentor_continues),
        )

    # -- internals ---------------------------------------------------------------------------

    def _log(self, sent: MessageRef | None, about: Sequence[str]) -> None:
        """Where a message naming (or quoting) other participants went: their forget-me
        rewrites it (see SlackMessage.about_slack_id)."""
        log_posted(self._engine, MessageKind.EVENT, [sent], about=about)

    def _organisers(self, view: EventView) -> list[EventView]:
        """The event as its organiser's DMs address it; the program leads, once the organiser
        asked to be forgotten (the event still needs someone to post its plan)."""
        if view.lead_slack_id.startswith(ANONYMOUS):
            return [replace(view, lead_slack_id=lead) for lead in sorted(self._leads)]
        return [view]

    def _finished(self, pairing_id: int) -> bool:
        """Ratings and follow-ups belong to an event that took place."""
        with session_scope(self._engine) as session:
            pairing = event_repo.get_pairing(session, pairing_id)
            event = event_repo.get_event(session, pairing.event_id) if pairing else None
            return event is not None and event.status == EventStatus.FINISHED.value

    def _lead_moves(
        self,
        event_id: int,
        by: str,
        *,
        to: EventStatus,
        allowed_from: tuple[EventStatus, ...],
    ) -> LeadAction:
        """A lead's decision as a claim: only its organiser or a program lead, once."""
        with session_scope(self._engine) as session:
            event = event_repo.get_event(session, event_id)
            if event is None:
                return LeadAction.ALREADY
            if by != event.lead_slack_id and by not in self._leads:
                return LeadAction.NOT_LEAD
            moved = event_repo.move_event(session, event_id, to=to, allowed_from=allowed_from)
        return LeadAction.DONE if moved else LeadAction.ALREADY

    def _refresh(self, event_id: int) -> None:
        view = self.view(event_id)
        if view is not None:
            safely(self._notifier.refresh_announcement, view)

    def _plan(self, view: EventView) -> PlanView:
        with session_scope(self._engine) as session:
            people = list(event_repo.participants(session, view.event_id))
        # A question emptied meanwhile (forget-me, retention) cannot be matched: not planned.
        mentees = [
            (p.slack_id, p.question)
            for p in people
            if p.role == EventRole.MENTEE.value and p.question
        ]
        mentors = [p.slack_id for p in people if p.role == EventRole.MENTOR.value]
        result = self._planner(mentees, mentors, view.rounds)
        flagged = result.rounds
        with session_scope(self._engine) as session:
            event_repo.save_plan(
                session,
                view.event_id,
                [
                    event_repo.NewPairing(
                        p.round, p.mentee_slack_id, p.mentor_slack_id, p.score, p.reasons
                    )
                    for pairs in flagged
                    for p in pairs
                ],
            )
        return PlanView(view, flagged, result.sitting_out)

    def _start_timers(self, view: EventView) -> None:
        now = utcnow()
        planned = [(NoticeKind.REMINDER, 0, view.starts_at - REMINDER_BEFORE)]
        for number in range(1, view.rounds + 1):
            planned.append((NoticeKind.ROUND_START, number, view.round_start(number)))
            planned.append((NoticeKind.ONE_MINUTE, number, view.round_end(number) - ONE_MINUTE))
        planned.append((NoticeKind.END, 0, view.ends_at))
        for kind, number, at in planned:
            self._timer.schedule(view.event_id, kind, number, max(at, now))

    def _finish(self, view: EventView) -> None:
        with session_scope(self._engine) as session:
            event_repo.move_event(
                session, view.event_id, to=EventStatus.FINISHED, allowed_from=(EventStatus.POSTED,)
            )
            pairs = list(event_repo.pairings(session, view.event_id))
        finished = _view_with_status(view, EventStatus.FINISHED)
        conversations = [
            Conversation(p.id, finished, p.round, p.mentee_slack_id, p.mentor_slack_id)
            for p in pairs
            if p.id is not None
        ]
        for mentee in sorted({c.mentee_slack_id for c in conversations}):
            mine = [c for c in conversations if c.mentee_slack_id == mentee]
            sent = safely(self._notifier.ask_for_ratings, mine)
            self._log(sent, [c.mentor_slack_id for c in mine])
        for mentor in sorted({c.mentor_slack_id for c in conversations}):
            mine = [c for c in conversations if c.mentor_slack_id == mentor]
            sent = safely(self._notifier.offer_to_continue, mine)
            self._log(sent, [c.mentee_slack_id for c in mine])
        self._timer.schedule(view.event_id, NoticeKind.SUMMARY, 0, view.ends_at + SUMMARY_AFTER)


def _is_listed_mentor(session: Session, slack_id: str) -> bool:
    """Only active, approved mentors join as mentors (others are offered `/mentor profile`)."""
    mentor = mentor_repo.get_by_slack_id(session, slack_id)
    return mentor is not None and listed(mentor)


def _participant(session: Session, event_id: int, slack_id: str) -> EventParticipant | None:
    people = event_repo.participants(session, event_id)
    return next((p for p in people if p.slack_id == slack_id), None)


def _view(event: SpeedEvent, mentees: int = 0, mentors: int = 0) -> EventView:
    assert event.id is not None
    return EventView(
        event_id=event.id,
        title=event.title,
        lead_slack_id=event.lead_slack_id,
        starts_at=event.starts_at,
        rounds=event.rounds,
        round_minutes=event.round_minutes,
        break_minutes=event.break_minutes,
        channel=event.channel,
        signup_closes_at=event.signup_closes_at,
        status=event.status,
        theme=event.theme,
        place=event.place,
        mentees=mentees,
        mentors=mentors,
        announcement_ts=event.announcement_ts,
    )


def _view_with_status(view: EventView, status: EventStatus) -> EventView:
    return replace(view, status=status.value)


def _schedule(
    view: EventView,
    person: EventParticipant,
    pairs: Sequence[EventPairing],
    questions: dict[str, str | None],
) -> Schedule:
    mentor = person.role == EventRole.MENTOR.value
    turns = []
    for number in range(1, view.rounds + 1):
        mine = next(
            (
                p
                for p in pairs
                if p.round == number
                and (p.mentor_slack_id if mentor else p.mentee_slack_id) == person.slack_id
            ),
            None,
        )
        other = None if mine is None else (mine.mentee_slack_id if mentor else mine.mentor_slack_id)
        turns.append(
            Turn(
                round=number,
                starts_at=view.round_start(number),
                ends_at=view.round_end(number),
                other_slack_id=other,
                question=questions.get(other) if mentor and other else None,
                reasons=tuple(mine.reasons) if mine else (),
            )
        )
    return Schedule(view, person.slack_id, person.role, person.timezone, tuple(turns))
