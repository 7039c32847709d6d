"""Domain errors. Each carries a message fit to show the person who caused it."""

from __future__ import annotations


class MentorBotError(Exception):
    """Base class: `str(error)` is a friendly, user-facing explanation."""


class InvalidQuestionError(MentorBotError):
    """The question cannot be matched as written (empty, too short, too long)."""


class ModelUnavailableError(MentorBotError):
    """The configured embedding model cannot be loaded from local files."""


class TooManyOpenRequestsError(MentorBotError):
    """The mentee already has MAX_OPEN_REQUESTS requests waiting for a mentor."""
