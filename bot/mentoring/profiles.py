"""Mentor profiles as mentors edit them in Slack: save, re-embed, refresh the index at once."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine

from bot.logging import log_event
from bot.matching.service import MatchingService
from bot.roster import ImportReport, import_mentors, parse_csv_text
from bot.storage import mentors as mentor_repo
from bot.storage.db import session_scope
from bot.storage.models import Mentor, MentorProfile, utcnow

logger = logging.getLogger(__name__)


class ProfileService:
    def __init__(self, *, engine: Engine, matching: MatchingService) -> None:
        self._engine = engine
        self._matching = matching

    def get(self, slack_id: str) -> Mentor | None:
        with session_scope(self._engine) as session:
            return mentor_repo.get_by_slack_id(session, slack_id)

    def save(self, profile: MentorProfile) -> Mentor:
        with session_scope(self._engine) as session:
            mentor, created = mentor_repo.upsert_mentor(session, profile)
            assert mentor.id is not None
            mentor_repo.record_changes(session, [mentor.id])
        # Embedding now (not at the next match) keeps the first match after an edit fast.
        self._matching.sync_embeddings([mentor.id])
        self._matching.refresh()
        log_event(logger, "profile_saved", mentor_id=mentor.id, created=created)
        return mentor

    def import_csv_text(self, text: str) -> ImportReport:
        """A roster pasted by a lead in Slack: the same checks and upsert as the CLI import."""
        report = import_mentors(self._engine, parse_csv_text(text, "The pasted roster"))
        if report.changed_ids:
            self._matching.sync_embeddings(report.changed_ids)
            self._matching.refresh()
        log_event(
            logger,
            "roster_imported",
            created=report.created,
            updated=report.updated,
            rejected=len(report.rejected),
        )
        return report

    def load_this_week(self, mentor_id: int) -> int:
        with session_scope(self._engine) as session:
            found = mentor_repo.availability(session, [mentor_id], utcnow())
        return found[mentor_id].load_this_week if mentor_id in found else 0
