"""Real busy times: a mentor's calendar feed (secret iCal address), served by a local HTTP
server, keeps offered slots off their meetings — recurring ones across the late-October DST
change included — and a broken, slow or missing feed never stops a booking."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any
from unittest.mock import Mock, call, create_autospec
from zoneinfo import ZoneInfo

import pytest
import time_machine
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.booking import busy_feed
from bot.booking.busy_feed import BusyFeeds, address_problem
from bot.booking.service import BookingService, BookResult
from bot.booking.slots import Slot
from bot.handlers.blocks import profile as profile_blocks
from bot.handlers.blocks.booking import parse_slot_value
from bot.handlers.ids import Action, Callback, Field
from bot.handlers.notifier import SlackNotifier
from bot.logging import JsonFormatter
from bot.matching.service import MatchingService
from bot.mentoring.privacy import export_personal_data
from bot.mentoring.profiles import ProfileService
from bot.storage import busy_feeds as busy_feed_repo
from bot.storage import mentors as mentor_repo
from bot.storage import privacy as privacy_repo
from bot.storage import requests as request_repo
from bot.storage import sessions as session_repo
from bot.storage.db import session_scope
from bot.storage.models import Mentor, MentorProfile
from tests.conftest import add_mentor
from tests.utils import flow
from tests.utils.bot_server import StartBot
from tests.utils.fake_embedder import FakeEmbedder
from tests.utils.ics_server import IcsServer
from tests.utils.slack_api import SlackStandIn

WARSAW = ZoneInfo("Europe/Warsaw")
MENTOR, MENTEE = "U0MENTOR1", "U0MENTEE1"
# Clocks go back in Warsaw on Sunday 2026-10-25: 09:00 there is 07:00 UTC before, 08:00 after.
THURSDAY = datetime(2026, 10, 22, 5, 0, tzinfo=UTC)  # 07:00 in Warsaw, before the change
MONDAY = datetime(2026, 10, 26, 5, 0, tzinfo=UTC)  # 06:00 in Warsaw, after it
SECRET = "/calendar/ical/ana%40example.com/private-5ecret/basic.ics"

VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Warsaw
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""
# Team sync every workday 09:00-12:00 Warsaw time, across the change; not on Wednesday the
# 28th (EXDATE); on Thursday the 29th moved to 14:00-15:00 (an overridden instance).
TEAM_SYNC = """BEGIN:VEVENT
UID:team-sync@example.com
DTSTAMP:20261001T000000Z
DTSTART;TZID=Europe/Warsaw:20261005T090000
DTEND;TZID=Europe/Warsaw:20261005T120000
RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR
EXDATE;TZID=Europe/Warsaw:20261028T090000
SUMMARY:Team sync (confidential title)
END:VEVENT
BEGIN:VEVENT
UID:team-sync@example.com
DTSTAMP:20261001T000000Z
RECURRENCE-ID;TZID=Europe/Warsaw:20261029T090000
DTSTART;TZID=Europe/Warsaw:20261029T140000
DTEND;TZID=Europe/Warsaw:20261029T150000
SUMMARY:Team sync (moved)
END:VEVENT
"""
OTHER_EVENTS = """BEGIN:VEVENT
UID:offsite@example.com
DTSTAMP:20261001T000000Z
DTSTART;VALUE=DATE:20261027
DTEND;VALUE=DATE:20261028
SUMMARY:Offsite
END:VEVENT
BEGIN:VEVENT
UID:focus@example.com
DTSTAMP:20261001T000000Z
DTSTART;TZID=Europe/Warsaw:20261026T130000
DTEND;TZID=Europe/Warsaw:20261026T170000
TRANSP:TRANSPARENT
SUMMARY:Focus time (shown as free)
END:VEVENT
BEGIN:VEVENT
UID:review@example.com
DTSTAMP:20261001T000000Z
DTSTART;TZID=Europe/Warsaw:20261023T130000
DTEND;TZID=Europe/Warsaw:20261023T170000
STATUS:CANCELLED
SUMMARY:Cancelled review
END:VEVENT
BEGIN:VEVENT
UID:dentist@example.com
DTSTAMP:20261001T000000Z
DTSTART:20261030T150000
DTEND:20261030T160000
SUMMARY:Dentist (floating time)
END:VEVENT
"""


def calendar(*events: str) -> str:
    return (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//example//calendar//EN\n"
        + VTIMEZONE
        + "".join(events)
        + "END:VCALENDAR\n"
    )


FEED = calendar(TEAM_SYNC, OTHER_EVENTS)
BROKEN = "<html><body>Sign in to see this calendar</body></html>"


def utc(day: int, hour: int) -> datetime:
    return datetime(2026, 10, day, hour, tzinfo=UTC)


def local_times(slots: Sequence[Slot] | Sequence[datetime]) -> list[str]:
    starts = [s.start if isinstance(s, Slot) else s for s in slots]
    return [s.astimezone(WARSAW).strftime("%a %d %H:%M") for s in starts]


@pytest.fixture
def ics() -> Iterator[IcsServer]:
    server = IcsServer().start()
    yield server
    server.stop()


def feeds(
    *,
    timeout_seconds: float = 3.0,
    cache_minutes: float = 15,
    failure_cache_seconds: float = 60,
    max_bytes: int = 2_000_000,
) -> BusyFeeds:
    """A reader allowed to use the local test server (http on 127.0.0.1)."""
    return BusyFeeds(
        private_hosts=True,
        timeout_seconds=timeout_seconds,
        cache_minutes=cache_minutes,
        failure_cache_seconds=failure_cache_seconds,
        max_bytes=max_bytes,
    )


# -- reading a feed -----------------------------------------------------------------------


def test_recurring_all_day_and_floating_events_become_utc_busy_times(ics: IcsServer) -> None:
    found = feeds().busy(ics.serve(SECRET, FEED), zone=WARSAW, start=utc(22, 0), end=utc(31, 0))
    assert found.ok
    assert list(found.busy) == [
        (utc(22, 7), utc(22, 10)),  # 09:00-12:00 CEST
        (utc(23, 7), utc(23, 10)),  # the cancelled review that afternoon is not busy
        (utc(26, 8), utc(26, 11)),  # 09:00-12:00 CET: the same local time, after the change
        (utc(26, 23), utc(27, 23)),  # the all-day offsite: Tuesday, midnight to midnight local
        (utc(27, 8), utc(27, 11)),  # (transparent focus time on Monday is not busy)
        (utc(29, 13), utc(29, 14)),  # the moved instance; Wednesday's was cancelled (EXDATE)
        (utc(30, 8), utc(30, 11)),
        (utc(30, 14), utc(30, 15)),  # the floating dentist time, read as Warsaw time
    ]


def test_only_the_window_asked_for_is_returned_and_cached(ics: IcsServer) -> None:
    clock = [0.0]
    reader = BusyFeeds(private_hosts=True, cache_minutes=15, clock=lambda: clock[0])
    url = ics.serve(SECRET, FEED)
    one_day = reader.busy(url, zone=WARSAW, start=utc(26, 0), end=utc(26, 12))
    assert list(one_day.busy) == [(utc(26, 8), utc(26, 11))]
    reader.busy(url, zone=WARSAW, start=utc(22, 0), end=utc(31, 0))
    assert ics.hits[SECRET] == 1  # the second window came from the cache
    clock[0] += 15 * 60 + 1
    reader.busy(url, zone=WARSAW, start=utc(22, 0), end=utc(31, 0))
    assert ics.hits[SECRET] == 2


def test_a_redirect_is_followed(ics: IcsServer) -> None:
    ics.serve(SECRET, FEED)
    moved = ics.serve("/old-address.ics", status=301, location=SECRET)
    assert feeds().busy(moved, zone=WARSAW, start=utc(22, 0), end=utc(23, 0)).busy


@pytest.mark.parametrize(
    ("feed", "reason"),
    [
        ({"body": BROKEN}, "ValueError"),
        ({"body": "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:2026"}, "ValueError"),  # cut short
        ({"body": FEED, "delay": 3.0}, "TimeoutError"),
        ({"body": "gone", "status": 404}, "FeedHTTPError"),
        ({"body": "x" * 5000}, "FeedTooLargeError"),
    ],
    ids=["broken", "truncated", "slow", "404", "too_large"],
)
def test_a_feed_that_cannot_be_read_says_why_by_class_name_only(
    ics: IcsServer, feed: dict[str, Any], reason: str
) -> None:
    url = ics.serve(SECRET, **feed)
    reader = feeds(timeout_seconds=0.5, max_bytes=4000)
    began = time.monotonic()
    found = reader.busy(url, zone=WARSAW, start=utc(22, 0), end=utc(31, 0))
    assert time.monotonic() - began < 1.5  # a slow feed costs the timeout, not its delay
    assert (found.ok, found.busy, found.failure) == (False, (), reason)


def test_a_failure_is_cached_briefly_then_read_again(ics: IcsServer) -> None:
    clock = [0.0]
    reader = BusyFeeds(private_hosts=True, clock=lambda: clock[0])
    url = ics.serve(SECRET, BROKEN)
    for _ in range(2):
        assert not reader.busy(url, zone=WARSAW, start=utc(22, 0), end=utc(23, 0)).ok
    assert ics.hits[SECRET] == 1
    ics.serve(SECRET, FEED)
    clock[0] += 61  # a minute, not the 15 minutes a working feed is kept
    assert reader.busy(url, zone=WARSAW, start=utc(22, 0), end=utc(23, 0)).ok


def test_concurrent_readers_of_one_feed_agree(ics: IcsServer) -> None:
    reader, url = feeds(), ics.serve(SECRET, FEED)
    results: list[object] = []

    def read() -> None:
        results.append(reader.busy(url, zone=WARSAW, start=utc(22, 0), end=utc(31, 0)).busy)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8 and all(r == results[0] and r for r in results)


def test_private_and_loopback_addresses_are_refused(ics: IcsServer) -> None:
    """A typed address must not make the server read internal services (SSRF): the check is
    on the addresses a name resolves to, so `localhost` is refused like 127.0.0.1."""
    ics.serve(SECRET, FEED)
    strict = BusyFeeds()  # production: private_hosts off
    for url in (
        ics.url(SECRET),  # plain http
        f"https://127.0.0.1:{ics.port}{SECRET}",
        f"https://localhost:{ics.port}{SECRET}",
        f"webcal://localhost:{ics.port}{SECRET}",
    ):
        found = strict.busy(url, zone=WARSAW, start=utc(22, 0), end=utc(23, 0))
        assert found.failure == "AddressRefusedError", url
    assert ics.hits[SECRET] == 0  # nothing ever connected


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("https://calendar.google.com/calendar/ical/ana%40acme.com/private-0a1b/basic.ics", None),
        ("webcal://p42-caldav.icloud.com/published/2/MTIzNDU2Nzg5", None),
        ("  https://outlook.office365.com/owa/calendar/abc/def/reachcalendar.ics ", None),
        ("http://calendar.example.com/basic.ics", "starts with https://"),
        ("ftp://calendar.example.com/basic.ics", "starts with https://"),
        ("calendar.google.com/calendar/ical/basic.ics", "starts with https://"),
        ("https://", "doesn't look like"),
        ("https://calendar.example.com/my calendar.ics", "doesn't look like"),
        ("https://ana:pa55@calendar.example.com/basic.ics", "doesn't look like"),
        ("https://calendar.example.com:port/basic.ics", "doesn't look like"),
        ("https://[::1/basic.ics", "doesn't look like"),
        ("https://intranet/basic.ics", "doesn't look like"),
        ("https://10.0.0.5/basic.ics", "private network"),
        ("https://169.254.169.254/latest/meta-data", "private network"),
        ("https://[::1]/basic.ics", "private network"),
        ("https://calendar.example.com/" + "a" * 1000, "at most 1,000"),
    ],
)
def test_the_profile_form_checks_the_address(address: str, problem: str | None) -> None:
    found = address_problem(address)
    assert found is None if problem is None else problem in (found or "")


def test_plain_http_to_a_local_server_only_when_private_hosts_are_allowed() -> None:
    assert address_problem("http://127.0.0.1:8000/basic.ics", allow_http=True) is None
    assert address_problem("http://127.0.0.1:8000/basic.ics") is not None


# -- booking with a feed ------------------------------------------------------------------


def mentoring_session(engine: Engine, mentor_id: int) -> int:
    with session_scope(engine) as session:
        request = request_repo.create_request(
            session,
            mentee_slack_id=MENTEE,
            question="q?",
            format="flash",
            mentee_timezone="Europe/Paris",
        )
        assert request.id is not None
        meeting = session_repo.create_session(
            session, request_id=request.id, mentor_id=mentor_id, mentee_slack_id=MENTEE, minutes=60
        )
        assert meeting.id is not None
        return meeting.id


def booking_with_feed(
    engine: Engine, url: str | None, reader: BusyFeeds
) -> tuple[BookingService, Mock, int]:
    mentor_id = add_mentor(engine, MENTOR, "postmortems", timezone="Europe/Warsaw")
    with session_scope(engine) as session:
        busy_feed_repo.set_address(session, mentor_id, url)
    notifier: Mock = create_autospec(SlackNotifier, instance=True)
    service = BookingService(
        engine=engine, notifier=notifier, timer=Mock(), feeds=reader, feed_notifier=notifier
    )
    return service, notifier, mentoring_session(engine, mentor_id)


def failure_told_at(engine: Engine) -> datetime | None:
    with session_scope(engine) as session:
        mentor = mentor_repo.get_by_slack_id(session, MENTOR)
        assert mentor is not None
        return mentor.busy_feed_failed_at


WORKING_HOURS_ONLY = ["Thu 22 09:00", "Thu 22 12:00", "Fri 23 09:00", "Fri 23 12:00"]


def test_slots_avoid_the_recurring_meeting_before_and_after_the_dst_change(
    engine: Engine, ics: IcsServer
) -> None:
    service, _, session_id = booking_with_feed(engine, ics.serve(SECRET, FEED), feeds())
    # Before the change: afternoons only; Friday 15:30 lies in the cancelled review.
    assert local_times(service.propose(session_id, now=THURSDAY)) == [
        "Thu 22 12:30", "Thu 22 15:30", "Fri 23 12:30", "Fri 23 15:30",
    ]  # fmt: skip
    # After it: the meeting is still 09:00-12:00 local (08:00-11:00 UTC); Monday 15:30 lies
    # in transparent focus time; Tuesday is the all-day offsite; Wednesday's meeting is
    # cancelled, so its morning is free.
    assert local_times(service.propose(session_id, now=MONDAY)) == [
        "Mon 26 12:30", "Mon 26 15:30", "Wed 28 09:00", "Wed 28 12:00",
    ]  # fmt: skip


def test_without_a_feed_slots_follow_working_hours(engine: Engine) -> None:
    service, notifier, session_id = booking_with_feed(engine, None, feeds())
    assert local_times(service.propose(session_id, now=THURSDAY)) == WORKING_HOURS_ONLY
    notifier.busy_feed_failed.assert_not_called()


@pytest.mark.parametrize(
    "feed",
    [{"body": BROKEN}, {"body": FEED, "delay": 3.0}, {"status": 404}],
    ids=["broken", "slow", "404"],
)
def test_a_failing_feed_falls_back_to_working_hours_and_the_mentor_is_told_once(
    engine: Engine, ics: IcsServer, feed: dict[str, Any]
) -> None:
    url = ics.serve(SECRET, **feed)
    # Nothing cached: each proposal reads the feed again, and it is the database that
    # remembers the mentor was told.
    reader = feeds(timeout_seconds=0.5, failure_cache_seconds=0)
    service, notifier, session_id = booking_with_feed(engine, url, reader)
    for _ in range(2):
        began = time.monotonic()
        assert local_times(service.propose(session_id, now=THURSDAY)) == WORKING_HOURS_ONLY
        assert time.monotonic() - began < 2
    assert notifier.busy_feed_failed.call_args_list == [call(MENTOR)]
    assert ics.hits[SECRET] == 2
    assert failure_told_at(engine) is not None


def test_the_mentor_is_told_again_only_after_the_feed_worked_again(
    any_engine: Engine, ics: IcsServer
) -> None:
    engine = any_engine
    url = ics.serve(SECRET, BROKEN)
    service, notifier, session_id = booking_with_feed(engine, url, feeds(cache_minutes=0))
    told = notifier.busy_feed_failed
    service.propose(session_id, now=THURSDAY)
    ics.serve(SECRET, FEED)  # fixed
    assert local_times(service.propose(session_id, now=THURSDAY))[0] == "Thu 22 12:30"
    assert failure_told_at(engine) is None
    ics.serve(SECRET, BROKEN)  # broken again: a new failure, told again
    service.propose(session_id, now=THURSDAY)
    service.propose(session_id, now=THURSDAY)
    assert told.call_args_list == [call(MENTOR), call(MENTOR)]


def test_a_dm_that_fails_never_stops_the_slots_and_is_tried_again(
    engine: Engine, ics: IcsServer
) -> None:
    url = ics.serve(SECRET, BROKEN)
    service, notifier, session_id = booking_with_feed(engine, url, feeds(cache_minutes=0))
    told = notifier.busy_feed_failed
    told.side_effect = [RuntimeError("Slack is down"), None]
    assert service.propose(session_id, now=THURSDAY)
    assert notifier.offer_slots.called
    service.propose(session_id, now=THURSDAY)
    assert told.call_count == 2  # the failed DM rolled its claim back


def test_a_mentees_click_is_checked_against_the_calendar_a_mentors_pick_is_not(
    engine: Engine, ics: IcsServer
) -> None:
    url = ics.serve(SECRET, calendar())  # nothing planned yet
    service, notifier, session_id = booking_with_feed(engine, url, feeds(cache_minutes=0))
    first = service.propose(session_id, now=THURSDAY)[0]
    assert local_times([first]) == ["Thu 22 09:00"]
    ics.serve(SECRET, calendar(TEAM_SYNC))  # a meeting was added since the slots went out
    taken = service.book(session_id, first.start, clicker_slack_id=MENTEE, now=THURSDAY)
    assert taken is BookResult.TAKEN
    notifier.slot_taken.assert_called_once()
    # The mentor proposing that very time knows their calendar: it is booked.
    booked = service.book(
        session_id,
        first.start,
        clicker_slack_id=MENTOR,
        now=THURSDAY,
        fresh_slots_if_taken=False,
    )
    assert booked is BookResult.BOOKED


def test_the_address_and_titles_are_never_logged(
    engine: Engine, ics: IcsServer, caplog: pytest.LogCaptureFixture
) -> None:
    url = ics.serve(SECRET, BROKEN)
    service, _, session_id = booking_with_feed(engine, url, feeds())
    with caplog.at_level(logging.INFO):
        service.propose(session_id, now=THURSDAY)
    failed = [r.__dict__ for r in caplog.records if r.getMessage() == "busy_feed_failed"]
    assert [(r["mentor_id"], r["reason"]) for r in failed] == [(1, "ValueError")]
    lines = "\n".join(JsonFormatter().format(r) for r in caplog.records)
    assert "5ecret" not in lines and "Sign in" not in lines


def test_my_data_says_a_feed_is_set_and_forget_me_removes_it(
    any_engine: Engine, ics: IcsServer
) -> None:
    engine = any_engine
    booking_with_feed(engine, ics.serve(SECRET, FEED), feeds())
    exported = export_personal_data(engine, MENTOR)
    assert exported["mentor_profile"]["calendar_feed"] == "set"
    assert "5ecret" not in json.dumps(exported)
    with session_scope(engine) as session:
        mentor = mentor_repo.get_by_slack_id(session, MENTOR)
        assert mentor is not None
        mentor_id = mentor.id
        privacy_repo.erase_person(session, MENTOR)
    with session_scope(engine) as session:
        erased = session.get(Mentor, mentor_id)
        assert erased is not None and erased.busy_feed_url is None


def test_saving_the_form_sets_replaces_and_removes_the_address(
    any_engine: Engine, fake_embedder: FakeEmbedder
) -> None:
    engine = any_engine
    matching = MatchingService(engine=engine, embedder=fake_embedder)
    profiles = ProfileService(engine=engine, matching=matching)
    profile = MentorProfile(slack_id=MENTOR, expertise="postmortems")
    profiles.save(profile, busy_feed_url="https://a.example/old.ics")
    with session_scope(engine) as session:
        mentor = mentor_repo.get_by_slack_id(session, MENTOR)
        assert mentor is not None and mentor.id is not None
        assert busy_feed_repo.claim_failure_notice(session, mentor.id, THURSDAY)
    profiles.save(profile)  # a save without the field (KEEP) leaves it alone
    assert profiles.busy_feed_of(MENTOR) == "https://a.example/old.ics"
    assert failure_told_at(engine) is not None
    profiles.save(profile, busy_feed_url="https://a.example/new.ics")
    assert (profiles.busy_feed_of(MENTOR), failure_told_at(engine)) == (
        "https://a.example/new.ics",
        None,  # a new address starts afresh
    )
    profiles.save(profile, busy_feed_url=None)  # the field left empty
    assert profiles.busy_feed_of(MENTOR) is None
    seen = profiles.get(MENTOR)  # the view listeners and builders get: no address in it
    assert seen is not None and not [k for k in seen.model_dump() if k.startswith("busy_feed")]


def test_the_notice_reaches_the_mentor_in_a_dm() -> None:
    client = Mock(WebClient)
    client.conversations_open.return_value = {"channel": {"id": "D0MENTOR1"}}
    client.chat_postMessage.return_value = {"channel": "D0MENTOR1", "ts": "1.0"}
    SlackNotifier(client, program_leads=[]).busy_feed_failed(MENTOR)
    sent = client.chat_postMessage.call_args.kwargs
    assert sent["channel"] == "D0MENTOR1"
    assert "couldn't read your calendar feed" in sent["text"]
    assert "/mentor profile" in sent["text"]


def test_only_the_mentors_own_form_is_prefilled() -> None:
    mine = profile_blocks.ProfileDefaults.of(None, "UTC", busy_feed="https://x.example/a.ics")
    assert mine.busy_feed == ""  # not a mentor yet: nothing stored to show
    view = profile_blocks.profile_modal(
        profile_blocks.ProfileDefaults(busy_feed="https://x.example/a.ics"), is_mentor=True
    ).to_dict()
    (feed_input,) = [b for b in view["blocks"] if b.get("block_id") == profile_blocks.BUSY_FEED]
    assert feed_input["element"]["initial_value"] == "https://x.example/a.ics"
    assert feed_input["optional"] is True
    assert "busy times" in feed_input["hint"]["text"]


# -- through the real HTTP endpoint -------------------------------------------------------


def profile_form(feed: str) -> dict[object, object]:
    return {
        Field.EXPERTISE: {"type": "plain_text_input", "value": "writing incident postmortems"},
        Field.CAPACITY: {"type": "number_input", "value": "2"},
        Field.TIMEZONE: {"type": "plain_text_input", "value": "Europe/Warsaw"},
        profile_blocks.BUSY_FEED: {"type": "plain_text_input", "value": feed},
    }


def test_pick_a_time_avoids_the_mentors_recurring_meeting(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn, ics: IcsServer
) -> None:
    """A mentor pastes their feed in `/mentor profile`, accepts a question on Friday before
    the DST change, and the mentee's "Pick a time" slots avoid the team sync on both sides
    of it (Friday in CEST, Monday in CET)."""
    url = ics.serve(SECRET, FEED)
    with time_machine.travel(datetime(2026, 10, 23, 4, 50, tzinfo=UTC), tick=True):
        bot = start_bot(busy_feed_private_hosts=True)
        flow.seed(engine)
        mentor = "U0SRE0001"
        refused = bot.submit(Callback.PROFILE, profile_form("ftp://example.com/x.ics"), mentor)
        assert "https://" in refused.json()["errors"][profile_blocks.BUSY_FEED]
        assert bot.submit(Callback.PROFILE, profile_form(url), mentor).json() is None
        slack_api.wait_text("chat.postMessage", "profile is saved")
        bot.command("profile", mentor)
        assert "5ecret" in slack_api.wait_call("views.open")[0].blocks_text()  # their own form
        slack_api.clear()
        flow.ask(bot)
        bot.click(Action.ACCEPT, flow.offer_to(slack_api, mentor), mentor)
        picker = slack_api.wait_for(
            lambda: [
                c for c in slack_api.messages_to(flow.MENTEE) if "Pick a time" in c.blocks_text()
            ]
        )
        values = flow.slot_values(picker[0].blocks_text())
        starts = [parse_slot_value(value)[1] for value in values]
        assert local_times(starts) == [
            "Fri 23 12:30", "Fri 23 15:30", "Mon 26 12:30", "Mon 26 15:30",
        ]  # fmt: skip
        bot.click(Action.BOOK_SLOT, values[0], flow.MENTEE)
        slack_api.wait_for(
            lambda: (
                len([c for c in slack_api.of("chat.postMessage") if "Booked:" in c.blocks_text()])
                == 2
            )
        )
        # Left empty in the form, the address is removed.
        assert bot.submit(Callback.PROFILE, profile_form(""), mentor).json() is None
        profiles = bot.runtime.handler_services.profiles
        slack_api.wait_for(lambda: profiles.busy_feed_of(mentor) is None)
        bot.wait_idle()
        bot.close()  # on the moved clock: back on the real one, its reminders would be overdue
    assert ics.hits[SECRET] >= 1
    assert not [c for c in slack_api.messages_to(mentor) if "calendar feed" in c.blocks_text()]


# -- a stranger's file cannot make expansion expensive ------------------------------------

MINUTELY = """BEGIN:VEVENT
UID:every-minute@example
DTSTART:20260101T000000Z
DTEND:20260101T000100Z
RRULE:FREQ=MINUTELY
END:VEVENT
"""
SINCE_1900 = """BEGIN:VEVENT
UID:since-1900@example
DTSTART;TZID=Europe/Warsaw:19000102T090000
DTEND;TZID=Europe/Warsaw:19000102T093000
RRULE:FREQ=DAILY;INTERVAL=2
END:VEVENT
"""


def test_sub_daily_rules_read_as_one_occurrence_and_old_series_start_near_the_window(
    ics: IcsServer,
) -> None:
    url = ics.serve(SECRET, calendar(MINUTELY, SINCE_1900))
    found = feeds().busy(url, zone=WARSAW, start=utc(22, 0), end=utc(26, 0))
    assert found.ok
    # Every other day at 09:00 Warsaw since 2 Jan 1900 (an even number of days to 22 Oct 2026
    # is 46,314): 22 and 24 October; nothing of the every-minute rule in the window.
    assert list(found.busy) == [
        (utc(22, 7), datetime(2026, 10, 22, 7, 30, tzinfo=UTC)),
        (utc(24, 7), datetime(2026, 10, 24, 7, 30, tzinfo=UTC)),
    ]


def test_a_calendar_with_too_many_series_is_refused(ics: IcsServer) -> None:
    many = [SINCE_1900.replace("since-1900", f"s{n}") for n in range(1_001)]
    url = ics.serve(SECRET, calendar(*many))
    found = feeds().busy(url, zone=WARSAW, start=utc(22, 0), end=utc(23, 0))
    assert not found.ok and found.failure == "FeedTooLargeError"


@pytest.mark.parametrize(
    "address",
    ["64:ff9b::a00:1", "2002:a00:1::1", "::10.0.0.1", "::ffff:192.168.1.1", "127.0.0.1", "fe80::1"],
)
def test_private_ipv4_behind_an_ipv6_form_is_refused(address: str) -> None:
    assert not busy_feed._public(address)


def test_public_addresses_stay_allowed() -> None:
    assert busy_feed._public("8.8.8.8") and busy_feed._public("2001:4860:4860::8888")
