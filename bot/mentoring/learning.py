"""Learning from outcomes: which finished requests teach the matcher something about a mentor.

A session the mentee rated 4 or 5 says the mentor helps with questions like that one; an offer
the mentor declined as "not my topic" says the opposite. Only the question's vector is kept
(see bot/matching/evidence.py); a request whose text was already purged or erased teaches
nothing. The mentor's own rating of the session says nothing about fit and is not used."""

from __future__ import annotations

import logging
from typing import Protocol

from sqlalchemy.engine import Engine

from bot.logging import log_event
from bot.storage import evidence as evidence_repo
from bot.storage import requests as request_repo
from bot.storage import sessions as session_repo
from bot.storage.db import session_scope
from bot.storage.models import EvidenceKind

logger = logging.getLogger(__name__)

# A mentee's rating from which a session counts as "this mentor helped with this question".
HELPED_RATING = 4


class Learner(Protocol):
    def learn(
        self, *, mentor_id: int, request_id: int, kind: EvidenceKind, question: str
    ) -> None: ...

    def refresh(self) -> None: ...


class OutcomeLearning:
    def __init__(self, *, engine: Engine, matching: Learner) -> None:
        self._engine = engine
        self._matching = matching

    def session_rated(self, session_id: int, author: str, rating: int) -> None:
        """Someone rated a session. The mentee's 4-5 is evidence for its mentor, their lower
        (changed) rating withdraws what an earlier one taught; the mentor's counts for nothing."""
        with session_scope(self._engine) as session:
            meeting = session_repo.get_session(session, session_id)
            if meeting is None or meeting.mentee_slack_id != author:
                return
            request = request_repo.get_request(session, meeting.request_id)
            if request is None or request.id is None:
                return
            if rating < HELPED_RATING:
                if evidence_repo.forget(
                    session, mentor_id=meeting.mentor_id, request_id=request.id
                ):
                    log_event(logger, "evidence_withdrawn", request_id=request.id)
                return
            mentor_id, request_id, question = meeting.mentor_id, request.id, request.question
        self._learn(mentor_id, request_id, EvidenceKind.HELPED, question)

    def declined_as_off_topic(self, offer_id: int) -> None:
        with session_scope(self._engine) as session:
            offer = request_repo.get_offer(session, offer_id)
            request = request_repo.get_request(session, offer.request_id) if offer else None
            if offer is None or request is None or request.id is None:
                return
            mentor_id, request_id, question = offer.mentor_id, request.id, request.question
        self._learn(mentor_id, request_id, EvidenceKind.NOT_MY_TOPIC, question)

    def _learn(
        self, mentor_id: int, request_id: int, kind: EvidenceKind, question: str | None
    ) -> None:
        if not question:
            return  # purged by RETENTION_DAYS or erased: nothing may be derived from it
        self._matching.learn(
            mentor_id=mentor_id, request_id=request_id, kind=kind, question=question
        )
        self._matching.refresh()
        log_event(logger, "evidence_recorded", request_id=request_id, kind=kind.value)
