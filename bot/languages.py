"""Which language to write to each person in.

Their own choice (`/mentor language pl`, stored) wins; else, for program leads,
DIGEST_LANGUAGE (the digest and their lead messages are in it, and a lead's view should not
mix two languages); else the language of their Slack client; else DEFAULT_LANGUAGE. Knows
nothing of Slack itself: the lookup is passed in (handlers.people.SlackDirectory, which asks
`users.info` once a day per person and backs off when Slack fails)."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.i18n import language_named, supported
from bot.storage import people
from bot.storage.db import session_scope

logger = logging.getLogger(__name__)

# How long an ack trusts the language last resolved for a person: a choice made through
# another instance reaches this one's acks within this time (its messages at once).
REMEMBER_SECONDS = 300.0


class LocaleLookupError(Exception):
    """Slack could not say (temporarily) which language a person uses."""


SlackLocale = Callable[[str], str | None]
SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,31}")


class LanguageService:
    """Resolves (`language_of`: the database, then Slack) and remembers each person's language
    in this process; the ack of a Slack request reads only what is remembered
    (`remembered_language`), since it may neither wait for the Web API nor queue for a
    database connection."""

    def __init__(
        self,
        *,
        engine: Engine,
        slack_locale: SlackLocale,
        default: str = "en",
        program_leads: frozenset[str] = frozenset(),
        lead_language: str = "en",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._leads = program_leads
        self._lead_language = supported(lead_language) or "en"
        self._lookup = slack_locale
        self._default = supported(default) or "en"
        self._clock = clock
        self._resolved: dict[str, tuple[float, str]] = {}  # slack id → (expires, language)
        self._lock = threading.Lock()

    @property
    def default(self) -> str:
        return self._default

    def language_of(self, slack_id: str) -> str:
        """The language to write to `slack_id` in; never raises (messages must still go out)."""
        if not SLACK_USER.fullmatch(slack_id):  # "forgotten", or nobody
            return self._default
        language = self.chosen(slack_id)
        if language is None and slack_id in self._leads:
            language = self._lead_language
        language = language or self._slack_language(slack_id) or self._default
        self._remember(slack_id, language)
        return language

    def remembered_language(self, slack_id: str) -> str | None:
        """The person's language as last resolved in this process (a choice made on another
        instance shows within REMEMBER_SECONDS), or None: never asks anyone."""
        with self._lock:
            entry = self._resolved.get(slack_id)
        return entry[1] if entry is not None and entry[0] > self._clock() else None

    def chosen(self, slack_id: str) -> str | None:
        """The language the person chose themselves, if any."""
        try:
            with session_scope(self._engine) as session:
                return supported(people.chosen_language(session, slack_id))
        except sa.exc.SQLAlchemyError:
            logger.warning("language_choice_unavailable")
            return None

    def choose(self, slack_id: str, language: str | None) -> str | None:
        """Store the person's language (None: follow their Slack language again); returns
        what was stored. Raises ValueError for a language mentor-bot does not speak."""
        code = (supported(language) or language_named(language)) if language else None
        if language and code is None:
            raise ValueError(f"unsupported language {language!r}")
        with session_scope(self._engine) as session:
            people.choose_language(session, slack_id, code)
        with self._lock:
            self._resolved.pop(slack_id, None)  # resolved afresh on the next message
        return code

    def _remember(self, slack_id: str, language: str) -> None:
        with self._lock:
            self._resolved[slack_id] = (self._clock() + REMEMBER_SECONDS, language)

    def _slack_language(self, slack_id: str) -> str | None:
        try:
            return supported(self._lookup(slack_id))
        except LocaleLookupError:  # Slack failing: the default for now (the lookup backs off)
            return None
