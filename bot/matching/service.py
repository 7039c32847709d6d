"""MatchingService: keeps the FAISS index in step with the database and answers questions."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa
from numpy.typing import NDArray
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from bot.errors import InvalidQuestionError
from bot.logging import log_event
from bot.matching.embedder import Embedder
from bot.matching.index import MentorIndex
from bot.matching.profile import expertise_phrases, profile_text, text_hash
from bot.matching.ranking import Candidate, RankedMentor, rank
from bot.storage import mentors as mentor_repo
from bot.storage.db import session_scope
from bot.storage.models import Mentor, MentorEmbedding, utcnow

logger = logging.getLogger(__name__)

MIN_QUESTION_CHARS = 3
MAX_QUESTION_CHARS = 3000
EMBED_BATCH = 256
# FAISS ranks by whole-profile cosine; reranking a wide pool lets a precise phrase match win
# even when the rest of that profile is about something else.
CANDIDATE_POOL = 200

Progress = Callable[[int], None]


def clean_question(text: str | None) -> str:
    """The question with whitespace folded, or InvalidQuestionError with a friendly reason."""
    question = " ".join((text or "").split())
    if not question:
        raise InvalidQuestionError(
            "Please write your question, e.g. `/mentor how do I run a postmortem?`"
        )
    if sum(ch.isalnum() for ch in question) < MIN_QUESTION_CHARS:
        raise InvalidQuestionError(
            "That question is too short to match. Add a few words about what you need help with."
        )
    if len(question) > MAX_QUESTION_CHARS:
        raise InvalidQuestionError(
            f"That question is {len(question)} characters long; please keep it under "
            f"{MAX_QUESTION_CHARS} and put the essentials first."
        )
    return question


@dataclass(frozen=True)
class MatchResult:
    mentor_id: int
    slack_id: str
    name: str
    title: str
    score: float
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "slack_id": self.slack_id,
            "name": self.name,
            "title": self.title,
            "score": self.score,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class _Profile:
    mentor_id: int
    text: str
    phrases: list[str]
    digest: str


class MatchingService:
    def __init__(self, *, engine: Engine, embedder: Embedder, exact_limit: int = 20_000) -> None:
        self._engine = engine
        self._embedder = embedder
        self._index = MentorIndex(embedder.dim, exact_limit=exact_limit)
        self._phrases: dict[int, tuple[list[str], NDArray[np.float16]]] = {}
        self._version = -1
        self._lock = threading.RLock()

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    @property
    def index(self) -> MentorIndex:
        return self._index

    @property
    def version(self) -> int:
        return self._version

    @property
    def ready(self) -> bool:
        return self._version >= 0

    def start(self, progress: Progress | None = None) -> int:
        """Embed new or changed profiles, then load every vector; returns how many were embedded."""
        started = time.perf_counter()
        with session_scope(self._engine) as session:
            version = mentor_repo.roster_version(session)
        embedded = self.sync_embeddings(progress=progress)
        with self._lock:
            self._load_all()
            self._version = version
        log_event(
            logger,
            "index_loaded",
            mentors=len(self._index),
            kind=self._index.kind,
            embedded=embedded,
            model=self._embedder.name,
            seconds=round(time.perf_counter() - started, 3),
        )
        return embedded

    def sync_embeddings(
        self, mentor_ids: Sequence[int] | None = None, progress: Progress | None = None
    ) -> int:
        """Embed the given mentors (default: all) whose cached vectors are missing or stale."""
        stale = self._stale_profiles(mentor_ids)
        for start in range(0, len(stale), EMBED_BATCH):
            batch = stale[start : start + EMBED_BATCH]
            self._embed_and_store(batch)
            if progress:
                progress(len(batch))
        return len(stale)

    def refresh(self) -> None:
        """Apply roster changes made by any process since this one last looked."""
        with session_scope(self._engine) as session:
            changed, version = mentor_repo.changed_since(session, self._version)
        if not changed:
            return
        with self._lock:
            self.sync_embeddings(sorted(changed))
            self._apply(changed)
            self._version = max(self._version, version)
        log_event(logger, "index_refreshed", changed=len(changed), version=version)

    def match(
        self,
        question: str,
        *,
        mentee_slack_id: str | None = None,
        top_k: int = 3,
        exclude_mentor_ids: frozenset[int] = frozenset(),
    ) -> list[MatchResult]:
        """Best available mentors for `question`, best first (may be empty)."""
        cleaned = clean_question(question)
        self.refresh()
        query = self._embedder.embed([cleaned])[0]
        excluded = frozenset({mentee_slack_id}) if mentee_slack_id else frozenset()
        pool = max(CANDIDATE_POOL, top_k * 8 + len(exclude_mentor_ids))
        while True:
            ranked = self._rank(query, pool, top_k, excluded, exclude_mentor_ids)
            if len(ranked) >= top_k or pool >= len(self._index):
                break
            pool *= 4  # filters removed too many: look further down the list
        return self._describe(ranked)

    # -- internals -------------------------------------------------------------------------

    def _rank(
        self,
        query: NDArray[np.float32],
        pool: int,
        top_k: int,
        exclude_slack_ids: frozenset[str],
        exclude_mentor_ids: frozenset[int],
    ) -> list[RankedMentor]:
        with self._lock:
            hits = self._index.search(query, pool)
            candidates = [self._candidate(mentor_id, score, query) for mentor_id, score in hits]
        with session_scope(self._engine) as session:
            avail = mentor_repo.availability(session, [c.mentor_id for c in candidates], utcnow())
        return rank(
            candidates,
            avail,
            now=utcnow(),
            top_k=top_k,
            exclude_slack_ids=exclude_slack_ids,
            exclude_mentor_ids=exclude_mentor_ids,
        )

    def _candidate(self, mentor_id: int, score: float, query: NDArray[np.float32]) -> Candidate:
        phrases, vectors = self._phrases.get(
            mentor_id, ([], np.zeros((0, query.shape[0]), np.float16))
        )
        phrase_scores = vectors.astype(np.float32) @ query
        return Candidate(mentor_id, score, phrases, phrase_scores)

    def _describe(self, ranked: list[RankedMentor]) -> list[MatchResult]:
        with session_scope(self._engine) as session:
            mentors = mentor_repo.get_many(session, [r.mentor_id for r in ranked])
        return [
            MatchResult(
                r.mentor_id,
                r.slack_id,
                mentors[r.mentor_id].name if r.mentor_id in mentors else "",
                mentors[r.mentor_id].title if r.mentor_id in mentors else "",
                r.score,
                r.reasons,
            )
            for r in ranked
        ]

    def _stale_profiles(self, mentor_ids: Sequence[int] | None) -> list[_Profile]:
        query = sa.select(
            col(Mentor.id), col(Mentor.title), col(Mentor.expertise), col(Mentor.skills)
        )
        hash_query = sa.select(
            col(MentorEmbedding.mentor_id), col(MentorEmbedding.text_hash)
        ).where(col(MentorEmbedding.model) == self._embedder.name)
        if mentor_ids is not None:
            query = query.where(col(Mentor.id).in_(list(mentor_ids)))
            hash_query = hash_query.where(col(MentorEmbedding.mentor_id).in_(list(mentor_ids)))
        with Session(self._engine) as session:
            rows = session.execute(query).all()
            known = dict(session.execute(hash_query).all())
        stale = []
        for mentor_id, title, expertise, skills in rows:
            phrases = expertise_phrases(expertise, skills or [])
            text = profile_text(title, expertise, skills or [])
            digest = text_hash(text, phrases)
            if known.get(mentor_id) != digest:
                stale.append(_Profile(mentor_id, text, phrases, digest))
        return stale

    def _embed_and_store(self, profiles: list[_Profile]) -> None:
        texts = [p.text for p in profiles]
        for p in profiles:
            texts.extend(p.phrases)
        vectors = self._embedder.embed(texts)
        offset = len(profiles)
        rows = []
        for i, p in enumerate(profiles):
            phrase_vectors = vectors[offset : offset + len(p.phrases)]
            offset += len(p.phrases)
            rows.append(
                MentorEmbedding(
                    mentor_id=p.mentor_id,
                    model=self._embedder.name,
                    text_hash=p.digest,
                    dim=self._embedder.dim,
                    profile_vector=vectors[i].astype(np.float32).tobytes(),
                    phrases=p.phrases,
                    phrase_vectors=phrase_vectors.astype(np.float16).tobytes(),
                )
            )
        try:
            with session_scope(self._engine) as session:
                for row in rows:
                    mentor_repo.save_embedding(session, row)
        except IntegrityError:
            # Another process embedded (or removed) the same mentor at the same moment; its
            # vectors are for the same text, so ours can be dropped. Retry one by one.
            for row in rows:
                try:
                    with session_scope(self._engine) as session:
                        mentor_repo.save_embedding(session, row)
                except IntegrityError:
                    continue

    def _load_all(self) -> None:
        ids, vectors, phrases = self._read_vectors(None)
        self._index.rebuild(ids, vectors)
        self._phrases = phrases

    def _apply(self, changed: set[int]) -> None:
        ids, vectors, phrases = self._read_vectors(changed)
        present = set(ids.tolist())
        gone = np.array(sorted(changed - present), dtype=np.int64)
        self._index.remove(gone)
        for mentor_id in gone.tolist():
            self._phrases.pop(mentor_id, None)
        self._index.upsert(ids, vectors)
        self._phrases.update(phrases)

    def _read_vectors(
        self, mentor_ids: set[int] | None
    ) -> tuple[
        NDArray[np.int64], NDArray[np.float32], dict[int, tuple[list[str], NDArray[np.float16]]]
    ]:
        dim = self._embedder.dim
        query = (
            sa.select(
                col(MentorEmbedding.mentor_id),
                col(MentorEmbedding.profile_vector),
                col(MentorEmbedding.phrases),
                col(MentorEmbedding.phrase_vectors),
            )
            .join(Mentor, col(Mentor.id) == col(MentorEmbedding.mentor_id))
            .where(col(MentorEmbedding.model) == self._embedder.name)
        )
        if mentor_ids is not None:
            query = query.where(col(MentorEmbedding.mentor_id).in_(sorted(mentor_ids)))
        with Session(self._engine) as session:
            rows = session.execute(query).all()
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        vectors = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(-1, dim)
        phrases = {
            r[0]: (list(r[2]), np.frombuffer(r[3], dtype=np.float16).reshape(-1, dim)) for r in rows
        }
        return ids, vectors, phrases
