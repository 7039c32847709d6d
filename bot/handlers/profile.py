"""`/mentor profile` and the Home tab's profile button: the mentor profile modal."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.models.views import View

from bot.handlers.blocks import profile as blocks
from bot.handlers.context import HandlerServices
from bot.handlers.errors import opens_modal, user_safe
from bot.handlers.home import publish_home
from bot.handlers.ids import Action, Callback, Field
from bot.handlers.middleware import acting_user
from bot.handlers.payload import modal_values, who
from bot.i18n import N_, _, supported, use_language
from bot.mentoring.profiles import KEEP, Unchanged
from bot.storage.models import MentorProfile

FIELD_OF = {
    "expertise": Field.EXPERTISE,
    "skills": Field.SKILLS,
    "help_questions": Field.HELP_QUESTIONS,
    "languages": Field.LANGUAGES,
    "meeting_place": Field.MEETING_PLACE,
    "weekly_capacity": Field.CAPACITY,
    "timezone": Field.TIMEZONE,
    "paused_until": Field.PAUSED_UNTIL,
    "available_from": Field.AVAILABLE_FROM,
    "available_until": Field.AVAILABLE_UNTIL,
}


def profile_modal_for(client: WebClient, services: HandlerServices, user_id: str) -> View:
    """The profile form, filled in with the stored profile (or the Slack time zone)."""
    mentor = services.profiles.get(user_id)
    timezone = mentor.timezone if mentor else services.directory.timezone(user_id)
    defaults = blocks.ProfileDefaults.of(
        mentor,
        timezone,
        message_language=services.languages.chosen(user_id),
        # The form is only ever opened for the person themselves (never for a lead).
        busy_feed=services.profiles.busy_feed_of(user_id) if mentor else None,
    )
    return blocks.profile_modal(defaults, is_mentor=mentor is not None)


def language_from_modal(view: dict[str, Any]) -> str | None:
    """The language picked for the bot's messages (None: follow Slack's)."""
    return supported(modal_values(view).get(Field.MESSAGE_LANGUAGE.value))


def profile_from_modal(user_id: str, view: dict[str, Any]) -> MentorProfile | dict[str, str]:
    """The profile in a submitted form, or field errors for `response_action: errors`."""
    values = modal_values(view)
    paused = values.get(Field.PAUSED_UNTIL.value)
    try:
        paused_until = (
            datetime.combine(date.fromisoformat(paused), datetime.min.time(), UTC)
            if paused
            else None
        )
    except ValueError:
        return {Field.PAUSED_UNTIL.value: _("Pick a date with the date picker, or leave it empty.")}
    try:
        # model_validate: the validators split comma-separated text and parse the number.
        return MentorProfile.model_validate(
            {
                "slack_id": user_id,
                "expertise": values.get(Field.EXPERTISE.value) or "",
                "skills": values.get(Field.SKILLS.value) or "",
                "help_questions": values.get(Field.HELP_QUESTIONS.value) or "",
                "languages": values.get(Field.LANGUAGES.value) or "",
                "meeting_place": values.get(Field.MEETING_PLACE.value) or None,
                "weekly_capacity": values.get(Field.CAPACITY.value) or 0,
                "timezone": values.get(Field.TIMEZONE.value) or "UTC",
                "paused_until": paused_until,
                "available_from": values.get(Field.AVAILABLE_FROM.value),
                "available_until": values.get(Field.AVAILABLE_UNTIL.value),
                "active": True,
            }
        )
    except ValidationError as error:
        return modal_errors(error)


def busy_feed_from_modal(
    services: HandlerServices, view: dict[str, Any]
) -> str | Unchanged | dict[str, str] | None:
    """The calendar feed address in a submitted form: None removes it, KEEP when the form had
    no such field (opened before it existed); or its field error."""
    values = modal_values(view)
    if blocks.BUSY_FEED not in values:
        return KEEP
    address = (values[blocks.BUSY_FEED] or "").strip()
    if not address:
        return None
    problem = services.booking.feed_address_problem(address)
    return {blocks.BUSY_FEED: problem} if problem else address


# What each field's problem means to the person filling in the form, in their language (the
# validators' own messages are English: the CLI and roster imports show them too).
FIELD_PROBLEMS = {
    Field.EXPERTISE: N_("Please describe what you can help with (at most 2,000 characters)."),
    Field.CAPACITY: N_("Give a whole number of sessions per week, from 0 to 40."),
    Field.MEETING_PLACE: N_(
        'A call link must be one https:// address; or write a room, or "Slack huddle".'
    ),
    Field.TIMEZONE: N_("Unknown time zone: use a name like Europe/Warsaw or Asia/Jakarta."),
    Field.AVAILABLE_FROM: N_("Pick a time like 09:30."),
    Field.AVAILABLE_UNTIL: N_("Pick a time like 17:30, later than the start."),
}


def modal_errors(error: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for item in error.errors():
        field = FIELD_OF.get(str(item["loc"][0])) if item["loc"] else None
        if field is None and "available_until" in str(item["msg"]):
            field = Field.AVAILABLE_UNTIL  # the window's order is checked on the whole model
        field = field or Field.EXPERTISE
        if field in FIELD_PROBLEMS:
            message = _(FIELD_PROBLEMS[field])
        else:
            message = str(item["msg"]).removeprefix("Value error, ")
        errors[field.value] = message
    return errors


def register(app: App, services: HandlerServices) -> None:
    safe = user_safe(services)

    def ack_profile(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        parsed = profile_from_modal(who(context), view)
        feed = busy_feed_from_modal(services, view)
        errors = {
            **(parsed if isinstance(parsed, dict) else {}),
            **(feed if isinstance(feed, dict) else {}),
        }
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()

    @safe
    def save_profile(view: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        user = who(context)
        profile = profile_from_modal(user, view)
        feed = busy_feed_from_modal(services, view)
        if isinstance(profile, dict) or isinstance(feed, dict):
            return  # refused in the ack, with the field errors
        saved = services.profiles.save(profile, by=user, busy_feed_url=feed)
        services.languages.choose(user, language_from_modal(view))
        with use_language(services.languages.language_of(user)):  # the choice shows at once
            message = blocks.profile_saved(saved.mentor, waiting=saved.waiting_for_approval)
            services.notifier.dm(user, message)
            publish_home(client, services, user)

    app.action(Action.EDIT_PROFILE.value)(
        opens_modal(
            services, lambda body, client: profile_modal_for(client, services, acting_user(body))
        )
    )
    app.view(Callback.PROFILE.value)(ack=ack_profile, lazy=[save_profile])
