"""Building the weekly digest from the database: pure figures, no Slack."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.digest.topics import MIN_PEOPLE, Asked, Topic, cluster_topics
from bot.matching.availability import availability_of
from bot.matching.embedder import Embedder
from bot.storage import events as event_repo
from bot.storage import mentors as mentor_repo
from bot.storage import requests as request_repo
from bot.storage import stats
from bot.storage.db import session_scope
from bot.storage.models import ActionStatus, RequestStatus, SessionStatus

# A request whose best mentor scored below this found no real expert: unmet demand.
UNMET_SCORE = 0.4
HISTORY_WEEKS = 8


@dataclass(frozen=True)
class Figures:
    requests: int
    matched: int
    median_hours_to_accept: float | None
    sessions_held: int  # confirmed by one of the two people ("Did it take place?")
    sessions_unconfirmed: int  # past, but nobody has answered yet
    cancelled_or_no_show: int
    average_rating: float | None
    meet_again_rate: float | None

    @property
    def matched_rate(self) -> float | None:
        return self.matched / self.requests if self.requests else None


@dataclass(frozen=True)
class ProgressFigures:
    """What came after the sessions of a week — counts only, never an action's text."""

    goals_set: int = 0  # requests of the week that said what success would look like
    sessions_held: int = 0
    sessions_with_actions: int = 0  # held sessions followed by at least one action
    actions_done: int = 0
    actions_in_progress: int = 0
    actions_dropped: int = 0
    actions_open: int = 0  # not reported on yet
    follow_up_sessions: int = 0  # booked from a progress check ("book a follow-up")

    @property
    def with_actions_rate(self) -> float | None:
        return self.sessions_with_actions / self.sessions_held if self.sessions_held else None


@dataclass(frozen=True)
class Digest:
    week: str
    start: datetime
    end: datetime
    this: Figures
    previous: Figures
    active_mentors: int
    mentors_at_capacity: int
    # Requests on the waiting list when the digest was built (their experts were all busy), and
    # mentors paused this week for leaving two offers unanswered: counts, never names.
    waiting_now: int = 0
    auto_pauses: int = 0
    # Speed-mentoring events that started this week, and the conversations they planned.
    events: int = 0
    event_conversations: int = 0
    progress: ProgressFigures = field(default_factory=ProgressFigures)
    topics: list[Topic] = field(default_factory=list)
    unmet: list[Topic] = field(default_factory=list)
    # The week is still running: labels are named only once it is over (see build_digest).
    labels_pending: bool = False
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
    engine: Engine,
    embedder: Embedder,
    week: str,
    zone: ZoneInfo,
    *,
    now: datetime,
    leads: frozenset[str] = frozenset(),
) -> Digest:
    """The digest of `week`.

    Topic labels leave out the questions of every program lead (the people who read them), so
    no lead can make up the three people a label needs with questions of their own, nor with a
    fellow lead's, and learn what one other person asked. A week still running gets no labels:
    comparing two previews would show a label appear the moment someone asked."""
    start, end = week_bounds(week, zone)
    previous_start = start - timedelta(days=7)
    with session_scope(engine) as session:
        this_requests = stats.requests_between(session, start, end)
        figures = _figures(session, this_requests, start, end, now)
        previous = _figures(
            session,
            stats.requests_between(session, previous_start, start),
            previous_start,
            start,
            now,
        )
        mentors = stats.mentors_now(session)
        ids = [m.id for m in mentors if m.id is not None]
        load = availability_of(session, ids, now)
        windows = [
            (start - timedelta(days=7 * i), end - timedelta(days=7 * i))
            for i in reversed(range(HISTORY_WEEKS))
        ]
        weekly = stats.weekly_counts(session, windows)
        waiting_now = request_repo.waiting_count(session)
        auto_pauses = mentor_repo.auto_pauses_between(session, start, end)
        progress = stats.progress_between(session, start, end)
        events = event_repo.events_between(session, start, end)
        conversations = sum(
            len(event_repo.pairings(session, e.id)) for e in events if e.id is not None
        )
    active = [
        a for a in load.values() if a.listed and not (a.paused_until and a.paused_until > now)
    ]
    at_capacity = sum(1 for a in active if a.load_this_week >= a.weekly_capacity)
    finished = end <= now
    asked = _asked(this_requests, leads) if finished else []
    unmet_asked = _asked([r for r in this_requests if _unmet(r)], leads) if finished else []
    return Digest(
        week=week_label(start),
        start=start,
        end=end,
        this=figures,
        previous=previous,
        active_mentors=len(active),
        mentors_at_capacity=at_capacity,
        waiting_now=waiting_now,
        auto_pauses=auto_pauses,
        events=len(events),
        event_conversations=conversations,
        progress=ProgressFigures(
            goals_set=progress["goals_set"],
            sessions_held=progress["sessions_held"],
            sessions_with_actions=progress["sessions_with_actions"],
            actions_done=progress.get(ActionStatus.DONE.value, 0),
            actions_in_progress=progress.get(ActionStatus.IN_PROGRESS.value, 0),
            actions_dropped=progress.get(ActionStatus.DROPPED.value, 0),
            actions_open=progress.get(ActionStatus.OPEN.value, 0),
            follow_up_sessions=progress["follow_up_sessions"],
        ),
        topics=_topics(embedder, asked),
        unmet=_topics(embedder, unmet_asked),
        history=[(week_label(s), r, h) for (s, _), (r, h) in zip(windows, weekly, strict=True)],
        labels_pending=not finished,
    )


def unmet_topics(
    engine: Engine,
    embedder: Embedder,
    start: datetime,
    end: datetime,
    *,
    leads: frozenset[str] = frozenset(),
) -> list[Topic]:
    """Unmet topics of requests between `start` and `end`; leads' own questions never count."""
    with session_scope(engine) as session:
        rows = stats.requests_between(session, start, end)
    return _topics(embedder, _asked([r for r in rows if _unmet(r)], leads))


def _asked(rows: list[stats.RequestRow], leads: frozenset[str]) -> list[Asked]:
    return [
        Asked(r.question, r.mentee_slack_id)
        for r in rows
        if r.question and r.mentee_slack_id not in leads
    ]


def _unmet(row: stats.RequestRow) -> bool:
    return row.status == RequestStatus.UNMATCHED.value or (
        row.best_score is not None and row.best_score < UNMET_SCORE
    )


def _topics(embedder: Embedder, asked: list[Asked]) -> list[Topic]:
    if len({a.mentee for a in asked}) < MIN_PEOPLE:
        return []  # not enough people to name anything: nothing is embedded either
    return cluster_topics(asked, embedder.embed([a.text for a in asked]))


def _figures(
    session: Session,
    requests: list[stats.RequestRow],
    start: datetime,
    end: datetime,
    now: datetime,
) -> Figures:
    matched = [r for r in requests if r.status in stats.MATCHED and r.matched_at]
    hours = [
        (r.matched_at - r.created_at).total_seconds() / 3600
        for r in matched
        if r.matched_at is not None
    ]
    sessions = stats.sessions_between(session, start, end)
    past = stats.sessions_between(session, start, min(end, now))
    follow_ups = stats.follow_ups_between(session, start, end)
    ratings = [f.rating for f in follow_ups if f.rating is not None]
    votes = [f.meet_again for f in follow_ups if f.meet_again is not None]
    return Figures(
        requests=len(requests),
        matched=len(matched),
        median_hours_to_accept=statistics.median(hours) if hours else None,
        sessions_held=sessions.get(SessionStatus.HELD.value, 0),
        sessions_unconfirmed=past.get(SessionStatus.SCHEDULED.value, 0),
        cancelled_or_no_show=sessions["cancelled_or_no_show"],
        average_rating=statistics.fmean(ratings) if ratings else None,
        meet_again_rate=sum(votes) / len(votes) if votes else None,
    )
