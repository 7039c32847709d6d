"""Every action, callback and input id the Slack app uses, in one place."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    ACCEPT = "offer_accept"
    DECLINE = "offer_decline"
    PAUSE = "offer_pause"
    CANCEL_REQUEST = "request_cancel"
    ASK = "home_ask"
    EDIT_PROFILE = "home_edit_profile"
    BOOK_SLOT = "session_book_slot"
    NO_SLOT_FITS = "session_no_slot_fits"
    PROPOSE_TIME = "session_propose_time"
    RESCHEDULE = "session_reschedule"
    CANCEL_SESSION = "session_cancel"
    RATE = "feedback_rate"
    MEET_AGAIN = "feedback_meet_again"
    ADD_COMMENT = "feedback_add_comment"
    PRACTICE = "feedback_practice"
    FORGET_CONFIRM = "privacy_forget_confirm"
    FORGET_KEEP = "privacy_forget_keep"
    ATTENDANCE = "feedback_attendance"  # suffixed with the answer: feedback_attendance_held
    APPROVE_MENTOR = "lead_approve_mentor"
    REJECT_MENTOR = "lead_reject_mentor"
    DEACTIVATE_MENTOR = "lead_deactivate_mentor"


class Callback(StrEnum):
    INTAKE = "intake_modal"
    PROFILE = "profile_modal"
    COMMENT = "feedback_comment_modal"
    PROPOSE_TIME = "propose_time_modal"
    ROSTER_IMPORT = "roster_import_modal"


class Field(StrEnum):
    """block_id == action_id for every modal input, so state lookups stay simple."""

    QUESTION = "question"
    FORMAT = "format"
    CONTEXT = "context"
    URGENCY = "urgency"
    EXPERTISE = "expertise"
    SKILLS = "skills"
    LANGUAGES = "languages"
    CAPACITY = "capacity"
    TIMEZONE = "timezone"
    PAUSED_UNTIL = "paused_until"
    AVAILABLE_FROM = "available_from"
    AVAILABLE_UNTIL = "available_until"
    COMMENT = "comment"
    PROPOSED_AT = "proposed_at"
    ROSTER_CSV = "roster_csv"


class Subcommand(StrEnum):
    HELP = "help"
    STATUS = "status"
    CANCEL = "cancel"
    PROFILE = "profile"
    SESSIONS = "sessions"
    MY_DATA = "my-data"
    FORGET_ME = "forget-me"
    # Program leads only:
    DIGEST = "digest"
    DEMAND = "demand"
    IMPORT = "import"
    REASSIGN = "reassign"


LEAD_SUBCOMMANDS = frozenset(
    {Subcommand.DIGEST, Subcommand.DEMAND, Subcommand.IMPORT, Subcommand.REASSIGN}
)
