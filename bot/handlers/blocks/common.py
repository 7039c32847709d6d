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
from bot.i18n import N_, _, format_when
from bot.storage.models import (
    MentoringFormat,
    MessageKind,
)

SECTION_LIMIT = 3000


# Labels are marked for the catalog here and translated where they are shown (`label`), in
# the language active then.
FORMAT_LABELS = {
    MentoringFormat.FLASH.value: N_("Flash — one focused hour"),
    MentoringFormat.MICRO.value: N_("Micro — one or two sessions on one need"),
    MentoringFormat.SPEED.value: N_("Speed — 15 minutes"),
}
# The format as it reads inside a sentence ("a … session").
FORMAT_NAMES = {
    MentoringFormat.FLASH.value: N_("flash (one focused hour)"),
    MentoringFormat.MICRO.value: N_("micro (one or two sessions on one need)"),
    MentoringFormat.SPEED.value: N_("speed (15 minutes)"),
}


STATUS_LABELS = {
    "open": N_("looking for a mentor"),
    "offered": N_("waiting for a mentor's answer"),
    "waiting": N_("on the waiting list"),
    "matched": N_("matched"),
    "unmatched": N_("no mentor found"),
    "cancelled": N_("cancelled"),
    "completed": N_("completed"),
}


URGENCY_LABELS = {"today": N_("Today"), "this_week": N_("This week"), "whenever": N_("No rush")}


def label(labels: dict[str, str], key: str) -> str:
    """The translated label of `key`, or `key` itself (escaped) when it has none."""
    return _(labels[key]) if key in labels else escape(key)


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
        close=_("Cancel"),
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
    if not reasons:
        return ""
    # A reason is a mentor's own expertise phrase, or a message of ours (a lead's choice):
    # gettext returns phrases it has no entry for unchanged.
    return _("matched on: {reasons}", reasons=", ".join(escape(_(r)) for r in reasons))


def section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_LIMIT)))


def context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(text, SECTION_LIMIT))])


REDACTED = {
    MessageKind.OFFER.value: N_(
        "This request was withdrawn, and its text deleted at the asker's request. Nothing more"
        " to do."
    ),
    MessageKind.APPROVAL.value: N_(
        "This mentor profile was deleted at its owner's request. Nothing more to do."
    ),
}


REDACTED_DEFAULT = N_(
    "This message was removed: someone asked mentor-bot to delete their data, and it quoted it."
)


def redacted(kind: str) -> Message:
    """What replaces a message that quoted someone who asked for their data to be deleted."""
    return plain("🗑️ " + _(REDACTED.get(kind, REDACTED_DEFAULT)))


def plain(text: str) -> Message:
    return Message(text, [section(text)])


def local_time(moment: datetime, zone: str | None = None) -> str:
    """A time every viewer sees in their own time zone (Slack date formatting). The fallback
    text (notifications, clients that cannot format) is in the active language and in `zone`,
    the reader's time zone when it is known."""
    epoch = int(moment.timestamp())
    fallback = format_when(moment, zone or "UTC") + ("" if zone else " UTC")
    return f"<!date^{epoch}^{{date_short_pretty}} {{time}}|{fallback}>"
