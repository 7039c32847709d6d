"""What the planner is measured against (benchmark and tests only): a greedy plan and a random
rotation, both keeping the same rules (no repeats, nobody with themself, fair sit-outs)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bot.events.planning import (
    MAY_SIT_OUT,
    MUST_SIT,
    WEAK_BELOW,
    Event,
    Mask,
    Plan,
    Schedule,
    sit_out_priority,
    to_plan,
)


def greedy_plan(event: Event, *, weak_below: float = WEAK_BELOW) -> Plan:
    """Round by round, the best remaining pair first, as a hand-written loop would; sit-outs
    rotate by the same rule, ties in list order."""
    return _rotate(event, weak_below, method="greedy", rng=None)


def random_plan(event: Event, *, seed: int, weak_below: float = WEAK_BELOW) -> Plan:
    """Round by round, each seated mentee meets a random mentor they have not met: rotating
    "at random or by hand", as speed-mentoring tools do today."""
    return _rotate(event, weak_below, method="random", rng=np.random.default_rng(seed))


def _rotate(
    event: Event, weak_below: float, *, method: str, rng: np.random.Generator | None
) -> Plan:
    met = ~event.allowed
    sat_out = np.zeros(len(event.mentees), dtype=np.int64)
    schedule: Schedule = []
    for _ in range(event.rounds):
        priority = sit_out_priority(sat_out, len(event.mentors))
        seating = _Round(event, met)
        # Those who must sit are seated first, then those who may sit out: fair, like the plan.
        for group in (MUST_SIT, MAY_SIT_OUT):
            mentees = [int(i) for i in np.flatnonzero(priority == group)]
            if rng is None:
                _greedy(seating, mentees)
            else:
                rng.shuffle(mentees)
                _random(seating, mentees, rng)
        for i, j in seating.seats.items():
            met[i, j] = True
        sat_out[[i for i in range(len(event.mentees)) if i not in seating.seats]] += 1
        schedule.append(seating.seats)
    return to_plan(event, schedule, method=method, weak_below=weak_below)


@dataclass
class _Round:
    event: Event
    met: Mask
    seats: dict[int, int] = field(default_factory=dict)
    mentoring: set[int] = field(default_factory=set)  # mentors in a conversation
    busy: set[int] = field(default_factory=set)  # mentors listed both ways, seated as mentees

    def free(self, mentee: int, mentor: int) -> bool:
        """New to each other, both still free this round (a person listed both ways counts
        as busy in either role once seated in the other)."""
        return (
            mentee not in self.seats
            and not self.met[mentee, mentor]
            and mentor not in self.mentoring
            and mentor not in self.busy
            and self.event.twins.get(mentee) not in self.mentoring
        )

    def seat(self, mentee: int, mentor: int) -> None:
        self.seats[mentee] = mentor
        self.mentoring.add(mentor)
        twin = self.event.twins.get(mentee)
        if twin is not None:
            self.busy.add(twin)


def _greedy(seating: _Round, mentees: list[int]) -> None:
    """Seat `mentees` by taking the best free pair first, until none is left."""
    waiting = set(mentees)
    mentors = len(seating.event.mentors)
    for flat in np.argsort(-seating.event.scores, axis=None, kind="stable"):
        i, j = divmod(int(flat), mentors)
        if i in waiting and seating.free(i, j):
            seating.seat(i, j)
            waiting.discard(i)


def _random(seating: _Round, mentees: list[int], rng: np.random.Generator) -> None:
    for i in mentees:
        free = [j for j in range(len(seating.event.mentors)) if seating.free(i, j)]
        if free:
            seating.seat(i, int(rng.choice(free)))
