"""The whole mentoring domain as SQLModel tables.

Times are timezone-aware UTC datetimes (`utcnow()`); SQLModel's UTCDateTime column stores them in
UTC on both back-ends and refuses naive values, so local-time bugs fail loudly. Enumerations are
plain strings in the database so a new status needs no PostgreSQL enum migration.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from pydantic import ConfigDict, ValidationInfo, field_validator, model_validator
from sqlmodel import JSON, Column, Field, SQLModel

from bot.text import clean_text


def utcnow() -> datetime:
    return datetime.now(UTC)


class MentoringFormat(StrEnum):
    FLASH = "flash"  # one ~60 minute session
    MICRO = "micro"  # one or two sessions on one need
    SPEED = "speed"  # <= 15 minutes


class Urgency(StrEnum):
    TODAY = "today"
    THIS_WEEK = "this_week"
    WHENEVER = "whenever"


class RequestStatus(StrEnum):
    OPEN = "open"  # created, not yet offered
    OFFERED = "offered"  # waiting for a mentor's answer
    MATCHED = "matched"  # a mentor accepted
    UNMATCHED = "unmatched"  # nobody available or every candidate said no
    # The fitting mentors exist but have no room (capacity, pause): offered as soon as one has,
    # in request order, until `waiting_until`.
    WAITING = "waiting"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class OfferStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    PAUSED = "paused"  # mentor chose "not now"
    WITHDRAWN = "withdrawn"  # request cancelled or taken by someone else


class SessionStatus(StrEnum):
    PROPOSED = "proposed"
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class FeedbackKind(StrEnum):
    FOLLOW_UP = "follow_up"  # right after the session
    PRACTICE = "practice"  # a week later: did you put it into practice?


class Attendance(StrEnum):
    """Each person's answer to "Did it take place?" after a session."""

    HELD = "held"
    NO_SHOW = "no_show"
    MOVED = "moved"  # it happened, or will, at another time: fresh slots go out


class MentorApproval(StrEnum):
    APPROVED = "approved"
    PENDING = "pending"  # self-registered, waiting for a program lead (MENTOR_APPROVAL=lead)
    REJECTED = "rejected"


class MessageKind(StrEnum):
    """Bot messages that quote a person's words, logged so erasure can rewrite them in Slack."""

    OFFER = "offer"  # to a mentor: the question and its context
    ASKED = "asked"  # to the mentee: who was asked, with the question
    RECEIVED = "received"  # to the mentee: "Got it" after the form
    UNMATCHED = "unmatched"  # to the mentee: nobody found, with the question
    INTRODUCTION = "introduction"  # to both, with the question
    BOOKED = "booked"  # to both, with the question
    PRACTICE = "practice"  # to the mentee, a week later, with the question
    APPROVAL = "approval"  # to each program lead: a new mentor's expertise
    EVENT = "event"  # speed mentoring: a plan, schedule or ping naming (or quoting) `about`
    NEXT_STEPS = "next_steps"  # after a session: steps, suggestions, takeaways, progress


MAX_MEETING_PLACE_CHARS = 300


class MentorBase(SQLModel):
    """A mentor profile's fields, shared by the table, the form model and the view below."""

    slack_id: str = Field(max_length=32)
    name: str = Field(default="", max_length=200)
    title: str = Field(default="", max_length=200)
    expertise: str = Field(sa_type=sa.Text)
    skills: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # "Questions I can help with": examples in the mentor's own words, matched like phrases.
    help_questions: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False, server_default="[]"),
    )
    timezone: str = Field(default="UTC", max_length=64)
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    weekly_capacity: int = Field(default=2, ge=0, le=40)
    # Local working hours for sessions ("HH:MM"); None means 09:00-17:30.
    available_from: str | None = Field(default=None, max_length=5)
    available_until: str | None = Field(default=None, max_length=5)
    paused_until: datetime | None = None
    active: bool = True
    # Where sessions happen: a personal video link, a room, or "Slack huddle" (see
    # bot/booking/place.py); None: agreed in the introduction DM.
    meeting_place: str | None = Field(default=None, max_length=MAX_MEETING_PLACE_CHARS)


class Mentor(MentorBase, table=True):
    __tablename__ = "mentor"

    id: int | None = Field(default=None, primary_key=True)
    slack_id: str = Field(max_length=32, unique=True, index=True)
    # Only approved mentors are matched; self-registered ones wait for a lead when
    # MENTOR_APPROVAL=lead (the roster CSV and program leads' own profiles are approved).
    approval: str = Field(
        default=MentorApproval.APPROVED.value,
        max_length=16,
        sa_column_kwargs={"server_default": MentorApproval.APPROVED.value},
    )
    revision: int = Field(default=0, description="Roster version of the last change to this row")
    # Offers left to expire since the mentor last answered one: two in a row pause them
    # (`auto_paused_at`, counted in the digest, never ranked).
    missed_offers: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    auto_paused_at: datetime | None = None
    # The secret iCal address of the mentor's calendar (busy times); set only by the mentor in
    # their form, never shown to anyone else, never logged. `busy_feed_failed_at`: when the
    # mentor was told their feed could not be read (once, until it works again).
    busy_feed_url: str | None = Field(default=None, sa_type=sa.Text)
    busy_feed_failed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class MentorEmbedding(SQLModel, table=True):
    """Cached vectors of one mentor profile for one model; reused while `text_hash` matches."""

    __tablename__ = "mentor_embedding"

    mentor_id: int = Field(foreign_key="mentor.id", primary_key=True, ondelete="CASCADE")
    model: str = Field(primary_key=True, max_length=300)
    text_hash: str = Field(max_length=64)
    source_revision: int = Field(
        default=0, description="Mentor.revision the vectors were computed from; differs = recheck"
    )
    dim: int
    phrase_count: int = 0
    profile_vector: bytes = Field(sa_type=sa.LargeBinary)  # float32[dim]
    phrases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    phrase_vectors: bytes = Field(sa_type=sa.LargeBinary)  # float16[len(phrases), dim]
    created_at: datetime = Field(default_factory=utcnow)


class EvidenceKind(StrEnum):
    HELPED = "helped"  # the mentor accepted and the mentee rated the session 4 or 5
    NOT_MY_TOPIC = "not_my_topic"  # the mentor declined the offer as not their topic


class MatchEvidence(SQLModel, table=True):
    """What one request's outcome taught the matcher about one mentor: the question's *vector*
    (never its text), for the model that made it. Bounded per mentor, decays with age, erased
    with either person and by RETENTION_DAYS (see bot/matching/evidence.py)."""

    __tablename__ = "match_evidence"
    __table_args__ = (
        sa.UniqueConstraint("request_id", "mentor_id", name="uq_evidence_request_mentor"),
    )

    id: int | None = Field(default=None, primary_key=True)
    mentor_id: int = Field(foreign_key="mentor.id", index=True, ondelete="CASCADE")
    request_id: int = Field(foreign_key="mentoring_request.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=16)
    model: str = Field(max_length=300)
    vector: bytes = Field(sa_type=sa.LargeBinary)  # float16[dim]
    created_at: datetime = Field(default_factory=utcnow, index=True)


class RosterState(SQLModel, table=True):
    """A single row whose `version` increases with every roster change.

    Writers bump it with an UPDATE inside their transaction, which serialises them, so versions are
    handed out in commit order and readers can trust "everything up to version N is visible".
    """

    __tablename__ = "roster_state"

    id: int = Field(default=1, primary_key=True)
    version: int = 0


class RosterChange(SQLModel, table=True):
    """Change log read by other processes to update their index incrementally."""

    __tablename__ = "roster_change"

    revision: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    mentor_id: int = Field(index=True)  # no FK: removed mentors must still be announced
    changed_at: datetime = Field(default_factory=utcnow)


class MentoringRequest(SQLModel, table=True):
    __tablename__ = "mentoring_request"

    id: int | None = Field(default=None, primary_key=True)
    mentee_slack_id: str = Field(max_length=32, index=True)
    question: str | None = Field(default=None, sa_type=sa.Text)  # None once purged
    format: str = Field(default=MentoringFormat.FLASH.value, max_length=16)
    context: str | None = Field(default=None, sa_type=sa.Text)
    urgency: str | None = Field(default=None, max_length=16)
    mentee_timezone: str | None = Field(default=None, max_length=64)  # from Slack users.info
    # The language the mentee asked to be mentored in ("in Polish, please"), else the
    # language the question is written in, when it could be told.
    language: str | None = Field(default=None, max_length=8)
    status: str = Field(default=RequestStatus.OPEN.value, max_length=16, index=True)
    best_score: float | None = None
    # Unmatched requests: why, and when leads were told of the topic (they hear of a topic once
    # enough different people asked; a request already reported is never reported again).
    unmet_reason: str | None = Field(default=None, max_length=32)
    unmet_reported_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)
    matched_at: datetime | None = None
    # A waiting request is offered until then, else it ends as unmatched.
    waiting_until: datetime | None = None
    # `/mentor again @ana`: the only mentor this request is offered to (no matching). No foreign
    # key: an erased mentor leaves an id nobody has, and the request ends politely.
    preferred_mentor_id: int | None = None
    # "What would success look like?" (optional, in the form): the mentor sees it.
    goal: str | None = Field(default=None, sa_type=sa.Text)


class Offer(SQLModel, table=True):
    """A request offered to one mentor; a request has at most one accepted offer."""

    __tablename__ = "offer"
    __table_args__ = (
        sa.UniqueConstraint("request_id", "mentor_id", name="uq_offer_request_mentor"),
        # Exactly one mentor ends up with a request, and a request waits on at most one mentor
        # per slot (one slot in the cascade, two or three for an urgent fan-out): both enforced
        # by the database, whatever double clicks, retries and concurrent cascades do.
        sa.Index(
            "uq_offer_one_accepted",
            "request_id",
            unique=True,
            sqlite_where=sa.text("status = 'accepted'"),
            postgresql_where=sa.text("status = 'accepted'"),
        ),
        sa.Index(
            "uq_offer_one_pending_per_slot",
            "request_id",
            "slot",
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="mentoring_request.id", index=True, ondelete="CASCADE")
    mentor_id: int = Field(foreign_key="mentor.id", index=True, ondelete="CASCADE")
    rank: int
    # 0 in the one-at-a-time cascade; 0, 1, 2 for the mentors of an urgent fan-out.
    slot: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    score: float
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=OfferStatus.PENDING.value, max_length=16, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    responded_at: datetime | None = None
    # Where the offer message to the mentor lives, so it can be updated when the offer closes.
    message_channel: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)


class MentoringSession(SQLModel, table=True):
    __tablename__ = "mentoring_session"
    # "Meet again" creates sequence 2 once, even when both say yes at the same moment.
    __table_args__ = (sa.UniqueConstraint("request_id", "sequence", name="uq_session_sequence"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="mentoring_request.id", index=True, ondelete="CASCADE")
    mentor_id: int = Field(foreign_key="mentor.id", index=True, ondelete="CASCADE")
    mentee_slack_id: str = Field(max_length=32, index=True)
    sequence: int = Field(default=1, description="1 for the first meeting, 2 for a follow-up")
    starts_at: datetime | None = Field(default=None, index=True)
    duration_minutes: int = 60
    status: str = Field(default=SessionStatus.PROPOSED.value, max_length=16, index=True)
    # The calendar invite's SEQUENCE: bumped at every booking, so a rescheduled session's new
    # invite replaces the old event instead of being ignored by calendar apps.
    calendar_sequence: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class NotificationLog(SQLModel, table=True):
    """One row per reminder or nudge sent: inserting it is the claim that makes it send once,
    whatever restarts, retries or other processes do.

    `due_key` is the session start a reminder was for ("" for nudges not tied to the start):
    after a reschedule the reminders of the new time are new claims."""

    __tablename__ = "notification_log"
    __table_args__ = (
        sa.UniqueConstraint("kind", "session_id", "due_key", name="uq_notification_once"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    session_id: int = Field(foreign_key="mentoring_session.id", ondelete="CASCADE")
    due_key: str = Field(default="", max_length=40, sa_column_kwargs={"server_default": ""})
    sent_at: datetime = Field(default_factory=utcnow)


class SlackMessage(SQLModel, table=True):
    """Where the bot posted a message that quotes someone's words (see MessageKind).

    Erasure rewrites these in Slack with a redacted text; a rewrite that fails stays here with
    `redact_pending` and is retried."""

    __tablename__ = "slack_message"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    recipient_slack_id: str = Field(max_length=32, index=True)
    channel: str = Field(max_length=32)
    ts: str = Field(max_length=32)
    request_id: int | None = Field(default=None, index=True)
    session_id: int | None = Field(default=None)
    mentor_id: int | None = Field(default=None, index=True)
    # Someone the message names or quotes who is neither its recipient nor tied to it by a
    # request or session (an event's other participants): their erasure rewrites it too.
    about_slack_id: str | None = Field(default=None, max_length=32, index=True)
    redact_pending: bool = Field(default=False, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class PersonSetting(SQLModel, table=True):
    """What a person chose for themselves: the language of the bot's messages (None: their
    Slack language). Erased with everything else on forget-me."""

    __tablename__ = "person_setting"

    slack_id: str = Field(primary_key=True, max_length=32)
    language: str | None = Field(default=None, max_length=8)
    updated_at: datetime = Field(default_factory=utcnow)


class DigestLog(SQLModel, table=True):
    """One row per ISO week ("2026-W47") whose digest went out: inserting it is the claim."""

    __tablename__ = "digest_log"

    week: str = Field(primary_key=True, max_length=8)
    sent_at: datetime = Field(default_factory=utcnow)


class Feedback(SQLModel, table=True):
    __tablename__ = "feedback"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "author_slack_id", "kind", name="uq_feedback_once"),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="mentoring_session.id", index=True, ondelete="CASCADE")
    author_slack_id: str = Field(max_length=32)
    role: str = Field(max_length=16)  # "mentee" or "mentor"
    kind: str = Field(default=FeedbackKind.FOLLOW_UP.value, max_length=16)
    rating: int | None = Field(default=None, ge=1, le=5)
    comment: str | None = Field(default=None, sa_type=sa.Text)  # private to its author's side
    meet_again: bool | None = None
    attendance: str | None = Field(default=None, max_length=16)  # "Did it take place?"
    progress: str | None = Field(default=None, max_length=16)  # practice nudge: yes/partly/not_yet
    created_at: datetime = Field(default_factory=utcnow)


class ActionStatus(StrEnum):
    OPEN = "open"  # not reported on yet
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class DevelopmentAction(SQLModel, table=True):
    """A next step the mentee agreed after a session ("try X in Friday's retro"): theirs,
    private, shown to the mentor only when the mentee shares it."""

    __tablename__ = "development_action"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="mentoring_session.id", index=True, ondelete="CASCADE")
    mentee_slack_id: str = Field(max_length=32, index=True)
    mentor_id: int = Field(foreign_key="mentor.id", index=True, ondelete="CASCADE")
    text: str | None = Field(default=None, sa_type=sa.Text)  # None once purged or erased
    due_on: date | None = None  # the mentee's local date
    status: str = Field(default=ActionStatus.OPEN.value, max_length=16, index=True)
    shared: bool = True  # the mentor sees it (the mentee's choice, default yes)
    suggested_by_mentor: bool = False
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


class Takeaway(SQLModel, table=True):
    """The mentor's note after a session: takeaways and resources (links), for the mentee."""

    __tablename__ = "takeaway"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="mentoring_session.id", index=True, ondelete="CASCADE")
    mentee_slack_id: str = Field(max_length=32, index=True)
    mentor_id: int = Field(foreign_key="mentor.id", index=True, ondelete="CASCADE")
    text: str | None = Field(default=None, sa_type=sa.Text)  # None once purged or erased
    created_at: datetime = Field(default_factory=utcnow, index=True)


class EventStatus(StrEnum):
    OPEN = "open"  # sign-up open
    PLANNED = "planned"  # sign-up closed, the plan waits for the lead's review
    POSTED = "posted"  # everyone has their schedule; round timers run
    FINISHED = "finished"
    CANCELLED = "cancelled"


class EventRole(StrEnum):
    MENTEE = "mentee"
    MENTOR = "mentor"


class SpeedEvent(SQLModel, table=True):
    """A speed-mentoring event: rounds of short 1:1 turns, planned from what mentees ask."""

    __tablename__ = "speed_event"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=150)
    theme: str | None = Field(default=None, max_length=300)
    lead_slack_id: str = Field(max_length=32)
    starts_at: datetime
    rounds: int = Field(ge=1, le=6)
    round_minutes: int = Field(ge=5, le=15)
    break_minutes: int = Field(ge=0, le=30)
    place: str | None = Field(default=None, max_length=MAX_MEETING_PLACE_CHARS)
    channel: str = Field(max_length=32)
    signup_closes_at: datetime
    status: str = Field(default=EventStatus.OPEN.value, max_length=16, index=True)
    announcement_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow)


class EventParticipant(SQLModel, table=True):
    """Who joined an event, once each, as mentee (with their question) or mentor."""

    __tablename__ = "event_participant"
    __table_args__ = (sa.UniqueConstraint("event_id", "slack_id", name="uq_event_participant"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="speed_event.id", index=True, ondelete="CASCADE")
    slack_id: str = Field(max_length=32, index=True)
    role: str = Field(max_length=8)
    question: str | None = Field(default=None, sa_type=sa.Text)  # mentees; None once purged
    timezone: str = Field(default="UTC", max_length=64)
    joined_at: datetime = Field(default_factory=utcnow)


class EventPairing(SQLModel, table=True):
    """One conversation of the plan: a mentee and a mentor in one round, and what came of it."""

    __tablename__ = "event_pairing"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "round", "mentee_slack_id", name="uq_pairing_mentee"),
        sa.UniqueConstraint("event_id", "round", "mentor_slack_id", name="uq_pairing_mentor"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="speed_event.id", index=True, ondelete="CASCADE")
    round: int
    mentee_slack_id: str = Field(max_length=32, index=True)
    mentor_slack_id: str = Field(max_length=32, index=True)
    score: float
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    rating: int | None = Field(default=None, ge=1, le=5)  # the mentee's, after the event
    follow_up_request_id: int | None = None  # "Ask @X for a flash session"
    mentor_continues: bool = False  # the mentor's "happy to continue"


class EventNotice(SQLModel, table=True):
    """One row per event message sent to everyone (reminder, round start, one minute left,
    the end): inserting it is the claim that sends it once, whatever restarts and instances do."""

    __tablename__ = "event_notice"
    __table_args__ = (sa.UniqueConstraint("event_id", "kind", "round", name="uq_event_notice"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="speed_event.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=16)
    round: int = 0
    sent_at: datetime = Field(default_factory=utcnow)


SLACK_USER_ID = r"^[UW][A-Z0-9]{2,31}$"
MAX_EXPERTISE_CHARS = 3000
# Example questions a mentor can help with: a few, short (each is embedded like a phrase).
MAX_HELP_QUESTIONS = 10
MAX_HELP_QUESTION_CHARS = 200


class MentorView(MentorBase):
    """A stored profile as listeners and builders see it: frozen, never the ORM row."""

    # SQLModel types model_config as its own TypedDict; pydantic's ConfigDict is what it takes.
    model_config = ConfigDict(frozen=True, from_attributes=True)  # type: ignore[assignment]

    id: int
    approval: str

    @property
    def approved(self) -> bool:
        return self.approval == MentorApproval.APPROVED.value


class MentorProfile(MentorBase):
    """What a mentor (or an admin's CSV row) may set; validated before it reaches the table."""

    expertise: str = Field(min_length=1, max_length=MAX_EXPERTISE_CHARS)

    @field_validator("available_from", "available_until")
    @classmethod
    def _clock_time(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", str(value)):
            raise ValueError(f"{value!r} is not a time like 09:30")
        return str(value)

    @model_validator(mode="after")
    def _window_order(self) -> MentorProfile:
        if (
            self.available_from
            and self.available_until
            and (self.available_from >= self.available_until)
        ):
            raise ValueError("available_until must be later than available_from")
        return self

    @field_validator("slack_id", "name", "title", "expertise", mode="before")
    @classmethod
    def _strip(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, str):
            return value
        # Expertise keeps its line breaks: one phrase per line is a common way to write it.
        return clean_text(value, multiline=info.field_name == "expertise").strip()

    @field_validator("slack_id")
    @classmethod
    def _slack_user_id(cls, value: str) -> str:
        if not re.fullmatch(SLACK_USER_ID, value):
            raise ValueError(f"{value!r} is not a Slack user id (like U024BE7LH)")
        return value

    @field_validator("skills", "languages", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list):
            items = (clean_text(str(item)).strip() for item in value)
            return [item for item in items if item]
        return value

    @field_validator("help_questions", mode="before")
    @classmethod
    def _split_questions(cls, value: object) -> object:
        # One question per line (a CSV cell may use " | "): questions hold commas themselves.
        if isinstance(value, str):
            value = re.split(r"\n|\s\|\s", value)
        if isinstance(value, list):
            items = (clean_text(str(item)).strip() for item in value)
            return [item[:MAX_HELP_QUESTION_CHARS] for item in items if item][:MAX_HELP_QUESTIONS]
        return value

    @field_validator("meeting_place", mode="before")
    @classmethod
    def _place(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        value = clean_text(value).strip()
        if not value:
            return None
        looks_like_link = "://" in value or value.lower().startswith("www.")
        if looks_like_link and not re.fullmatch(r"https://[^\s<>|]+", value):
            raise ValueError("a meeting link must be one https:// address")
        return value

    @field_validator("languages")
    @classmethod
    def _lower(cls, value: list[str]) -> list[str]:
        return [item.lower() for item in value]

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        value = value.strip() or "UTC"
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown timezone {value!r} (use an IANA name like Europe/Paris)"
            ) from exc
        return value
