"""Repository for personal data: what is stored about a person, erasing it, and retention.

Erasure keeps rows and scrubs them: request, offer and session rows carry the anonymous counts
the digest needs (how many asked, matched, met), so they stay with every personal field —
Slack ids, question and context texts, comments, names, expertise, vectors — removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.storage import actions as action_repo
from bot.storage import events as event_repo
from bot.storage import evidence as evidence_repo
from bot.storage.db import bulk_update
from bot.storage.mentors import get_by_slack_id, record_changes
from bot.storage.messages import mark_for_redaction
from bot.storage.models import (
    Feedback,
    Mentor,
    MentorEmbedding,
    MentoringRequest,
    MentoringSession,
    Offer,
    utcnow,
)
from bot.storage.people import chosen_language, erase_settings

# Stands in for an erased person's Slack id; Slack ids are upper case, so it never collides.
ANONYMOUS = "forgotten"


@dataclass(frozen=True)
class ErasedCounts:
    requests: int
    sessions: int
    feedback: int
    mentor_profile: bool


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def personal_data(session: Session, slack_id: str) -> dict[str, Any]:
    """Everything stored about one person, as plain JSON-able values.

    Other people's texts are left out (a mentor sees request ids, not the mentee's question).
    """
    mentor = get_by_slack_id(session, slack_id)
    return {
        "slack_id": slack_id,
        "language": chosen_language(session, slack_id),
        "mentor_profile": _profile(mentor) if mentor else None,
        "requests": [_request(r) for r in _requests_of(session, slack_id)],
        "offers_received": _offers_to(session, mentor.id) if mentor and mentor.id else [],
        "sessions": _sessions_of(session, slack_id, mentor.id if mentor else None),
        "feedback_given": [_feedback(f) for f in _feedback_by(session, slack_id)],
        # Vectors only (no text): how many outcomes of theirs the matcher is learning from.
        "matching_evidence": evidence_repo.count_for(
            session, mentee_slack_id=slack_id, mentor_id=mentor.id if mentor else None
        ),
        "speed_mentoring_events": event_repo.personal_events(session, slack_id),
        "next_steps": action_repo.personal_actions(session, slack_id),
        "takeaways": action_repo.personal_takeaways(
            session, slack_id, mentor.id if mentor else None
        ),
    }


def _profile(mentor: Mentor) -> dict[str, Any]:
    return {
        "name": mentor.name,
        "title": mentor.title,
        "expertise": mentor.expertise,
        "skills": mentor.skills,
        "questions_i_can_help_with": mentor.help_questions,
        "timezone": mentor.timezone,
        "languages": mentor.languages,
        "weekly_capacity": mentor.weekly_capacity,
        "meeting_place": mentor.meeting_place,
        # Whether one is set, never the address: the export is a file that may be forwarded,
        # and the address alone gives anyone the mentor's calendar.
        "calendar_feed": "set" if mentor.busy_feed_url else "not set",
        "available_from": mentor.available_from,
        "available_until": mentor.available_until,
        "paused_until": _iso(mentor.paused_until),
        "paused_for_unanswered_requests_at": _iso(mentor.auto_paused_at),
        "unanswered_requests_in_a_row": mentor.missed_offers,
        "active": mentor.active,
        "created_at": _iso(mentor.created_at),
        "updated_at": _iso(mentor.updated_at),
    }


def _requests_of(session: Session, slack_id: str) -> list[MentoringRequest]:
    query = select(MentoringRequest).where(MentoringRequest.mentee_slack_id == slack_id)
    return list(session.exec(query.order_by(col(MentoringRequest.id))).all())


def _request(request: MentoringRequest) -> dict[str, Any]:
    return {
        "id": request.id,
        "question": request.question,
        "context": request.context,
        "format": request.format,
        "urgency": request.urgency,
        "goal": request.goal,
        "asked_mentor_by_name": request.preferred_mentor_id is not None,
        "waiting_until": _iso(request.waiting_until),
        "timezone": request.mentee_timezone,
        "status": request.status,
        "created_at": _iso(request.created_at),
        "matched_at": _iso(request.matched_at),
    }


def _offers_to(session: Session, mentor_id: int) -> list[dict[str, Any]]:
    offers = session.exec(
        select(Offer).where(Offer.mentor_id == mentor_id).order_by(col(Offer.id))
    ).all()
    return [
        {
            "request_id": o.request_id,
            "status": o.status,
            "score": round(o.score, 3),
            "reasons": o.reasons,
            "offered_at": _iso(o.created_at),
            "answered_at": _iso(o.responded_at),
        }
        for o in offers
    ]


def _sessions_of(session: Session, slack_id: str, mentor_id: int | None) -> list[dict[str, Any]]:
    rows = session.exec(
        select(MentoringSession)
        .where(_session_of(slack_id, mentor_id))
        .order_by(col(MentoringSession.id))
    ).all()
    return [
        {
            "id": s.id,
            "request_id": s.request_id,
            "role": "mentee" if s.mentee_slack_id == slack_id else "mentor",
            "sequence": s.sequence,
            "starts_at": _iso(s.starts_at),
            "duration_minutes": s.duration_minutes,
            "status": s.status,
        }
        for s in rows
    ]


def _session_of(slack_id: str, mentor_id: int | None) -> sa.ColumnElement[bool]:
    who = col(MentoringSession.mentee_slack_id) == slack_id
    return sa.or_(who, col(MentoringSession.mentor_id) == mentor_id) if mentor_id else who


def _feedback_by(session: Session, slack_id: str) -> list[Feedback]:
    query = select(Feedback).where(Feedback.author_slack_id == slack_id)
    return list(session.exec(query.order_by(col(Feedback.id))).all())


def _feedback(feedback: Feedback) -> dict[str, Any]:
    return {
        "session_id": feedback.session_id,
        "kind": feedback.kind,
        "role": feedback.role,
        "rating": feedback.rating,
        "comment": feedback.comment,
        "meet_again": feedback.meet_again,
        "progress": feedback.progress,
        "created_at": _iso(feedback.created_at),
    }


def session_ids_of(session: Session, slack_id: str) -> list[int]:
    """Every session the person takes part in, either side (for removing their pending jobs)."""
    mentor = get_by_slack_id(session, slack_id)
    rows = session.exec(
        select(MentoringSession.id).where(_session_of(slack_id, mentor.id if mentor else None))
    ).all()
    return [r for r in rows if r is not None]


def erase_person(session: Session, slack_id: str) -> ErasedCounts:
    """Scrub a person's personal fields everywhere; counts and statuses stay for the digest.

    The bot's Slack messages that quote them are flagged for redaction first (they are found
    through the person's requests, so before those are anonymised)."""
    mark_for_redaction(session, slack_id, ANONYMOUS)
    erase_settings(session, slack_id)
    # Before the requests are anonymised: they are how the person's questions' vectors are
    # found (what was learned about them as a mentor goes with their profile, below).
    evidence_repo.erase_for(session, mentee_slack_id=slack_id, mentor_id=None)
    event_repo.erase_events_of(session, slack_id, ANONYMOUS)
    erased_mentor = get_by_slack_id(session, slack_id)
    action_repo.erase_for(session, slack_id, erased_mentor.id if erased_mentor else None, ANONYMOUS)
    requests = bulk_update(
        session,
        sa.update(MentoringRequest)
        .where(col(MentoringRequest.mentee_slack_id) == slack_id)
        .values(
            mentee_slack_id=ANONYMOUS,
            question=None,
            context=None,
            goal=None,
            mentee_timezone=None,
            language=None,
            updated_at=utcnow(),
        ),
    )
    sessions = bulk_update(
        session,
        sa.update(MentoringSession)
        .where(col(MentoringSession.mentee_slack_id) == slack_id)
        .values(mentee_slack_id=ANONYMOUS),
    )
    feedback = bulk_update(
        session,
        sa.update(Feedback)
        .where(col(Feedback.author_slack_id) == slack_id)
        # "forgotten-mentee" / "forgotten-mentor": both people of one session may be erased,
        # and (session, author, kind) is unique.
        .values(author_slack_id=sa.literal(f"{ANONYMOUS}-") + col(Feedback.role), comment=None),
    )
    return ErasedCounts(requests, sessions, feedback, erase_mentor_profile(session, slack_id))


def erase_mentor_profile(session: Session, slack_id: str) -> bool:
    """Anonymise a mentor's profile, vectors and the reasons their offers carried (their own
    expertise phrases); the row stays for the digest's counts."""
    mentor = get_by_slack_id(session, slack_id)
    if mentor is None or mentor.id is None:
        return False
    session.execute(sa.delete(MentorEmbedding).where(col(MentorEmbedding.mentor_id) == mentor.id))
    evidence_repo.erase_for(session, mentee_slack_id=None, mentor_id=mentor.id)
    bulk_update(
        session, sa.update(Offer).where(col(Offer.mentor_id) == mentor.id).values(reasons=[])
    )
    # The row stays (offers and sessions point at it, and the digest counts them), anonymous.
    mentor.slack_id = f"{ANONYMOUS}-{mentor.id}"
    mentor.name = mentor.title = mentor.expertise = ""
    mentor.skills, mentor.languages, mentor.help_questions = [], [], []
    mentor.available_from = mentor.available_until = mentor.meeting_place = None
    mentor.busy_feed_url = mentor.busy_feed_failed_at = None
    mentor.active = False
    mentor.updated_at = utcnow()
    session.add(mentor)
    session.flush()
    record_changes(session, [mentor.id])  # every process drops it from its index
    return True


def purge_texts(session: Session, before: datetime) -> tuple[int, int]:
    """Drop question/context texts, feedback comments and the matcher's question vectors
    written before `before`.

    Returns (requests purged, comments purged); rows and their statuses stay.
    """
    evidence_repo.purge_before(session, before)
    event_repo.purge_event_texts(session, before)
    action_repo.purge_before(session, before)
    requests = bulk_update(
        session,
        sa.update(MentoringRequest)
        .where(
            col(MentoringRequest.created_at) < before,
            sa.or_(
                col(MentoringRequest.question).is_not(None),
                col(MentoringRequest.context).is_not(None),
                col(MentoringRequest.goal).is_not(None),
            ),
        )
        .values(question=None, context=None, goal=None),
    )
    comments = bulk_update(
        session,
        sa.update(Feedback)
        .where(col(Feedback.created_at) < before, col(Feedback.comment).is_not(None))
        .values(comment=None),
    )
    return requests, comments
