"""Shared helpers for the benchmarks: paths, a temporary roster database, timing, RSS."""

from __future__ import annotations

import csv
import os
import resource
import statistics
import tempfile
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.roster import import_mentors, read_mentor_csv
from bot.storage import db

ROOT = Path(__file__).resolve().parents[1]
MENTORS_CSV = ROOT / "examples" / "mentors.csv"
QUESTIONS_CSV = ROOT / "bench" / "questions.csv"


def bot_process_env(database_url: str, slack_api_url: str) -> dict[str, str]:
    """Environment of a benchmarked `mentor-bot run` process (quiet logs).

    The simulated users ask a question every few seconds each, hundreds of times more than
    real people: the per-person limits (MAX_OPEN_REQUESTS, QUESTIONS_PER_HOUR) are raised so
    the benchmarks measure matching and Slack, not the limits' refusals."""
    from tests.utils.bot_server import METRICS_TOKEN, SIGNING_SECRET

    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_api_url,
        "METRICS_TOKEN": METRICS_TOKEN,
        "MAX_OPEN_REQUESTS": "50",
        "QUESTIONS_PER_HOUR": "1000",
        "LOG_LEVEL": "WARNING",
    }


def temp_sqlite_engine(directory: str | None = None) -> Engine:
    path = Path(directory or tempfile.mkdtemp(prefix="mentor-bench-")) / "bench.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    return engine


def load_example_roster(engine: Engine) -> int:
    report = import_mentors(engine, read_mentor_csv(MENTORS_CSV))
    return report.created


def labelled_questions(path: Path = QUESTIONS_CSV) -> list[tuple[str, set[str]]]:
    with path.open(encoding="utf-8") as handle:
        return [
            (row["question"], set(row["expected"].split("|"))) for row in csv.DictReader(handle)
        ]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return f"p50 {statistics.median(ms):7.2f} ms  p99 {percentile(ms, 99):7.2f} ms"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
