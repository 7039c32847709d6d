"""Match quality, English and other languages, for the packaged models side by side.

Run: `make bench-quality` (or `python -m bench.match_quality`). Prints hit@1, hit@3 and MRR of
mentor-bot's ranker (end to end through `MatchingService.match`) for:

* English: bench/questions.csv over examples/mentors.csv (also BM25 and whole-profile cosine);
* each other language: bench/multilingual/questions_<lang>.csv over examples/mentors.csv plus
  every bench/multilingual/profiles_*.csv (profiles written in those languages);
* the frozen set: bench/frozen/ (its own roster). Report only: nothing is ever tuned on it.

Models: MODELS=minilm,int8,e5,use (default: minilm,e5); EMBEDDING_MODEL=<path> adds a
sentence-transformers model. Combinations (bench only, not selectable in the bot): "minilm|use"
scores a question detected as English with MiniLM and any other with USE; "minilm|e5+use" scores
other languages with 0.8 x E5 + 0.2 x USE (see `RoutedEmbedder`). SHOW_MISSES=1 lists each
model's misses.
"""

from __future__ import annotations

import csv
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.common import (
    MENTORS_CSV,
    QUESTIONS_CSV,
    ROOT,
    labelled_questions,
    temp_sqlite_engine,
)
from bot.config import (
    PACKAGED_E5_MODEL,
    PACKAGED_INT8_MODEL,
    PACKAGED_MODEL,
    PACKAGED_USE_MODEL,
    Settings,
)
from bot.matching.embedder import Embedder, build_embedder
from bot.matching.profile import profile_text
from bot.matching.service import MatchingService
from bot.mentoring.language import question_language
from bot.roster import import_mentors, read_mentor_csv

MULTILINGUAL = ROOT / "bench" / "multilingual"
FROZEN = ROOT / "bench" / "frozen"
# In README order; a language whose file is missing is reported as such, not as a failure.
LANGUAGES = ("pl", "it", "id", "es", "de", "fr")
MODELS = {
    "minilm": PACKAGED_MODEL,
    "int8": PACKAGED_INT8_MODEL,
    "e5": PACKAGED_E5_MODEL,
    "use": PACKAGED_USE_MODEL,
}
TARGET_HIT1 = 0.85
# label: (base models, query weights per detected language: "en", "other" (incl. undetected)),
# language bonus on the combined scale (chosen on the own sets, as the single models' are).
COMBOS: dict[str, tuple[tuple[str, ...], dict[str, tuple[float, ...]], float]] = {
    "minilm|use": ((PACKAGED_MODEL, PACKAGED_USE_MODEL), {"en": (1, 0), "other": (0, 1)}, 0.05),
    "minilm|e5+use": (
        (PACKAGED_MODEL, PACKAGED_E5_MODEL, PACKAGED_USE_MODEL),
        {"en": (1, 0, 0), "other": (0, 0.8, 0.2)},
        0.005,
    ),
}


class RoutedEmbedder:
    """Several models side by side, the question's detected language choosing their weights.

    Profiles and phrases get every model's vector, concatenated and scaled by 1/sqrt(n) (unit
    length); a question gets sqrt(n) x [w_1 q_1, ..., w_n q_n], so its dot product with a
    profile is sum_i w_i cos_i: with weights (1, 0) exactly the first model's cosine, which
    FAISS and the phrase store compute unchanged. Storage grows to the sum of the dimensions.
    """

    def __init__(
        self, label: str, models: Sequence[Embedder], weights: Mapping[str, Sequence[float]]
    ) -> None:
        self._label = label
        self._models = list(models)
        self._weights = weights
        self._dim = sum(m.dim for m in self._models)

    @property
    def name(self) -> str:
        return f"routed:{self._label}"

    @property
    def dim(self) -> int:
        return self._dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        parts = [m.embed(texts) for m in self._models]
        return np.hstack(parts) / np.float32(np.sqrt(len(parts)))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        parts = [m.embed_queries(texts) for m in self._models]
        scale = np.sqrt(len(parts))
        rows = []
        for i, text in enumerate(texts):
            weights = self._weights["en" if question_language(text) == "en" else "other"]
            rows.append(
                np.concatenate([scale * w * p[i] for w, p in zip(weights, parts, strict=True)])
            )
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self._dim)


@dataclass(frozen=True)
class QuestionSet:
    name: str
    roster: tuple[Path, ...]
    questions: list[tuple[str, set[str]]]


def metrics(rankings: list[list[str]], expected: list[set[str]]) -> tuple[float, float, float]:
    hit1 = hit3 = rr = 0.0
    for ranked, gold in zip(rankings, expected, strict=True):
        positions = [i for i, slack_id in enumerate(ranked) if slack_id in gold]
        first = positions[0] if positions else None
        hit1 += first == 0
        hit3 += first is not None and first < 3
        rr += 1 / (first + 1) if first is not None else 0
    n = len(expected)
    return hit1 / n, hit3 / n, rr / n


def multilingual_profiles() -> tuple[Path, ...]:
    return tuple(sorted(MULTILINGUAL.glob("profiles_*.csv")))


def question_sets() -> tuple[list[QuestionSet], list[str]]:
    """Every set whose files exist, and a note for each that does not (yet)."""
    extended = (MENTORS_CSV, *multilingual_profiles())
    sets = [QuestionSet("en", (MENTORS_CSV,), labelled_questions(QUESTIONS_CSV))]
    missing = []
    for lang in LANGUAGES:
        path = MULTILINGUAL / f"questions_{lang}.csv"
        if path.exists():
            sets.append(QuestionSet(lang, extended, labelled_questions(path)))
        else:
            missing.append(f"{lang}: {path.relative_to(ROOT)} not found")
    # English again over the extended roster: other languages' profiles must not pull it off.
    sets.append(QuestionSet("en+ml", extended, labelled_questions(QUESTIONS_CSV)))
    if (FROZEN / "questions.csv").exists():
        sets.append(
            QuestionSet(
                "frozen", (FROZEN / "roster.csv",), labelled_questions(FROZEN / "questions.csv")
            )
        )
    ids = {set_.name: _roster_ids(set_.roster) for set_ in sets}
    for set_ in sets:
        unknown = {g for _, gold in set_.questions for g in gold} - ids[set_.name]
        if unknown:
            raise SystemExit(f"{set_.name}: expected mentors not in the roster: {sorted(unknown)}")
    return sets, missing


def _roster_ids(paths: Sequence[Path]) -> set[str]:
    ids: set[str] = set()
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            ids |= {row["slack_id"] for row in csv.DictReader(handle)}
    return ids


def matching_service(
    embedder: Embedder, roster: Sequence[Path], language_bonus: float | None = None
) -> MatchingService:
    engine = temp_sqlite_engine()
    rows = [row for path in roster for row in read_mentor_csv(path)]
    report = import_mentors(engine, rows)
    if report.created != len(rows):
        raise SystemExit(f"roster import: {report}")
    service = MatchingService(engine=engine, embedder=embedder, language_bonus=language_bonus)
    service.start()
    return service


def roster_texts(paths: Sequence[Path]) -> tuple[list[str], list[str]]:
    rows = [row for path in paths for row in csv.DictReader(path.open(encoding="utf-8"))]
    ids = [r["slack_id"] for r in rows]
    texts = [
        profile_text(
            r["title"], r["expertise"], [s.strip() for s in r["skills"].split(",") if s.strip()]
        )
        for r in rows
    ]
    return ids, texts


def bm25_rankings(questions: list[str], ids: list[str], texts: list[str]) -> list[list[str]]:
    import bm25s

    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)
    tokens = bm25s.tokenize(questions, stopwords="en", show_progress=False)
    docs, _ = retriever.retrieve(tokens, k=len(ids), show_progress=False)
    return [[ids[int(d)] for d in row] for row in docs]


def cosine_rankings(vectors: np.ndarray, ids: list[str], profiles: np.ndarray) -> list[list[str]]:
    scores = vectors @ profiles.T
    return [[ids[i] for i in np.argsort(-row)] for row in scores]


@dataclass
class Outcome:
    rankings: list[list[str]]
    top_scores: list[float]  # the best mentor's relevance, per question
    seconds_per_question: float


def run_ranker(service: MatchingService, questions: list[str]) -> Outcome:
    """As the bot ranks: each question prefers mentors of its detected language (unless
    NO_LANGUAGE_PREFERENCE=1, to see what the preference changes)."""
    prefer = not os.environ.get("NO_LANGUAGE_PREFERENCE")
    started = time.perf_counter()
    results = [
        service.match(q, top_k=10, prefer_language=question_language(q) if prefer else None)
        for q in questions
    ]
    seconds = (time.perf_counter() - started) / len(questions)
    return Outcome(
        [[r.slack_id for r in rs] for rs in results],
        [rs[0].score if rs else 0.0 for rs in results],
        seconds,
    )


def evaluate_model(
    label: str, embedder: Embedder, sets: list[QuestionSet], language_bonus: float | None = None
) -> dict[str, tuple[Outcome, list[set[str]]]]:
    services: dict[tuple[Path, ...], MatchingService] = {}
    out = {}
    for set_ in sets:
        if set_.roster not in services:
            services[set_.roster] = matching_service(embedder, set_.roster, language_bonus)
        questions = [q for q, _ in set_.questions]
        gold = [g for _, g in set_.questions]
        outcome = run_ranker(services[set_.roster], questions)
        out[set_.name] = (outcome, gold)
        if os.environ.get("SHOW_MISSES"):
            for q, g, r in zip(questions, gold, outcome.rankings, strict=True):
                if not set(r[:1]) & g:
                    print(f"  [{label} {set_.name}] MISS {sorted(g)} got {r[:3]}: {q[:90]}")
    return out


def english_baselines(embedder: Embedder, label: str) -> None:
    """The ranker against BM25 and plain whole-profile cosine, English set (README table)."""
    ids, texts = roster_texts((MENTORS_CSV,))
    labelled = labelled_questions(QUESTIONS_CSV)
    questions = [q for q, _ in labelled]
    gold = [g for _, g in labelled]
    rows = {
        "BM25 (bm25s)": bm25_rankings(questions, ids, texts),
        f"profile cosine ({label})": cosine_rankings(
            embedder.embed_queries(questions), ids, embedder.embed(texts)
        ),
    }
    for method, rankings in rows.items():
        h1, h3, mrr = metrics(rankings, gold)
        print(f"  {method:<30}{h1:>8.3f}{h3:>8.3f}{mrr:>8.3f}")


def _width(label: str) -> int:
    return max(14, len(label) + 8)


def print_table(results: dict[str, dict[str, tuple[Outcome, list[set[str]]]]]) -> None:
    labels = list(results)
    names = list(next(iter(results.values())))
    header = f"{'set':<8}{'n':>5}" + "".join(
        f"{label + ' hit@1':>{_width(label)}}{'hit@3':>8}{'MRR':>8}" for label in labels
    )
    print(header)
    for name in names:
        n = len(next(iter(results.values()))[name][1])
        cells = ""
        for label in labels:
            outcome, gold = results[label][name]
            h1, h3, mrr = metrics(outcome.rankings, gold)
            cells += f"{h1:>{_width(label)}.3f}{h3:>8.3f}{mrr:>8.3f}"
        print(f"{name:<8}{n:>5}{cells}")
    for label in labels:
        ms = [o.seconds_per_question * 1000 for o, _ in results[label].values()]
        print(f"({label}: {np.mean(ms):.1f} ms per question end to end)")


def offers_at_floor(
    label: str, results: dict[str, tuple[Outcome, list[set[str]]]], floor: float
) -> None:
    for name, (outcome, gold) in results.items():
        offered = [
            bool(ranked) and ranked[0] in g
            for ranked, g, score in zip(outcome.rankings, gold, outcome.top_scores, strict=True)
            if score >= floor
        ]
        print(
            f"  {label} {name:<7} MIN_MATCH_SCORE={floor}: {len(offered)}/{len(gold)} questions "
            f"get an offer, {sum(offered)}/{len(offered)} of those to the right mentor"
        )


def main() -> int:
    wanted = os.environ.get("MODELS", "minilm,e5").split(",")
    models = {label: MODELS[label] for label in wanted if label in MODELS}
    combos = {label: COMBOS[label] for label in wanted if label in COMBOS}
    if os.environ.get("EMBEDDING_MODEL"):
        models["custom"] = os.environ["EMBEDDING_MODEL"]
    sets, missing = question_sets()
    for note in missing:
        print(f"(skipped {note})")
    results = {}
    embedders: dict[str, Embedder] = {}
    base: dict[str, Embedder] = {}
    for label, model in models.items():
        embedders[label] = base[model] = build_embedder(model)
        results[label] = evaluate_model(label, embedders[label], sets)
    for label, (names, weights, bonus) in combos.items():
        parts = [base.get(name) or base.setdefault(name, build_embedder(name)) for name in names]
        routed = RoutedEmbedder(label, parts, weights)
        results[label] = evaluate_model(label, routed, sets, language_bonus=bonus)
    print(
        "\nmentor-bot ranker, hit@1 / hit@3 / MRR. en: bench/questions.csv over "
        "examples/mentors.csv;\nlanguages and en+ml: over examples/mentors.csv + "
        f"{len(multilingual_profiles())} bench/multilingual/profiles_*.csv; "
        "frozen: bench/frozen (report only)\n"
    )
    print_table(results)
    print("\nEnglish baselines (bench/questions.csv), hit@1 / hit@3 / MRR:")
    for label, embedder in embedders.items():
        english_baselines(embedder, label)
    print("\nOffers with each model's default MIN_MATCH_SCORE (README: Languages):")
    for label, model in models.items():
        floor = Settings(_env_file=None, embedding_model=model).min_match_score
        offers_at_floor(label, results[label], floor)
    worst: Callable[[str], float] = lambda label: min(  # noqa: E731
        metrics(o.rankings, g)[0]
        for name, (o, g) in results[label].items()
        if name not in ("frozen", "en+ml")
    )
    for label in results:
        verdict = "meets" if worst(label) >= TARGET_HIT1 else "misses"
        print(f"{label}: worst hit@1 {worst(label):.3f} {verdict} the {TARGET_HIT1} target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
