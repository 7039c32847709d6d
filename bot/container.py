"""Composition root: the one place that builds settings, engine, embedder, index, scheduler and
the Bolt app. Tests build the same graph with fakes by passing them in; nothing here runs at
import time."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
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
from bot.booking.busy_feed import BusyFeeds
from bot.booking.feedback import FeedbackService
from bot.booking.service import BookingService
from bot.config import Settings
from bot.digest.service import DigestService
from bot.events.planner import event_planner
from bot.events.service import EventService
from bot.handlers import HandlerServices
from bot.handlers.event_notifier import SlackEventNotifier
from bot.handlers.next_steps_notifier import SlackNextStepsNotifier
from bot.handlers.notifier import SlackNotifier
from bot.handlers.people import SlackDirectory
from bot.handlers.ratelimit import RateLimiter
from bot.languages import LanguageService
from bot.matching.deferred import DeferredEmbedder
from bot.matching.embedder import Embedder, build_embedder
from bot.matching.service import PHRASES_VERSION, MatchingService
from bot.matching.snapshot import IndexSnapshots
from bot.mentoring.insights import ProgramInsights
from bot.mentoring.language import warm_language_identifier
from bot.mentoring.learning import OutcomeLearning
from bot.mentoring.next_steps import NextStepsService
from bot.mentoring.privacy import PrivacyService
from bot.mentoring.profiles import ProfileService
from bot.mentoring.service import MentoringService
from bot.metrics import Metrics
from bot.scheduling import (
    SchedulerActionTimer,
    SchedulerEventTimer,
    SchedulerOfferTimer,
    SchedulerReminderTimer,
    build_scheduler,
    start_scheduler,
)
from bot.storage import embeddings as embedding_repo
from bot.storage.db import make_engine, session_scope
from bot.storage.mentors import roster_version
from bot.storage.models import utcnow

logger = logging.getLogger(__name__)
# Load balancers probe every few seconds, from several places: one answer serves them all.
READINESS_SECONDS = 1.0
# An idle process still applies roster changes this often (an erasure made elsewhere leaves
# its memory and its index snapshot within this time).
INDEX_REFRESH_SECONDS = 60.0
WarmUpFailed = Callable[[BaseException], None]
# Set by the HTTP server around build_runtime (see warming_up_in_background).
_BACKGROUND_WARM_UP: ContextVar[WarmUpFailed | None] = ContextVar(
    "background_warm_up", default=None
)


@contextmanager
def warming_up_in_background(on_failure: WarmUpFailed) -> Iterator[None]:
    """Within it, build_runtime returns before the model and index are loaded and loads them
    in a thread: the server acknowledges Slack at once, and the work behind the acks (matching,
    the scheduler's jobs) starts when they are loaded, so nothing asked meanwhile is lost.
    `on_failure` is told if the loading fails (the HTTP server then exits, as it would have
    at start)."""
    token = _BACKGROUND_WARM_UP.set(on_failure)
    try:
        yield
    finally:
        _BACKGROUND_WARM_UP.reset(token)


@dataclass
class Services:
    settings: Settings
    engine: Engine
    matching: MatchingService

    def close(self) -> None:
        self.engine.dispose()


def build_engine(settings: Settings) -> Engine:
    return make_engine(settings.database_url)


def _stored_dim(engine: Engine, model_key: str) -> int | None:
    """The size of the vectors stored for `model_key`; None when there are none (or the
    database cannot say: then the model is simply loaded first)."""
    try:
        with session_scope(engine) as session:
            return embedding_repo.stored_dim(session, model_key)
    except sa.exc.SQLAlchemyError:
        return None


def load_embedder(
    settings: Settings, engine: Engine, threads: int | None = None, *, defer: bool = False
) -> Embedder:
    """The configured model, loaded now; with `defer`, a DeferredEmbedder when vectors of it
    are stored (else its size is only known from the model itself: loaded now all the same)."""

    def build() -> Embedder:
        return build_embedder(settings.embedding_model, threads=threads)

    # MatchingService.model_key of this model (embedders are named after EMBEDDING_MODEL).
    dim = _stored_dim(engine, f"{settings.embedding_model}|{PHRASES_VERSION}") if defer else None
    return DeferredEmbedder(settings.embedding_model, dim, build) if dim else build()


def build_services(
    settings: Settings,
    *,
    engine: Engine | None = None,
    embedder: Embedder | None = None,
    embedding_threads: int | None = None,
    metrics: Metrics | None = None,
    defer_model: bool = False,
) -> Services:
    """`defer_model`: the model may be loaded later, by DeferredEmbedder.load()."""
    engine = engine or build_engine(settings)
    embedder = embedder or load_embedder(
        settings, engine, threads=settings.embedding_threads or embedding_threads, defer=defer_model
    )
    matching = MatchingService(
        engine=engine,
        embedder=embedder,
        exact_limit=settings.exact_search_limit,
        on_match=metrics.match_seconds.observe if metrics else None,
        snapshots=(
            IndexSnapshots(
                Path(settings.index_snapshot_dir),
                min_mentors=settings.index_snapshot_min_mentors,
            )
            if settings.index_snapshot_dir
            else None
        ),
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
    events: EventService
    next_steps: NextStepsService


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
        feeds=BusyFeeds(
            timeout_seconds=settings.busy_feed_timeout_seconds,
            cache_minutes=settings.busy_feed_cache_minutes,
            private_hosts=settings.busy_feed_private_hosts,
        ),
        feed_notifier=notifier,
    )
    learning = OutcomeLearning(engine=services.engine, matching=services.matching)
    next_steps = NextStepsService(
        engine=services.engine,
        sessions=booking,
        notifier=SlackNextStepsNotifier(notifier),
        timer=SchedulerActionTimer(scheduler),
    )
    mentoring = MentoringService(
        engine=services.engine,
        matching=services.matching,
        notifier=notifier,
        timer=SchedulerOfferTimer(scheduler),
        response_time=timedelta(hours=settings.mentor_response_hours),
        urgent_response_time=timedelta(minutes=settings.urgent_response_minutes),
        urgent_fanout=settings.urgent_fanout,
        waitlist_time=timedelta(days=settings.waitlist_days),
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
            engine=services.engine,
            booking=booking,
            on_rated=learning.session_rated,
            on_held=next_steps.session_held,
        ),
        next_steps=next_steps,
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
        events=EventService(
            engine=services.engine,
            planner=event_planner(
                services.engine, services.matching, weak_below=settings.min_match_score
            ),
            notifier=SlackEventNotifier(
                client, notifier, channel_language=settings.digest_language
            ),
            timer=SchedulerEventTimer(scheduler),
            program_leads=leads,
            ask_mentor=mentoring.ask_directly,
        ),
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
    # Set once the model and index are loaded and the scheduler runs (see build_runtime).
    warmed: threading.Event = field(default_factory=threading.Event)
    warm_up_error: BaseException | None = None
    closed: bool = field(default=False)
    _stopping: threading.Event = field(default_factory=threading.Event, repr=False)
    _readiness: tuple[float, dict[str, Any]] | None = field(default=None, repr=False)

    def readiness(self) -> dict[str, Any]:
        """What /readyz reports: the database answers, the model and index are loaded, and
        whether the index has every roster change. Cheap on purpose: one small query, and
        the answer is reused for READINESS_SECONDS, so frequent probes cost nothing."""
        cached = self._readiness
        if cached is not None and time.monotonic() - cached[0] < READINESS_SECONDS:
            return cached[1]
        matching = self.services.matching
        warmed = self.warmed.is_set() and self.warm_up_error is None
        report: dict[str, Any] = {
            "model": matching.ready and warmed,
            "warming_up": not self.warmed.is_set(),
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

    def warm_up(self, settings: Settings, on_failure: WarmUpFailed | None = None) -> None:
        """Load the model (if deferred) and the index, then start the scheduler and let the
        work queued behind the acks run. A failure is raised, or, with `on_failure`, logged and
        handed to it before the queued work is let through."""
        try:
            started = time.perf_counter()
            matching = self.services.matching
            if isinstance(matching.embedder, DeferredEmbedder):
                matching.embedder.load()
            matching.start()
            if not self.closed:
                start_scheduler(
                    self.scheduler,
                    run_jobs=settings.run_scheduler,
                    digest=(settings.digest_day, settings.digest_time, settings.digest_timezone),
                )
            logger.info(
                "bot_ready",
                extra={
                    "mentors": len(matching.index),
                    "seconds": round(time.perf_counter() - started, 3),
                },
            )
        except BaseException as exc:
            self.warm_up_error = exc
            if on_failure is None:
                raise
            if self.closed:  # stopped while warming up: the failure is the shutdown's
                logger.info("warm_up_stopped")
                return
            logger.exception("warm_up_failed")
            on_failure(exc)
        finally:
            self._readiness = None
            self.warmed.set()  # queued work runs (and fails clearly if the warm-up did)
        if self.warm_up_error is None and not self.closed:
            threading.Thread(target=self._keep_index, name="index-keeper", daemon=True).start()

    def _keep_index(self) -> None:
        """After the warm-up, in its own thread: write the index snapshot the next start
        reads, then apply roster changes every INDEX_REFRESH_SECONDS even when nobody asks
        anything, so an idle process drops (from memory and from its snapshot on disk) a
        mentor erased through another process. Failures are logged, never fatal: the
        database has everything."""
        try:
            self.services.matching.save_snapshot()
        except Exception:
            logger.exception("index_snapshot_failed")
        while not self._stopping.wait(INDEX_REFRESH_SECONDS):
            try:
                self.services.matching.refresh()
            except Exception:
                logger.exception("index_refresh_failed")

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._stopping.set()
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
    """Build and start the bot. By default the model and index are loaded before this returns;
    within `warming_up_in_background()` they load in a thread while the bot already takes
    requests."""
    # One torch thread: the bot embeds short questions and needs the other core for
    # acknowledging Slack (burst bench: DM p99 1.3 s vs 1.65 s with two threads).
    metrics = Metrics()
    on_failure = _BACKGROUND_WARM_UP.get()
    services = build_services(
        settings,
        engine=engine,
        embedder=embedder,
        embedding_threads=1,
        metrics=metrics,
        defer_model=on_failure is not None,
    )
    # ~0.6 s to load: at start, not in the first question's ack (acks can come in while the
    # model and index are still loading).
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
        events=domain.events,
        next_steps=domain.next_steps,
    )
    warmed = threading.Event()
    lazy_work = LazyWork(opened=warmed)  # the work behind the acks waits for the warm-up
    metrics.lazy_backlog.set_function(lambda: lazy_work.pending)
    app = create_app(settings, handler_services, client, lazy_work)
    jobs.install(
        domain.mentoring,
        domain.booking,
        domain.digest,
        domain.privacy,
        domain.events,
        domain.next_steps,
    )
    scheduler.add_listener(
        lambda event: metrics.scheduler_lag.observe(_lag(event)),
        EVENT_JOB_EXECUTED | EVENT_JOB_ERROR,
    )
    runtime = BotRuntime(
        services,
        client,
        scheduler,
        domain.mentoring,
        handler_services,
        app,
        metrics,
        lazy_work,
        warmed,
    )
    if on_failure is None:
        runtime.warm_up(settings)
        return runtime

    threading.Thread(
        target=runtime.warm_up, args=(settings, on_failure), name="warm-up", daemon=True
    ).start()
    return runtime


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
