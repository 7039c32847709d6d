"""APScheduler setup and the offer timer. Jobs persist in the database, so they survive restarts.

APScheduler stores jobs by the import path of their function, which is why job bodies live in
`bot.jobs` and reach the running services through `bot.jobs.install()`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.engine import Engine

from bot.booking.ports import NudgeKind
from bot.events.ports import NoticeKind

JOB_TABLE = "apscheduler_jobs"
SWEEP_MINUTES = 10
# How soon a waiting request reaches a mentor who has room again (capacity reset, pause over, a
# session cancelled): each run costs one match per waiting request.
WAITLIST_MINUTES = 2
# How often a running scheduler re-reads the job store: jobs added by another process (an HTTP
# instance that only stores jobs) are seen within this many seconds.
WAKEUP_SECONDS = 15
# The nudge catch-up interval; the tightest nudge ("starts soon") has ~9 minutes of grace.
CATCH_UP_MINUTES = 1
# Erasure rewrites the bot's Slack messages at once; any Slack refused is retried this often.
REDACTION_RETRY_MINUTES = 10

logger = logging.getLogger(__name__)


def build_scheduler(engine: Engine) -> BackgroundScheduler:
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)},
        executors={"default": ThreadPoolExecutor(4)},
        # APScheduler's default grace of 1 s silently drops jobs missed while the process was
        # down; every job here sets its own grace deliberately.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone=UTC,
    )


def start_scheduler(
    scheduler: BackgroundScheduler, *, run_jobs: bool, digest: tuple[str, str, str] | None = None
) -> None:
    """Start the scheduler; a store-only process (run_jobs=False) persists jobs but runs none.

    `digest` is (day, "HH:MM", time zone) for the weekly digest job.
    """
    scheduler.start(paused=not run_jobs)
    if digest is not None:
        day, at, zone = digest
        hour, minute = (int(part) for part in at.split(":"))
        scheduler.add_job(
            "bot.jobs:send_digest",
            "cron",
            day_of_week=day,
            hour=hour,
            minute=minute,
            timezone=zone,
            id="weekly-digest",
            replace_existing=True,
            # A digest missed while down still goes out that day; the digest_log claim
            # keeps it to once a week even when several processes run this job.
            misfire_grace_time=12 * 3600,
        )
    if run_jobs:
        scheduler.add_job(
            "bot.jobs:sweep_expired_offers",
            "interval",
            minutes=SWEEP_MINUTES,
            id="offer-expiry-sweep",
            replace_existing=True,
            misfire_grace_time=None,
        )
        scheduler.add_job(
            "bot.jobs:close_due_events",
            "interval",
            minutes=SWEEP_MINUTES,
            id="event-close-sweep",
            replace_existing=True,
            misfire_grace_time=None,
        )
        scheduler.add_job(
            "bot.jobs:offer_waiting",
            "interval",
            minutes=WAITLIST_MINUTES,
            id="waiting-list",
            replace_existing=True,
            misfire_grace_time=None,
        )
        scheduler.add_job(
            "bot.jobs:catch_up_nudges",
            "interval",
            minutes=CATCH_UP_MINUTES,
            id="nudge-catch-up",
            replace_existing=True,
            misfire_grace_time=None,
            # At once too: what a killed process left unsent goes out right after a restart.
            next_run_time=datetime.now(UTC),
        )
        scheduler.add_job(
            "bot.jobs:retry_redactions",
            "interval",
            minutes=REDACTION_RETRY_MINUTES,
            id="redaction-retry",
            replace_existing=True,
            misfire_grace_time=None,
        )
        scheduler.add_job(
            "bot.jobs:purge_old_texts",
            "cron",
            hour=3,
            minute=17,
            id="retention-purge",
            replace_existing=True,
            misfire_grace_time=None,
        )
        scheduler.add_job(
            "bot.jobs:wakeup",
            "interval",
            seconds=WAKEUP_SECONDS,
            id="wakeup",
            replace_existing=True,
            misfire_grace_time=None,
        )


class SchedulerOfferTimer:
    """OfferTimer on APScheduler: one date job per offer, id `offer-expiry:<id>`."""

    def __init__(self, scheduler: BackgroundScheduler) -> None:
        self._scheduler = scheduler

    def start(self, offer_id: int, due: datetime) -> None:
        self._scheduler.add_job(
            "bot.jobs:expire_offer",
            "date",
            run_date=due.astimezone(UTC),
            args=[offer_id],
            id=_job_id(offer_id),
            replace_existing=True,
            # An offer that fell due while every process was down must still move on to the
            # next mentor, however late: expiring is idempotent (a database claim).
            misfire_grace_time=None,
        )

    def stop(self, offer_id: int) -> None:
        # JobLookupError: it already ran, or another process removed it.
        with contextlib.suppress(JobLookupError):
            self._scheduler.remove_job(_job_id(offer_id))


class SchedulerReminderTimer:
    """ReminderTimer on APScheduler: id `<kind>:<session id>`, grace per reminder kind."""

    def __init__(self, scheduler: BackgroundScheduler) -> None:
        self._scheduler = scheduler

    def schedule(self, session_id: int, kind: NudgeKind, at: datetime, grace_seconds: int) -> None:
        self._scheduler.add_job(
            "bot.jobs:remind",
            "date",
            run_date=at.astimezone(UTC),
            args=[session_id, kind.value],
            id=f"{kind}:{session_id}",
            replace_existing=True,
            # Late after a restart: still sent within the grace, else skipped (and logged by
            # BookingService.remind, which also refuses a second send).
            misfire_grace_time=grace_seconds,
        )

    def cancel(self, session_id: int, kinds: Sequence[str]) -> None:
        for kind in kinds:
            with contextlib.suppress(JobLookupError):
                self._scheduler.remove_job(f"{kind}:{session_id}")


def _job_id(offer_id: int) -> str:
    return f"offer-expiry:{offer_id}"


# How late an event message may still go out after a restart: a round ping is useless once the
# round is over, the reminder once the event started; the plan and the end are never dropped.
EVENT_GRACE_SECONDS = {
    NoticeKind.CLOSE: None,
    NoticeKind.REMINDER: 9 * 60,
    NoticeKind.ROUND_START: 5 * 60,
    NoticeKind.ONE_MINUTE: 50,
    NoticeKind.END: None,
    NoticeKind.SUMMARY: None,
}


class SchedulerEventTimer:
    """EventTimer on APScheduler: id `event:<id>:<kind>:<round>`, grace per kind."""

    def __init__(self, scheduler: BackgroundScheduler) -> None:
        self._scheduler = scheduler

    def schedule(self, event_id: int, kind: NoticeKind, round_number: int, at: datetime) -> None:
        self._scheduler.add_job(
            "bot.jobs:event_notice",
            "date",
            run_date=at.astimezone(UTC),
            args=[event_id, kind.value, round_number],
            id=f"event:{event_id}:{kind.value}:{round_number}",
            replace_existing=True,
            misfire_grace_time=EVENT_GRACE_SECONDS[kind],
        )

    def cancel(self, event_id: int) -> None:
        prefix = f"event:{event_id}:"
        for job in self._scheduler.get_jobs():
            if job.id.startswith(prefix):
                with contextlib.suppress(JobLookupError):
                    self._scheduler.remove_job(job.id)


class SchedulerActionTimer:
    """ActionTimer on APScheduler: id `next-steps:<session id>:<due key>`; a check missed while
    the bot was down still goes out (the claim keeps it to once)."""

    def __init__(self, scheduler: BackgroundScheduler) -> None:
        self._scheduler = scheduler

    def schedule(self, session_id: int, due_key: str, at: datetime) -> None:
        self._scheduler.add_job(
            "bot.jobs:check_next_steps",
            "date",
            run_date=at.astimezone(UTC),
            args=[session_id, due_key],
            id=f"next-steps:{session_id}:{due_key}",
            replace_existing=True,
            misfire_grace_time=None,
        )
