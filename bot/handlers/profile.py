"""`/mentor profile` and the Home tab's profile button: the mentor profile modal."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.handlers import messages
from bot.handlers.context import HandlerServices
from bot.handlers.errors import report, user_safe
from bot.handlers.home import publish_home
from bot.handlers.ids import Action, Callback, Field
from bot.handlers.people import slack_timezone
from bot.handlers.requests import modal_values
from bot.storage.models import MentorProfile

FIELD_OF = {
    "expertise": Field.EXPERTISE,
    "skills": Field.SKILLS,
    "languages": Field.LANGUAGES,
    "weekly_capacity": Field.CAPACITY,
    "timezone": Field.TIMEZONE,
    "paused_until": Field.PAUSED_UNTIL,
    "available_from": Field.AVAILABLE_FROM,
    "available_until": Field.AVAILABLE_UNTIL,
}


def open_profile_modal(
    client: WebClient, services: HandlerServices, *, user_id: str, trigger_id: str
) -> None:
    mentor = services.profiles.get(user_id)
    timezone = mentor.timezone if mentor else slack_timezone(client, user_id)
    defaults = messages.ProfileDefaults.of(mentor, timezone)
    client.views_open(
        trigger_id=trigger_id, view=messages.profile_modal(defaults, is_mentor=mentor is not None)
    )


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
        return {Field.PAUSED_UNTIL.value: "Pick a date with the date picker, or leave it empty."}
    try:
        # model_validate: the validators split comma-separated text and parse the number.
        return MentorProfile.model_validate(
            {
                "slack_id": user_id,
                "expertise": values.get(Field.EXPERTISE.value) or "",
                "skills": values.get(Field.SKILLS.value) or "",
                "languages": values.get(Field.LANGUAGES.value) or "",
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


def modal_errors(error: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for item in error.errors():
        field = FIELD_OF.get(str(item["loc"][0])) if item["loc"] else None
        if field is None and "available_until" in str(item["msg"]):
            field = Field.AVAILABLE_UNTIL  # the window's order is checked on the whole model
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "string_too_short":
            message = "Please describe what you can help with."
        errors[(field or Field.EXPERTISE).value] = message
    return errors


def register(app: App, services: HandlerServices) -> None:
    safe = user_safe(services)

    def open_from_home(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()  # the modal opens inline: a trigger_id lives 3 s, too short to queue behind work
        try:
            open_profile_modal(
                client, services, user_id=body["user"]["id"], trigger_id=body["trigger_id"]
            )
        except Exception as error:  # noqa: BLE001  (reported to the user, never a 500)
            report(error, body, None, services)

    def ack_profile(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        parsed = profile_from_modal(body["user"]["id"], view)
        if isinstance(parsed, dict):
            ack(response_action="errors", errors=parsed)
            return
        ack()

    @safe
    def save_profile(body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user = body["user"]["id"]
        profile = profile_from_modal(user, view)
        if isinstance(profile, dict):
            return  # refused in the ack, with the field errors
        saved = services.profiles.save(profile, by=user)
        message = messages.profile_saved(saved.mentor, waiting=saved.waiting_for_approval)
        services.notifier.dm(user, message)
        publish_home(client, services, user)

    app.action(Action.EDIT_PROFILE.value)(open_from_home)
    app.view(Callback.PROFILE.value)(ack=ack_profile, lazy=[save_profile])
