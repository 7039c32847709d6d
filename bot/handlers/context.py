"""What listeners may use: domain services (which hand out frozen views, never ORM rows), the
notifier and in-memory limits; never the database."""

from __future__ import annotations

from dataclasses import dataclass

from bot.booking.feedback import FeedbackService
from bot.booking.service import BookingService
from bot.digest.service import DigestService
from bot.events.service import EventService
from bot.handlers.notifier import SlackNotifier
from bot.handlers.people import SlackDirectory
from bot.handlers.ratelimit import RateLimiter
from bot.languages import LanguageService
from bot.mentoring.insights import ProgramInsights
from bot.mentoring.next_steps import NextStepsService
from bot.mentoring.privacy import PrivacyService
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
    privacy: PrivacyService
    digest: DigestService
    question_limit: RateLimiter
    insights: ProgramInsights
    languages: LanguageService
    directory: SlackDirectory
    events: EventService
    next_steps: NextStepsService

    def is_lead(self, slack_id: str) -> bool:
        return slack_id in self.program_leads

    def language_of(self, slack_id: str) -> str:
        return self.languages.language_of(slack_id)
