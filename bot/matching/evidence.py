"""What past outcomes say about each mentor, held in memory for matching.

A session the mentee rated 4 or 5 keeps its question's vector as evidence that the mentor helps
with questions like it; an offer declined as "not my topic" keeps it as evidence against.
At most KEEP_PER_KIND of each per mentor (the newest), each worth less as it ages (halved every
HALF_LIFE_DAYS). The database is the source of truth (`match_evidence`): this store is rebuilt
from it at start and reloaded per mentor with the roster's change log, so every process agrees.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from bot.storage.evidence import EvidenceRow
from bot.storage.models import EvidenceKind

KEEP_PER_KIND = 20
HALF_LIFE_DAYS = 180.0
_SECONDS_PER_DAY = 86_400.0

Matrix = NDArray[np.float32]


@dataclass
class _MentorEvidence:
    helped: Matrix
    helped_at: NDArray[np.float64]  # epoch seconds
    declined: Matrix
    declined_at: NDArray[np.float64]


@dataclass(frozen=True)
class EvidenceScores:
    """For one mentor and one question: the highest decayed cosine to a question they helped
    with, and to one they declined as not their topic (0: none)."""

    helped: float = 0.0
    declined: float = 0.0


NO_EVIDENCE = EvidenceScores()


class EvidenceStore:
    def __init__(self, dim: int, *, half_life_days: float = HALF_LIFE_DAYS) -> None:
        self._dim = dim
        self._half_life = half_life_days * _SECONDS_PER_DAY
        self._lock = threading.Lock()
        self._mentors: dict[int, _MentorEvidence] = {}
        # Every helped vector in one matrix, to find mentors whose past sessions are close to a
        # question even when their profile text is not (rebuilt lazily after changes).
        self._all: tuple[Matrix, NDArray[np.int64], NDArray[np.float64]] | None = None

    def __len__(self) -> int:
        """How many mentors have any evidence."""
        return len(self._mentors)

    def replace(self, mentor_ids: Iterable[int], rows: Iterable[EvidenceRow]) -> None:
        """Set the evidence of `mentor_ids` to `rows` (mentors without rows have none left)."""
        grouped: dict[int, list[EvidenceRow]] = {m: [] for m in mentor_ids}
        for row in rows:
            grouped.setdefault(row.mentor_id, []).append(row)
        built = {m: self._build(r) for m, r in grouped.items()}
        with self._lock:
            for mentor_id, evidence in built.items():
                if evidence is None:
                    self._mentors.pop(mentor_id, None)
                else:
                    self._mentors[mentor_id] = evidence
            self._all = None

    def scores(self, mentor_id: int, query: Matrix, now: datetime) -> EvidenceScores:
        evidence = self._mentors.get(mentor_id)
        if evidence is None:
            return NO_EVIDENCE
        at = now.timestamp()
        helped = (evidence.helped @ query) * self._decay(evidence.helped_at, at)
        declined = (evidence.declined @ query) * self._decay(evidence.declined_at, at)
        return EvidenceScores(
            float(helped.max()) if len(helped) else 0.0,
            float(declined.max()) if len(declined) else 0.0,
        )

    def mentors_near(self, query: Matrix, now: datetime, limit: int) -> list[int]:
        """Mentors whose helped questions are closest to `query`, closest first."""
        with self._lock:
            if self._all is None:
                self._all = self._stack()
            vectors, owners, times = self._all
        if not len(owners):
            return []
        scores = (vectors @ query) * self._decay(times, now.timestamp())
        order = np.argsort(scores)[::-1]
        near: list[int] = []
        for i in order:
            owner = int(owners[i])
            if owner not in near:
                near.append(owner)
                if len(near) == limit:
                    break
        return near

    def _decay(self, times: NDArray[np.float64], now: float) -> NDArray[np.float32]:
        ages = np.maximum(0.0, now - times)
        return np.power(0.5, ages / self._half_life).astype(np.float32)

    def _build(self, rows: list[EvidenceRow]) -> _MentorEvidence | None:
        if not rows:
            return None
        helped = [r for r in rows if r.kind is EvidenceKind.HELPED]
        declined = [r for r in rows if r.kind is EvidenceKind.NOT_MY_TOPIC]
        return _MentorEvidence(
            self._matrix(helped), _times(helped), self._matrix(declined), _times(declined)
        )

    def _matrix(self, rows: list[EvidenceRow]) -> Matrix:
        if not rows:
            return np.zeros((0, self._dim), np.float32)
        raw = np.frombuffer(b"".join(r.vector for r in rows), dtype=np.float16)
        return raw.reshape(-1, self._dim).astype(np.float32)

    def _stack(self) -> tuple[Matrix, NDArray[np.int64], NDArray[np.float64]]:
        items = [(m, e) for m, e in self._mentors.items() if len(e.helped)]
        if not items:
            return np.zeros((0, self._dim), np.float32), np.zeros(0, np.int64), np.zeros(0)
        vectors = np.vstack([e.helped for _, e in items])
        owners = np.concatenate([np.full(len(e.helped), m, np.int64) for m, e in items])
        times = np.concatenate([e.helped_at for _, e in items])
        return vectors, owners, times


def _times(rows: list[EvidenceRow]) -> NDArray[np.float64]:
    return np.array([r.created_at.timestamp() for r in rows], dtype=np.float64)
