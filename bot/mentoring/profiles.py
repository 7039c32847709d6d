"""Mentor profiles as mentors edit them in Slack: save, re-embed, refresh the index at once, and
the program leads' say on who may receive colleagues' questions (MENTOR_APPROVAL)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Literal, Protocol

from sqlalchemy.engine import Engine

from bot.logging import log_event
from bot.matching.availability import availability_of
from bot.matching.service import MatchingService
from bot.mentoring.messaging import log_posted
from bot.mentoring.ports import MessageRef
from bot.roster import ImportReport, import_mentors, parse_csv_text
from bot.storage import busy_feeds as busy_feed_repo
from bot.storage import mentors as mentor_repo
from bot.storage import messages as message_repo
from bot.storage.db import session_scope
from bot.storage.models import MentorApproval, MentorProfile, MentorView, MessageKind, utcnow

logger = logging.getLogger(__name__)

ApprovalPolicy = Literal["open", "lead"]


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    DEACTIVATE = "deactivate"  # MENTOR_APPROVAL=open: a lead takes a new mentor off the roster


class DecisionResult(StrEnum):
    DONE = "done"
    ALREADY_DECIDED = "already_decided"  # another lead was quicker, or nothing to change
    NOT_FOUND = "not_found"
    NOT_A_LEAD = "not_a_lead"


# Which approval states each decision may move a profile from, and to.
_TRANSITIONS = {
    Decision.APPROVE: ((MentorApproval.PENDING,), MentorApproval.APPROVED),
    Decision.REJECT: ((MentorApproval.PENDING,), MentorApproval.REJECTED),
    Decision.DEACTIVATE: ((MentorApproval.APPROVED,), MentorApproval.REJECTED),
}


class Unchanged(Enum):
    """A profile field the caller does not set (the calendar feed, outside the form)."""

    KEEP = "keep"


KEEP = Unchanged.KEEP


@dataclass(frozen=True)
class SavedProfile:
    mentor: MentorView
    created: bool
    waiting_for_approval: bool


class ProfileNotifier(Protocol):
    def ask_leads_to_approve(self, mentor: MentorView) -> Sequence[MessageRef]:
        """Each program lead: a new profile waits for their Approve / Reject."""

    def tell_leads_new_mentor(self, mentor: MentorView) -> Sequence[MessageRef]:
        """Each program lead: someone became a mentor (with a Deactivate button)."""

    def close_approval(
        self, message: MessageRef, mentor: MentorView, decision: Decision, by: str
    ) -> None:
        """Replace a lead's approval message once any lead has decided."""

    def tell_mentor_decision(self, mentor: MentorView, decision: Decision) -> None: ...


class ProfileService:
    def __init__(
        self,
        *,
        engine: Engine,
        matching: MatchingService,
        notifier: ProfileNotifier | None = None,
        approval: ApprovalPolicy = "open",
        program_leads: frozenset[str] = frozenset(),
        release_offers: Callable[[str], object] | None = None,
    ) -> None:
        self._engine = engine
        self._matching = matching
        self._notifier = notifier
        self._approval = approval
        self._leads = program_leads
        # Declines a mentor's pending offers so their requests move on (MentoringService).
        self._release_offers = release_offers

    def roster(self) -> list[MentorView]:
        """Every mentor profile, by Slack id (the admin's list)."""
        with session_scope(self._engine) as session:
            return [MentorView.model_validate(m) for m in mentor_repo.list_mentors(session)]

    def get(self, slack_id: str) -> MentorView | None:
        with session_scope(self._engine) as session:
            mentor = mentor_repo.get_by_slack_id(session, slack_id)
            return MentorView.model_validate(mentor) if mentor is not None else None

    def busy_feed_of(self, slack_id: str) -> str | None:
        """The mentor's calendar feed address: a secret, for their own profile form only."""
        with session_scope(self._engine) as session:
            return busy_feed_repo.address_of(session, slack_id)

    def save(
        self,
        profile: MentorProfile,
        *,
        by: str | None = None,
        busy_feed_url: str | Unchanged | None = KEEP,
    ) -> SavedProfile:
        """Save a mentor's own profile. Under MENTOR_APPROVAL=lead a new mentor waits for a
        program lead; a profile a lead rejected or deactivated always waits again.

        `busy_feed_url`: their calendar feed's secret address (None removes it); it is not
        part of MentorProfile so that no roster CSV or lead can set or see it."""
        saved_by_lead = by is not None and by in self._leads
        with session_scope(self._engine) as session:
            before = mentor_repo.get_by_slack_id(session, profile.slack_id)
            was = before.approval if before is not None else None
            mentor, created = mentor_repo.upsert_mentor(session, profile)
            review = not saved_by_lead and (
                was == MentorApproval.REJECTED.value or (created and self._approval == "lead")
            )
            if review:
                mentor.approval = MentorApproval.PENDING.value
            elif saved_by_lead:
                mentor.approval = MentorApproval.APPROVED.value
            session.add(mentor)
            session.flush()
            assert mentor.id is not None
            if busy_feed_url is not KEEP:
                busy_feed_repo.set_address(session, mentor.id, busy_feed_url)
            mentor_repo.record_changes(session, [mentor.id])
            view = MentorView.model_validate(mentor)
        # Embedding now (not at the next match) keeps the first match after an edit fast.
        self._matching.sync_embeddings([view.id])
        self._matching.refresh()
        log_event(logger, "profile_saved", mentor_id=view.id, created=created, review=review)
        if review:
            self._tell_leads(view, ask=True)
        elif created and not saved_by_lead and self._approval == "open":
            self._tell_leads(view, ask=False)
        return SavedProfile(view, created, not view.approved)

    def decide(self, mentor_id: int, decision: Decision, *, by: str) -> DecisionResult:
        """A program lead's Approve / Reject / Deactivate; the first lead's click wins."""
        if by not in self._leads:
            return DecisionResult.NOT_A_LEAD
        allowed_from, to = _TRANSITIONS[decision]
        with session_scope(self._engine) as session:
            if not mentor_repo.get_many(session, [mentor_id]):
                return DecisionResult.NOT_FOUND
            if not mentor_repo.set_approval(session, mentor_id, to=to, allowed_from=allowed_from):
                return DecisionResult.ALREADY_DECIDED
            mentor = mentor_repo.get_many(session, [mentor_id])[mentor_id]
            view = MentorView.model_validate(mentor)
            messages = [
                MessageRef(m.channel, m.ts, m.recipient_slack_id)
                for m in message_repo.approval_messages(session, mentor_id)
            ]
        self._matching.refresh()
        log_event(logger, "mentor_" + decision.value, mentor_id=mentor_id)
        if decision is Decision.DEACTIVATE and self._release_offers is not None:
            self._release_offers(view.slack_id)
        if self._notifier is not None:
            for message in messages:
                self._notifier.close_approval(message, view, decision, by)
            self._notifier.tell_mentor_decision(view, decision)
        return DecisionResult.DONE

    def import_csv_text(self, text: str) -> ImportReport:
        """A roster pasted by a lead in Slack: the same checks and upsert as the CLI import."""
        report = import_mentors(self._engine, parse_csv_text(text, "The pasted roster"))
        if report.changed_ids:
            self._matching.sync_embeddings(report.changed_ids)
            self._matching.refresh()
        log_event(
            logger,
            "roster_imported",
            created=report.created,
            updated=report.updated,
            rejected=len(report.rejected),
        )
        return report

    def load_this_week(self, mentor_id: int) -> int:
        with session_scope(self._engine) as session:
            found = availability_of(session, [mentor_id], utcnow())
        return found[mentor_id].load_this_week if mentor_id in found else 0

    def _tell_leads(self, mentor: MentorView, *, ask: bool) -> None:
        if self._notifier is None:
            return
        if not self._leads:
            logger.warning("mentor_review_has_no_leads", extra={"mentor_id": mentor.id})
            return
        try:
            if ask:
                posted = self._notifier.ask_leads_to_approve(mentor)
            else:
                posted = self._notifier.tell_leads_new_mentor(mentor)
        except Exception:
            logger.exception("leads_not_told_of_mentor", extra={"mentor_id": mentor.id})
            return
        log_posted(self._engine, MessageKind.APPROVAL, posted, mentor_id=mentor.id)
