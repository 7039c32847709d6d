"""MatchingService: keeps the FAISS index in step with the database and answers questions.

A little over ~400 lines: keeping the index in step (embed, load, apply changes) and searching
it share one lock and one version number, which is simplest to check in one class. SQL lives
in `bot/storage/embeddings.py`, scoring in `ranking.py`, availability rules in
`availability.py`."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.logging import log_event
from bot.matching import ranking
from bot.matching.availability import Availability, availability_of
from bot.matching.batching import BATCH_WAIT_SECONDS, QueryBatcher, SharedRun
from bot.matching.embedder import Embedder
from bot.matching.evidence import KEEP_PER_KIND, EvidenceStore
from bot.matching.index import MentorIndex
from bot.matching.phrases import PhraseStore
from bot.matching.profile import expertise_phrases, profile_text, text_hash
from bot.matching.ranking import (
    Candidate,
    Learning,
    RankedMentor,
    Ranking,
    language_bonus_for,
    learning_for,
    rank,
)
from bot.matching.snapshot import MAX_AGE as SNAPSHOT_MAX_AGE
from bot.matching.snapshot import IndexSnapshots, Marker
from bot.mentoring.questions import clean_question
from bot.storage import embeddings as embedding_repo
from bot.storage import evidence as evidence_repo
from bot.storage import mentors as mentor_repo
from bot.storage.db import session_scope
from bot.storage.models import EvidenceKind, MentorEmbedding, utcnow

logger = logging.getLogger(__name__)

EMBED_BATCH = 256
# Bump when expertise_phrases()/profile_text() change: stored vectors then no longer apply.
PHRASES_VERSION = "phrases-v1"
# FAISS ranks by whole-profile cosine; reranking a wide pool lets a precise phrase match win
# even when the rest of that profile is about something else.
CANDIDATE_POOL = 100
# Phrases describing a topic must score within this margin of the closest one.
TOPIC_MARGIN = 0.1
# When busy mentors fill the pool it grows 4x at a time, up to this many candidates.
MAX_POOL = 6400
QUERY_CACHE = 64
# A snapshot behind by more changes than this (or 5 % of the roster) is rewritten.
SNAPSHOT_REWRITE_CHANGES = 1000
# Mentors found through their past sessions rather than their profile, added to the pool.
LEARNED_POOL = 20
# A question's vector is derived from its words: kept only as long as one request's matching
# needs it (seconds), so no process holds it long after its author was erased.
QUERY_CACHE_SECONDS = 120.0

Progress = Callable[[int], None]


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
    revision: int
    text: str
    phrases: list[str]
    digest: str


class MatchingService:
    def __init__(
        self,
        *,
        engine: Engine,
        embedder: Embedder,
        exact_limit: int = 20_000,
        concurrency: int = 1,
        on_match: Callable[[float], None] | None = None,
        query_cache_seconds: float = QUERY_CACHE_SECONDS,
        language_bonus: float | None = None,
        learning: Learning | None = None,
        batch_wait: float = BATCH_WAIT_SECONDS,
        snapshots: IndexSnapshots | None = None,
    ) -> None:
        self._engine = engine
        self._language_bonus = (
            language_bonus_for(embedder.name) if language_bonus is None else language_bonus
        )
        self._embedder = embedder
        self._index = MentorIndex(embedder.dim, exact_limit=exact_limit)
        self._phrases = PhraseStore(embedder.dim)
        self._evidence = EvidenceStore(embedder.dim)
        self._learning = learning or learning_for(embedder.name)
        self._version = -1
        self._snapshots = snapshots
        # Roster changes applied since the snapshot on disk was read or written (None: this
        # process loaded from the database, so a snapshot is worth writing).
        self._changes_since_snapshot: int | None = None
        # Counts erasures (and phrases taken out of profiles) this process has applied: a
        # snapshot being written when one happens is deleted once written.
        self._disk_purges = 0
        self._saving = threading.Lock()  # one snapshot written at a time
        # When the snapshot this process read or wrote was written (monotonic clock).
        self._snapshot_written = time.monotonic()
        self._lock = threading.RLock()
        # Matching is CPU-bound and the process also has to acknowledge Slack within 3 s: let
        # one match run at a time so a burst queues here instead of starving the ack threads
        # of the GIL and the cores (measured: burst ack p99 1.6 s without, see README).
        self._slots = threading.BoundedSemaphore(concurrency)
        # Questions are embedded before taking a slot, so those waiting at the same moment
        # (queued behind a running embedding) are embedded together, in one model call.
        self._batcher = QueryBatcher(embedder.embed_queries, max_wait=batch_wait)
        # Questions arriving while a roster-version check runs share the next one (each still
        # sees every change committed before it was asked).
        self._refreshes = SharedRun(self.refresh)
        self._on_match = on_match  # receives each match's duration (metrics)
        # One question is embedded up to three times (match, "does anyone know it at all?",
        # the topic for leads): a few recent query vectors, keyed by a hash, not the text.
        self._queries: OrderedDict[bytes, tuple[float, NDArray[np.float32]]] = OrderedDict()
        self._queries_lock = threading.Lock()
        self._query_seconds = query_cache_seconds
        # A timer (one at a time) drops expired vectors even when no later question arrives
        # to push them out: "held at most QUERY_CACHE_SECONDS" must not depend on traffic.
        self._pruner: threading.Timer | None = None

    @property
    def model_key(self) -> str:
        """Cache key of stored vectors: the model and the way profiles are cut into phrases."""
        return f"{self._embedder.name}|{PHRASES_VERSION}"

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
        """Load every vector — from the snapshot when a usable one is on disk, else from the
        database after embedding new or changed profiles; returns how many were embedded."""
        started = time.perf_counter()
        with self._lock:
            from_snapshot = self._load_snapshot()
        if from_snapshot:
            embedded = self._catch_up()  # what changed since the snapshot was written
        else:
            with session_scope(self._engine) as session:
                version = mentor_repo.roster_version(session)
            embedded = self.sync_embeddings(progress=progress)
            with self._lock:
                self._load_all()
                self._version = version
                self._changes_since_snapshot = None
        log_event(
            logger,
            "index_loaded",
            mentors=len(self._index),
            kind=self._index.kind,
            embedded=embedded,
            model=self.model_key,
            source="snapshot" if from_snapshot else "database",
            seconds=round(time.perf_counter() - started, 3),
        )
        return embedded

    def save_snapshot(self) -> bool:
        """Write the loaded index to the snapshot directory, when snapshots are on, the roster
        is large enough to gain from one, and the one on disk is missing or far behind (a few
        changes are cheaper to apply at start than a rewrite). True when written.

        The lock (which matching takes too) is held only while the FAISS index is written to
        the page cache and a view of the phrase matrix is taken (~0.1 s at 100k mentors; no
        change rewrites its rows in place while the view is out); the phrases are written and
        everything is flushed to disk without it. An erasure seen meanwhile deletes what was
        just written."""
        snapshots = self._snapshots
        if snapshots is None:
            return False
        if len(self._index) < snapshots.min_mentors:
            self.discard_snapshot()  # the roster shrank: an old one would only go stale
            return False
        if not self._saving.acquire(blocking=False):
            return False  # another thread is writing one right now
        try:
            return self._write_snapshot(snapshots)
        finally:
            self._saving.release()

    def _write_snapshot(self, snapshots: IndexSnapshots) -> bool:
        started = time.perf_counter()
        self._catch_up()  # an erasure committed elsewhere must not be written to disk
        with self._lock:
            if not self._snapshot_due(snapshots):
                return False
            with session_scope(self._engine) as session:
                marker = self._marker(session, self._version)
            if marker is None:
                return False
            purges, store = self._disk_purges, self._phrases
            writer = snapshots.writer()
            try:
                writer.write_index(self._index)
                trained, phrases = self._index.trained_size, store.export()
            except BaseException:
                writer.abort()
                raise
        try:
            writer.finish(self.model_key, marker, trained, phrases)
        except FileNotFoundError:  # another process deleted the directory's files meanwhile
            writer.abort()
            log_event(logger, "index_snapshot_abandoned")
            return False
        except BaseException:
            writer.abort()
            raise
        finally:
            with self._lock:
                store.release_export()
        with self._lock:
            if self._disk_purges != purges:  # someone was erased while it was being written
                self.discard_snapshot()
                return False
            self._changes_since_snapshot = 0
            self._snapshot_written = time.monotonic()
        log_event(
            logger,
            "index_snapshot_written",
            mentors=len(phrases.mentor_ids),
            version=marker.version,
            seconds=round(time.perf_counter() - started, 3),
        )
        return True

    def _snapshot_due(self, snapshots: IndexSnapshots) -> bool:
        """None usable on disk, or this process's is far behind or half-way to its age limit."""
        behind = self._changes_since_snapshot
        if not snapshots.exists() or behind is None or behind > self._snapshot_slack():
            return True
        age = time.monotonic() - self._snapshot_written
        return age > SNAPSHOT_MAX_AGE.total_seconds() / 2

    def discard_snapshot(self) -> None:
        """Delete the snapshot on disk (a mentor was erased, or took a phrase out of their
        profile: it must not stay on disk). Never raises: the erasure itself must go on."""
        if self._snapshots is None:
            return
        try:
            if self._snapshots.discard():
                log_event(logger, "index_snapshot_discarded")
        except OSError as error:
            logger.error(
                "index_snapshot_not_deleted",
                extra={"directory": str(self._snapshots.directory), "error": type(error).__name__},
            )

    def _snapshot_slack(self) -> int:
        return max(SNAPSHOT_REWRITE_CHANGES, len(self._index) // 20)

    def _load_snapshot(self) -> bool:
        """Called with the lock held."""
        snapshots = self._snapshots
        if snapshots is None:
            return False
        claimed = snapshots.marker_version()
        if claimed is None:
            return False
        with session_scope(self._engine) as session:
            current = self._marker(session, claimed)
        loaded = snapshots.read(self.model_key, current, self._index)
        if loaded is None:
            return False
        manifest, self._phrases = loaded
        self._load_evidence(None)
        self._version = manifest.marker.version
        self._changes_since_snapshot = 0
        self._snapshot_written = time.monotonic() - manifest.age().total_seconds()
        return True

    @staticmethod
    def _marker(session: Session, version: int) -> Marker | None:
        found = mentor_repo.change_at(session, version)
        if found is None:
            return None
        mentor_id, changed_at = found
        return Marker(version, mentor_id, changed_at.isoformat())

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
        self._catch_up()

    def _catch_up(self) -> int:
        """`refresh`, returning how many profiles it embedded."""
        with session_scope(self._engine) as session:
            changed, version = mentor_repo.changed_since(session, self._version)
        if not changed:
            return 0
        with self._lock:
            embedded = self.sync_embeddings(sorted(changed))
            self._apply(changed)
            self._version = max(self._version, version)
            if self._changes_since_snapshot is not None:
                self._changes_since_snapshot += len(changed)
        log_event(logger, "index_refreshed", changed=len(changed), version=version)
        return embedded

    def match(
        self,
        question: str,
        *,
        mentee_slack_id: str | None = None,
        top_k: int = 3,
        exclude_mentor_ids: frozenset[int] = frozenset(),
        min_score: float = 0.0,
        available_only: bool = True,
        prefer_language: str | None = None,
    ) -> list[MatchResult]:
        """Best mentors for `question` scoring at least `min_score`, best first (may be empty).

        `available_only=False` ignores pauses and capacity: "does anyone know this at all?"
        `prefer_language`: mentors who mentor in it come first unless clearly less relevant
        (English prefers nobody: every mentor is assumed to manage it).
        """
        cleaned = clean_question(question)
        preferred = prefer_language if prefer_language != "en" else None
        started = time.perf_counter()
        # Before taking a slot: the questions waiting for one are embedded together, in one
        # model call, and share one roster check; only ranking runs one match at a time.
        query = self._query_vector(cleaned)
        self._refreshes()
        prepared = time.perf_counter() - started
        with self._slots:
            started = time.perf_counter()
            results = self._match(
                query,
                mentee_slack_id,
                top_k,
                exclude_mentor_ids,
                min_score,
                available_only,
                preferred,
            )
        if self._on_match is not None:  # the work, not the wait for a slot
            self._on_match(prepared + time.perf_counter() - started)
        return results

    def _match(
        self,
        query: NDArray[np.float32],
        mentee_slack_id: str | None,
        top_k: int,
        exclude_mentor_ids: frozenset[int],
        min_score: float,
        available_only: bool,
        prefer_language: str | None,
    ) -> list[MatchResult]:
        excluded = frozenset({mentee_slack_id}) if mentee_slack_id else frozenset()
        pool = max(CANDIDATE_POOL, top_k * 8 + len(exclude_mentor_ids))
        while True:
            ranking = self._rank(
                query,
                pool,
                top_k,
                excluded,
                exclude_mentor_ids,
                min_score,
                available_only,
                prefer_language,
            )
            done = len(ranking.mentors) >= top_k or not ranking.unavailable
            if done or pool >= min(len(self._index), MAX_POOL):
                break
            pool *= 4  # busy mentors filled the pool: look further down the list
        return self._describe(ranking.mentors)

    def topic_of(self, question: str, size: int = 3) -> tuple[str, ...]:
        """The roster's expertise phrases closest to `question`, whoever holds them."""
        ranked = self._closest_phrases(self._query_vector(clean_question(question)), size)
        return tuple(p for score, p in ranked if score >= ranked[0][0] - TOPIC_MARGIN)

    def closest_expertise(
        self, vector: NDArray[np.float32], *, min_score: float, size: int = 3
    ) -> tuple[str, ...]:
        """Roster phrases near `vector` (a topic's centre) that really are close to it: describes
        unmet demand to program leads in the roster's words, or says nobody is close."""
        ranked = self._closest_phrases(vector, size)
        if not ranked or ranked[0][0] < min_score:
            return ()
        return tuple(
            p for score, p in ranked if score >= max(min_score, ranked[0][0] - TOPIC_MARGIN)
        )

    def relevance(
        self, questions: Sequence[str], mentor_ids: Sequence[int]
    ) -> tuple[NDArray[np.float64], list[list[tuple[str, ...]]]]:
        """Every question against every given mentor: (scores, reasons), one row per question,
        scored and explained by the same `ranking` functions `match` uses (profile, phrases,
        what outcomes taught), with no availability, load or language adjustment: these
        mentors signed up for the occasion (a speed-mentoring event). One model call for all
        questions. InvalidQuestionError for an unusable question, KeyError for a mentor whose
        profile has no stored vectors."""
        queries = self._embedder.embed_queries([clean_question(q) for q in questions])
        self._refreshes()
        now = utcnow()
        scores = np.zeros((len(questions), len(mentor_ids)), dtype=np.float64)
        reasons: list[list[tuple[str, ...]]] = [[] for _ in questions]
        with self._lock:
            for j, mentor_id in enumerate(mentor_ids):
                if mentor_id not in self._phrases:
                    raise KeyError(f"mentor {mentor_id} has no stored vectors")
                phrases, vectors = self._phrases.get(mentor_id)
                phrase_scores = vectors.astype(np.float32) @ queries.T  # phrases x questions
                for i, query in enumerate(queries):
                    [(_, profile_score)] = self._index.scores_of([mentor_id], query)
                    evidence = self._evidence.scores(mentor_id, query, now)
                    candidate = Candidate(
                        mentor_id, profile_score, phrases, phrase_scores[:, i], evidence
                    )
                    scores[i, j] = ranking.relevance(candidate, self._learning)
                    reasons[i].append(ranking.reasons(candidate))
        return scores, reasons

    def embed_questions(self, questions: Sequence[str]) -> NDArray[np.float32]:
        """Vectors of stored questions, in one batch (never cached: see QUERY_CACHE_SECONDS)."""
        return self._embedder.embed_queries(list(questions))

    def question_vector(self, question: str) -> NDArray[np.float32]:
        return self._query_vector(clean_question(question))

    def _closest_phrases(self, query: NDArray[np.float32], size: int) -> list[tuple[float, str]]:
        best: dict[str, tuple[float, str]] = {}
        with self._lock:
            # Only the roster's words count here, not what outcomes taught about anyone.
            scored = [self._phrase_scores(m, query) for m, _ in self._index.search(query, 20)]
        for phrases, scores in scored:
            for phrase, score in zip(phrases, scores.tolist(), strict=True):
                key = phrase.casefold()
                if key not in best or score > best[key][0]:
                    best[key] = (score, phrase)
        return sorted(best.values(), reverse=True)[:size]

    # -- internals -------------------------------------------------------------------------

    def forget_cached_queries(self) -> None:
        """Drop every cached question vector (a person's data is being erased)."""
        with self._queries_lock:
            self._queries.clear()

    @property
    def cached_queries(self) -> int:
        """How many question vectors this process holds right now."""
        with self._queries_lock:
            return len(self._queries)

    def _prune_queries(self) -> None:
        now = time.monotonic()
        with self._queries_lock:
            self._pruner = None
            # (A hit moves an entry to the end without renewing its time: check every entry.)
            for key in [k for k, (t, _) in self._queries.items() if now - t > self._query_seconds]:
                del self._queries[key]
            if self._queries:
                oldest = min(t for t, _ in self._queries.values())
                self._start_pruner(max(0.0, oldest + self._query_seconds - now) + 0.01)

    def _start_pruner(self, delay: float) -> None:
        """Called with the cache lock held."""
        if self._pruner is None:
            self._pruner = threading.Timer(delay, self._prune_queries)
            self._pruner.daemon = True
            self._pruner.start()

    def _query_vector(self, cleaned: str) -> NDArray[np.float32]:
        key = hashlib.sha256(cleaned.encode()).digest()
        now = time.monotonic()
        with self._queries_lock:
            cached = self._queries.get(key)
            if cached is not None and now - cached[0] <= self._query_seconds:
                self._queries.move_to_end(key)
                return cached[1]
        # Embedded together with any other question waiting at this moment (one model call).
        vector = self._batcher.embed(cleaned)
        with self._queries_lock:
            self._queries[key] = (now, vector)
            self._queries.move_to_end(key)
            while len(self._queries) > QUERY_CACHE:
                self._queries.popitem(last=False)
            self._start_pruner(self._query_seconds + 0.01)
        return vector

    def _rank(
        self,
        query: NDArray[np.float32],
        pool: int,
        top_k: int,
        exclude_slack_ids: frozenset[str],
        exclude_mentor_ids: frozenset[int],
        min_score: float,
        available_only: bool,
        prefer_language: str | None,
    ) -> Ranking:
        now = utcnow()
        with self._lock:
            hits = self._index.search(query, pool)
            hits += self._learned_candidates(query, now, {mentor_id for mentor_id, _ in hits})
            candidates = [self._candidate(m, score, query, now) for m, score in hits]

        def lookup(mentor_ids: list[int]) -> dict[int, Availability]:
            with session_scope(self._engine) as session:
                return availability_of(session, mentor_ids, now)

        return rank(
            candidates,
            lookup,
            now=now,
            top_k=top_k,
            min_score=min_score,
            available_only=available_only,
            exclude_slack_ids=exclude_slack_ids,
            exclude_mentor_ids=exclude_mentor_ids,
            prefer_language=prefer_language,
            language_bonus=self._language_bonus,
            learning=self._learning,
        )

    def _learned_candidates(
        self, query: NDArray[np.float32], now: datetime, found: set[int]
    ) -> list[tuple[int, float]]:
        """Mentors outside the pool whose past sessions are close to the question: what they
        learned to help with may not be in their profile's words."""
        near = self._evidence.mentors_near(query, now, LEARNED_POOL)
        return self._index.scores_of([m for m in near if m not in found], query)

    def _candidate(
        self, mentor_id: int, score: float, query: NDArray[np.float32], now: datetime
    ) -> Candidate:
        phrases, phrase_scores = self._phrase_scores(mentor_id, query)
        evidence = self._evidence.scores(mentor_id, query, now)
        return Candidate(mentor_id, score, phrases, phrase_scores, evidence)

    def _phrase_scores(
        self, mentor_id: int, query: NDArray[np.float32]
    ) -> tuple[list[str], NDArray[np.float32]]:
        phrases, vectors = self._phrases.get(mentor_id)
        return phrases, vectors.astype(np.float32) @ query

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
        """Profiles to embed; those whose embedded text did not actually change (only another
        field of the profile did) are just re-stamped, not re-embedded."""
        with session_scope(self._engine) as session:
            rows = embedding_repo.stale_profiles(session, self.model_key, mentor_ids)
        stale, unchanged = [], {}
        for row in rows:
            phrases = expertise_phrases(row.expertise, row.skills, row.help_questions)
            text = profile_text(row.title, row.expertise, row.skills)
            digest = text_hash(text, phrases)
            if digest == row.known_hash:
                unchanged[row.mentor_id] = row.revision
            else:
                stale.append(_Profile(row.mentor_id, row.revision, text, phrases, digest))
        if unchanged:
            with session_scope(self._engine) as session:
                embedding_repo.restamp(session, self.model_key, unchanged)
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
                    model=self.model_key,
                    text_hash=p.digest,
                    source_revision=p.revision,
                    dim=self._embedder.dim,
                    phrase_count=len(p.phrases),
                    profile_vector=vectors[i].astype(np.float32).tobytes(),
                    phrases=p.phrases,
                    phrase_vectors=phrase_vectors.astype(np.float16).tobytes(),
                )
            )
        try:
            with session_scope(self._engine) as session:
                embedding_repo.save(session, rows)
        except IntegrityError:
            # Another process embedded (or removed) the same mentor at the same moment; its
            # vectors are for the same text, so ours can be dropped. Retry one by one.
            for row in rows:
                try:
                    with session_scope(self._engine) as session:
                        embedding_repo.save(session, [row])
                except IntegrityError:
                    continue

    def _load_all(self) -> None:
        with session_scope(self._engine) as session:
            count, phrase_total = embedding_repo.totals(session, self.model_key)
        ids = np.zeros(count, dtype=np.int64)
        vectors = np.zeros((count, self._embedder.dim), dtype=np.float32)
        phrases = PhraseStore(self._embedder.dim, capacity=int(phrase_total))
        loaded = 0
        for chunk in self._stream_vectors(None):
            # Rows added after the count are left for the next refresh.
            rows = chunk[: count - loaded]
            end = loaded + len(rows)
            ids[loaded:end] = [r[0] for r in rows]
            vectors[loaded:end] = np.frombuffer(b"".join(r[1] for r in rows), np.float32).reshape(
                -1, self._embedder.dim
            )
            phrases.put_many(
                [r[0] for r in rows],
                [r[2] for r in rows],
                [r[4] for r in rows],
                self._phrase_matrix(b"".join(r[3] for r in rows)),
            )
            loaded = end
        self._index.rebuild(ids[:loaded], vectors[:loaded])
        self._phrases = phrases
        self._load_evidence(None)

    def _apply(self, changed: set[int]) -> None:
        present: set[int] = set()
        ids, vectors = [], []
        dropped_phrases = False
        # Only a snapshot on disk (or being written) makes a phrase taken out matter here.
        watched = self._snapshots is not None and (
            self._snapshots.exists() or self._saving.locked()
        )
        for chunk in self._stream_vectors(changed):
            for mentor_id, profile_vector, texts, phrase_vectors, _ in chunk:
                present.add(mentor_id)
                ids.append(mentor_id)
                vectors.append(np.frombuffer(profile_vector, dtype=np.float32))
                dropped_phrases |= watched and self._drops_phrases(mentor_id, texts)
                matrix = self._phrase_matrix(phrase_vectors)
                self._phrases.put_many([mentor_id], [texts], [len(matrix)], matrix)
        gone = sorted(changed - present)
        for mentor_id in gone:
            self._phrases.remove(mentor_id)
        self._load_evidence(changed)
        self._index.remove(np.array(gone, dtype=np.int64))
        if ids:
            self._index.upsert(np.array(ids, dtype=np.int64), np.vstack(vectors))
        if gone or dropped_phrases:  # what is gone from memory must go from disk too
            self._disk_purges += 1
            self.discard_snapshot()

    def _drops_phrases(self, mentor_id: int, texts: str | list[str]) -> bool:
        """Whether the new phrases of a mentor leave out one they had."""
        if mentor_id not in self._phrases:
            return False
        new = json.loads(texts) if isinstance(texts, str) else texts
        return bool(set(self._phrases.get(mentor_id)[0]) - set(new))

    def _load_evidence(self, mentor_ids: set[int] | None) -> None:
        """What outcomes taught about these mentors (default: everyone), from the database."""
        wanted = None if mentor_ids is None else sorted(mentor_ids)
        with session_scope(self._engine) as session:
            rows = list(evidence_repo.stream(session, self.model_key, wanted))
        if wanted is None:
            self._evidence = EvidenceStore(self._embedder.dim)
        self._evidence.replace(wanted or (), rows)

    def learn(self, *, mentor_id: int, request_id: int, kind: EvidenceKind, question: str) -> None:
        """Keep `question`'s vector (never its text) as evidence about `mentor_id`; every
        process, this one included, picks it up at its next refresh."""
        vector = self._embedder.embed_queries([clean_question(question)])[0]
        with session_scope(self._engine) as session:
            evidence_repo.record(
                session,
                mentor_id=mentor_id,
                request_id=request_id,
                kind=kind,
                model=self.model_key,
                vector=vector.astype(np.float16).tobytes(),
                keep=KEEP_PER_KIND,
            )

    def _phrase_matrix(self, raw: bytes) -> NDArray[np.float16]:
        return np.frombuffer(raw, dtype=np.float16).reshape(-1, self._embedder.dim)

    def _stream_vectors(self, mentor_ids: set[int] | None) -> Iterator[Sequence[Any]]:
        with Session(self._engine) as session:
            yield from embedding_repo.stream_vectors(session, self.model_key, mentor_ids)
