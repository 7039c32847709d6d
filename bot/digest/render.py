"""The digest as Slack mrkdwn text and as a PNG chart (matplotlib, no display needed), in
the active language (the digest service activates DIGEST_LANGUAGE)."""

from __future__ import annotations

from pathlib import Path

from babel.numbers import format_decimal

from bot.digest.report import Digest, Figures
from bot.digest.topics import Topic
from bot.i18n import _, active_language, format_day

# Python format specs used below → CLDR patterns (decimal comma where the language has one).
_PATTERNS = {"d": "#,##0", ".0f": "#,##0", ".1f": "#,##0.0"}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _number(value: float | None, fmt: str) -> str:
    if value is None:
        return "–"
    return format_decimal(value, format=_PATTERNS[fmt], locale=active_language())


def _change(now: float | None, before: float | None, fmt: str) -> str:
    if now is None or before is None:
        return ""
    delta = now - before
    sign = "+" if delta >= 0 else "−"
    return " " + _("({change} vs previous week)", change=sign + _number(abs(delta), fmt))


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
        _line(_("Requests"), this.requests, previous.requests, "d"),
        _line(_("Matched (%)"), pct(this), pct(previous), ".0f"),
        _line(
            _("Median time to accept (hours)"),
            this.median_hours_to_accept,
            previous.median_hours_to_accept,
            ".1f",
        ),
        _line(_("Sessions held"), this.sessions_held, previous.sessions_held, "d")
        + (
            " "
            + _(
                "({count} more not confirmed yet)",
                count=_number(this.sessions_unconfirmed, "d"),
            )
            if this.sessions_unconfirmed
            else ""
        ),
        _line(
            _("No-shows and cancellations"),
            this.cancelled_or_no_show,
            previous.cancelled_or_no_show,
            "d",
        ),
        _line(_("Average rating (1-5)"), this.average_rating, previous.average_rating, ".1f"),
        _line(_("Meet-again rate (%)"), meet(this), meet(previous), ".0f"),
    ]


def _topic_lines(topics: list[Topic], empty: str) -> list[str]:
    return [f"• {_escape(t.label)} ({t.count})" for t in topics] or [f"• {empty}"]


def _no_topics(digest: Digest, otherwise: str) -> str:
    return _("named once the week is over") if digest.labels_pending else otherwise


def digest_text(digest: Digest) -> str:
    zone = digest.start.tzinfo
    start = format_day(digest.start, str(zone)) if zone else str(digest.start.date())
    end = format_day(digest.end, str(zone)) if zone else str(digest.end.date())
    lines = [
        _(
            "*Weekly mentoring digest, {week}* ({start} to {end}, vs the week before)",
            week=digest.week,
            start=start,
            end=end,
        ),
        *figure_lines(digest.this, digest.previous),
        "• "
        + _(
            "Active mentors: *{active}*, at capacity this week: *{full}*",
            active=digest.active_mentors,
            full=digest.mentors_at_capacity,
        ),
        "• "
        + _(
            "On the waiting list now: *{waiting}* · mentors paused for unanswered requests this"
            " week: *{paused}*",
            waiting=digest.waiting_now,
            paused=digest.auto_pauses,
        ),
        "• "
        + _(
            "Speed-mentoring events: *{events}* ({conversations} conversations planned)",
            events=digest.events,
            conversations=digest.event_conversations,
        ),
        "",
        _("*Top requested topics*"),
        *_topic_lines(digest.topics, _no_topics(digest, _("not enough requests to name topics"))),
        "",
        _("*Unmet demand* (no mentor found, or only a weak fit): skills to recruit mentors for"),
        *_topic_lines(digest.unmet, _no_topics(digest, _("none this week"))),
    ]
    return "\n".join(lines)


def write_chart(digest: Digest, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")  # files only: servers have no display
    import matplotlib.pyplot as plt

    figure, (weekly, topics) = plt.subplots(1, 2, figsize=(11, 4), dpi=110)
    labels = [week.split("-")[1] for week, _r, _h in digest.history]
    requests = [r for _w, r, _h in digest.history]
    held = [h for _w, _r, h in digest.history]
    weekly.plot(labels, requests, marker="o", label=_("requests"))
    weekly.plot(labels, held, marker="s", label=_("sessions held"))
    weekly.set_title(_("Last 8 weeks"))
    weekly.legend()
    weekly.set_ylim(bottom=0)
    names = [t.label for t in digest.topics][::-1]
    topics.barh(names or [_("(none)")], [t.count for t in digest.topics][::-1] or [0])
    topics.set_title(_("Top topics, {week}", week=digest.week))
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    plt.close(figure)
    return path
