"""What listeners may use: domain services and the notifier, never the database."""

from __future__ import annotations

from dataclasses import dataclass

from bot.booking.feedback import FeedbackService
from bot.booking.service import BookingService
from bot.handlers.notifier import SlackNotifier
from bot.mentoring.profiles import ProfileService
from bot.mentoring.service import MentoringService


@dataclass(frozen=True)
class HandlerServices:
    mentoring: MentoringService
    profiles: ProfileService
    notifier: SlackNotifier
    program_leads: frozenset[str]
    booking: BookingService
    feedback: FeedbackService
