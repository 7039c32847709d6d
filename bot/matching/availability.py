"""Whether a mentor can take a request now: on the roster, not paused, capacity left this week.

The rules live here; storage only counts (`bot.storage.mentors.standing`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.i18n import language_named, supported
from bot.storage import mentors as mentor_repo
from bot.storage.models import MentorApproval
from bot.weeks import week_of


@dataclass(frozen=True)
class Availability:
    mentor_id: int
    slack_id: str
    active: bool
    paused_until: datetime | None
    weekly_capacity: int
    load_this_week: int
    approved: bool = True
    languages: frozenset[str] = frozenset()  # language codes the mentor mentors in

    @property
    def listed(self) -> bool:
        """On the roster for matching at all: active and approved (pauses and load aside)."""
        return self.active and self.approved

    def is_available(self, now: datetime) -> bool:
        paused = self.paused_until is not None and self.paused_until > now
        return self.listed and not paused and self.load_this_week < self.weekly_capacity

    @property
    def may_have_room(self) -> bool:
        """Whether waiting for this mentor makes sense: listed and mentoring at all (a weekly
        capacity of 0 never frees a place; a pause and a full week end)."""
        return self.listed and self.weekly_capacity > 0

    @property
    def load_ratio(self) -> float:
        return self.load_this_week / self.weekly_capacity if self.weekly_capacity else 1.0


def language_codes(written: Iterable[str]) -> frozenset[str]:
    """The languages a mentor listed, as codes: people write "pl", "Polish" or "polski"."""
    return frozenset(code for word in written if (code := supported(word) or language_named(word)))


def availability_of(
    session: Session, mentor_ids: Iterable[int], now: datetime
) -> dict[int, Availability]:
    """Availability of the given mentors. Load: offers accepted this week (Monday 00:00 UTC)
    and every pending offer (a mentor asked twice at once is busy twice)."""
    return {
        row.mentor_id: Availability(
            row.mentor_id,
            row.slack_id,
            row.active,
            row.paused_until,
            row.weekly_capacity,
            row.offers_pending + row.accepted_since,
            approved=row.approval == MentorApproval.APPROVED.value,
            languages=language_codes(row.languages),
        )
        for row in mentor_repo.standing(session, mentor_ids, since=week_of(now)).values()
    }
