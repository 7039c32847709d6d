"""An event's scores: each mentee's question against each mentor's profile, by matching's own
ranking (`MatchingService.relevance`), and the roster look-ups that name the mentors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot.events.planning import Event
from bot.matching.service import MatchingService
from bot.storage import mentors as mentor_repo
from bot.storage.db import session_scope
from bot.storage.models import MentorApproval, utcnow


@dataclass(frozen=True)
class EventMentor:
    slack_id: str
    mentor_id: int


def profiles_of(engine: Engine, slack_ids: Sequence[str]) -> dict[str, EventMentor]:
    """The given people who have an active mentor profile (only those can be scored)."""
    found = {}
    with session_scope(engine) as session:
        for slack_id in slack_ids:
            mentor = mentor_repo.get_by_slack_id(session, slack_id)
            if mentor is not None and mentor.active and mentor.id is not None:
                found[slack_id] = EventMentor(slack_id, mentor.id)
    return found


def active_roster(engine: Engine) -> list[EventMentor]:
    """Every mentor matching would ask today, capacity aside: active, approved, not paused."""
    now = utcnow()
    with session_scope(engine) as session:
        return [
            EventMentor(m.slack_id, m.id)
            for m in mentor_repo.list_mentors(session, include_inactive=False)
            if m.id is not None
            and m.approval == MentorApproval.APPROVED.value
            and (m.paused_until is None or m.paused_until <= now)
        ]


def score_event(
    matching: MatchingService,
    mentees: Sequence[tuple[str, str]],
    mentors: Sequence[EventMentor],
    rounds: int,
) -> Event:
    """The planner's input for (slack id, question) mentees and these mentors: one model
    call for all questions, scored and explained as a match would be."""
    scores, reasons = matching.relevance(
        [question for _, question in mentees], [m.mentor_id for m in mentors]
    )
    return Event(
        mentees=tuple(slack_id for slack_id, _ in mentees),
        mentors=tuple(m.slack_id for m in mentors),
        scores=scores,
        rounds=rounds,
        reasons=reasons,
    )
