"""Free text from people, cleaned once where it enters: Slack payloads, CSV cells, CLI arguments.

Control characters have no business in a mentoring question or a profile, and some are harmful
further in: PostgreSQL refuses U+0000 in text (the request would fail after the ack), a lone
surrogate from a JSON escape cannot be encoded for SQLite or a log line, and ESC / CSI sequences
would drive the terminal of whoever runs `mentor-bot mentors list`.
"""

from __future__ import annotations

import re
import sys

# Unicode category Cc (C0, DEL and C1), lone surrogates and the non-characters.
_CONTROL_CODES = [*range(0x00, 0x20), *range(0x7F, 0xA0)]
_KEEP_IN_MULTILINE = {ord("\n"), ord("\t")}
_SINGLE_LINE = dict.fromkeys(_CONTROL_CODES)
# A tab or line break in a one-line field becomes a space rather than gluing words together.
_SINGLE_LINE.update({ord("\n"): " ", ord("\t"): " ", ord("\r"): " "})
_MULTILINE = {code: None for code in _CONTROL_CODES if code not in _KEEP_IN_MULTILINE}
_NOT_TEXT = re.compile(
    "[\ud800-\udfff\ufdd0-\ufdef"
    + "".join(
        f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}"
        for plane in range(sys.maxunicode // 0x10000 + 1)
    )
    + "]"
)


def clean_text(value: str, *, multiline: bool = False) -> str:
    """`value` without control characters (U+0000 included), lone surrogates or non-characters.

    Multi-line text (a question's context, a comment) keeps its line breaks and tabs; a one-line
    field gets spaces for them. Leading and trailing whitespace is left to the caller."""
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    table = _MULTILINE if multiline else _SINGLE_LINE
    return _NOT_TEXT.sub("", value.translate(table))


def clean_optional(value: str | None, *, multiline: bool = False) -> str | None:
    """`clean_text` of a stripped optional field; None when nothing is left."""
    if value is None:
        return None
    cleaned = clean_text(value, multiline=multiline).strip()
    return cleaned or None
