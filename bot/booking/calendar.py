"""iCalendar invites for booked sessions, so they land in people's calendars.

The invite carries no question text: calendars are often visible to colleagues and assistants,
and the question is private to the mentee and the mentor.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from bot.booking.place import meeting_place
from bot.booking.ports import SessionView
from bot.i18n import _


def session_invite(meeting: SessionView, *, now: datetime) -> bytes:
    if meeting.starts_at is None:
        raise ValueError("only a booked session has an invite")
    calendar = Calendar()
    calendar.add("prodid", "-//mentor-bot//mentoring sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    # One UID per session, and a SEQUENCE that grows with every booking: the invite sent
    # after a reschedule replaces the first one in calendar apps instead of adding a second.
    event.add("uid", f"mentor-bot-session-{meeting.session_id}@mentor-bot")
    event.add("sequence", meeting.calendar_sequence)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add(
        "dtend", meeting.starts_at.astimezone(UTC) + timedelta(minutes=meeting.duration_minutes)
    )
    # In the active language: the notifier builds one invite per recipient.
    event.add("summary", _("Mentoring session (mentor-bot)"))
    event.add(
        "description",
        _(
            "Mentoring session for request #{request}. Details are in your Slack DM with"
            " mentor-bot.",
            request=meeting.request_id,
        ),
    )
    place = meeting_place(meeting.meeting_place)
    if place is not None:
        event.add("location", _("Slack huddle") if place.huddle else place.text)
        if place.link:
            event.add("url", place.link)
    calendar.add_component(event)
    return bytes(calendar.to_ical())
