"""Planning speed-mentoring rounds: who meets whom in each round. Pure: numbers in, plan out.

Rules every plan keeps: a mentor has one mentee per round, a mentee one mentor; no pair meets
twice; nobody meets themself; a person listed both ways is in one conversation per round (as a
mentee first: they mentor only in rounds they sit out as a mentee). Every mentee is seated every
round whenever there are enough mentors; otherwise sit-outs rotate: those who sat out least so
far sit out first, so nobody sits out twice before everyone has sat out once.

Two regimes, chosen by what is possible (figures: README "Speed-mentoring events"):

- Enough mentors (at least as many as mentees, and as rounds): the *global* optimum. Choosing
  every mentee's mentors for all rounds at once is a maximum-weight b-matching (each mentee
  `rounds` mentors, each mentor at most `rounds` mentees, each pair at most once): a linear
  programme with a totally unimodular matrix, so HiGHS (`scipy.optimize.milp`) solves it
  integrally, in 40-120 ms at 60 mentees. König's edge-colouring theorem then splits those
  pairs into `rounds` rounds with everyone seated, each round one `linear_sum_assignment`.
  Planning round by round instead scored 0.04-0.3 % lower on the benchmark (up to 0.6 % on
  other random events), and in 3 % of small random events (up to 8 mentors) cornered itself:
  someone had to sit out although a full plan existed.
- Fewer mentors than mentees: rounds in order, each one `linear_sum_assignment` over the mentees
  against the mentors plus one sit-out seat per mentee. The fairness rule says who may sit out;
  the solver picks among them those whose absence costs the least relevance. A global optimum
  under the rotation rule is no longer a plain assignment problem; an upper bound that ignores
  the rule is 0.9-1.5 % above this plan (bench/event_planning.py), and a global variant with
  sit-out seats as extra mentors gained 0.1-0.2 % for an LP of 1.2 s at 200 x 60 and broke
  the rotation order. In tight small events (each mentee meets nearly every mentor) round by
  round can corner itself: about 1 in 1,000 random ones leaves someone sitting out once more
  than the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, milp

from bot.config import MINILM_MIN_MATCH_SCORE

MAX_ROUNDS = 6
# Pairings below this relevance are flagged for the lead's review (matching's own floor).
WEAK_BELOW = MINILM_MIN_MATCH_SCORE

Scores = NDArray[np.float64]
Mask = NDArray[np.bool_]
Reasons = Sequence[Sequence[tuple[str, ...]]]
# One dict per round: mentee index -> mentor index; mentees absent from it sit out.
Schedule = list[dict[int, int]]


@dataclass(frozen=True)
class Event:
    """The planner's whole input: who takes part and how well each mentor fits each mentee's
    question (`scores[i, j]`, mentees x mentors; `reasons` the same shape, or None)."""

    mentees: tuple[str, ...]
    mentors: tuple[str, ...]
    scores: Scores
    rounds: int
    reasons: Reasons | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.rounds <= MAX_ROUNDS:
            raise ValueError(f"rounds must be 1-{MAX_ROUNDS}, not {self.rounds}")
        for side, ids in (("mentee", self.mentees), ("mentor", self.mentors)):
            if len(set(ids)) != len(ids):
                raise ValueError(f"a {side} is listed twice")
        if self.scores.shape != (len(self.mentees), len(self.mentors)):
            raise ValueError(f"scores are {self.scores.shape}, not mentees x mentors")
        if not np.isfinite(self.scores).all():
            raise ValueError("scores must be finite")

    @cached_property
    def twins(self) -> dict[int, int]:
        """Mentee index -> mentor index of people listed both ways."""
        mentor_at = {slack_id: j for j, slack_id in enumerate(self.mentors)}
        return {i: mentor_at[s] for i, s in enumerate(self.mentees) if s in mentor_at}

    @cached_property
    def allowed(self) -> Mask:
        """Pairs that may ever meet: everyone but oneself."""
        allowed = np.ones(self.scores.shape, dtype=bool)
        for i, j in self.twins.items():
            allowed[i, j] = False
        return allowed


@dataclass(frozen=True)
class Pairing:
    mentee: str
    mentor: str
    score: float
    reasons: tuple[str, ...]
    weak: bool  # below WEAK_BELOW: shown to the lead before the plan goes out

    def as_json(self) -> dict[str, object]:
        return {
            "mentee": self.mentee,
            "mentor": self.mentor,
            "score": round(self.score, 4),
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Plan:
    rounds: tuple[tuple[Pairing, ...], ...]
    sitting_out: tuple[tuple[str, ...], ...]
    method: str  # "global" or "rounds" (see the module docstring)

    @property
    def total(self) -> float:
        return sum(p.score for pairings in self.rounds for p in pairings)

    @property
    def weak(self) -> list[Pairing]:
        return [p for pairings in self.rounds for p in pairings if p.weak]

    def as_json(self) -> dict[str, object]:
        return {
            "rounds": [[p.as_json() for p in pairings] for pairings in self.rounds],
            "sitting_out": [list(ids) for ids in self.sitting_out],
        }


def plan_event(event: Event, *, weak_below: float = WEAK_BELOW) -> Plan:
    """The rounds with the highest total relevance under the rules (module docstring)."""
    schedule = schedule_global(event)
    if schedule is not None:
        return to_plan(event, schedule, method="global", weak_below=weak_below)
    return to_plan(event, schedule_rounds(event), method="rounds", weak_below=weak_below)


def to_plan(event: Event, schedule: Schedule, *, method: str, weak_below: float) -> Plan:
    rounds, sitting_out = [], []
    for seats in schedule:
        pairings = tuple(_pairing(event, i, seats[i], weak_below) for i in sorted(seats))
        rounds.append(pairings)
        sitting_out.append(tuple(m for i, m in enumerate(event.mentees) if i not in seats))
    return Plan(tuple(rounds), tuple(sitting_out), method)


def _pairing(event: Event, i: int, j: int, weak_below: float) -> Pairing:
    score = float(event.scores[i, j])
    reasons = tuple(event.reasons[i][j]) if event.reasons is not None else ()
    return Pairing(event.mentees[i], event.mentors[j], score, reasons, score < weak_below)


# -- enough mentors: the global optimum ------------------------------------------------------


def schedule_global(event: Event) -> Schedule | None:
    """Everyone seated every round with the highest possible total, or None when there are
    too few mentors for that. People listed both ways only take part as mentees here: seated
    every round, they never have a free round to mentor in."""
    twin_mentors = set(event.twins.values())
    usable = [j for j in range(len(event.mentors)) if j not in twin_mentors]
    if not event.mentees or len(usable) < max(len(event.mentees), event.rounds):
        return None
    scores = event.scores[:, usable]
    pairs = _best_pairs(scores, event.rounds)
    schedule = _split(pairs, scores, event.rounds)
    return [{i: usable[j] for i, j in seats.items()} for seats in schedule]


def _best_pairs(scores: Scores, rounds: int) -> Mask:
    """Each mentee's `rounds` mentors, each mentor at most `rounds` mentees, highest total.
    Integral without branching: the constraint matrix is an incidence matrix of a bipartite
    graph (totally unimodular), so the LP optimum HiGHS finds is already 0/1."""
    n, m = scores.shape
    per_mentee = sparse.kron(sparse.eye(n), np.ones((1, m)))
    per_mentor = sparse.kron(np.ones((1, n)), sparse.eye(m))
    result = milp(
        -scores.ravel(),
        constraints=[
            LinearConstraint(per_mentee, rounds, rounds),
            LinearConstraint(per_mentor, 0, rounds),
        ],
        integrality=np.ones(n * m),
        bounds=Bounds(0, 1),
    )
    if not result.success or result.x is None:  # cannot happen when m >= rounds (a cycle fits)
        raise RuntimeError(f"pair selection failed: {result.message}")
    chosen: Mask = result.x.reshape(n, m) > 0.5
    return chosen


def _split(pairs: Mask, scores: Scores, rounds: int) -> Schedule:
    """Split chosen pairs (each mentee in exactly R, each mentor in at most R) into R rounds,
    everyone seated in each. A mentor with as many pairs left as rounds left must be busy in
    every remaining round; a bipartite graph always has a matching covering all its vertices
    of the highest degree, so each round can seat every mentee and every such mentor. Within
    that, each round takes the best total left: the strongest conversations come first."""
    left = pairs.copy()
    tier = _tier(scores)
    schedule: Schedule = []
    for done in range(rounds):
        critical = left.sum(axis=0) == rounds - done
        weights = np.where(left, scores + tier * critical[np.newaxis, :], -np.inf)
        rows, cols = linear_sum_assignment(weights, maximize=True)
        left[rows, cols] = False
        schedule.append({int(i): int(j) for i, j in zip(rows, cols, strict=True)})
    return schedule


# -- fewer mentors: round by round, fair sit-outs --------------------------------------------

FORCED_OUT, MAY_SIT_OUT, MUST_SIT = 0, 1, 2


def schedule_rounds(event: Event) -> Schedule:
    """Each round the best assignment given the earlier rounds, with fair sit-outs."""
    met = ~event.allowed
    sat_out = np.zeros(len(event.mentees), dtype=np.int64)
    schedule: Schedule = []
    for _ in range(event.rounds):
        seats = _round(event, met, sit_out_priority(sat_out, len(event.mentors)))
        for i, j in seats.items():
            met[i, j] = True
        sat_out[[i for i in range(len(event.mentees)) if i not in seats]] += 1
        schedule.append(seats)
    return schedule


def sit_out_priority(sat_out: NDArray[np.int64], mentors: int) -> NDArray[np.int64]:
    """Per mentee FORCED_OUT, MAY_SIT_OUT or MUST_SIT this round, from how often each sat out
    so far: with k more mentees than mentors, those among the k who sat out least must, those
    tied with the k-th may, the rest sit."""
    k = len(sat_out) - mentors
    if k <= 0:
        return np.full(len(sat_out), MUST_SIT)
    level = np.sort(sat_out)[k - 1]
    return np.where(sat_out < level, FORCED_OUT, np.where(sat_out == level, MAY_SIT_OUT, MUST_SIT))


def _round(event: Event, met: Mask, priority: NDArray[np.int64]) -> dict[int, int]:
    """One round's assignment. A person listed both ways who got a mentor and a mentee here
    is taken off the mentors and the round solved again, one such person at a time: the new
    solution may already free the next one (in a peer event, where everyone is listed both
    ways, taking everyone off at once would leave nobody to meet)."""
    busy: set[int] = set()
    while True:
        seats = _assign(event.scores, met, priority, busy)
        mentoring = set(seats.values())
        clashes = [j for i, j in sorted(event.twins.items()) if i in seats and j in mentoring]
        if not clashes:
            return seats
        busy.add(clashes[0])


def _assign(
    scores: Scores, met: Mask, priority: NDArray[np.int64], busy: set[int]
) -> dict[int, int]:
    """linear_sum_assignment over mentees x (mentors + one sit-out seat each). The seat's
    penalty by priority makes the solver seat everyone who must sit, then as many others as
    there are mentors, then maximise relevance: tiers larger than any relevance difference.
    The private seats keep every round solvable whatever has been forbidden (-inf)."""
    n = len(scores)
    blocked = met | (priority == FORCED_OUT)[:, np.newaxis]
    blocked[:, sorted(busy)] = True
    real = np.where(blocked, -np.inf, scores)
    tier = _tier(scores)
    penalty = np.select(
        [priority == FORCED_OUT, priority == MAY_SIT_OUT], [0.0, tier], tier * (n + 1)
    )
    seat = np.full((n, n), -np.inf)
    np.fill_diagonal(seat, -penalty)
    rows, cols = linear_sum_assignment(np.hstack([real, seat]), maximize=True)
    mentors = scores.shape[1]
    return {int(i): int(j) for i, j in zip(rows, cols, strict=True) if j < mentors}


def _tier(scores: Scores) -> float:
    """More than the relevance any assignment can gain over another (each of n rows moves by
    at most twice the largest score)."""
    return 2.0 * len(scores) * float(np.abs(scores).max(initial=0.0)) + 1.0
