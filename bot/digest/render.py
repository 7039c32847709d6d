"""The digest as Slack mrkdwn text and as a PNG chart (matplotlib, no display needed), in
the active language (the digest service activates DIGEST_LANGUAGE)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from babel.numbers import format_decimal, format_percent

from bot.digest.report import Digest, Figures, ProgressFigures
from bot.digest.topics import Topic
from bot.i18n import N_, _, active_language, format_day

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.axis import XAxis, YAxis
    from matplotlib.figure import Figure

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
        "• " + _progress_caption(digest.progress),
        "• " + _progress_counts(digest.progress),
        "",
        _("*Top requested topics*"),
        *_topic_lines(digest.topics, _no_topics(digest, _("not enough requests to name topics"))),
        "",
        _("*Unmet demand* (no mentor found, or only a weak fit): skills to recruit mentors for"),
        *_topic_lines(digest.unmet, _no_topics(digest, _("none this week"))),
    ]
    return "\n".join(lines)


# Okabe-Ito colours: told apart with every common colour-vision deficiency (and each series
# also has its own marker, line style or axis label, so colour is never the only cue).
_BLUE, _ORANGE, _SKY, _GREEN, _VERMILION, _GREY = (
    "#0072B2",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#D55E00",
    "#BDBDBD",
)
_INK, _MUTED, _PANEL, _GRID = "#222222", "#555555", "#F3F3F3", "#DDDDDD"
# Points: Slack shows the PNG scaled down to the width of the message, so text is large.
_TITLE, _TEXT, _TICKS = 16, 14, 13
_TOPIC_SLOTS = 3  # one or two topics get bars as thick as three would, not a wall of colour


def _plain(text: str) -> str:
    """Text as typed: a "$" would start matplotlib's math mode."""
    return text.replace("$", r"\$")


def _counts_axis(axis: XAxis | YAxis) -> None:
    """Whole numbers only: there is no half a request."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _style(ax: Axes, title: str) -> None:
    ax.set_title(_plain(title), fontsize=_TITLE, color=_INK, loc="left", pad=10)
    ax.tick_params(labelsize=_TICKS, colors=_MUTED)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _message(ax: Axes, text: str) -> None:
    """A panel with nothing to plot says why, instead of drawing an empty axis."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_facecolor(_PANEL)
    ax.text(
        0.5,
        0.5,
        _plain(textwrap.fill(text, 36)),
        transform=ax.transAxes,
        ha="center",
        va="center",
        multialignment="center",
        fontsize=_TEXT,
        color=_MUTED,
    )


def _history_panel(ax: Axes, history: list[tuple[str, int, int]]) -> None:
    _style(ax, _("Last 8 weeks"))
    if not any(requests or held for _week, requests, held in history):
        _message(ax, _("not enough requests yet"))
        return
    positions = list(range(len(history)))
    series = [
        ([r for _w, r, _h in history], _("requests"), _BLUE, "o", "-"),
        ([h for _w, _r, h in history], _("sessions held"), _ORANGE, "s", "--"),
    ]
    for values, label, color, marker, style in series:
        # clip_on=False: a marker at 0 sits whole on the axis, with no negative margin.
        ax.plot(
            positions,
            values,
            label=_plain(label),
            color=color,
            marker=marker,
            linestyle=style,
            linewidth=2.5,
            markersize=7,
            clip_on=False,
            zorder=3,
        )
    # The digest's week in numbers, right of its points (nudged apart when they are close).
    last = [values[-1] for values, *_rest in series]
    top = max(1, *series[0][0], *series[1][0]) * 1.25
    higher = 0 if last[0] >= last[1] else 1
    close = abs(last[0] - last[1]) < 0.12 * top
    for index, (values, _label, color, *_rest) in enumerate(series):
        nudge = (6 if index == higher else -6) if close else 0
        ax.annotate(
            _number(values[-1], "d"),
            (positions[-1], values[-1]),
            xytext=(9, nudge),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=_TEXT,
            fontweight="bold",
            color=color,
        )
    # Every week has a tick; every other one a name ("W46"), always the digest's own week.
    names = [week.split("-")[-1] for week, _r, _h in history]
    ax.set_xticks(positions, [n if (len(names) - i) % 2 else "" for i, n in enumerate(names)])
    _counts_axis(ax.yaxis)
    ax.set_ylim(0, top)
    ax.set_xlim(-0.4, len(history) - 0.2)
    ax.grid(axis="y", color=_GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.legend(loc="upper left", frameon=False, fontsize=_TICKS)


def _bars(
    ax: Axes, names: list[str], counts: list[int], colors: list[str], *, slots: int = 0
) -> None:
    """Horizontal bars, the first on top, each labelled with its count; `slots` keeps room
    for that many bars so that few bars are not drawn fat."""
    slots = max(slots, len(names))
    positions = [slots - 1 - i for i in range(len(names))]
    bars = ax.barh(positions, counts, color=colors, height=0.62)
    ax.set_yticks(positions, [_plain(n) for n in names])
    ax.set_ylim(-0.5, slots - 0.5)
    ax.bar_label(
        bars,
        labels=[_number(c, "d") for c in counts],
        padding=5,
        fontsize=_TEXT,
        fontweight="bold",
        color=_INK,
    )
    _counts_axis(ax.xaxis)
    ax.set_xlim(0, max(1, *counts) * 1.15)
    ax.tick_params(axis="y", length=0, labelsize=_TEXT, labelcolor=_INK)
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x", color=_GRID, linewidth=0.8)
    ax.set_axisbelow(True)


def _topics_panel(ax: Axes, digest: Digest) -> None:
    _style(ax, _("Top topics, {week}", week=digest.week))
    if not digest.topics:
        _message(ax, _no_topics(digest, _("not enough requests to name topics")))
        return
    names = [textwrap.fill(t.label, 20) for t in digest.topics]
    counts = [t.count for t in digest.topics]
    _bars(ax, names, counts, [_BLUE] * len(names), slots=_TOPIC_SLOTS)


def _progress_counts(progress: ProgressFigures) -> str:
    """Next steps by status, as the chart's progress panel labels them."""
    counts = (
        (N_("Done"), progress.actions_done),
        (N_("In progress"), progress.actions_in_progress),
        (N_("Dropped"), progress.actions_dropped),
        (N_("Not reported yet"), progress.actions_open),
    )
    return " · ".join(f"{_(name)}: *{count}*" for name, count in counts)


def _progress_caption(progress: ProgressFigures) -> str:
    rate = progress.with_actions_rate
    share = "–" if rate is None else format_percent(rate, locale=active_language())
    return _(
        "Goals set: {goals} · sessions followed by a next step: {share} · follow-up sessions:"
        " {follow_ups}",
        goals=_number(progress.goals_set, "d"),
        share=share,
        follow_ups=_number(progress.follow_up_sessions, "d"),
    )


def _progress_panel(ax: Axes, digest: Digest) -> None:
    _style(ax, _("Progress on next steps, {week}", week=digest.week))
    p = digest.progress
    rows = [
        (_("Done"), p.actions_done, _GREEN),
        (_("In progress"), p.actions_in_progress, _SKY),
        (_("Dropped"), p.actions_dropped, _VERMILION),
        (_("Not reported yet"), p.actions_open, _GREY),
    ]
    if any(count for _n, count, _c in rows):
        _bars(ax, [n for n, _c, _k in rows], [c for _n, c, _k in rows], [k for *_r, k in rows])
    else:
        _message(ax, _("no next steps recorded yet"))
    if any((p.goals_set, p.sessions_held, p.sessions_with_actions, p.follow_up_sessions)):
        caption = textwrap.fill(_progress_caption(p), 100)
        ax.set_xlabel(_plain(caption), fontsize=_TEXT, color=_INK, labelpad=12)


def build_chart(digest: Digest) -> Figure:
    """The digest chart (no pyplot: no global state, no display): requests and sessions held
    in the last 8 weeks, the week's top topics, and how the next steps agreed after sessions
    are going. Every panel with nothing to show says so in words."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10.5, 7.5), dpi=120)
    figure.set_layout_engine("constrained", hspace=0.06, wspace=0.04)
    grid = figure.add_gridspec(2, 2, height_ratios=(1.2, 1), width_ratios=(1.2, 1))
    _history_panel(figure.add_subplot(grid[0, 0], gid="history"), digest.history)
    _topics_panel(figure.add_subplot(grid[0, 1], gid="topics"), digest)
    _progress_panel(figure.add_subplot(grid[1, :], gid="progress"), digest)
    return figure


def write_chart(digest: Digest, path: Path) -> Path:
    figure = build_chart(digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png", facecolor="white")
    return path
