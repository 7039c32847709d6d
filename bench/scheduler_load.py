"""Scheduler load: 10,000 booked sessions with their nudge jobs (40,000 jobs) in the database.

Run: `make bench-scheduler`. Prints: time to store the jobs, RSS, the time for a fresh process
to restart the scheduler and fire its first due job (against the same with an empty job
table, measured in the same run), and how long one sweep of due nudges takes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bench.common import peak_rss_mb, temp_sqlite_engine
from bot.booking.nudges import AFTER_BOOKING, NUDGES
from bot.booking.ports import NudgeKind, SessionView
from bot.booking.service import BookingService
from bot.scheduling import SchedulerReminderTimer, build_scheduler
from bot.storage.db import session_scope, table_of
from bot.storage.models import Mentor, MentoringRequest, MentoringSession

SESSIONS = int(os.environ.get("BENCH_SESSIONS", "10000"))
SWEEP = 1000

RESTART = """
import sys, time, resource, threading
started = time.perf_counter()
from apscheduler.events import EVENT_JOB_EXECUTED
from bot.scheduling import build_scheduler
from bot.storage.db import make_engine
scheduler = build_scheduler(make_engine(sys.argv[1]))
fired = threading.Event()
scheduler.add_listener(lambda event: fired.set(), EVENT_JOB_EXECUTED)
scheduler.start()
fired.wait(120)
time.sleep(0.2)  # let the scheduler finish its bookkeeping of the fired job
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
scheduler.shutdown(wait=False)
"""


def fired() -> None:
    """The due job the restarted process runs first (it does nothing)."""


class Silent:
    def remind(self, meeting: SessionView, kind: str) -> None:
        pass

    def nudge_booking(self, meeting: SessionView) -> None:
        pass


def seed(engine: sa.engine.Engine, start: datetime) -> None:
    now = datetime.now(UTC)
    mentors = [
        {
            "id": i + 1,
            "slack_id": f"U{i:08d}",
            "name": "",
            "title": "",
            "expertise": "x",
            "skills": [],
            "timezone": "UTC",
            "languages": [],
            "weekly_capacity": 40,
            "active": True,
            "revision": 0,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(100)
    ]
    requests = [
        {
            "id": i + 1,
            "mentee_slack_id": f"U1{i:07d}",
            "question": "q",
            "format": "flash",
            "status": "matched",
            "created_at": now,
            "updated_at": now,
        }
        for i in range(SESSIONS)
    ]
    sessions = [
        {
            "id": i + 1,
            "request_id": i + 1,
            "mentor_id": i % 100 + 1,
            "mentee_slack_id": f"U1{i:07d}",
            "sequence": 1,
            "duration_minutes": 60,
            "starts_at": start + timedelta(minutes=30 * (i % 500), days=i // 500),
            "status": "scheduled",
            "created_at": now,
            "updated_at": now,
        }
        for i in range(SESSIONS)
    ]
    with engine.begin() as connection:
        connection.execute(sa.insert(table_of(Mentor)), mentors)
        connection.execute(sa.insert(table_of(MentoringRequest)), requests)
        connection.execute(sa.insert(table_of(MentoringSession)), sessions)


def restart(url: str) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-c", RESTART, url],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout.split()
    return float(out[0]), float(out[1])


def add_due_job(engine: sa.engine.Engine) -> None:
    scheduler = build_scheduler(engine)
    scheduler.start(paused=True)
    scheduler.add_job(
        "bench.scheduler_load:fired",
        "date",
        run_date=datetime.now(UTC),
        id="bench-due",
        misfire_grace_time=None,
    )
    scheduler.shutdown(wait=False)


def main() -> int:
    empty = temp_sqlite_engine(tempfile.mkdtemp(prefix="sched-empty-"))
    add_due_job(empty)
    directory = tempfile.mkdtemp(prefix="sched-bench-")
    engine = temp_sqlite_engine(directory)
    url = f"sqlite:///{Path(directory) / 'bench.db'}"
    start = datetime.now(UTC) + timedelta(days=2)
    seed(engine, start)
    scheduler = build_scheduler(engine)
    scheduler.start(paused=True)  # store only, as an HTTP instance with RUN_SCHEDULER=false
    timer = SchedulerReminderTimer(scheduler)
    booking = BookingService(engine=engine, notifier=Silent(), timer=timer)  # type: ignore[arg-type]
    began = time.perf_counter()
    now = datetime.now(UTC)
    for session_id in range(1, SESSIONS + 1):
        view = booking.view(session_id)
        assert view is not None
        for kind in AFTER_BOOKING:
            booking._schedule(view, kind, now)
    stored = time.perf_counter() - began
    scheduler.shutdown(wait=False)
    with session_scope(engine) as session:
        jobs = session.execute(sa.text("SELECT count(*) FROM apscheduler_jobs")).scalar_one()
    print(
        f"{SESSIONS} sessions: {jobs} jobs stored in {stored:.1f} s "
        f"({jobs / stored:,.0f} jobs/s); bench process peak RSS {peak_rss_mb():.0f} MB"
    )
    add_due_job(engine)
    base_s, base_rss = restart(f"sqlite:///{Path(empty.url.database or '')}")
    full_s, full_rss = restart(url)
    print(
        f"restart to first fired job: {full_s:.2f} s with {jobs + 1} jobs vs {base_s:.2f} s "
        f"with 1 job ({full_s / base_s:.2f}x); RSS {full_rss:.0f} MB vs {base_rss:.0f} MB"
    )
    # One sweep: SWEEP reminders fall due at once (sent through the claim, Slack stubbed out).
    began = time.perf_counter()
    sent = 0
    for session_id in range(1, SWEEP + 1):
        view = booking.view(session_id)
        assert view is not None
        assert view.starts_at is not None
        due = view.starts_at - timedelta(hours=24)
        sent += booking.remind(session_id, NudgeKind.REMINDER_EARLY, now=due)
    sweep = time.perf_counter() - began
    began = time.perf_counter()
    repeats = sum(booking.remind(s, NudgeKind.REMINDER_EARLY, now=due) for s in range(1, SWEEP + 1))
    again = time.perf_counter() - began
    print(
        f"sweep of {SWEEP} due reminders: {sweep:.2f} s ({sweep / SWEEP * 1000:.1f} ms each, "
        f"{sent} sent); the same sweep again: {again:.2f} s, {repeats} sent (claims held)"
    )
    assert NUDGES
    return 0


if __name__ == "__main__":
    sys.exit(main())
