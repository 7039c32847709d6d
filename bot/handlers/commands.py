"""`/mentor` and its subcommands: ack at once, then parse → service → render."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.errors import InvalidQuestionError
from bot.handlers import messages
from bot.handlers.context import HandlerServices
from bot.handlers.errors import report, user_safe
from bot.handlers.ids import Subcommand
from bot.handlers.people import slack_timezone
from bot.handlers.profile import open_profile_modal
from bot.matching.service import clean_question
from bot.mentoring.service import CancelResult


@dataclass(frozen=True)
class ParsedCommand:
    subcommand: Subcommand | None  # None: the text is a question (or empty: open the form)
    question: str


def parse_command(text: str | None) -> ParsedCommand:
    stripped = (text or "").strip()
    try:
        return ParsedCommand(Subcommand(stripped.lower()), "")
    except ValueError:
        return ParsedCommand(None, stripped)


def register(app: App, services: HandlerServices) -> None:
    safe = user_safe(services)

    def ack_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        parsed = parse_command(command.get("text"))
        if parsed.subcommand is Subcommand.HELP:
            ack(**messages.help_message().as_kwargs())
        elif parsed.subcommand is Subcommand.PROFILE or not (parsed.subcommand or parsed.question):
            # A trigger_id lives 3 s: open the modal now rather than behind queued lazy work.
            ack()
            open_modal(client, command, parsed)
        elif parsed.subcommand is None and parsed.question:
            try:
                question = clean_question(parsed.question)
            except InvalidQuestionError as error:
                ack(text=str(error))
                return
            ack(text=messages.request_received(question))
        else:
            ack()

    @safe
    def run_command(
        command: dict[str, Any], body: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        parsed = parse_command(command.get("text"))
        user = command["user_id"]
        if parsed.subcommand is Subcommand.STATUS:
            status = messages.status_message(services.mentoring.active_requests(user))
            respond(response_type="ephemeral", **status.as_kwargs())
        elif parsed.subcommand is Subcommand.CANCEL:
            _cancel(user, respond)
        elif parsed.subcommand is Subcommand.SESSIONS:
            upcoming = messages.sessions_message(services.booking.upcoming(user), user)
            respond(response_type="ephemeral", **upcoming.as_kwargs())
        elif parsed.subcommand is None and parsed.question:
            _ask(user, parsed.question, slack_timezone(client, user))

    def open_modal(client: WebClient, command: dict[str, Any], parsed: ParsedCommand) -> None:
        try:
            if parsed.subcommand is Subcommand.PROFILE:
                open_profile_modal(
                    client, services, user_id=command["user_id"], trigger_id=command["trigger_id"]
                )
            else:
                client.views_open(trigger_id=command["trigger_id"], view=messages.intake_modal())
        except Exception as error:  # noqa: BLE001  (reported to the user, never a 500)
            report(error, command, None, services)

    def _ask(user: str, question: str, timezone: str) -> None:
        try:
            request = services.mentoring.submit(
                mentee_slack_id=user, question=question, mentee_timezone=timezone
            )
        except InvalidQuestionError:
            return  # the ack already told the user why
        services.mentoring.find_mentor(request.request_id)

    def _cancel(user: str, respond: Respond) -> None:
        active = services.mentoring.active_requests(user)
        if not active:
            respond(response_type="ephemeral", text="You have no open request to cancel.")
        elif len(active) > 1:
            respond(response_type="ephemeral", **messages.cancel_choice(active).as_kwargs())
        else:
            result = services.mentoring.cancel(active[0].request_id, mentee_slack_id=user)
            text = (
                f"Request #{active[0].request_id} is cancelled."
                if result is CancelResult.CANCELLED
                else "That request is already closed."
            )
            respond(response_type="ephemeral", text=text)

    app.command("/mentor")(ack=ack_command, lazy=[run_command])
