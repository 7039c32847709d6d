"""What of a mentor profile gets embedded: the whole profile and each expertise phrase."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

MAX_PHRASES = 24
_SEPARATORS = re.compile(r"[,;\n•·|]+|\.\s+|\s+/\s+")


def expertise_phrases(
    expertise: str, skills: Sequence[str], help_questions: Sequence[str] = ()
) -> list[str]:
    """Distinct short phrases ("incident postmortems", "on-call rotations") in profile order,
    then the mentor's example questions, each whole (matched like a phrase, not cut up)."""
    seen: set[str] = set()
    phrases: list[str] = []
    for raw in [*_SEPARATORS.split(expertise), *skills]:
        phrase = " ".join(raw.split()).strip(" .-:")
        key = phrase.casefold()
        if len(phrase) >= 2 and key not in seen:
            seen.add(key)
            phrases.append(phrase)
    phrases = phrases[:MAX_PHRASES]
    for question in help_questions:
        example = " ".join(question.split())
        if example and example.casefold() not in seen:
            seen.add(example.casefold())
            phrases.append(example)
    return phrases


def profile_text(title: str, expertise: str, skills: Sequence[str]) -> str:
    parts = [title.strip(), expertise.strip()]
    if skills:
        parts.append("Skills: " + ", ".join(skills))
    return ". ".join(part for part in parts if part)


def text_hash(profile: str, phrases: Sequence[str]) -> str:
    digest = hashlib.sha256(profile.encode("utf-8"))
    for phrase in phrases:
        digest.update(b"\x1f" + phrase.encode("utf-8"))
    return digest.hexdigest()
