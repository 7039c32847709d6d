"""Composition root: the one place that builds settings, engine, embedder, index, scheduler and
the Bolt app. Tests build the same graph with fakes by passing them in; nothing here runs at
import time."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot import jobs
from bot.app import LazyWork, build_slack_client, create_app
from bot.booking.feedback import FeedbackService
from bot.booking.service import BookingService
from bot.config import Settings
from bot.digest.service import DigestService
from bot.errors import ModelUnavailableError
from bot.handlers import HandlerServices
from bot.handlers.notifier import SlackNotifier
from bot.handlers.people import SlackDirectory
from bot.handlers.ratelimit import RateLimiter
from bot.languages import LanguageService
from bot.logging import log_event
from bot.matching.embedder import Embedder, Vectors, build_embedder
from bot.matching.service import PHRASES_VERSION, MatchingService
from bot.mentoring.insights import ProgramInsights
from bot.mentoring.language import warm_language_identifier
from bot.mentoring.learning import OutcomeLearning
from bot.mentoring.privacy import PrivacyService
from bot.mentoring.profiles import ProfileService
from bot.mentoring.service import MentoringService
from bot.metrics import Metrics
from bot.scheduling import (
    SchedulerOfferTimer,
    SchedulerReminderTimer,
    build_scheduler,
    start_scheduler,
)
from bot.storage.db import make_engine, session_scope
from bot.storage.mentors import roster_version
from bot.storage.models import utcnow

logger = logging.getLogger(__name__)
# Load balancers probe every few seconds, from several places: one answer serves them all.
READINESS_SECONDS = 1.0


@dataclass
class Services:
    settings: Settings
    engine: Engine
    matching: MatchingService

    def close(self) -> None:
        self.engine.dispose()


def build_engine(settings: Settings) -> Engine:
    return make_engine(settings.database_url)


def build_services(
    settings: Settings,
    *,
    engine: Engine | None = None,
    embedder: Embedder | None = None,
    embedding_threads: int | None = None,
    metrics: Metrics | None = None,
) -> Services:
    engine = engine or build_engine(settings)
    embedder = embedder or build_embedder(
        settings.embedding_model, threads=settings.embedding_threads or embedding_threads
    )
    matching = MatchingService(
        engine=engine,
        embedder=embedder,
        exact_limit=settings.exact_search_limit,
        on_match=metrics.match_seconds.observe if metrics else None,
    )
    return Services(settings=settings, engine=engine, matching=matching)


@dataclass
class Domain:
    """The services behind the Slack app and the admin CLI, wired to one Slack client."""

    notifier: SlackNotifier
    mentoring: MentoringService
    booking: BookingService
    feedback: FeedbackService
    profiles: ProfileService
    privacy: PrivacyService
    digest: DigestService
    languages: LanguageService
    directory: SlackDirectory


def build_domain(
    settings: Settings,
    services: Services,
    client: WebClient,
    scheduler: BackgroundScheduler,
    metrics: Metrics | None = None,
) -> Domain:
    leads = frozenset(settings.program_leads)
    directory = SlackDirectory(client)
    languages = LanguageService(
        engine=services.engine,
        slack_locale=directory.locale,
        default=settings.default_language,
        program_leads=leads,
        lead_language=settings.digest_language,
    )
    notifier = SlackNotifier(
        client,
        program_leads=settings.program_leads,
        digest_channel=settings.digest_channel,
        language_of=languages.language_of,
        lead_language=settings.digest_language,
    )
    booking = BookingService(
        engine=services.engine,
        notifier=notifier,
        timer=SchedulerReminderTimer(scheduler),
        reminders=(
            timedelta(hours=settings.reminder_early_hours),
            timedelta(minutes=settings.reminder_soon_minutes),
        ),
    )
    learning = OutcomeLearning(engine=services.engine, matching=services.matching)
    mentoring = MentoringService(
        engine=services.engine,
        matching=services.matching,
        notifier=notifier,
        timer=SchedulerOfferTimer(scheduler),
        response_time=timedelta(hours=settings.mentor_response_hours),
        max_candidates=settings.max_candidates,
        min_score=settings.min_match_score,
        max_open_requests=settings.max_open_requests,
        program_leads=leads,
        on_accepted=booking.start,
        on_not_my_topic=learning.declined_as_off_topic,
        on_outcome=(lambda outcome: _count_outcome(metrics, outcome)) if metrics else None,
    )
    return Domain(
        notifier=notifier,
        mentoring=mentoring,
        booking=booking,
        feedback=FeedbackService(
            engine=services.engine, booking=booking, on_mentee_rated=learning.session_rated
        ),
        profiles=ProfileService(
            engine=services.engine,
            matching=services.matching,
            notifier=notifier,
            approval=settings.mentor_approval,
            program_leads=leads,
            release_offers=mentoring.release_offers_of,
        ),
        privacy=PrivacyService(
            engine=services.engine,
            mentoring=mentoring,
            booking=booking,
            matching=services.matching,
            redact=notifier.redact,
            retention=timedelta(days=settings.retention_days),
        ),
        digest=DigestService(
            engine=services.engine,
            embedder=services.matching.embedder,
            notifier=notifier,
            timezone=ZoneInfo(settings.digest_timezone),
            program_leads=leads,
            language=settings.digest_language,
        ),
        languages=languages,
        directory=directory,
    )


@dataclass
class BotRuntime:
    """Everything the running bot needs, built and started in dependency order."""

    services: Services
    client: WebClient
    scheduler: BackgroundScheduler
    mentoring: MentoringService
    handler_services: HandlerServices
    app: App
    metrics: Metrics
    lazy_work: LazyWork
    closed: bool = field(default=False)
    _readiness: tuple[float, dict[str, Any]] | None = field(default=None, repr=False)

    def readiness(self) -> dict[str, Any]:
        """What /readyz reports: the database answers, the model and index are loaded, and
        whether the index has every roster change. Cheap on purpose: one small query, and
        the answer is reused for READINESS_SECONDS, so frequent probes cost nothing."""
        cached = self._readiness
        if cached is not None and time.monotonic() - cached[0] < READINESS_SECONDS:
            return cached[1]
        matching = self.services.matching
        report: dict[str, Any] = {
            "model": matching.ready,
            "mentors_indexed": len(matching.index),
            "scheduler": self.scheduler.running,
        }
        try:
            with session_scope(self.services.engine) as session:
                behind = roster_version(session) - matching.version
            report["database"] = True
            report["index_fresh"] = behind <= 0
        except sa.exc.SQLAlchemyError:
            report["database"] = report["index_fresh"] = False
        # The index catches up at the next match, so only the database and model decide.
        report["ok"] = bool(report["database"] and report["model"])
        self._readiness = (time.monotonic(), report)
        return report

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        jobs.install(None)
        self.services.close()


def build_runtime(
    settings: Settings,
    *,
    engine: Engine | None = None,
    embedder: Embedder | None = None,
    client: WebClient | None = None,
) -> BotRuntime:
    """Build and start the bot: model and index are loaded before it can accept traffic."""
    # One torch thread: the bot embeds one short question at a time and needs the other core
    # for acknowledging Slack (burst bench: DM p99 1.3 s vs 1.65 s with two threads).
    metrics = Metrics()
    services = build_services(
        settings, engine=engine, embedder=embedder, embedding_threads=1, metrics=metrics
    )
    services.matching.start()
    # The language identifier takes ~0.6 s to load: at start, not in the first question's ack.
    warm_language_identifier()
    client = client or build_slack_client(settings, metrics)
    scheduler = build_scheduler(services.engine)
    domain = build_domain(settings, services, client, scheduler, metrics)
    handler_services = HandlerServices(
        mentoring=domain.mentoring,
        profiles=domain.profiles,
        notifier=domain.notifier,
        program_leads=frozenset(settings.program_leads),
        booking=domain.booking,
        feedback=domain.feedback,
        privacy=domain.privacy,
        digest=domain.digest,
        question_limit=RateLimiter(settings.questions_per_hour, window=3600),
        insights=ProgramInsights(engine=services.engine),
        languages=domain.languages,
        directory=domain.directory,
    )
    lazy_work = LazyWork()
    metrics.lazy_backlog.set_function(lambda: lazy_work.pending)
    app = create_app(settings, handler_services, client, lazy_work)
    jobs.install(domain.mentoring, domain.booking, domain.digest, domain.privacy)
    scheduler.add_listener(
        lambda event: metrics.scheduler_lag.observe(_lag(event)),
        EVENT_JOB_EXECUTED | EVENT_JOB_ERROR,
    )
    start_scheduler(
        scheduler,
        run_jobs=settings.run_scheduler,
        digest=(settings.digest_day, settings.digest_time, settings.digest_timezone),
    )
    logger.info("bot_ready", extra={"mentors": len(services.matching.index)})
    return BotRuntime(
        services, client, scheduler, domain.mentoring, handler_services, app, metrics, lazy_work
    )


@dataclass
class Admin:
    """The domain for command-line administration: no Bolt app, and a scheduler that only
    stores jobs (offer timers a removal creates) for the running bot to run."""

    services: Services
    domain: Domain
    scheduler: BackgroundScheduler

    def close(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.services.close()


def build_admin(
    settings: Settings,
    *,
    engine: Engine | None = None,
    embedder: Embedder | None = None,
    client: WebClient | None = None,
    offline: bool = False,
    load_index: bool = True,
) -> Admin:
    """`offline`: for commands that send nothing (a digest dry run, a listing), so no Slack
    token is needed; anything that would message someone needs SLACK_BOT_TOKEN. `load_index`:
    embed and load every profile first (for commands that match people or move requests on)."""
    services = build_services(settings, engine=engine, embedder=embedder)
    if load_index:
        services.matching.start()
    scheduler = build_scheduler(services.engine)
    if client is None:
        client = WebClient(base_url=settings.slack_api_url) if offline else None
    domain = build_domain(settings, services, client or build_slack_client(settings), scheduler)
    start_scheduler(scheduler, run_jobs=False)
    return Admin(services, domain, scheduler)


def _count_outcome(metrics: Metrics, outcome: str) -> None:
    if outcome in ("offered", "unmatched"):
        metrics.matches.labels(outcome=outcome).inc()
    else:
        metrics.offers.labels(outcome=outcome).inc()


def _lag(event: Any) -> float:
    scheduled = getattr(event, "scheduled_run_time", None)
    return max(0.0, (utcnow() - scheduled).total_seconds()) if scheduled else 0.0
