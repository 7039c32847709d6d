"""NextStepsService: from one conversation to a visible next step.

After a session took place the mentee writes up to 3 development actions (or accepts the
mentor's suggestions), the mentor may send takeaways and resources, and on each due date (or a
week later) the mentee gets one DM to say how it went — and may book a follow-up with the same
mentor (at most 2) straight from it. Texts are the mentee's: shown to the mentor only when
shared, to leads never (counts only), and never logged."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.booking.ports import SessionView
from bot.logging import log_event
from bot.matching.availability import availability_of
from bot.mentoring.messaging import log_posted, safely
from bot.mentoring.ports import MessageRef
from bot.storage import actions as action_repo
from bot.storage import feedback as feedback_repo
from bot.storage import sessions as session_repo
from bot.storage.actions import SUGGESTED, NewAction
from bot.storage.db import session_scope
from bot.storage.models import (
    ActionStatus,
    DevelopmentAction,
    MentoringSession,
    MessageKind,
    SessionStatus,
    utcnow,
)
from bot.text import clean_text

logger = logging.getLogger(__name__)

MAX_ACTIONS = 3
MAX_ACTION_CHARS = 200
MAX_TAKEAWAY_CHARS = 2000
MAX_FOLLOW_UPS = 2  # micro mentoring: one or two more sessions on the same need
CHECK_AFTER = timedelta(days=7)  # actions without a due date are asked about a week later
CHECK_AT = time(9, 0)  # on the due date, in the mentee's morning
NEXT_STEPS = "next_steps"  # claim kind: the invitation after a session, once


@dataclass(frozen=True)
class ActionView:
    action_id: int
    session_id: int
    mentee_slack_id: str
    text: str
    due_on: date | None
    status: str
    shared: bool


class NextStepsResult(StrEnum):
    SAVED = "saved"
    NOT_YOURS = "not_yours"
    INVALID = "invalid"  # no action, too many, too long, a due date in the past
    NOT_HELD = "not_held"  # the session did not take place (or not yet)


class FollowUpResult(StrEnum):
    BOOKING = "booking"  # a follow-up session exists: its times are on their way
    LIMIT = "limit"  # two follow-ups already
    UNAVAILABLE = "unavailable"  # the mentor said no more meetings, is paused or left
    NOT_YOURS = "not_yours"


class NextStepsNotifier(Protocol):
    def invite_next_steps(self, meeting: SessionView) -> Sequence[MessageRef]:
        """To both after a session took place: the mentee writes actions; the mentor may
        suggest some and send takeaways."""

    def suggested_steps(self, meeting: SessionView, texts: Sequence[str]) -> MessageRef | None:
        """To the mentee: the mentor's suggestions, with Accept / Edit."""

    def takeaways_sent(self, meeting: SessionView, text: str) -> MessageRef | None:
        """To the mentee: the mentor's takeaways and resources."""

    def check_progress(
        self, meeting: SessionView, actions: Sequence[ActionView], *, can_follow_up: bool
    ) -> MessageRef | None:
        """To the mentee on a due date: Done / In progress / Dropped, and book a follow-up
        (while fewer than MAX_FOLLOW_UPS were)."""

    def help_worked(self, meeting: SessionView, status: ActionStatus) -> MessageRef | None:
        """To the mentor: one of the shared next steps is done (never its text)."""


class ActionTimer(Protocol):
    def schedule(self, session_id: int, due_key: str, at: datetime) -> None:
        """Run the progress check of `session_id` at `at` (persisted)."""


class Sessions(Protocol):
    """What this needs from booking: who met whom (with time zones), and a follow-up's slots."""

    def view(self, session_id: int) -> SessionView | None: ...

    def start(self, session_id: int) -> object: ...


class NextStepsService:
    def __init__(
        self,
        *,
        engine: Engine,
        sessions: Sessions,
        notifier: NextStepsNotifier,
        timer: ActionTimer,
    ) -> None:
        self._engine = engine
        self._sessions = sessions
        self._notifier = notifier
        self._timer = timer

    def session_held(self, session_id: int) -> bool:
        """A session took place ("Did it take place?" → yes): invite the next steps, once."""
        meeting = self._sessions.view(session_id)
        if meeting is None:
            return False
        with session_scope(self._engine) as session:
            if not session_repo.log_once(session, NEXT_STEPS, session_id):
                return False
            invited = safely(self._notifier.invite_next_steps, meeting)
        self._log(meeting, invited or ())
        return True

    def save_actions(
        self,
        session_id: int,
        mentee_slack_id: str,
        items: Sequence[NewAction],
        *,
        shared: bool = True,
        today: date | None = None,
    ) -> NextStepsResult:
        """The mentee's next steps for a session (replacing any they wrote before)."""
        cleaned = [NewAction(clean_text(i.text).strip(), i.due_on) for i in items]
        cleaned = [i for i in cleaned if i.text]
        meeting = self._sessions.view(session_id)
        today = today or _today(meeting)
        if not cleaned or len(cleaned) > MAX_ACTIONS:
            return NextStepsResult.INVALID
        if any(len(i.text) > MAX_ACTION_CHARS or (i.due_on and i.due_on < today) for i in cleaned):
            return NextStepsResult.INVALID
        with session_scope(self._engine) as session:
            row = session_repo.get_session(session, session_id)
            if row is None or meeting is None or row.mentee_slack_id != mentee_slack_id:
                return NextStepsResult.NOT_YOURS
            if row.status != SessionStatus.HELD.value:
                return NextStepsResult.NOT_HELD
            action_repo.replace_actions(session, row, cleaned, shared=shared)
        log_event(logger, "next_steps_saved", session_id=session_id, count=len(cleaned))
        self._schedule_checks(meeting, [i.due_on for i in cleaned])
        return NextStepsResult.SAVED

    def suggest(
        self, session_id: int, mentor_slack_id: str, texts: Sequence[str]
    ) -> NextStepsResult:
        """The mentor's suggested next steps: the mentee accepts or edits them."""
        cleaned = [clean_text(t).strip() for t in texts]
        cleaned = [t for t in cleaned if t]
        if (
            not cleaned
            or len(cleaned) > MAX_ACTIONS
            or any(len(t) > MAX_ACTION_CHARS for t in cleaned)
        ):
            return NextStepsResult.INVALID
        meeting = self._mentors_session(session_id, mentor_slack_id)
        if isinstance(meeting, NextStepsResult):
            return meeting
        with session_scope(self._engine) as session:
            row = session_repo.get_session(session, session_id)
            assert row is not None
            if any(
                a.status != SUGGESTED for a in action_repo.actions_of_session(session, session_id)
            ):
                return NextStepsResult.INVALID  # the mentee wrote theirs already
            action_repo.replace_actions(
                session,
                row,
                [NewAction(t) for t in cleaned],
                shared=True,
                status=SUGGESTED,
                suggested=True,
            )
        self._log(meeting, [safely(self._notifier.suggested_steps, meeting, cleaned)])
        return NextStepsResult.SAVED

    def accept_suggestions(self, session_id: int, mentee_slack_id: str) -> NextStepsResult:
        with session_scope(self._engine) as session:
            accepted = action_repo.accept_suggestions(session, session_id, mentee_slack_id)
        meeting = self._sessions.view(session_id)
        if not accepted or meeting is None:
            return NextStepsResult.NOT_YOURS
        self._schedule_checks(meeting, [None])
        return NextStepsResult.SAVED

    def send_takeaways(self, session_id: int, mentor_slack_id: str, text: str) -> NextStepsResult:
        cleaned = clean_text(text, multiline=True).strip()
        if not cleaned or len(cleaned) > MAX_TAKEAWAY_CHARS:
            return NextStepsResult.INVALID
        meeting = self._mentors_session(session_id, mentor_slack_id)
        if isinstance(meeting, NextStepsResult):
            return meeting
        with session_scope(self._engine) as session:
            row = session_repo.get_session(session, session_id)
            assert row is not None
            action_repo.add_takeaway(session, row, cleaned)
        log_event(logger, "takeaways_sent", session_id=session_id)
        self._log(meeting, [safely(self._notifier.takeaways_sent, meeting, cleaned)])
        return NextStepsResult.SAVED

    def check(self, session_id: int, due_key: str) -> bool:
        """A due date came: one DM with the session's open actions (once per date)."""
        meeting = self._sessions.view(session_id)
        if meeting is None:
            return False
        with session_scope(self._engine) as session:
            actions = [
                _view(a)
                for a in action_repo.actions_of_session(session, session_id)
                if a.status in (ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value) and a.text
            ]
            if not actions or not session_repo.log_once(
                session, "action_check", session_id, due_key
            ):
                return False
            row = session_repo.get_session(session, session_id)
            assert row is not None
            latest = _latest_of_request(session_repo.sessions_of_request(session, row.request_id))
            more = latest.sequence <= MAX_FOLLOW_UPS
            asked = safely(self._notifier.check_progress, meeting, actions, can_follow_up=more)
        self._log(meeting, [asked])
        return True

    def set_status(self, action_id: int, mentee_slack_id: str, status: ActionStatus) -> bool:
        with session_scope(self._engine) as session:
            action = action_repo.get_action(session, action_id)
            if action is None or not action_repo.set_status(
                session, action_id, mentee_slack_id, status
            ):
                return False
            session_id, shared = action.session_id, action.shared
        log_event(logger, "next_step_progress", action_id=action_id, status=status.value)
        meeting = self._sessions.view(session_id)
        if status is ActionStatus.DONE and shared and meeting is not None:
            self._log(meeting, [safely(self._notifier.help_worked, meeting, status)])
        return True

    def book_follow_up(self, session_id: int, mentee_slack_id: str) -> FollowUpResult:
        """Another session with the same mentor on the same need, through the usual slots
        (no matching); at most MAX_FOLLOW_UPS per request."""
        try:
            with session_scope(self._engine) as session:
                row = session_repo.get_session(session, session_id)
                if row is None or row.mentee_slack_id != mentee_slack_id:
                    return FollowUpResult.NOT_YOURS
                if not _mentor_willing(session, row):
                    return FollowUpResult.UNAVAILABLE
                latest = _latest_of_request(
                    session_repo.sessions_of_request(session, row.request_id)
                )
                if latest.sequence > MAX_FOLLOW_UPS:
                    return FollowUpResult.LIMIT
                if latest.status == SessionStatus.PROPOSED.value:
                    follow_up_id = latest.id  # one is being booked already: its slots again
                else:
                    follow_up_id = session_repo.create_follow_up(session, latest).id
        except IntegrityError:
            return FollowUpResult.BOOKING  # a double click created it already
        assert follow_up_id is not None
        log_event(logger, "follow_up_requested", session_id=session_id, follow_up=follow_up_id)
        safely(self._sessions.start, follow_up_id)
        return FollowUpResult.BOOKING

    def open_actions(self, mentee_slack_id: str) -> list[ActionView]:
        with session_scope(self._engine) as session:
            return [
                _view(a) for a in action_repo.open_actions_of(session, mentee_slack_id) if a.text
            ]

    def shared_with(self, mentor_id: int) -> list[ActionView]:
        with session_scope(self._engine) as session:
            return [_view(a) for a in action_repo.shared_with_mentor(session, mentor_id) if a.text]

    def takeaways_for(self, mentee_slack_id: str) -> list[str]:
        """The latest notes their mentors sent (their Home tab)."""
        with session_scope(self._engine) as session:
            return [t.text or "" for t in action_repo.takeaways_for(session, mentee_slack_id)]

    def draft(self, session_id: int, mentee_slack_id: str) -> list[str]:
        """What the mentee's form starts with: their (or the mentor's suggested) next steps,
        else the first lines of the mentor's takeaways; nothing for anyone else."""
        with session_scope(self._engine) as session:
            row = session_repo.get_session(session, session_id)
            if row is None or row.mentee_slack_id != mentee_slack_id:
                return []
            written = [a.text for a in action_repo.actions_of_session(session, session_id)]
            if any(written):
                return [t for t in written if t]
            notes = action_repo.takeaways_of_session(session, session_id)
            lines = [
                line.lstrip("•-* ").strip() for n in notes for line in (n.text or "").splitlines()
            ]
            return [line[:MAX_ACTION_CHARS] for line in lines if line][:MAX_ACTIONS]

    def _log(self, meeting: SessionView, sent: Iterable[MessageRef | None]) -> None:
        """These DMs quote the mentee's steps or the mentor's words and name the other: found
        by the mentee's erasure through the session, by the mentor's as `about`."""
        log_posted(
            self._engine,
            MessageKind.NEXT_STEPS,
            list(sent),
            session_id=meeting.session_id,
            about=[meeting.mentor_slack_id],
        )

    def _mentors_session(
        self, session_id: int, mentor_slack_id: str
    ) -> SessionView | NextStepsResult:
        """The session, when it is this mentor's and took place (else why not)."""
        meeting = self._sessions.view(session_id)
        if meeting is None or meeting.mentor_slack_id != mentor_slack_id:
            return NextStepsResult.NOT_YOURS
        if meeting.status != SessionStatus.HELD.value:
            return NextStepsResult.NOT_HELD
        return meeting

    def _schedule_checks(self, meeting: SessionView, due_dates: Sequence[date | None]) -> None:
        zone = ZoneInfo(meeting.mentee_timezone)
        now = utcnow()
        for due in sorted({d for d in due_dates if d is not None}):
            at = datetime.combine(due, CHECK_AT, zone)
            self._timer.schedule(meeting.session_id, due.isoformat(), max(at, now))
        if any(d is None for d in due_dates):
            self._timer.schedule(meeting.session_id, "week", now + CHECK_AFTER)


def _view(action: DevelopmentAction) -> ActionView:
    assert action.id is not None
    return ActionView(
        action.id,
        action.session_id,
        action.mentee_slack_id,
        action.text or "",
        action.due_on,
        action.status,
        action.shared,
    )


def _today(meeting: SessionView | None) -> date:
    zone = ZoneInfo(meeting.mentee_timezone if meeting else "UTC")
    return utcnow().astimezone(zone).date()


def _mentor_willing(session: Session, meeting: MentoringSession) -> bool:
    """A follow-up needs a session that took place, a mentor still mentoring (listed, not
    paused) who did not answer "Meet again?" with no."""
    if meeting.status != SessionStatus.HELD.value:
        return False
    if feedback_repo.meet_again_votes(session, meeting.id or 0).get("mentor") is False:
        return False
    standing = availability_of(session, [meeting.mentor_id], utcnow()).get(meeting.mentor_id)
    paused = (
        standing is not None
        and standing.paused_until is not None
        and (standing.paused_until > utcnow())
    )
    return standing is not None and standing.listed and not paused


def _latest_of_request(sessions: Sequence[MentoringSession]) -> MentoringSession:
    return max(sessions, key=lambda s: s.sequence)
