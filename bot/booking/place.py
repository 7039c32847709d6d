"""Where a session happens, read from what the mentor wrote in their profile.

A link (https only) becomes a "Join" button and the invite's URL; "Slack huddle" (in any of the
bot's languages) tells both to start a huddle in their DM; anything else is a room or place,
shown as written."""

from __future__ import annotations

import re
from dataclasses import dataclass

LINK = re.compile(r"https://[^\s<>|]+")
# What people write for "a Slack huddle", casefolded, without punctuation.
HUDDLE = {
    "huddle",
    "slack huddle",
    "a slack huddle",
    "huddle on slack",
    "huddle w slacku",
    "slack huddle w dm",
    "huddle di slack",
    "huddle slack",
    "huddle en slack",
    "huddle auf slack",
    "slack-huddle",
    "huddle sur slack",
}


@dataclass(frozen=True)
class MeetingPlace:
    text: str  # as the mentor wrote it
    link: str | None = None  # the https address, when it is one
    huddle: bool = False


def meeting_place(written: str | None) -> MeetingPlace | None:
    if not written or not written.strip():
        return None
    text = written.strip()
    if LINK.fullmatch(text):
        return MeetingPlace(text, link=text)
    normalised = re.sub(r"[^\w\s-]", "", text.casefold()).strip()
    return MeetingPlace(text, huddle=normalised in HUDDLE)
