"""Learning from outcomes: does what past sessions taught improve matching of new questions?

Run: `make bench-learning` (or `python -m bench.learning`). For a labelled set, half of the
questions are replayed as history, in order, the way the bot would live them: each is matched,
its top 3 are asked one after another; a mentor who is not a right one declines "not my topic",
the first right one accepts and the mentee rates the session 5 (when no right mentor is in the
top 3, a program lead reassigns the request to one, who helps). The other half is then matched
with and without that evidence. Both halves take each role (2 folds). Last, each half is asked
again, in the same words (recurring questions: the most outcomes can teach).

Sets: the own set (bench/questions.csv over examples/mentors.csv), where `Learning`'s floor and
penalty are chosen by cross-validation (chosen on one fold's test half, reported on the other's),
and the frozen set (bench/frozen/), reported with the constants in bot/matching/ranking.py and
never tuned on. MODELS=minilm,e5 picks the models (default minilm).
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.engine import Engine

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.common import MENTORS_CSV, QUESTIONS_CSV, labelled_questions, temp_sqlite_engine
from bench.match_quality import FROZEN, MODELS, metrics
from bot.matching.embedder import Embedder, build_embedder
from bot.matching.ranking import Learning, learning_for
from bot.matching.service import MatchingService
from bot.roster import import_mentors, read_mentor_csv
from bot.storage import mentors as mentor_repo
from bot.storage.db import make_engine, session_scope
from bot.storage.models import EvidenceKind, MentoringRequest

Labelled = list[tuple[str, set[str]]]
# The grids cross-validated on the own set (floor, bonus, penalty); E5's band is narrower.
GRID = ((0.3, 0.5, 0.7), (0.0, 0.05, 0.1, 0.2), (0.0, 0.1, 0.2))
E5_GRID = ((0.9, 0.94, 0.97), (0.0, 0.005, 0.01, 0.02), (0.0, 0.01, 0.02))


class Remembering:
    """The model, with each question embedded once for the whole run: every configuration
    replays the same questions, and only the ranking differs between them."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._queries: dict[str, NDArray[np.float32]] = {}

    @property
    def name(self) -> str:
        return self._embedder.name

    @property
    def dim(self) -> int:
        return self._embedder.dim

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        return self._embedder.embed(texts)

    def embed_queries(self, texts: Sequence[str]) -> NDArray[np.float32]:
        missing = [t for t in dict.fromkeys(texts) if t not in self._queries]
        if missing:
            self._queries.update(zip(missing, self._embedder.embed_queries(missing), strict=True))
        return np.vstack([self._queries[t] for t in texts])


@dataclass(frozen=True)
class Replay:
    before: tuple[float, float, float]  # hit@1, hit@3, MRR without evidence
    after: tuple[float, float, float]
    helped: int
    not_my_topic: int


def halves(labelled: Labelled, seed: int = 7) -> tuple[Labelled, Labelled]:
    """Two halves with each mentor's questions spread over both (history must be able to
    teach something about a mentor the test half asks for)."""
    shuffled = labelled[:]
    random.Random(seed).shuffle(shuffled)
    shuffled.sort(key=lambda item: sorted(item[1]))  # stable: shuffled within each mentor
    return shuffled[0::2], shuffled[1::2]


def service_for(
    embedder: Embedder, roster: Path, learning: Learning
) -> tuple[MatchingService, Engine]:
    """A fresh database with `roster` embedded and no evidence (a copy of one embedded once)."""
    template = _embedded_roster(embedder, roster)
    copy = Path(tempfile.mkdtemp(prefix="mentor-learning-")) / "bench.db"
    shutil.copyfile(template, copy)
    engine = make_engine(f"sqlite:///{copy}")
    service = MatchingService(engine=engine, embedder=embedder, learning=learning)
    if service.start():
        raise SystemExit(f"{roster}: the copied roster was embedded again")
    return service, engine


def _embedded_roster(embedder: Embedder, roster: Path) -> Path:
    key = (embedder.name, roster)
    if key not in _TEMPLATES:
        _TEMPLATES[key] = _embed_roster(embedder, roster)
    return _TEMPLATES[key]


_TEMPLATES: dict[tuple[str, Path], Path] = {}


def _embed_roster(embedder: Embedder, roster: Path) -> Path:
    directory = tempfile.mkdtemp(prefix="mentor-learning-")
    engine = temp_sqlite_engine(directory)
    rows = read_mentor_csv(roster)
    if import_mentors(engine, rows).created != len(rows):
        raise SystemExit(f"{roster}: roster import failed")
    MatchingService(engine=engine, embedder=embedder).start()
    engine.dispose()
    return Path(directory) / "bench.db"


def rankings(service: MatchingService, questions: Sequence[str]) -> list[list[str]]:
    return [[r.slack_id for r in service.match(q, top_k=10)] for q in questions]


def replay(service: MatchingService, engine: Engine, history: Labelled) -> tuple[int, int]:
    """Live the history through the real evidence path (database, then refresh)."""
    ids = _mentor_ids(engine)
    helped = declined = 0
    for question, gold in history:
        request_id = _request(engine, question)
        asked = service.match(question, top_k=3)
        right = next((m for m in asked if m.slack_id in gold), None)
        for mentor in asked:
            if mentor is right:
                break
            service.learn(
                mentor_id=mentor.mentor_id,
                request_id=request_id,
                kind=EvidenceKind.NOT_MY_TOPIC,
                question=question,
            )
            declined += 1
        mentor_id = right.mentor_id if right else ids[sorted(gold)[0]]
        service.learn(
            mentor_id=mentor_id, request_id=request_id, kind=EvidenceKind.HELPED, question=question
        )
        helped += 1
    service.refresh()
    return helped, declined


def _mentor_ids(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as session:
        return {m.slack_id: m.id for m in mentor_repo.list_mentors(session) if m.id is not None}


def _request(engine: Engine, question: str) -> int:
    with session_scope(engine) as session:
        request = MentoringRequest(mentee_slack_id="UBENCHMENTEE", question=question)
        session.add(request)
        session.flush()
        assert request.id is not None
        return request.id


def run_fold(
    embedder: Embedder, roster: Path, history: Labelled, test: Labelled, learning: Learning
) -> Replay:
    service, engine = service_for(embedder, roster, learning)
    questions, gold = [q for q, _ in test], [g for _, g in test]
    before = metrics(rankings(service, questions), gold)
    helped, declined = replay(service, engine, history)
    after = metrics(rankings(service, questions), gold)
    return Replay(before, after, helped, declined)


def both_folds(
    embedder: Embedder, roster: Path, labelled: Labelled, learning: Learning
) -> list[Replay]:
    first, second = halves(labelled)
    return [
        run_fold(embedder, roster, first, second, learning),
        run_fold(embedder, roster, second, first, learning),
    ]


def choose(
    embedder: Embedder, roster: Path, history: Labelled, test: Labelled, grid: list[Learning]
) -> tuple[Learning, int]:
    """The grid point with the best MRR (then hit@1) on `test` after replaying `history`, the
    smallest change among equals (bonus + penalty), and how many grid points tie with it."""
    scored = []
    for learning in grid:
        result = run_fold(embedder, roster, history, test, learning)
        scored.append(((result.after[2], result.after[0]), learning))
    best = max(key for key, _ in scored)
    tied = [learning for key, learning in scored if key == best]
    return min(tied, key=lambda learning: learning.bonus + learning.penalty), len(tied)


def mean(rows: Sequence[tuple[float, float, float]]) -> tuple[float, float, float]:
    return (
        sum(r[0] for r in rows) / len(rows),
        sum(r[1] for r in rows) / len(rows),
        sum(r[2] for r in rows) / len(rows),
    )


def show(label: str, replays: list[Replay], note: str = "") -> None:
    before, after = mean([r.before for r in replays]), mean([r.after for r in replays])
    helped = sum(r.helped for r in replays)
    declined = sum(r.not_my_topic for r in replays)
    print(
        f"  {label:<34}{before[0]:>7.3f}{before[1]:>7.3f}{before[2]:>7.3f}"
        f"   ->{after[0]:>7.3f}{after[1]:>7.3f}{after[2]:>7.3f}"
        f"   helped {helped:>3}  not-my-topic {declined:>3}  {note}"
    )


def evaluate(name: str, model: str) -> None:
    embedder = Remembering(build_embedder(model, threads=1))
    floors, bonuses, penalties = E5_GRID if name == "e5" else GRID
    grid = [Learning(f, b, p) for f in floors for b in bonuses for p in penalties]
    own = labelled_questions(QUESTIONS_CSV)
    first, second = halves(own)
    print(f"\n{name} ({model}): hit@1 hit@3 MRR without -> with the history's evidence")
    # Cross-validated: constants chosen on one fold's test half, reported on the other fold.
    chosen_a, ties_a = choose(embedder, MENTORS_CSV, first, second, grid)
    chosen_b, ties_b = choose(embedder, MENTORS_CSV, second, first, grid)
    cv = [
        run_fold(embedder, MENTORS_CSV, second, first, chosen_a),
        run_fold(embedder, MENTORS_CSV, first, second, chosen_b),
    ]
    ties = f"({ties_a} and {ties_b} of {len(grid)} settings tie)"
    show("own set, cross-validated", cv, f"chose {_fmt(chosen_a)} / {_fmt(chosen_b)} {ties}")
    shipped = learning_for(model)
    frozen_roster = FROZEN / "roster.csv"
    frozen = labelled_questions(FROZEN / "questions.csv")
    variants = {
        "shipped": shipped,
        "helped only": Learning(shipped.floor, shipped.bonus, 0.0),
        "not-my-topic only": Learning(shipped.floor, 0.0, shipped.penalty),
    }
    for label, learning in variants.items():
        show(f"own set, {label}", both_folds(embedder, MENTORS_CSV, own, learning), _fmt(learning))
    for label, learning in variants.items():
        show(f"frozen set, {label}", both_folds(embedder, frozen_roster, frozen, learning))
    # Recurring questions: each half asked again, in the same words, after it was lived. The
    # upper bound of what outcomes can teach; the rows above are what new wording gets.
    for label, roster, labelled in (("own", MENTORS_CSV, own), ("frozen", frozen_roster, frozen)):
        for variant, learning in variants.items():
            repeats = [run_fold(embedder, roster, h, h, learning) for h in halves(labelled)]
            show(f"{label} set, asked again, {variant}", repeats)


def _fmt(learning: Learning) -> str:
    return f"floor {learning.floor:g} bonus {learning.bonus:g} penalty {learning.penalty:g}"


def main() -> None:
    wanted = [m.strip() for m in os.environ.get("MODELS", "minilm").split(",") if m.strip()]
    unknown = [m for m in wanted if m not in MODELS]
    if unknown:
        sys.exit(f"unknown MODELS {unknown}; choose from {sorted(MODELS)}")
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress, live
    started = time.perf_counter()
    for name in wanted:
        evaluate(name, MODELS[name])
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
