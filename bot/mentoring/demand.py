"""Unmet demand as program leads may see it: a topic, once enough *different people* asked.

One person's unmet question, even asked five times, is never reported on its own: its topic plus
the moment of the alert could single them out. Leads hear of a topic when at least
`MIN_PEOPLE` different mentees found no mentor for similar questions within `WINDOW`, once:
requests already reported are never reported again. Program leads' own requests never count
(nor appear among the alert's request ids): a lead, or two, could otherwise make up the
numbers with probe questions and read the third person's topic off the alert.

Questions are grouped by the similarity of their own vectors, not by the roster phrase nearest
each: for a topic nobody on the roster covers, that nearest phrase is arbitrary ("style guides"
for knitting), and three people asking about knitting would never be grouped.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.engine import Engine

from bot.digest.topics import Asked, shared_terms
from bot.logging import log_event
from bot.matching.service import MatchingService
from bot.mentoring.ports import Notifier, RequestView, Unmatched, UnmetDemand
from bot.storage import requests as request_repo
from bot.storage.db import session_scope
from bot.storage.models import utcnow

logger = logging.getLogger(__name__)

MIN_PEOPLE = 3
WINDOW = timedelta(weeks=4)
# Cosine of two questions on one topic. Measured with all-MiniLM-L6-v2 on 16 questions of four
# topics: same-topic pairs median 0.29, pairs of different topics never above 0.19.
SIMILAR = 0.3
# Unmatched requests looked at when one more goes unmet (newest first): bounds the embedding.
RECENT = 200


@dataclass(frozen=True)
class UnmetRow:
    request_id: int
    mentee_slack_id: str
    question: str
    reason: str | None
    reported: bool


def same_topic(
    vector: NDArray[np.float32], rows: Sequence[UnmetRow], vectors: NDArray[np.float32]
) -> list[UnmetRow]:
    """The rows on the same topic as `vector`: linked to it through questions at least SIMILAR
    to each other (paraphrases of one topic are not all close to each other, measured: the
    salary questions' pairs range 0.21-0.47)."""
    similar = (vectors @ vectors.T) >= SIMILAR
    reached = (vectors @ vector) >= SIMILAR
    frontier = reached.copy()
    while frontier.any():
        frontier = similar[frontier].any(axis=0) & ~reached
        reached |= frontier
    return [row for row, keep in zip(rows, reached.tolist(), strict=True) if keep]


def people(rows: Sequence[UnmetRow]) -> int:
    return len({row.mentee_slack_id for row in rows})


def reasons(rows: Sequence[UnmetRow]) -> dict[Unmatched, int]:
    return dict(Counter(_reason(row.reason) for row in rows))


def centre(vectors: NDArray[np.float32]) -> NDArray[np.float32]:
    """The normalised mean of a topic's question vectors."""
    mean: NDArray[np.float32] = vectors.mean(axis=0).astype(np.float32)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm else mean


def _reason(value: str | None) -> Unmatched:
    try:
        return Unmatched(value or Unmatched.NO_EXPERT.value)
    except ValueError:
        return Unmatched.NO_EXPERT


class DemandReporter:
    """Reports unmet demand to program leads, by topic, once enough people are behind it."""

    def __init__(
        self,
        *,
        engine: Engine,
        matching: MatchingService,
        notifier: Notifier,
        min_score: float,
        program_leads: frozenset[str] = frozenset(),
    ) -> None:
        self._engine = engine
        self._leads = program_leads
        self._matching = matching
        self._notifier = notifier
        self._min_score = min_score

    def report(self, view: RequestView) -> None:
        """Tell the leads once enough different people found no mentor on this topic."""
        if view.mentee_slack_id in self._leads:
            return
        now = utcnow()
        with session_scope(self._engine) as session:
            rows = [
                UnmetRow(
                    r.id, r.mentee_slack_id, r.question, r.unmet_reason, bool(r.unmet_reported_at)
                )
                for r in request_repo.unmatched_since(session, now - WINDOW, RECENT)
                if r.id is not None and r.question and r.mentee_slack_id not in self._leads
            ]
        if people(rows) < MIN_PEOPLE:
            return  # too few people in all: nothing to embed
        vectors = self._matching.embed_questions([r.question for r in rows])
        mine = self._matching.question_vector(view.question)
        topic = same_topic(mine, rows, vectors)
        if people(topic) < MIN_PEOPLE:
            return
        if any(row.reported for row in topic):
            # The leads already know this topic: this request joins it without a new DM.
            with session_scope(self._engine) as session:
                request_repo.claim_unmet_report(session, [view.request_id], now)
            return
        grouped = {row.request_id for row in topic}
        found = UnmetDemand(
            terms=tuple(shared_terms([Asked(r.question, r.mentee_slack_id) for r in topic])),
            expertise=self._matching.closest_expertise(
                centre(vectors[[r.request_id in grouped for r in rows]]),
                min_score=self._min_score,
            ),
            people=people(topic),
            request_ids=tuple(sorted(grouped)),
            reasons=reasons(topic),
        )
        with session_scope(self._engine) as session:
            if not request_repo.claim_unmet_report(session, found.request_ids, now):
                return  # another process reported this topic at the same moment
            # Sent inside the claim's transaction: if Slack fails, the claim rolls back and
            # the next unmet request on the topic tries again.
            self._notifier.alert_leads_unmet(found)
        log_event(logger, "unmet_demand_reported", people=found.people)
