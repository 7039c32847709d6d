"""What every builder shares: the Message type, escaping and quoting people's words, dates
every viewer sees in their own time zone, and the redacted text that replaces a message
quoting someone whose data was erased."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.handlers.ids import Action, Callback
from bot.storage.models import (
    MentoringFormat,
    MessageKind,
)

SECTION_LIMIT = 3000


FORMAT_LABELS = {
    MentoringFormat.FLASH.value: "Flash — one focused hour",
    MentoringFormat.MICRO.value: "Micro — one or two sessions on one need",
    MentoringFormat.SPEED.value: "Speed — 15 minutes",
}


STATUS_LABELS = {
    "open": "looking for a mentor",
    "offered": "waiting for a mentor's answer",
    "matched": "matched",
    "unmatched": "no mentor found",
    "cancelled": "cancelled",
    "completed": "completed",
}


URGENCY_LABELS = {"today": "Today", "this_week": "This week", "whenever": "No rush"}


@dataclass(frozen=True)
class Message:
    text: str  # notification / screen-reader fallback
    blocks: list[Block]

    def as_kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": [b.to_dict() for b in self.blocks]}


def id_value(record_id: int) -> str:
    """A button value or modal metadata naming one record (an offer, a request, a session)."""
    return str(record_id)


def parse_id_value(value: object) -> int:
    """The record id in a button value or modal metadata; ValueError when it is not ours."""
    text = str(value or "")
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise ValueError(f"not a record id: {text[:20]!r}")
    return int(text)


def confirmed_button(
    text: str, action: Action, value: str, *, ask: tuple[str, str], answers: tuple[str, str]
) -> ButtonElement:
    """A red button behind a confirmation: `ask` is (title, text), `answers` (yes, no)."""
    return ButtonElement(
        text=text,
        action_id=action.value,
        value=value,
        style="danger",
        confirm=ConfirmObject(title=ask[0], text=ask[1], confirm=answers[0], deny=answers[1]),
    )


def modal(
    callback: Callback, title: str, submit: str, blocks: Sequence[Block], metadata: str = ""
) -> View:
    """A form: `metadata` comes back with the submission (its encoder sits by the builder)."""
    return View(
        type="modal",
        callback_id=callback.value,
        title=title,
        submit=submit,
        close="Cancel",
        private_metadata=metadata or None,
        blocks=list(blocks),
    )


def escape(text: str) -> str:
    """Slack mrkdwn escaping: user text can then never ping <!channel> or forge links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote(text: str, limit: int = SECTION_LIMIT - 200) -> str:
    """User text as an escaped mrkdwn quote that fits in a section."""
    return "\n".join("> " + line for line in escape(clip(text, limit)).splitlines() or [""])


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def reasons_line(reasons: Sequence[str]) -> str:
    return "matched on: " + ", ".join(escape(r) for r in reasons) if reasons else ""


def section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_LIMIT)))


def context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(text, SECTION_LIMIT))])


REDACTED = {
    MessageKind.OFFER.value: (
        "This request was withdrawn, and its text deleted at the asker's request. Nothing more"
        " to do."
    ),
    MessageKind.APPROVAL.value: (
        "This mentor profile was deleted at its owner's request. Nothing more to do."
    ),
}


REDACTED_DEFAULT = (
    "This message was removed: someone asked mentor-bot to delete their data, and it quoted it."
)


def redacted(kind: str) -> Message:
    """What replaces a message that quoted someone who asked for their data to be deleted."""
    return plain("🗑️ " + REDACTED.get(kind, REDACTED_DEFAULT))


def plain(text: str) -> Message:
    return Message(text, [section(text)])


def local_time(moment: datetime) -> str:
    """A time every viewer sees in their own time zone (Slack date formatting)."""
    epoch = int(moment.timestamp())
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{epoch}^{{date_short_pretty}} at {{time}}|{fallback}>"
