"""Sending the weekly digest exactly once per week, whichever process's job fires."""

from __future__ import annotations

import logging
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from bot.digest.render import digest_text, write_chart
from bot.digest.report import Digest, build_digest, last_full_week, unmet_topics
from bot.digest.topics import Topic
from bot.i18n import use_language
from bot.logging import log_event
from bot.matching.embedder import Embedder
from bot.storage import stats
from bot.storage.db import session_scope
from bot.storage.models import utcnow

logger = logging.getLogger(__name__)


class DigestNotifier(Protocol):
    def send_digest(self, text: str, chart: Path) -> None:
        """Post to the digest channel and/or DM the program leads, with the chart."""


class DigestService:
    def __init__(
        self,
        *,
        engine: Engine,
        embedder: Embedder,
        notifier: DigestNotifier,
        timezone: ZoneInfo,
        program_leads: frozenset[str] = frozenset(),
        language: str = "en",
    ) -> None:
        self._engine = engine
        self._leads = program_leads
        self._language = language
        self._embedder = embedder
        self._notifier = notifier
        self._zone = timezone

    def build(self, week: str | None = None, *, now: datetime | None = None) -> Digest:
        """The digest of `week` (default: the last full week). Its topic labels never count
        a program lead's own questions, and a week still running has none yet."""
        now = now or utcnow()
        return build_digest(
            self._engine,
            self._embedder,
            week or last_full_week(now, self._zone),
            self._zone,
            now=now,
            leads=self._leads,
        )

    def unmet_topics(self, since: datetime, *, now: datetime | None = None) -> list[Topic]:
        """Topics of requests since `since` that found no real expert; each label needs
        questions of three different people who are not program leads."""
        return unmet_topics(self._engine, self._embedder, since, now or utcnow(), leads=self._leads)

    def send(self, week: str | None = None, *, now: datetime | None = None) -> bool:
        """Send the digest of `week` (default: the last full week) unless it already went out."""
        digest = self.build(week, now=now)
        with session_scope(self._engine) as session:
            if not stats.claim_digest(session, digest.week):
                logger.info("digest_already_sent", extra={"week": digest.week})
                return False
            with tempfile.TemporaryDirectory() as directory, use_language(self._language):
                chart = write_chart(digest, Path(directory) / f"digest-{digest.week}.png")
                # Sending inside the claim's transaction: if Slack fails, the claim rolls back
                # and the next run (or another process) tries again.
                self._notifier.send_digest(digest_text(digest), chart)
        log_event(logger, "digest_sent", week=digest.week, requests=digest.this.requests)
        return True
