"""Building the weekly digest from the database: pure figures, no Slack."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from bot.digest.topics import Topic, cluster_topics
from bot.matching.embedder import Embedder
from bot.storage import mentors as mentor_repo
from bot.storage import stats
from bot.storage.db import session_scope
from bot.storage.models import RequestStatus

# A request whose best mentor scored below this found no real expert: unmet demand.
UNMET_SCORE = 0.4
HISTORY_WEEKS = 8


@dataclass(frozen=True)
class Figures:
    requests: int
    matched: int
    median_hours_to_accept: float | None
    sessions_held: int
    cancelled_or_no_show: int
    average_rating: float | None
    meet_again_rate: float | None

    @property
    def matched_rate(self) -> float | None:
        return self.matched / self.requests if self.requests else None


@dataclass(frozen=True)
class Digest:
    week: str
    start: datetime
    end: datetime
    this: Figures
    previous: Figures
    active_mentors: int
    mentors_at_capacity: int
    topics: list[Topic] = field(default_factory=list)
    unmet: list[Topic] = field(default_factory=list)
    history: list[tuple[str, int, int]] = field(default_factory=list)  # (week, requests, held)


def parse_week(week: str) -> tuple[int, int]:
    """ "2026-W47" -> (2026, 47); ValueError with a clear message otherwise."""
    try:
        year, number = week.upper().split("-W")
        date.fromisocalendar(int(year), int(number), 1)
        return int(year), int(number)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{week!r} is not an ISO week like 2026-W47") from exc


def week_bounds(week: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00 in `zone` (so DST weeks are 167 or 169 hours)."""
    year, number = parse_week(week)
    monday = date.fromisocalendar(year, number, 1)
    start = datetime.combine(monday, time(0), zone)
    return start, datetime.combine(monday + timedelta(days=7), time(0), zone)


def week_label(moment: datetime) -> str:
    year, number, _ = moment.isocalendar()
    return f"{year}-W{number:02d}"


def last_full_week(now: datetime, zone: ZoneInfo) -> str:
    return week_label(now.astimezone(zone) - timedelta(days=7))


def build_digest(
    engine: Engine, embedder: Embedder, week: str, zone: ZoneInfo, *, now: datetime
) -> Digest:
    start, end = week_bounds(week, zone)
    previous_start = start - timedelta(days=7)
    with session_scope(engine) as session:
        this_requests = stats.requests_between(session, start, end)
        figures = _figures(session, this_requests, start, end)
        previous = _figures(
            session, stats.requests_between(session, previous_start, start), previous_start, start
        )
        mentors = stats.mentors_now(session)
        ids = [m.id for m in mentors if m.id is not None]
        load = mentor_repo.availability(session, ids, now)
        windows = [
            (start - timedelta(days=7 * i), end - timedelta(days=7 * i))
            for i in reversed(range(HISTORY_WEEKS))
        ]
        weekly = stats.weekly_counts(session, windows)
    active = [
        a for a in load.values() if a.active and not (a.paused_until and a.paused_until > now)
    ]
    at_capacity = sum(1 for a in load.values() if a.load_this_week >= a.weekly_capacity)
    questions = [r.question for r in this_requests if r.question]
    unmet_questions = [r.question for r in this_requests if r.question and _unmet(r)]
    return Digest(
        week=week_label(start),
        start=start,
        end=end,
        this=figures,
        previous=previous,
        active_mentors=len(active),
        mentors_at_capacity=at_capacity,
        topics=_topics(embedder, questions),
        unmet=_topics(embedder, unmet_questions),
        history=[(week_label(s), r, h) for (s, _), (r, h) in zip(windows, weekly, strict=True)],
    )


def unmet_topics(engine: Engine, embedder: Embedder, start: datetime, end: datetime) -> list[Topic]:
    with session_scope(engine) as session:
        rows = stats.requests_between(session, start, end)
    return _topics(embedder, [r.question for r in rows if r.question and _unmet(r)])


def _unmet(row: stats.RequestRow) -> bool:
    return row.status == RequestStatus.UNMATCHED.value or (
        row.best_score is not None and row.best_score < UNMET_SCORE
    )


def _topics(embedder: Embedder, questions: list[str]) -> list[Topic]:
    if len(questions) < 2:
        return []
    return cluster_topics(questions, embedder.embed(questions))


def _figures(
    session: object, requests: list[stats.RequestRow], start: datetime, end: datetime
) -> Figures:
    matched = [r for r in requests if r.status in stats.MATCHED and r.matched_at]
    hours = [
        (r.matched_at - r.created_at).total_seconds() / 3600
        for r in matched
        if r.matched_at is not None
    ]
    sessions = stats.sessions_between(session, start, end)  # type: ignore[arg-type]
    follow_ups = stats.follow_ups_between(session, start, end)  # type: ignore[arg-type]
    ratings = [f.rating for f in follow_ups if f.rating is not None]
    votes = [f.meet_again for f in follow_ups if f.meet_again is not None]
    return Figures(
        requests=len(requests),
        matched=len(matched),
        median_hours_to_accept=statistics.median(hours) if hours else None,
        sessions_held=sessions.get("scheduled", 0) + sessions.get("held", 0),
        cancelled_or_no_show=sessions["cancelled_or_no_show"],
        average_rating=statistics.fmean(ratings) if ratings else None,
        meet_again_rate=sum(votes) / len(votes) if votes else None,
    )
