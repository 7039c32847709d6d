"""Composition root: the one place that builds settings, engine, embedder, index, scheduler and
the Bolt app. Tests build the same graph with fakes by passing them in; nothing here runs at
import time."""

from __future__ import annotations

import contextlib
import logging
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
from bot.app import build_slack_client, create_app
from bot.booking.feedback import FeedbackService
from bot.booking.service import BookingService
from bot.config import Settings
from bot.digest.service import DigestService
from bot.handlers import HandlerServices
from bot.handlers.notifier import SlackNotifier
from bot.matching.embedder import Embedder, SentenceTransformerEmbedder
from bot.matching.service import MatchingService
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
# Roster changes the index may lag behind right after a refresh (another process may write
# in between): readiness still reports them, but only the database and model decide "ok".
STALE_INDEX_CHANGES = 0


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
    embedder = embedder or SentenceTransformerEmbedder(
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
class BotRuntime:
    """Everything the running bot needs, built and started in dependency order."""

    services: Services
    client: WebClient
    scheduler: BackgroundScheduler
    mentoring: MentoringService
    handler_services: HandlerServices
    app: App
    metrics: Metrics
    closed: bool = field(default=False)

    def readiness(self) -> dict[str, Any]:
        """What /healthz reports: the database answers, the model and index are loaded."""
        matching = self.services.matching
        # What every match does first (cheap when nothing changed); a database error is
        # reported below as database: false.
        with contextlib.suppress(sa.exc.SQLAlchemyError):
            matching.refresh()
        report: dict[str, Any] = {
            "model": matching.ready,
            "mentors_indexed": len(matching.index),
            "scheduler": self.scheduler.running,
        }
        try:
            with session_scope(self.services.engine) as session:
                behind = roster_version(session) - matching.version
            report["database"] = True
            report["index_fresh"] = behind <= STALE_INDEX_CHANGES
        except sa.exc.SQLAlchemyError:
            report["database"] = report["index_fresh"] = False
        report["ok"] = bool(report["database"] and report["model"])
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
    client = client or build_slack_client(settings, metrics)
    notifier = SlackNotifier(
        client, program_leads=settings.program_leads, digest_channel=settings.digest_channel
    )
    scheduler = build_scheduler(services.engine)
    booking = BookingService(
        engine=services.engine,
        notifier=notifier,
        timer=SchedulerReminderTimer(scheduler),
        reminders=(
            timedelta(hours=settings.reminder_early_hours),
            timedelta(minutes=settings.reminder_soon_minutes),
        ),
    )
    mentoring = MentoringService(
        engine=services.engine,
        matching=services.matching,
        notifier=notifier,
        timer=SchedulerOfferTimer(scheduler),
        response_time=timedelta(hours=settings.mentor_response_hours),
        max_candidates=settings.max_candidates,
        min_score=settings.min_match_score,
        on_accepted=booking.start,
        on_outcome=lambda outcome: _count_outcome(metrics, outcome),
    )
    digest = DigestService(
        engine=services.engine,
        embedder=services.matching.embedder,
        notifier=notifier,
        timezone=ZoneInfo(settings.digest_timezone),
    )
    privacy = PrivacyService(
        engine=services.engine,
        mentoring=mentoring,
        booking=booking,
        retention=timedelta(days=settings.retention_days),
    )
    handler_services = HandlerServices(
        mentoring=mentoring,
        profiles=ProfileService(engine=services.engine, matching=services.matching),
        notifier=notifier,
        program_leads=frozenset(settings.program_leads),
        booking=booking,
        feedback=FeedbackService(engine=services.engine, booking=booking),
        privacy=privacy,
        digest=digest,
    )
    app = create_app(settings, handler_services, client)
    jobs.install(mentoring, booking, digest, privacy)
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
    return BotRuntime(services, client, scheduler, mentoring, handler_services, app, metrics)


def _count_outcome(metrics: Metrics, outcome: str) -> None:
    if outcome in ("offered", "unmatched"):
        metrics.matches.labels(outcome=outcome).inc()
    else:
        metrics.offers.labels(outcome=outcome).inc()


def _lag(event: Any) -> float:
    scheduled = getattr(event, "scheduled_run_time", None)
    return max(0.0, (utcnow() - scheduled).total_seconds()) if scheduled else 0.0
