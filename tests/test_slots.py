from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.booking.slots import Person, propose_slots
from bot.weeks import week_of

PARIS, BERLIN = ZoneInfo("Europe/Paris"), ZoneInfo("Europe/Berlin")
JAKARTA, NEW_YORK = ZoneInfo("Asia/Jakarta"), ZoneInfo("America/New_York")
HOUR = timedelta(hours=1)


def local(slot_start: datetime, zone: ZoneInfo) -> datetime:
    return slot_start.astimezone(zone)


def test_same_zone_slots_are_in_core_hours_on_workdays_and_spread() -> None:
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Paris
    slots = propose_slots(now=now, mentor=Person(PARIS), mentee=Person(BERLIN), duration=HOUR)
    assert len(slots) == 4
    for slot in slots:
        start, end = local(slot.start, PARIS), local(slot.end, PARIS)
        assert start.weekday() < 5
        assert time(9) <= start.time() and end.time() <= time(17, 30)
        assert not slot.stretched
    assert slots[0].start >= now + timedelta(hours=2)
    days = [local(s.start, PARIS).date() for s in slots]
    assert max(days.count(d) for d in days) <= 2
    assert slots == sorted(slots, key=lambda s: s.start)


def test_friday_afternoon_skips_the_weekend() -> None:
    now = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # Friday 16:00 in Paris
    slots = propose_slots(now=now, mentor=Person(PARIS), mentee=Person(PARIS), duration=HOUR)
    assert all(local(s.start, PARIS).weekday() < 5 for s in slots)
    assert local(slots[0].start, PARIS).date().isoformat() == "2026-11-30"  # Monday


def test_jakarta_mentee_and_new_york_mentor_get_stretched_slots_in_both_days() -> None:
    now = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    slots = propose_slots(now=now, mentor=Person(NEW_YORK), mentee=Person(JAKARTA), duration=HOUR)
    assert slots, "12 hours apart still leaves early-morning / evening overlap"
    for slot in slots:
        assert slot.stretched  # no core-hours overlap exists
        ny, jkt = local(slot.start, NEW_YORK), local(slot.start, JAKARTA)
        assert ny.weekday() < 5 and jkt.weekday() < 5
        assert time(7) <= ny.time() and local(slot.end, NEW_YORK).time() <= time(21)
        assert time(7) <= jkt.time() and local(slot.end, JAKARTA).time() <= time(21)


def test_dst_change_week_keeps_local_hours() -> None:
    # US clocks go back on Sunday 2026-11-01: the same 09:00 New York is 13:00 UTC before,
    # 14:00 UTC after. Slots on both sides of the change stay inside local hours.
    now = datetime(2026, 10, 29, 12, 0, tzinfo=UTC)  # Thursday
    slots = propose_slots(
        now=now, mentor=Person(NEW_YORK), mentee=Person(NEW_YORK), duration=HOUR, count=6
    )
    offsets = {local(s.start, NEW_YORK).utcoffset() for s in slots}
    assert offsets == {timedelta(hours=-4), timedelta(hours=-5)}
    for slot in slots:
        assert time(9) <= local(slot.start, NEW_YORK).time()
        assert local(slot.end, NEW_YORK).time() <= time(17, 30)


def test_booked_sessions_are_avoided_with_a_buffer() -> None:
    now = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # Monday 07:00 Paris
    taken = (datetime(2026, 11, 23, 8, 0, tzinfo=UTC), datetime(2026, 11, 23, 16, 30, tzinfo=UTC))
    slots = propose_slots(
        now=now, mentor=Person(PARIS, busy=[taken]), mentee=Person(PARIS), duration=HOUR
    )
    assert slots
    for slot in slots:
        assert slot.end + timedelta(minutes=15) <= taken[0] or slot.start >= taken[1]


def test_full_weeks_are_skipped_for_the_mentor() -> None:
    now = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    load = {week_of(now): 2}
    slots = propose_slots(
        now=now,
        mentor=Person(PARIS),
        mentee=Person(PARIS),
        duration=HOUR,
        mentor_week_load=load,
        mentor_capacity=2,
    )
    assert slots
    assert all(week_of(s.start) > week_of(now) for s in slots)


def test_speed_sessions_are_fifteen_minutes() -> None:
    now = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    slots = propose_slots(
        now=now, mentor=Person(PARIS), mentee=Person(PARIS), duration=timedelta(minutes=15)
    )
    assert all(s.end - s.start == timedelta(minutes=15) for s in slots)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        propose_slots(
            now=datetime(2026, 11, 23), mentor=Person(PARIS), mentee=Person(PARIS), duration=HOUR
        )


def test_an_urgent_request_gets_times_later_today_when_there_are_any() -> None:
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Paris
    busy = [(datetime(2026, 11, 23, 10, 0, tzinfo=UTC), datetime(2026, 11, 23, 11, 0, tzinfo=UTC))]
    slots = propose_slots(
        now=now, mentor=Person(PARIS, busy), mentee=Person(BERLIN), duration=HOUR, same_day=True
    )
    starts = [local(s.start, PARIS) for s in slots]
    assert len(starts) == 4 and all(s.date() == local(now, PARIS).date() for s in starts)
    assert starts[0] - local(now, PARIS) < timedelta(hours=1)  # not the usual 2 h lead time
    assert all(b - a >= HOUR for a, b in itertools.pairwise(starts))
    (meeting_start, meeting_end), *_ = busy
    assert all(s.end <= meeting_start or s.start >= meeting_end for s in slots)
    evening = datetime(2026, 11, 23, 16, 45, tzinfo=UTC)  # 17:45 in Paris: nothing left today
    later = propose_slots(
        now=evening, mentor=Person(PARIS), mentee=Person(PARIS), duration=HOUR, same_day=True
    )
    assert later and local(later[0].start, PARIS).date() > local(evening, PARIS).date()
