"""A place to meet: the mentor's link, room or "Slack huddle" reaches the booking DM, the
calendar invite and the 10-minute reminder (with a Join button for a link)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from pydantic import ValidationError
from sqlalchemy.engine import Engine

from bot.booking.calendar import session_invite
from bot.booking.place import meeting_place
from bot.booking.ports import NudgeKind, SessionView
from bot.handlers.blocks.booking import session_reminder
from bot.handlers.ids import Action, Callback, Field
from bot.storage.models import MentorProfile, utcnow
from tests.utils import flow
from tests.utils.bot_server import StartBot
from tests.utils.slack_api import SlackStandIn

LINK = "https://meet.example.com/ana-mentoring"


def view(place: str | None) -> SessionView:
    return SessionView(
        7, 3, "U0MENTEE1", "U0SRE0001", 60, utcnow() + timedelta(days=1), "q", 1,
        meeting_place=place,
    )  # fmt: skip


def test_a_place_is_a_link_a_huddle_or_a_room() -> None:
    assert meeting_place(LINK) == meeting_place(f"  {LINK} ")
    assert meeting_place(LINK).link == LINK  # type: ignore[union-attr]
    assert meeting_place("Slack huddle").huddle  # type: ignore[union-attr]
    assert meeting_place("huddle na Slacku") is not None
    room = meeting_place("Room 4.12 (Kraków office)")
    assert room is not None and not room.huddle and room.link is None
    assert meeting_place("  ") is None


@pytest.mark.parametrize(
    "written", ["http://zoom.us/j/123", "zoom.us/j/1 or https://x", "www.example.com/room"]
)
def test_links_must_be_one_https_address(written: str) -> None:
    with pytest.raises(ValidationError, match="https://"):
        MentorProfile(slack_id="U0SRE0001", expertise="postmortems", meeting_place=written)


def test_the_invite_carries_the_place_and_the_link() -> None:
    event = Calendar.from_ical(session_invite(view(LINK), now=utcnow())).walk("VEVENT")[0]
    assert (str(event["location"]), str(event["url"])) == (LINK, LINK)
    room = Calendar.from_ical(session_invite(view("Room 4.12"), now=utcnow())).walk("VEVENT")[0]
    assert str(room["location"]) == "Room 4.12" and "url" not in room
    bare = Calendar.from_ical(session_invite(view(None), now=utcnow())).walk("VEVENT")[0]
    assert "location" not in bare


def test_only_the_soon_reminder_of_a_link_has_a_join_button() -> None:
    def join_buttons(place: str | None, kind: NudgeKind) -> list[dict[str, object]]:
        blocks = session_reminder(view(place), kind, for_mentor=False).blocks
        elements = [e for b in blocks for e in (b.to_dict().get("elements") or [])]
        return [e for e in elements if e.get("action_id") == Action.JOIN_SESSION.value]

    (button,) = join_buttons(LINK, NudgeKind.REMINDER_SOON)
    assert button["url"] == LINK
    assert join_buttons(LINK, NudgeKind.REMINDER_EARLY) == []
    assert join_buttons("Slack huddle", NudgeKind.REMINDER_SOON) == []


def test_the_mentors_place_reaches_the_booking_dm_invite_and_reminder(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    bot = start_bot()
    flow.seed(engine)
    values = {
        Field.EXPERTISE: {"type": "plain_text_input", "value": "writing incident postmortems"},
        Field.CAPACITY: {"type": "number_input", "value": "2"},
        Field.TIMEZONE: {"type": "plain_text_input", "value": "Europe/Warsaw"},
        Field.MEETING_PLACE: {"type": "plain_text_input", "value": "http://insecure.example"},
    }
    refused = bot.submit(Callback.PROFILE, values, "U0SRE0001").json()
    assert "https://" in refused["errors"][Field.MEETING_PLACE.value]
    values[Field.MEETING_PLACE] = {"type": "plain_text_input", "value": LINK}
    assert bot.submit(Callback.PROFILE, values, "U0SRE0001").json() is None
    slack_api.wait_text("chat.postMessage", "profile is saved")
    slack_api.clear()

    meeting = flow.book_first_slot(engine, bot, slack_api)
    booked = [
        c.blocks_text() for c in slack_api.of("chat.postMessage") if "Booked:" in c.blocks_text()
    ]
    assert len(booked) == 2 and all(f"<{LINK}|" in text for text in booked)
    uploads = slack_api.wait_call("upload", count=2)
    events = [Calendar.from_ical(u.params["content"]).walk("VEVENT")[0] for u in uploads]
    assert {str(e["url"]) for e in events} == {LINK}

    assert meeting.starts_at is not None and meeting.id is not None
    slack_api.clear()
    booking = bot.runtime.handler_services.booking
    assert booking.remind(
        meeting.id, NudgeKind.REMINDER_SOON, now=meeting.starts_at - timedelta(minutes=10)
    )
    reminders = slack_api.wait_call("chat.postMessage", count=2)
    for reminder in reminders:
        buttons = [
            e
            for b in reminder.params["blocks"]
            for e in b.get("elements", [])
            if e.get("action_id") == Action.JOIN_SESSION.value
        ]
        assert [b["url"] for b in buttons] == [LINK]
    assert bot.click(Action.JOIN_SESSION, "", flow.MENTEE).status == 200  # acknowledged
