"""The digest as Slack mrkdwn text and as a PNG chart (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

from bot.digest.report import Digest, Figures
from bot.digest.topics import Topic


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _number(value: float | None, fmt: str) -> str:
    return "–" if value is None else format(value, fmt)


def _change(now: float | None, before: float | None, fmt: str) -> str:
    if now is None or before is None:
        return ""
    delta = now - before
    return f" ({'+' if delta >= 0 else '−'}{format(abs(delta), fmt)} vs previous week)"


def _line(label: str, now: float | None, before: float | None, fmt: str) -> str:
    return f"• {label}: *{_number(now, fmt)}*{_change(now, before, fmt)}"


def _percent(value: float | None) -> float | None:
    return None if value is None else 100 * value


def figure_lines(this: Figures, previous: Figures) -> list[str]:
    def pct(f: Figures) -> float | None:
        return _percent(f.matched_rate)

    def meet(f: Figures) -> float | None:
        return _percent(f.meet_again_rate)

    return [
        _line("Requests", this.requests, previous.requests, "d"),
        _line("Matched (%)", pct(this), pct(previous), ".0f"),
        _line(
            "Median time to accept (hours)",
            this.median_hours_to_accept,
            previous.median_hours_to_accept,
            ".1f",
        ),
        _line("Sessions held", this.sessions_held, previous.sessions_held, "d")
        + (
            f" ({this.sessions_unconfirmed} more not confirmed yet)"
            if this.sessions_unconfirmed
            else ""
        ),
        _line(
            "No-shows and cancellations",
            this.cancelled_or_no_show,
            previous.cancelled_or_no_show,
            "d",
        ),
        _line("Average rating (1-5)", this.average_rating, previous.average_rating, ".1f"),
        _line("Meet-again rate (%)", meet(this), meet(previous), ".0f"),
    ]


def _topic_lines(topics: list[Topic], empty: str) -> list[str]:
    return [f"• {_escape(t.label)} ({t.count})" for t in topics] or [f"• {empty}"]


def _no_topics(digest: Digest, otherwise: str) -> str:
    return "named once the week is over" if digest.labels_pending else otherwise


def digest_text(digest: Digest) -> str:
    start, end = digest.start.date(), (digest.end.date())
    lines = [
        f"*Weekly mentoring digest, {digest.week}* ({start} to {end}, vs the week before)",
        *figure_lines(digest.this, digest.previous),
        f"• Active mentors: *{digest.active_mentors}*, at capacity this week: "
        f"*{digest.mentors_at_capacity}*",
        "",
        "*Top requested topics*",
        *_topic_lines(digest.topics, _no_topics(digest, "not enough requests to name topics")),
        "",
        "*Unmet demand* (no mentor found, or only a weak fit): skills to recruit mentors for",
        *_topic_lines(digest.unmet, _no_topics(digest, "none this week")),
    ]
    return "\n".join(lines)


def write_chart(digest: Digest, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")  # files only: servers have no display
    import matplotlib.pyplot as plt

    figure, (weekly, topics) = plt.subplots(1, 2, figsize=(11, 4), dpi=110)
    labels = [week.split("-")[1] for week, _, _ in digest.history]
    weekly.plot(labels, [r for _, r, _ in digest.history], marker="o", label="requests")
    weekly.plot(labels, [h for _, _, h in digest.history], marker="s", label="sessions held")
    weekly.set_title("Last 8 weeks")
    weekly.legend()
    weekly.set_ylim(bottom=0)
    names = [t.label for t in digest.topics][::-1]
    topics.barh(names or ["(none)"], [t.count for t in digest.topics][::-1] or [0])
    topics.set_title(f"Top topics, {digest.week}")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    plt.close(figure)
    return path
