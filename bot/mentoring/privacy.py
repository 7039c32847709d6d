"""PrivacyService: a person's data export, their erasure ("forget me"), and text retention."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from bot.booking.service import BookingService
from bot.i18n import N_, _
from bot.logging import log_event
from bot.matching.service import MatchingService
from bot.mentoring.messaging import Redact, redact_pending
from bot.mentoring.service import SEARCHING, MentoringService
from bot.storage import privacy as privacy_repo
from bot.storage.db import session_scope
from bot.storage.models import utcnow
from bot.storage.privacy import ErasedCounts

__all__ = ["ErasedCounts", "PrivacyService", "export_personal_data"]

logger = logging.getLogger(__name__)

# In the reader's language (the export is built while theirs is active; the CLI's: English).
EXPORT_NOTE = N_(
    "Everything mentor-bot stores about you. Other people's texts (a mentee's question, a "
    "mentor's private comment) are theirs and are not included."
)


def export_personal_data(
    engine: Engine, slack_id: str, *, now: datetime | None = None
) -> dict[str, Any]:
    """Everything stored about one person (needs no Slack: the CLI uses it too)."""
    with session_scope(engine) as session:
        data = privacy_repo.personal_data(session, slack_id)
    log_event(logger, "data_exported")
    return {"exported_at": (now or utcnow()).isoformat(), "note": _(EXPORT_NOTE), **data}


class PrivacyService:
    def __init__(
        self,
        *,
        engine: Engine,
        mentoring: MentoringService,
        booking: BookingService,
        matching: MatchingService,
        redact: Redact,
        retention: timedelta,
    ) -> None:
        self._engine = engine
        self._mentoring = mentoring
        self._booking = booking
        self._matching = matching
        self._redact = redact
        self._retention = retention

    def export(self, slack_id: str, *, now: datetime | None = None) -> dict[str, Any]:
        return export_personal_data(self._engine, slack_id, now=now)

    def forget(self, slack_id: str) -> ErasedCounts:
        """Close what is in flight (the other side is told), drop pending jobs, scrub the
        database, then rewrite the bot's Slack messages that quoted the person.

        Closing first matters: a pending offer moves on to the next mentor, a booked session
        is cancelled for the other person rather than silently never happening. Nothing sent
        on the way quotes or names them (the mentor's offer message is redacted instead)."""
        for request in self._mentoring.active_requests(slack_id):
            # A matched request stays matched (the digest counted it); its future sessions
            # are cancelled below.
            if request.status in SEARCHING:
                self._attempt(
                    self._mentoring.cancel,
                    request.request_id,
                    mentee_slack_id=slack_id,
                    erasing=True,
                )
        self._attempt(self._mentoring.release_offers_of, slack_id)
        for meeting in self._booking.upcoming(slack_id):
            self._attempt(self._booking.cancel, meeting.session_id, by=slack_id, erasing=True)
        with session_scope(self._engine) as session:
            session_ids = privacy_repo.session_ids_of(session, slack_id)
            erased = privacy_repo.erase_person(session, slack_id)
        for session_id in session_ids:
            self._booking.drop_reminders(session_id)
        self._matching.forget_cached_queries()
        # Drops what was learned from or about them, here at once, and (a mentor) the index
        # snapshot on disk that holds their phrases.
        self._matching.refresh()
        redacted, failed = redact_pending(self._engine, self._redact)
        # No Slack id in the log: the point is that nothing about them remains.
        log_event(
            logger,
            "person_erased",
            requests=erased.requests,
            sessions=erased.sessions,
            feedback=erased.feedback,
            mentor=erased.mentor_profile,
            messages_redacted=redacted,
            redactions_pending=failed,
        )
        return erased

    def remove_mentor(self, slack_id: str) -> bool:
        """Take a mentor off the roster for good, on the erasure path: pending offers move on
        to the next mentor, their upcoming sessions as mentor are cancelled (mentees are told),
        and the profile is anonymised, keeping anonymous rows for the digest. Their own
        requests as a mentee are left alone (`forget` erases everything)."""
        self._attempt(self._mentoring.release_offers_of, slack_id)
        for meeting in self._booking.upcoming(slack_id):
            if meeting.mentor_slack_id == slack_id:
                self._attempt(self._booking.cancel, meeting.session_id, by=slack_id, erasing=True)
        with session_scope(self._engine) as session:
            removed = privacy_repo.erase_mentor_profile(session, slack_id)
        if removed:
            self._matching.refresh()  # also deletes the index snapshot holding their phrases
            log_event(logger, "mentor_removed")
        return removed

    def retry_redactions(self) -> int:
        """Rewrite the messages an earlier erasure could not reach (Slack was failing)."""
        redacted, failed = redact_pending(self._engine, self._redact)
        if redacted or failed:
            log_event(logger, "redactions_retried", redacted=redacted, pending=failed)
        return redacted

    def purge_old_texts(self, *, now: datetime | None = None) -> tuple[int, int]:
        """Remove question texts and comments older than the retention period."""
        before = (now or utcnow()) - self._retention
        with session_scope(self._engine) as session:
            requests, comments = privacy_repo.purge_texts(session, before)
        self._matching.refresh()
        log_event(logger, "texts_purged", requests=requests, comments=comments)
        return requests, comments

    @staticmethod
    def _attempt(action: Callable[..., object], *args: Any, **kwargs: Any) -> None:
        """Erasure must not stop because one Slack message could not be sent."""
        try:
            action(*args, **kwargs)
        except Exception:
            logger.exception("erase_step_failed", extra={"action": action.__name__})
