"""Weeks as mentoring counts them: a mentor's capacity, this week's numbers for leads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def week_of(moment: datetime) -> datetime:
    """Monday 00:00 UTC of the week containing `moment`."""
    midnight = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight - timedelta(days=midnight.weekday())
