"""Match quality on bench/questions.csv: BM25 vs whole-profile cosine vs mentor-bot's ranker.

Run: `make bench-quality` (or `python -m bench.match_quality`). Prints hit@1, hit@3 and MRR.
"""

from __future__ import annotations

import csv
import os
import sys
import time

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.common import (
    MENTORS_CSV,
    QUESTIONS_CSV,
    ROOT,
    labelled_questions,
    load_example_roster,
    temp_sqlite_engine,
)
from bot.config import PACKAGED_MODEL, Settings
from bot.matching.embedder import SentenceTransformerEmbedder
from bot.matching.profile import profile_text
from bot.matching.service import MatchingService

MULTILINGUAL_CSV = ROOT / "bench" / "questions_multilingual.csv"


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


def roster_texts() -> tuple[list[str], list[str]]:
    with MENTORS_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
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


def evaluate(
    name: str,
    path: os.PathLike[str] | str,
    service: MatchingService,
    embedder: SentenceTransformerEmbedder,
    ids: list[str],
    texts: list[str],
) -> None:
    labelled = labelled_questions(path)  # type: ignore[arg-type]
    questions = [q for q, _ in labelled]
    gold = [g for _, g in labelled]
    profiles = embedder.embed(texts)
    started = time.perf_counter()
    ranker = [[r.slack_id for r in service.match(q, top_k=10)] for q in questions]
    per_query = (time.perf_counter() - started) / len(questions)
    rows = {
        "BM25 (bm25s)": bm25_rankings(questions, ids, texts),
        "whole-profile cosine": cosine_rankings(embedder.embed(questions), ids, profiles),
        "mentor-bot ranker": ranker,
    }
    print(f"\n{name}: {len(questions)} questions, {len(ids)} mentors")
    print(f"{'method':<24}{'hit@1':>8}{'hit@3':>8}{'MRR':>8}")
    for method, rankings in rows.items():
        h1, h3, mrr = metrics(rankings, gold)
        print(f"{method:<24}{h1:>8.3f}{h3:>8.3f}{mrr:>8.3f}")
    print(f"(mentor-bot ranker: {per_query * 1000:.1f} ms per question end to end)")
    floor = Settings.model_fields["min_match_score"].default
    offered = [service.match(q, top_k=1, min_score=floor) for q in questions]
    asked = [(r[0].slack_id in g) for r, g in zip(offered, gold, strict=True) if r]
    print(
        f"with MIN_MATCH_SCORE={floor}: {len(asked)}/{len(questions)} questions get an offer, "
        f"{sum(asked)}/{len(asked)} of those to the right mentor; "
        f"{len(questions) - len(asked)} go to program leads as unmet demand"
    )
    if os.environ.get("SHOW_MISSES"):
        for q, g, r in zip(questions, gold, ranker, strict=True):
            if r[:1] != sorted(g)[:1] and not (set(r[:1]) & g):
                print(f"  MISS {sorted(g)} got {r[:3]}: {q}")


def main() -> int:
    engine = temp_sqlite_engine()
    load_example_roster(engine)
    embedder = SentenceTransformerEmbedder(os.environ.get("EMBEDDING_MODEL", PACKAGED_MODEL))
    # Capacity must not interfere with a quality measurement: nobody gets offers here.
    service = MatchingService(engine=engine, embedder=embedder)
    service.start()
    ids, texts = roster_texts()
    evaluate("English questions", QUESTIONS_CSV, service, embedder, ids, texts)
    if MULTILINGUAL_CSV.exists():
        evaluate("Other languages (no target)", MULTILINGUAL_CSV, service, embedder, ids, texts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
