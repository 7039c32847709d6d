"""Speed-mentoring planning: total relevance of the plan against a greedy plan and a random
rotation, and how long planning takes (target: under 2 s for 200 mentees x 60 mentors x 6 rounds).

Run: `make bench-events` (about a minute; BENCH_REAL_MODEL=0 skips the real-model case).

1. Synthetic events, scored like real ones: 12 topics, each mentee asks about one, each mentor
   knows one or two, relevance 0.15-0.75 in MiniLM's range plus noise (uniform random scores
   would make every plan look alike). Means over 5 events; random rotation over 10 seeds each.
   "bound" is an upper bound on any plan seating the same people as often (a b-matching LP
   that ignores who sits out when): how much a global method could still add.
2. A realistic event: the example roster plus 24 mentors mixing two of its profiles (60), and
   200 questions from bench/questions.csv with varied openings, scored by the packaged model
   through `MatchingService.relevance` (the same scoring as matching).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from functools import partial

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.common import (
    MENTORS_CSV,
    labelled_questions,
    load_example_roster,
    temp_sqlite_engine,
)
from bot.events.baselines import greedy_plan, random_plan
from bot.events.planning import Event, Plan, plan_event, schedule_rounds, to_plan
from bot.events.scoring import active_roster, score_event
from bot.roster import import_mentors, parse_csv_text, read_mentor_csv

SHAPES = ((200, 60), (60, 60), (60, 200))
ROUNDS = 6
EVENTS = 5
RANDOM_SEEDS = 10
TIMING_RUNS = 7
TARGET_SECONDS = 2.0
OPENINGS = ("", "Quick one: ", "In my team, ", "Any advice? ", "Asking for my squad: ")


def clustered_scores(mentees: int, mentors: int, seed: int) -> NDArray[np.float64]:
    rng = np.random.default_rng(seed)
    asked = rng.integers(0, 12, mentees)
    known = rng.integers(0, 12, (mentors, 2))
    known[rng.random(mentors) < 0.5, 1] = -1  # half the mentors know one topic only
    fits = (asked[:, None] == known[None, :, 0]) | (asked[:, None] == known[None, :, 1])
    noise = rng.normal(0.0, 0.08, (mentees, mentors))
    return np.asarray(np.clip(0.15 + 0.45 * fits + noise, -0.1, 1.0), dtype=np.float64)


def synthetic_event(mentees: int, mentors: int, seed: int) -> Event:
    return Event(
        mentees=tuple(f"UE{i:04d}" for i in range(mentees)),
        mentors=tuple(f"UM{j:04d}" for j in range(mentors)),
        scores=clustered_scores(mentees, mentors, seed),
        rounds=ROUNDS,
    )


def upper_bound(event: Event, plan: Plan) -> float:
    """The best total with each mentee seated as often as in `plan`, each mentor at most once
    a round and no pair twice, whatever the rounds: an LP (integral: bipartite b-matching)."""
    seats = np.zeros(len(event.mentees))
    index = {m: i for i, m in enumerate(event.mentees)}
    for pairings in plan.rounds:
        for p in pairings:
            seats[index[p.mentee]] += 1
    n, m = event.scores.shape
    result = milp(
        -event.scores.ravel(),
        constraints=[
            LinearConstraint(sparse.kron(sparse.eye(n), np.ones((1, m))), 0, seats),
            LinearConstraint(sparse.kron(np.ones((1, n)), sparse.eye(m)), 0, event.rounds),
        ],
        bounds=Bounds(0, 1),
    )
    if result.fun is None:
        raise RuntimeError(f"no bound: {result.message}")
    return -float(result.fun)


def median_seconds(action: Callable[[], object], runs: int = TIMING_RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def compare(events: list[Event]) -> dict[str, float]:
    """Mean totals of each method over `events`."""
    totals: dict[str, list[float]] = {"plan": [], "rounds": [], "greedy": [], "random": []}
    bounds = []
    for event in events:
        plan = plan_event(event)
        totals["plan"].append(plan.total)
        by_rounds = to_plan(event, schedule_rounds(event), method="rounds", weak_below=0.0)
        totals["rounds"].append(by_rounds.total)
        totals["greedy"].append(greedy_plan(event).total)
        randoms = [random_plan(event, seed=s).total for s in range(RANDOM_SEEDS)]
        totals["random"].append(statistics.fmean(randoms))
        bounds.append(upper_bound(event, plan))
    means = {name: statistics.fmean(values) for name, values in totals.items()}
    means["bound"] = statistics.fmean(bounds)
    return means


def print_comparison(label: str, means: dict[str, float], method: str, seconds: float) -> None:
    greedy = means["greedy"]
    print(
        f"{label:<22} {method:<7} plan {means['plan']:8.2f}  by rounds {means['rounds']:8.2f}  "
        f"greedy {greedy:8.2f}  random {means['random']:8.2f}  bound {means['bound']:8.2f}  "
        f"plan/greedy {means['plan'] / greedy:6.4f}  "
        f"plan/random {means['plan'] / means['random']:5.2f}  {seconds * 1000:7.1f} ms"
    )


def synthetic() -> None:
    print(f"Synthetic clustered events, {ROUNDS} rounds, means over {EVENTS} events")
    for mentees, mentors in SHAPES:
        events = [synthetic_event(mentees, mentors, seed) for seed in range(EVENTS)]
        seconds = median_seconds(partial(plan_event, events[0]))
        label = f"{mentees} x {mentors}"
        print_comparison(label, compare(events), plan_event(events[0]).method, seconds)
        if (mentees, mentors) == SHAPES[0]:
            verdict = "within" if seconds < TARGET_SECONDS else "OVER"
            print(
                f"  planning {mentees} x {mentors} x {ROUNDS}: median {seconds * 1000:.1f} ms of "
                f"{TIMING_RUNS} runs, {verdict} the {TARGET_SECONDS:.0f} s target"
            )


def realistic() -> None:
    from bot.config import PACKAGED_MODEL
    from bot.matching.embedder import build_embedder
    from bot.matching.service import MatchingService

    engine = temp_sqlite_engine()
    load_example_roster(engine)
    import_mentors(engine, parse_csv_text(mixed_profiles(24)))
    started = time.perf_counter()
    matching = MatchingService(engine=engine, embedder=build_embedder(PACKAGED_MODEL))
    matching.start()
    loaded = time.perf_counter() - started
    questions = [q for q, _ in labelled_questions()]
    mentees = [
        (
            f"UQ{i:04d}",
            OPENINGS[i // len(questions) % len(OPENINGS)] + questions[i % len(questions)],
        )
        for i in range(200)
    ]
    mentors = active_roster(engine)
    started = time.perf_counter()
    event = score_event(matching, mentees, mentors, ROUNDS)
    scoring = time.perf_counter() - started
    seconds = median_seconds(partial(plan_event, event))
    print(
        f"\nRealistic event: {len(mentees)} questions x {len(mentors)} mentors x {ROUNDS} rounds, "
        f"packaged model (load and embed the roster {loaded:.1f} s; scoring {scoring:.2f} s)"
    )
    print_comparison("real model", compare([event]), plan_event(event).method, seconds)
    plan = plan_event(event)
    first = plan.rounds[0]
    print(
        f"  round 1: mean relevance {statistics.fmean(p.score for p in first):.3f}, "
        f"{sum(p.weak for p in first)} of {len(first)} weak; whole plan: "
        f"{len(plan.weak)} of {sum(len(r) for r in plan.rounds)} weak"
    )
    engine.dispose()


def mixed_profiles(count: int) -> str:
    """Roster CSV of `count` mentors, each with two phrases from each of two example mentors."""
    rows = read_mentor_csv(MENTORS_CSV)
    lines = ["slack_id,expertise"]
    for k in range(count):
        a, b = rows[k % len(rows)].values, rows[(k * 7 + 3) % len(rows)].values
        phrases = a["expertise"].split(";")[:2] + b["expertise"].split(";")[:2]
        lines.append(f'U0MIX{k:04d},"{"; ".join(p.strip() for p in phrases)}"')
    return "\n".join(lines) + "\n"


def main() -> None:
    synthetic()
    if os.environ.get("BENCH_REAL_MODEL", "1") != "0":
        realistic()


if __name__ == "__main__":
    main()
