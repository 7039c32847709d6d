"""Slot proposal: concrete times inside both people's working hours, each in their own time
zone, never overlapping either person's booked sessions, within the mentor's weekly capacity.

Pure functions of their inputs (`now` included), so time zones and DST are tested directly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.weeks import week_of

CORE_HOURS = (time(9, 0), time(17, 30))
# People 10-12 hours apart share no core hours; then an early start for one and a late
# finish for the other is the only way to meet, and such slots are marked as stretched.
STRETCH_HOURS = (time(7, 0), time(21, 0))
STEP = timedelta(minutes=30)
LEAD_TIME = timedelta(hours=2)  # nobody wants a slot that starts in ten minutes
HORIZON = timedelta(days=8)  # "the next few working days", across a weekend
BUFFER = timedelta(minutes=15)  # between a person's sessions
MAX_PER_DAY = 2
MIN_GAP_SAME_DAY = timedelta(hours=3)
MIN_CORE_SLOTS = 3
# An urgent ("today") request: times later today come first, sooner and closer together.
SAME_DAY_LEAD_TIME = timedelta(minutes=30)
SAME_DAY_GAP = timedelta(hours=1)
WORKDAYS = frozenset(range(5))  # Monday..Friday in each person's own time zone


@dataclass(frozen=True)
class Person:
    timezone: ZoneInfo
    busy: Sequence[tuple[datetime, datetime]] = field(default_factory=tuple)
    hours: tuple[time, time] = CORE_HOURS


@dataclass(frozen=True)
class Slot:
    start: datetime  # UTC
    end: datetime
    stretched: bool = False  # outside someone's core hours (but inside 07:00-21:00)


def propose_slots(
    *,
    now: datetime,
    mentor: Person,
    mentee: Person,
    duration: timedelta,
    mentor_week_load: dict[datetime, int] | None = None,
    mentor_capacity: int | None = None,
    count: int = 4,
    same_day: bool = False,
) -> list[Slot]:
    """Up to `count` slots, soonest first, spread over days (at most 2 a day, 3 h apart).

    `mentor_week_load` maps a week's Monday 00:00 UTC to sessions already booked in it;
    weeks at `mentor_capacity` are skipped. `same_day` (an urgent request): the times left
    today in the mentee's day, from 30 minutes ahead and an hour apart, when there are any;
    the usual spread otherwise.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if same_day:
        today = _today(now, mentor, mentee, duration, mentor_week_load, mentor_capacity, count)
        if today:
            return today
    candidates = list(_candidates(now, duration))

    def fits(start: datetime, hours_of: tuple[tuple[time, time], tuple[time, time]]) -> bool:
        end = start + duration
        return (
            _inside(start, end, mentor.timezone, hours_of[0])
            and _inside(start, end, mentee.timezone, hours_of[1])
            and _free(start, end, mentor.busy)
            and _free(start, end, mentee.busy)
            and _has_capacity(start, mentor_week_load, mentor_capacity)
        )

    core = [s for s in candidates if fits(s, (mentor.hours, mentee.hours))]
    chosen = _spread([Slot(s, s + duration) for s in core], mentee.timezone, count)
    if len(chosen) < min(count, MIN_CORE_SLOTS):
        stretch = (_widest(mentor.hours), _widest(mentee.hours))
        extra = [
            Slot(s, s + duration, stretched=True)
            for s in candidates
            if s not in core and fits(s, stretch)
        ]
        chosen = _spread(
            sorted(chosen + extra, key=lambda slot: slot.start), mentee.timezone, count, keep=chosen
        )
    return chosen


def _today(
    now: datetime,
    mentor: Person,
    mentee: Person,
    duration: timedelta,
    week_load: dict[datetime, int] | None,
    capacity: int | None,
    count: int,
) -> list[Slot]:
    """Free times later today (the mentee's today) inside both people's working hours."""
    day = now.astimezone(mentee.timezone).date()
    chosen: list[Slot] = []
    for start in _candidates(now, duration, lead_time=SAME_DAY_LEAD_TIME):
        if start.astimezone(mentee.timezone).date() != day or len(chosen) >= count:
            break
        end = start + duration
        fits = (
            _inside(start, end, mentor.timezone, mentor.hours)
            and _inside(start, end, mentee.timezone, mentee.hours)
            and _free(start, end, mentor.busy)
            and _free(start, end, mentee.busy)
            and _has_capacity(start, week_load, capacity)
        )
        if fits and all(start - c.start >= SAME_DAY_GAP for c in chosen):
            chosen.append(Slot(start, end))
    return chosen


def _candidates(
    now: datetime, duration: timedelta, lead_time: timedelta = LEAD_TIME
) -> list[datetime]:
    first = now.astimezone(UTC) + lead_time
    step = STEP.total_seconds()
    start = datetime.fromtimestamp(math.ceil(first.timestamp() / step) * step, UTC)
    last = now.astimezone(UTC) + HORIZON
    out = []
    while start + duration <= last:
        out.append(start)
        start += STEP
    return out


def _inside(start: datetime, end: datetime, zone: ZoneInfo, hours: tuple[time, time]) -> bool:
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    return (
        local_start.weekday() in WORKDAYS
        and local_start.date() == local_end.date()
        and hours[0] <= local_start.time()
        and local_end.time() <= hours[1]
    )


def _free(start: datetime, end: datetime, busy: Sequence[tuple[datetime, datetime]]) -> bool:
    return all(end + BUFFER <= b_start or b_end + BUFFER <= start for b_start, b_end in busy)


def _has_capacity(
    start: datetime, week_load: dict[datetime, int] | None, capacity: int | None
) -> bool:
    if capacity is None or week_load is None:
        return True
    return week_load.get(week_of(start), 0) < capacity


def _widest(hours: tuple[time, time]) -> tuple[time, time]:
    return (min(hours[0], STRETCH_HOURS[0]), max(hours[1], STRETCH_HOURS[1]))


def _spread(slots: list[Slot], zone: ZoneInfo, count: int, keep: Sequence[Slot] = ()) -> list[Slot]:
    """Soonest first, at most MAX_PER_DAY per (mentee-local) day and MIN_GAP_SAME_DAY apart."""
    chosen: list[Slot] = list(keep)
    for slot in slots:
        if len(chosen) >= count:
            break
        if slot in chosen:
            continue
        day = slot.start.astimezone(zone).date()
        same_day = [c for c in chosen if c.start.astimezone(zone).date() == day]
        if len(same_day) >= MAX_PER_DAY:
            continue
        if any(abs(c.start - slot.start) < MIN_GAP_SAME_DAY for c in same_day):
            continue
        chosen.append(slot)
    return sorted(chosen, key=lambda slot: slot.start)
