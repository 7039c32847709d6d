"""What makes a question usable: checked once, where it enters (the slash command's ack, the
form's ack, the service that stores it, the CLI)."""

from __future__ import annotations

from bot.errors import InvalidQuestionError
from bot.i18n import _
from bot.text import clean_text

MIN_QUESTION_CHARS = 3
MAX_QUESTION_CHARS = 3000


def clean_question(text: str | None) -> str:
    """The question with control characters dropped and whitespace folded, or
    InvalidQuestionError with a friendly reason."""
    question = " ".join(clean_text(text or "").split())
    if not question:
        raise InvalidQuestionError(
            _("Please write your question, e.g. `/mentor how do I run a postmortem?`")
        )
    if sum(ch.isalnum() for ch in question) < MIN_QUESTION_CHARS:
        raise InvalidQuestionError(
            _("That question is too short to match. Add a few words about what you need help with.")
        )
    if len(question) > MAX_QUESTION_CHARS:
        raise InvalidQuestionError(
            _(
                "That question is {length} characters long; please keep it under {limit} and"
                " put the essentials first.",
                length=len(question),
                limit=MAX_QUESTION_CHARS,
            )
        )
    return question
