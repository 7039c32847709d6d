"""Every action, callback and input id the Slack app uses, in one place."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    ACCEPT = "offer_accept"
    DECLINE = "offer_decline"
    NOT_MY_TOPIC = "offer_not_my_topic"
    PAUSE = "offer_pause"
    RESUME_OFFERS = "mentor_resume_offers"
    WRITE_NEXT_STEPS = "next_steps_write"
    SUGGEST_NEXT_STEPS = "next_steps_suggest"
    ACCEPT_SUGGESTIONS = "next_steps_accept"
    SEND_TAKEAWAYS = "next_steps_takeaways"
    ACTION_STATUS = "next_step_status"  # suffixed with the status: next_step_status_done
    BOOK_FOLLOW_UP = "next_steps_follow_up"
    EVENT_JOIN_MENTEE = "event_join_mentee"
    EVENT_JOIN_MENTOR = "event_join_mentor"
    EVENT_LEAVE = "event_leave"
    EVENT_CANCEL = "event_cancel"
    EVENT_POST_PLAN = "event_post_plan"
    EVENT_RATE = "event_rate"  # suffixed with the rating: event_rate_4
    EVENT_FOLLOW_UP = "event_follow_up"
    EVENT_CONTINUE = "event_continue"
    CANCEL_REQUEST = "request_cancel"
    ASK = "home_ask"
    EDIT_PROFILE = "home_edit_profile"
    BOOK_SLOT = "session_book_slot"
    NO_SLOT_FITS = "session_no_slot_fits"
    PROPOSE_TIME = "session_propose_time"
    RESCHEDULE = "session_reschedule"
    CANCEL_SESSION = "session_cancel"
    JOIN_SESSION = "session_join"  # a link button: Slack opens the URL, the bot only acks
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
    EVENT = "event_modal"
    NEXT_STEPS = "next_steps_modal"
    SUGGEST_STEPS = "suggest_steps_modal"
    TAKEAWAYS = "takeaways_modal"
    EVENT_JOIN = "event_join_modal"


class Field(StrEnum):
    """block_id == action_id for every modal input, so state lookups stay simple."""

    QUESTION = "question"
    FORMAT = "format"
    CONTEXT = "context"
    URGENCY = "urgency"
    EXPERTISE = "expertise"
    SKILLS = "skills"
    HELP_QUESTIONS = "help_questions"
    LANGUAGES = "languages"
    MEETING_PLACE = "meeting_place"
    CAPACITY = "capacity"
    TIMEZONE = "timezone"
    PAUSED_UNTIL = "paused_until"
    AVAILABLE_FROM = "available_from"
    AVAILABLE_UNTIL = "available_until"
    COMMENT = "comment"
    PROPOSED_AT = "proposed_at"
    ROSTER_CSV = "roster_csv"
    MESSAGE_LANGUAGE = "message_language"
    MENTORING_LANGUAGE = "mentoring_language"
    GOAL = "goal"
    ACTION_TEXT = "action_text"  # suffixed with 1-3: action_text_1
    ACTION_DUE = "action_due"  # suffixed with 1-3
    ACTIONS_SHARED = "actions_shared"
    TAKEAWAYS = "takeaways"
    EVENT_TITLE = "event_title"
    EVENT_START = "event_start"
    EVENT_ROUNDS = "event_rounds"
    EVENT_MINUTES = "event_minutes"
    EVENT_BREAK = "event_break"
    EVENT_PLACE = "event_place"
    EVENT_CHANNEL = "event_channel"
    EVENT_CLOSES = "event_closes"
    EVENT_THEME = "event_theme"
    EVENT_QUESTION = "event_question"


class Subcommand(StrEnum):
    HELP = "help"
    STATUS = "status"
    CANCEL = "cancel"
    PROFILE = "profile"
    SESSIONS = "sessions"
    MY_DATA = "my-data"
    FORGET_ME = "forget-me"
    LANGUAGE = "language"
    AGAIN = "again"  # followed by "@name <question>"
    # Program leads only:
    DIGEST = "digest"
    DEMAND = "demand"
    IMPORT = "import"
    REASSIGN = "reassign"
    EVENT = "event"


# The same subcommands in the languages mentor-bot speaks ("/mentor pomoc", "/mentor anuluj").
# Like the English words, they count only as the whole text, so a question that merely
# starts with one ("anuluj spotkanie z klientem — jak to powiedzieć?") stays a question.
LOCAL_SUBCOMMANDS: dict[str, Subcommand] = {
    # Polish
    "pomoc": Subcommand.HELP,
    "anuluj": Subcommand.CANCEL,
    "profil": Subcommand.PROFILE,
    "sesje": Subcommand.SESSIONS,
    "spotkania": Subcommand.SESSIONS,
    "moje-dane": Subcommand.MY_DATA,
    "zapomnij-mnie": Subcommand.FORGET_ME,
    "język": Subcommand.LANGUAGE,
    "jezyk": Subcommand.LANGUAGE,
    "ponownie": Subcommand.AGAIN,
    # Italian
    "aiuto": Subcommand.HELP,
    "stato": Subcommand.STATUS,
    "annulla": Subcommand.CANCEL,
    "profilo": Subcommand.PROFILE,
    "sessioni": Subcommand.SESSIONS,
    "miei-dati": Subcommand.MY_DATA,
    "dimenticami": Subcommand.FORGET_ME,
    "lingua": Subcommand.LANGUAGE,
    "ancora": Subcommand.AGAIN,
    # Indonesian
    "bantuan": Subcommand.HELP,
    "batal": Subcommand.CANCEL,
    "batalkan": Subcommand.CANCEL,
    "sesi": Subcommand.SESSIONS,
    "data-saya": Subcommand.MY_DATA,
    "lupakan-saya": Subcommand.FORGET_ME,
    "bahasa": Subcommand.LANGUAGE,
    "lagi": Subcommand.AGAIN,
    # Spanish
    "ayuda": Subcommand.HELP,
    "estado": Subcommand.STATUS,
    "cancelar": Subcommand.CANCEL,
    "perfil": Subcommand.PROFILE,
    "sesiones": Subcommand.SESSIONS,
    "mis-datos": Subcommand.MY_DATA,
    "olvídame": Subcommand.FORGET_ME,
    "olvidame": Subcommand.FORGET_ME,
    "idioma": Subcommand.LANGUAGE,
    "otra-vez": Subcommand.AGAIN,
    # German
    "hilfe": Subcommand.HELP,
    "stornieren": Subcommand.CANCEL,
    "abbrechen": Subcommand.CANCEL,
    "termine": Subcommand.SESSIONS,
    "meine-daten": Subcommand.MY_DATA,
    "vergiss-mich": Subcommand.FORGET_ME,
    "sprache": Subcommand.LANGUAGE,
    "nochmal": Subcommand.AGAIN,
    # French
    "aide": Subcommand.HELP,
    "statut": Subcommand.STATUS,
    "annuler": Subcommand.CANCEL,
    "mes-données": Subcommand.MY_DATA,
    "mes-donnees": Subcommand.MY_DATA,
    "oublie-moi": Subcommand.FORGET_ME,
    "langue": Subcommand.LANGUAGE,
    "encore": Subcommand.AGAIN,
}


LEAD_SUBCOMMANDS = frozenset(
    {
        Subcommand.DIGEST,
        Subcommand.DEMAND,
        Subcommand.IMPORT,
        Subcommand.REASSIGN,
        Subcommand.EVENT,
    }
)
