"""The event flow's Planner: the matching stack's scores (scoring.py) and the round planner
(planning.py), behind the small interface EventService asks for."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import Engine

from bot.events.planning import plan_event
from bot.events.ports import PlannedPair
from bot.events.scoring import profiles_of, score_event
from bot.events.service import Planner, PlanResult
from bot.matching.service import MatchingService


def event_planner(engine: Engine, matching: MatchingService, *, weak_below: float) -> Planner:
    def plan(mentees: Sequence[tuple[str, str]], mentors: Sequence[str], rounds: int) -> PlanResult:
        # A mentor who left the roster after joining cannot be scored: they are not planned.
        profiles = profiles_of(engine, mentors)
        scorable = [profiles[slack_id] for slack_id in mentors if slack_id in profiles]
        if not scorable or not mentees:
            return PlanResult((), ())
        planned = plan_event(
            score_event(matching, mentees, scorable, rounds), weak_below=weak_below
        )
        return PlanResult(
            tuple(
                tuple(
                    PlannedPair(number, p.mentee, p.mentor, p.score, p.reasons, weak=p.weak)
                    for p in pairings
                )
                for number, pairings in enumerate(planned.rounds, start=1)
            ),
            planned.sitting_out,
        )

    return plan
