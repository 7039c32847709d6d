"""Scheduled job bodies. APScheduler persists jobs as import paths to these functions, so they
reach the services through this explicit registry, filled once by the composition root."""

from __future__ import annotations

import logging

from bot.booking.ports import NudgeKind
from bot.booking.service import BookingService
from bot.digest.service import DigestService
from bot.events.ports import NoticeKind
from bot.events.service import EventService
from bot.mentoring.next_steps import NextStepsService
from bot.mentoring.privacy import PrivacyService
from bot.mentoring.service import MentoringService

logger = logging.getLogger(__name__)

_mentoring: MentoringService | None = None
_booking: BookingService | None = None
_digest: DigestService | None = None
_privacy: PrivacyService | None = None
_events: EventService | None = None
_next_steps: NextStepsService | None = None


def install(
    mentoring: MentoringService | None,
    booking: BookingService | None = None,
    digest: DigestService | None = None,
    privacy: PrivacyService | None = None,
    events: EventService | None = None,
    next_steps: NextStepsService | None = None,
) -> None:
    global _mentoring, _booking, _digest, _privacy, _events, _next_steps
    _mentoring, _booking, _digest, _privacy = mentoring, booking, digest, privacy
    _events, _next_steps = events, next_steps


def retry_redactions() -> None:
    """Rewrite Slack messages an erasure could not reach at the time (Slack was failing)."""
    if _privacy is None:
        raise RuntimeError("bot.jobs.install() was not called with a privacy service")
    _privacy.retry_redactions()


def purge_old_texts() -> None:
    if _privacy is None:
        raise RuntimeError("bot.jobs.install() was not called with a privacy service")
    _privacy.purge_old_texts()


def catch_up_nudges() -> None:
    """Safety net behind the reminder jobs: send whatever is due and was never sent."""
    if _booking is None:
        raise RuntimeError("bot.jobs.install() was not called with a booking service")
    _booking.catch_up()


def send_digest() -> None:
    if _digest is None:
        raise RuntimeError("bot.jobs.install() was not called with a digest service")
    _digest.send()


def remind(session_id: int, kind: str) -> None:
    """`kind` is stored in the job table as text (a NudgeKind value)."""
    if _booking is None:
        raise RuntimeError("bot.jobs.install() was not called with a booking service")
    _booking.remind(session_id, NudgeKind(kind))


def _service() -> MentoringService:
    if _mentoring is None:
        raise RuntimeError("bot.jobs.install() was not called by the composition root")
    return _mentoring


def expire_offer(offer_id: int) -> None:
    _service().expire(offer_id)


def sweep_expired_offers() -> None:
    """Safety net: expire any pending offer past due whose own job was lost."""
    expired = _service().expire_overdue()
    if expired:
        logger.warning("offers_expired_by_sweep", extra={"count": expired})


def offer_waiting() -> None:
    """Offer waiting requests to mentors who have room again (and end those waited too long)."""
    _service().offer_waiting()


def event_notice(event_id: int, kind: str, round_number: int) -> None:
    """`kind` is stored in the job table as text (a NoticeKind value)."""
    if _events is None:
        raise RuntimeError("bot.jobs.install() was not called with an event service")
    _events.notice(event_id, NoticeKind(kind), round_number)


def check_next_steps(session_id: int, due_key: str) -> None:
    """A due date of a session's next steps (or a week after them): ask how they went."""
    if _next_steps is None:
        raise RuntimeError("bot.jobs.install() was not called with a next-steps service")
    _next_steps.check(session_id, due_key)


def close_due_events() -> None:
    """Safety net: plan any event whose sign-up closed while its own job was lost."""
    if _events is not None:
        _events.close_due()


def wakeup() -> None:
    """Does nothing: running it makes the scheduler re-read jobs stored by other processes."""
