"""`/mentor again @ana <question>`: ask a mentor one has met before, by name, without matching.

Only mentors who accepted one of this person's earlier requests can be named: nobody can use
it to send questions to any colleague they like, and a short list makes names unambiguous."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.mentoring.ports import RequestView

# Slack sends "<@U123|ana>" when the command escapes mentions, plain "@ana" when it does not.
ESCAPED_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,31})(?:\|[^>]*)?>")


@dataclass(frozen=True)
class PastMentor:
    mentor_id: int
    slack_id: str
    name: str


class AgainResult(StrEnum):
    ASKED = "asked"  # the request exists; the mentor is asked, or it waits for their room
    UNKNOWN_MENTOR = "unknown_mentor"  # nobody they met before goes by that name
    NO_QUESTION = "no_question"  # a name, but nothing to ask


@dataclass(frozen=True)
class AgainOutcome:
    result: AgainResult
    past_mentors: tuple[PastMentor, ...] = ()
    request: RequestView | None = None
    mentor: PastMentor | None = None


def names_someone(text: str) -> bool:
    """Whether what follows `again` starts with a person ("@ana …"): else it is a question
    that merely starts with the word ("again the build fails…")."""
    stripped = text.lstrip()
    return stripped.startswith("@") or bool(ESCAPED_MENTION.match(stripped))


def resolve(text: str, mentors: Sequence[PastMentor]) -> tuple[PastMentor, str] | None:
    """The mentor `text` starts with, and the question after the name; the longest name wins
    ("@Ana Maria" over "@Ana")."""
    stripped = text.strip()
    escaped = ESCAPED_MENTION.match(stripped)
    if escaped:
        found = next((m for m in mentors if m.slack_id == escaped.group(1)), None)
        return (found, stripped[escaped.end() :].strip()) if found else None
    if not stripped.startswith("@"):
        return None
    typed = stripped[1:]
    best: tuple[int, PastMentor] | None = None
    for mentor in mentors:
        for name in _names_of(mentor):
            fits = typed.lower().startswith(name.lower()) and (
                len(typed) == len(name) or not typed[len(name)].isalnum()
            )
            if fits and (best is None or len(name) > best[0]):
                best = (len(name), mentor)
    if best is None:
        return None
    length, mentor = best
    return mentor, typed[length:].lstrip(" ,:;-—").strip()


def _names_of(mentor: PastMentor) -> list[str]:
    """What people type after "@": the full name, its first word, or the Slack id."""
    names = [mentor.slack_id]
    if mentor.name.strip():
        full = " ".join(mentor.name.split())
        names += [full, full.split(" ")[0], full.replace(" ", ".").lower()]
    return names
