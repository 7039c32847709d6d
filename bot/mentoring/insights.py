"""What program leads see of requests as a whole: this week's numbers and the unmet list. Counts
and ids only, never a question."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from bot.storage import requests as request_repo
from bot.storage.db import session_scope
from bot.storage.models import RequestStatus, utcnow
from bot.weeks import week_of


@dataclass(frozen=True)
class UnmetRequest:
    """What a lead may see of an unmatched request: never its text."""

    request_id: int
    format: str
    created_at: datetime
    best_score: float | None


class ProgramInsights:
    def __init__(self, *, engine: Engine) -> None:
        self._engine = engine

    def unmet_requests(self, since: datetime) -> list[UnmetRequest]:
        """Unmatched requests created since `since`, newest first, without their text."""
        with session_scope(self._engine) as session:
            rows = request_repo.unmatched_since(session, since)
            return [UnmetRequest(r.id, r.format, r.created_at, r.best_score) for r in rows if r.id]

    def waiting_list(self) -> int:
        """Requests waiting now for a busy expert to have room (a count: leads see demand)."""
        with session_scope(self._engine) as session:
            return request_repo.waiting_count(session)

    def week_numbers(self) -> dict[str, int]:
        """This week's figures for program leads (Monday 00:00 UTC onwards)."""
        with session_scope(self._engine) as session:
            counts = request_repo.request_counts_since(session, week_of(utcnow()))
            mentors = request_repo.mentor_count(session, listed_only=True)
        return {
            "requests": sum(counts.values()),
            "matched": counts.get(RequestStatus.MATCHED.value, 0)
            + counts.get(RequestStatus.COMPLETED.value, 0),
            "unmatched": counts.get(RequestStatus.UNMATCHED.value, 0),
            "waiting": counts.get(RequestStatus.OFFERED.value, 0)
            + counts.get(RequestStatus.OPEN.value, 0)
            + counts.get(RequestStatus.WAITING.value, 0),
            "active_mentors": mentors,
        }
