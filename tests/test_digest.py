"""The weekly digest from a seeded month of activity, checked against hand-computed figures."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.config import Settings
from bot.digest.render import build_chart, digest_text, write_chart
from bot.digest.report import ProgressFigures, last_full_week, parse_week, week_bounds
from bot.digest.service import DigestService
from bot.i18n import _, use_language
from bot.storage.db import session_scope
from bot.storage.models import (
    Feedback,
    MentoringRequest,
    MentoringSession,
    Offer,
    utcnow,
)
from tests.conftest import add_mentor
from tests.utils.fake_embedder import FakeEmbedder

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

UTC_ZONE = ZoneInfo("UTC")
NOW = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)  # Tuesday of W47: the last full week is W46


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


@dataclass
class Sent:
    messages: list[tuple[str, Path]] = field(default_factory=list)

    def send_digest(self, text: str, chart: Path) -> None:
        assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        self.messages.append((text, chart))


def request(
    session: Session,
    question: str,
    created: datetime,
    status: str,
    best: float | None = None,
    matched: datetime | None = None,
    mentee: str = "U0MENTEE1",
) -> int:
    row = MentoringRequest(
        mentee_slack_id=mentee,
        question=question,
        status=status,
        best_score=best,
        created_at=created,
        matched_at=matched,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def meeting(
    session: Session,
    request_id: int,
    mentor: int,
    starts: datetime,
    status: str,
    sequence: int = 1,
    updated: datetime | None = None,
) -> int:
    row = MentoringSession(
        request_id=request_id,
        mentor_id=mentor,
        mentee_slack_id="U0MENTEE1",
        starts_at=starts,
        status=status,
        sequence=sequence,
        updated_at=updated or starts,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def feedback(
    session: Session,
    session_id: int,
    rating: int,
    again: bool,
    created: datetime,
    author: str = "U0MENTEE1",
) -> None:
    session.add(
        Feedback(
            session_id=session_id,
            author_slack_id=author,
            role="mentee",
            rating=rating,
            meet_again=again,
            created_at=created,
            comment="private words that must never appear",
        )
    )


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    mentor = add_mentor(engine, "U0MENTOR1", "postmortems")
    add_mentor(engine, "U0MENTOR2", "knitting", paused_until=utcnow() + timedelta(days=3))
    full = add_mentor(engine, "U0MENTOR3", "sql", weekly_capacity=1)
    with session_scope(engine) as s:
        # A month of activity: W43 and W44 feed the 8-week history only.
        old = request(
            s,
            "sql indexes",
            datetime(2026, 10, 20, 9, tzinfo=UTC),
            "matched",
            0.9,
            datetime(2026, 10, 20, 10, tzinfo=UTC),
        )
        request(s, "sql views", datetime(2026, 10, 22, 9, tzinfo=UTC), "unmatched")
        meeting(s, old, mentor, datetime(2026, 10, 23, 9, tzinfo=UTC), "scheduled")
        request(s, "sql triggers", datetime(2026, 10, 28, 9, tzinfo=UTC), "cancelled")
        # W45 (previous week): 2 requests, 1 matched after 1 h, 1 session held, rating 3.
        p1 = request(s, "sql joins explained", at(2), "matched", 0.9, at(2, 11))
        request(s, "sql window functions", at(3), "cancelled", 0.8)
        m0 = meeting(s, p1, mentor, at(5), "held")
        feedback(s, m0, 3, True, at(5, 12))
        # W46: 4 requests; matched after 2 h and 6 h; two people's knitting questions that
        # nobody covers. Sessions: one held, one nobody confirmed yet, one cancelled, one
        # no-show.
        r1 = request(s, "incident postmortems for outages", at(9), "matched", 0.8, at(9, 12))
        r2 = request(s, "writing incident postmortems", at(10, 9), "matched", 0.7, at(10, 15))
        request(s, "knitting woollen scarves", at(11), "unmatched", mentee="U0KNIT001")
        request(s, "knitting patterns for scarves", at(12), "offered", 0.35, mentee="U0KNIT002")
        m1 = meeting(s, r1, mentor, at(12), "held")
        meeting(s, r2, mentor, at(13), "cancelled", updated=at(13, 8))
        m3 = meeting(s, r1, mentor, at(14), "scheduled", sequence=2)
        meeting(s, p1, mentor, at(11), "no_show", sequence=2, updated=at(11, 12))
        feedback(s, m1, 4, True, at(12, 12))
        feedback(s, m3, 5, False, at(14, 12))
        # Now: mentor 3 has a pending offer and a capacity of 1, so is at capacity.
        s.add(Offer(request_id=r2, mentor_id=full, rank=2, score=0.5, expires_at=utcnow()))
    return engine


def test_figures_match_hand_computed_values(seeded: Engine) -> None:
    digest = DigestService(
        engine=seeded, embedder=FakeEmbedder(), notifier=Sent(), timezone=UTC_ZONE
    ).build(now=NOW)
    assert digest.week == "2026-W46"
    this, before = digest.this, digest.previous
    assert (this.requests, this.matched, this.matched_rate) == (4, 2, 0.5)
    assert this.median_hours_to_accept == 4.0  # median of 2 h and 6 h
    # What happened, as the people who met said: booked is not held.
    assert (this.sessions_held, this.sessions_unconfirmed, this.cancelled_or_no_show) == (1, 1, 2)
    assert (this.average_rating, this.meet_again_rate) == (4.5, 0.5)
    assert (before.requests, before.matched, before.median_hours_to_accept) == (2, 1, 1.0)
    assert (before.sessions_held, before.average_rating, before.meet_again_rate) == (1, 3, 1.0)
    assert (digest.active_mentors, digest.mentors_at_capacity) == (2, 1)
    assert digest.unmet == []  # two people's questions are too few to name a topic
    assert [h[0] for h in digest.history][-4:] == ["2026-W43", "2026-W44", "2026-W45", "2026-W46"]
    # W43's session was never confirmed, so it is not counted as held.
    assert [h[1:] for h in digest.history] == [(0, 0)] * 4 + [(2, 0), (1, 0), (2, 1), (4, 1)]


def test_text_never_quotes_questions_or_comments(seeded: Engine) -> None:
    digest = DigestService(
        engine=seeded, embedder=FakeEmbedder(), notifier=Sent(), timezone=UTC_ZONE
    ).build(now=NOW)
    text = digest_text(digest)
    assert "Requests: *4* (+2 vs previous week)" in text
    assert "Matched (%): *50* (+0 vs previous week)" in text
    assert "Average rating (1-5): *4.5* (+1.5 vs previous week)" in text
    assert "Sessions held: *1* (+0 vs previous week) (1 more not confirmed yet)" in text
    assert "No-shows and cancellations: *2* (+2 vs previous week)" in text
    for private in ("woollen", "outages", "private words", "knitting patterns for scarves"):
        assert private not in text


def test_sent_once_per_week_even_when_two_processes_run_the_job(seeded: Engine) -> None:
    first, second = Sent(), Sent()
    assert DigestService(
        engine=seeded, embedder=FakeEmbedder(), notifier=first, timezone=UTC_ZONE
    ).send(now=NOW)
    assert not DigestService(
        engine=seeded, embedder=FakeEmbedder(), notifier=second, timezone=UTC_ZONE
    ).send(now=NOW)
    assert (len(first.messages), len(second.messages)) == (1, 0)


def test_a_failed_send_is_retried_next_time(seeded: Engine) -> None:
    class Down:
        def send_digest(self, text: str, chart: Path) -> None:
            raise ConnectionError("Slack is down")

    with pytest.raises(ConnectionError):
        DigestService(
            engine=seeded, embedder=FakeEmbedder(), notifier=Down(), timezone=UTC_ZONE
        ).send(now=NOW)
    retry = Sent()
    assert DigestService(
        engine=seeded, embedder=FakeEmbedder(), notifier=retry, timezone=UTC_ZONE
    ).send(now=NOW)


def test_chart_is_a_png(seeded: Engine, tmp_path: Path) -> None:
    digest = DigestService(
        engine=seeded, embedder=FakeEmbedder(), notifier=Sent(), timezone=UTC_ZONE
    ).build(now=NOW)
    path = write_chart(digest, tmp_path / "chart.png")
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_weeks_follow_the_digest_time_zone() -> None:
    assert last_full_week(NOW, UTC_ZONE) == "2026-W46"
    start, end = week_bounds("2026-W44", ZoneInfo("America/New_York"))  # DST ends Nov 1
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=169)
    with pytest.raises(ValueError, match="ISO week like 2026-W47"):
        parse_week("2026-47")


def test_cli_dry_run_prints_and_writes_the_chart(
    seeded: Engine, settings: Settings, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from bot.cli import CliContext, app

    context = CliContext(
        settings_factory=lambda: settings, embedder_factory=lambda _: FakeEmbedder()
    )
    chart = tmp_path / "digest.png"
    result = CliRunner().invoke(
        app, ["digest", "--dry-run", "--week", "2026-W46", "--chart", str(chart)], obj=context
    )
    assert result.exit_code == 0, result.stderr
    assert "Weekly mentoring digest, 2026-W46" in result.stdout
    assert chart.read_bytes()[:4] == b"\x89PNG"
    bad = CliRunner().invoke(app, ["digest", "--dry-run", "--week", "last"], obj=context)
    assert bad.exit_code == 2
    assert "is not an ISO week" in bad.stderr


# -- The chart ------------------------------------------------------------------------------


def panels(figure: Figure) -> dict[str, Axes]:
    figure.draw_without_rendering()  # tick labels and bar labels are laid out on a draw
    return {str(ax.get_gid()): ax for ax in figure.axes}


def tick_values(ax: Axes) -> list[float]:
    return [float(v) for v in (*ax.get_xticks(), *ax.get_yticks())]


def texts(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.texts]


def words(text: str) -> str:
    """Text as one line (the chart wraps long labels)."""
    return " ".join(text.split())


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    return width, height


def test_chart_of_a_seeded_month(seeded: Engine, tmp_path: Path) -> None:
    with session_scope(seeded) as s:  # three more people ask about postmortems: a topic
        for i, question in enumerate(
            ["blameless postmortems", "postmortems after an incident", "incident postmortems"]
        ):
            request(s, question, at(10, 9 + i), "matched", 0.8, at(10, 12), mentee=f"U0PM{i}")
    built = DigestService(
        engine=seeded, embedder=FakeEmbedder(), notifier=Sent(), timezone=UTC_ZONE
    ).build(now=NOW)
    progress = ProgressFigures(
        goals_set=3,
        sessions_held=3,
        sessions_with_actions=2,
        actions_done=3,
        actions_in_progress=2,
        actions_dropped=1,
        actions_open=4,
        follow_up_sessions=1,
    )
    digest = replace(built, progress=progress)
    assert digest.topics, "the seeded month names a topic"
    chart = panels(build_chart(digest))
    assert set(chart) == {"history", "topics", "progress"}
    history, topics, done = chart["history"], chart["topics"], chart["progress"]
    # Counts on whole-number axes: no 0.5 requests.
    for ax in chart.values():
        assert all(v.is_integer() and v >= 0 for v in tick_values(ax)), ax.get_gid()
    assert [int(v) for v in history.get_yticks()][:3] == [0, 1, 2]
    # The 8 weeks, as built: requests and sessions held, this week's values written out.
    assert [np.asarray(line.get_ydata()).tolist() for line in history.lines] == [
        [r for _w, r, _h in digest.history],
        [h for _w, _r, h in digest.history],
    ]
    assert texts(history) == [str(digest.history[-1][1]), str(digest.history[-1][2])]
    assert history.get_xticklabels()[-1].get_text() == "W46"
    # Topic bars carry their counts.
    assert [words(t.get_text()) for t in topics.get_yticklabels()] == [
        t.label for t in digest.topics
    ]
    assert texts(topics) == [str(t.count) for t in digest.topics]
    # Progress: the four counts, then the caption's aggregates.
    assert [t.get_text() for t in done.get_yticklabels()] == [
        "Done",
        "In progress",
        "Dropped",
        "Not reported yet",
    ]
    assert texts(done) == ["3", "2", "1", "4"]
    caption = words(done.get_xlabel())
    assert "Goals set: 3" in caption
    assert "sessions followed by a next step: 67%" in caption
    assert "follow-up sessions: 1" in caption

    path = write_chart(digest, tmp_path / "chart.png")
    assert png_size(path) == (1260, 900)
    assert path.stat().st_size > 20_000


def test_chart_of_an_empty_month_says_so(engine: Engine, tmp_path: Path) -> None:
    digest = DigestService(
        engine=engine, embedder=FakeEmbedder(), notifier=Sent(), timezone=UTC_ZONE
    ).build(now=NOW)
    chart = panels(build_chart(digest))
    assert texts(chart["history"]) == ["not enough requests yet"]
    assert texts(chart["topics"]) == ["not enough requests to name topics"]
    assert texts(chart["progress"]) == ["no next steps recorded yet"]
    for ax in chart.values():
        # Words instead of an empty axis: no ticks (let alone -0.04…0.04), lines or bars.
        assert tick_values(ax) == []
        assert (len(ax.lines), len(ax.patches)) == (0, 0)
    assert chart["progress"].get_xlabel() == ""  # no caption of zeros and dashes
    running = panels(build_chart(replace(digest, labels_pending=True)))
    assert texts(running["topics"]) == ["named once the week is over"]
    assert png_size(write_chart(digest, tmp_path / "empty.png")) == (1260, 900)


def test_chart_speaks_the_digest_language(seeded: Engine) -> None:
    digest = DigestService(
        engine=seeded, embedder=FakeEmbedder(), notifier=Sent(), timezone=UTC_ZONE
    ).build(now=NOW)
    with use_language("pl"):
        chart = panels(build_chart(digest))
        expected = _("Last 8 weeks")
    assert expected != "Last 8 weeks"
    assert chart["history"].get_title(loc="left") == expected
