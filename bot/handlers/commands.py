"""`/mentor` and its subcommands: ack at once, then parse → service → render."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.errors import InvalidQuestionError
from bot.handlers import leads, privacy
from bot.handlers.blocks import booking as booking_blocks
from bot.handlers.blocks import requests as blocks
from bot.handlers.context import HandlerServices
from bot.handlers.errors import ACCEPTED, report, user_safe
from bot.handlers.ids import LEAD_SUBCOMMANDS, LOCAL_SUBCOMMANDS, Subcommand
from bot.handlers.middleware import LANGUAGE_KNOWN
from bot.handlers.payload import who
from bot.handlers.profile import profile_modal_for
from bot.i18n import _, active_language, language_named, use_language
from bot.mentoring import again
from bot.mentoring.language import question_language
from bot.mentoring.questions import clean_question
from bot.mentoring.views import CancelResult


@dataclass(frozen=True)
class ParsedCommand:
    subcommand: Subcommand | None  # None: the text is a question (or empty: open the form)
    question: str
    args: str = ""  # what follows a lead subcommand ("42 <@U…>" after "reassign")


# After `/mentor language`: back to the Slack language.
FOLLOW_SLACK = frozenset({"auto", "slack", "default"})
# What looks like a language code ("pt", "zh-TW") is answered as one even when mentor-bot does
# not speak it; other words after "language" make a question ("language barriers in my team").
LANGUAGE_CODE = re.compile(r"[A-Za-z]{2,3}([-_][A-Za-z]{2,4})?")


def names_a_language(text: str) -> bool:
    """Whether what follows `/mentor language` is meant as a language (or "auto")."""
    return bool(
        language_named(text) or text.lower() in FOLLOW_SLACK or LANGUAGE_CODE.fullmatch(text)
    )


def subcommand_named(word: str) -> Subcommand | None:
    """The subcommand a word names, in English or any language mentor-bot speaks."""
    lowered = word.lower()
    try:
        return Subcommand(lowered)
    except ValueError:
        return LOCAL_SUBCOMMANDS.get(lowered)


def parse_command(text: str | None) -> ParsedCommand:
    """A subcommand is the whole text; only lead subcommands and `language <name>` take
    arguments. Lead subcommands keep the text as a question too, for people who are not
    leads (see `resolve`); "language" followed by anything but a language is a question."""
    stripped = (text or "").strip()
    first, _sep, rest = stripped.partition(" ")
    rest = rest.strip()
    subcommand = subcommand_named(first)
    if not rest:
        return ParsedCommand(subcommand, "") if subcommand else ParsedCommand(None, stripped)
    if subcommand in LEAD_SUBCOMMANDS:
        return ParsedCommand(subcommand, stripped, rest)
    if subcommand is Subcommand.LANGUAGE and names_a_language(rest):
        return ParsedCommand(subcommand, "", rest)
    if subcommand is Subcommand.AGAIN and again.names_someone(rest):
        return ParsedCommand(subcommand, "", rest)
    return ParsedCommand(None, stripped)


def resolve(parsed: ParsedCommand, *, is_lead: bool) -> ParsedCommand:
    """Someone who is not a lead and writes "import data from Kafka…" is asking a question;
    "reassign 42 @ana" is a lead command all the same (and refused). `event` takes no
    arguments: "event planning for our offsite?" is a question, whoever asks it."""
    if parsed.subcommand is Subcommand.EVENT and parsed.args:
        return ParsedCommand(None, parsed.question)
    if (
        parsed.subcommand in LEAD_SUBCOMMANDS
        and parsed.args
        and not is_lead
        and not leads.looks_like_args(parsed.subcommand, parsed.args)
    ):
        return ParsedCommand(None, parsed.question)
    return parsed


def register(app: App, services: HandlerServices) -> None:
    safe = user_safe(services)

    def parsed_for(command: dict[str, Any], user: str) -> ParsedCommand:
        return resolve(parse_command(command.get("text")), is_lead=services.is_lead(user))

    def ack_command(
        ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        user = who(context)
        parsed = parsed_for(command, user)
        if parsed.subcommand is Subcommand.HELP:
            ack(**blocks.help_message(for_lead=services.is_lead(user)).as_kwargs())
        elif parsed.subcommand in LEAD_SUBCOMMANDS:
            leads.ack_command(ack, parsed.subcommand, command, client, services)
        elif parsed.subcommand in privacy.SUBCOMMANDS:
            privacy.ack_command(ack, parsed.subcommand)
        elif parsed.subcommand is Subcommand.PROFILE or not (parsed.subcommand or parsed.question):
            # A trigger_id lives 3 s: open the modal now rather than behind queued lazy work.
            ack()
            open_modal(client, command, parsed, user)
        elif parsed.subcommand is None and parsed.question:
            ack_question(ack, parsed.question, user, context)
        elif parsed.subcommand is Subcommand.AGAIN:
            ack_again(ack, parsed.args, user, context)
        else:
            ack()

    def ack_question(ack: Ack, question: str, user: str, context: BoltContext) -> None:
        try:
            cleaned = clean_question(question)
        except InvalidQuestionError as error:
            ack(text=str(error))
            return
        if not services.question_limit.allow(user):
            ack(text=blocks.too_many_questions(services.question_limit.limit))
            return
        context[ACCEPTED] = True  # the lazy part matches only what the ack accepted
        # Someone new, whose Slack language is not cached yet (the ack cannot wait to ask):
        # answer in the language they asked in, when it is clear.
        asked_in = None if context.get(LANGUAGE_KNOWN) else question_language(cleaned)
        with use_language(asked_in or active_language()):
            ack(text=blocks.request_received(cleaned))

    def ack_again(ack: Ack, args: str, user: str, context: BoltContext) -> None:
        if not args:
            ack(text=blocks.again_usage())
        elif not services.question_limit.allow(user):
            ack(text=blocks.too_many_questions(services.question_limit.limit))
        else:
            context[ACCEPTED] = True
            ack()

    @safe
    def run_command(
        command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
    ) -> None:
        user = who(context)
        parsed = parsed_for(command, user)
        if parsed.subcommand in LEAD_SUBCOMMANDS and services.is_lead(user):
            leads.run_command(parsed.subcommand, parsed.args, respond, services)
        elif parsed.subcommand is Subcommand.MY_DATA:
            privacy.send_export(user, respond, services)
        elif parsed.subcommand is Subcommand.STATUS:
            status = blocks.status_message(services.mentoring.active_requests(user))
            respond(response_type="ephemeral", **status.as_kwargs())
        elif parsed.subcommand is Subcommand.CANCEL:
            _cancel(user, respond)
        elif parsed.subcommand is Subcommand.SESSIONS:
            upcoming = booking_blocks.sessions_message(services.booking.upcoming(user), user)
            respond(response_type="ephemeral", **upcoming.as_kwargs())
        elif parsed.subcommand is Subcommand.LANGUAGE:
            _language(user, parsed.args, respond)
        elif parsed.subcommand is None and parsed.question and context.get(ACCEPTED):
            _ask(user, parsed.question, services.directory.timezone(user))
        elif parsed.subcommand is Subcommand.AGAIN and context.get(ACCEPTED):
            _again(user, parsed.args, respond)

    def open_modal(
        client: WebClient, command: dict[str, Any], parsed: ParsedCommand, user: str
    ) -> None:
        try:
            if parsed.subcommand is Subcommand.PROFILE:
                view = profile_modal_for(client, services, user)
            else:
                view = blocks.intake_modal()
            client.views_open(trigger_id=command["trigger_id"], view=view)
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

    def _again(user: str, args: str, respond: Respond) -> None:
        try:
            outcome = services.mentoring.ask_again(
                mentee_slack_id=user, text=args, mentee_timezone=services.directory.timezone(user)
            )
        except InvalidQuestionError as error:
            respond(response_type="ephemeral", text=str(error))
            return
        respond(response_type="ephemeral", **blocks.again_reply(outcome).as_kwargs())

    def _language(user: str, args: str, respond: Respond) -> None:
        languages = services.languages
        if not args:
            chosen = languages.chosen(user)
            message = blocks.language_status(languages.language_of(user), chosen=bool(chosen))
        else:
            try:
                stored = languages.choose(user, None if args.lower() in FOLLOW_SLACK else args)
            except ValueError:  # a language mentor-bot does not speak: nothing changes
                respond(response_type="ephemeral", **blocks.language_unknown(args).as_kwargs())
                return
            # The answer is already in the new language: the choice shows at once.
            with use_language(languages.language_of(user)):
                message = blocks.language_set(languages.language_of(user), chosen=bool(stored))
        respond(response_type="ephemeral", **message.as_kwargs())

    def _cancel(user: str, respond: Respond) -> None:
        active = services.mentoring.active_requests(user)
        if not active:
            respond(response_type="ephemeral", text=_("You have no open request to cancel."))
        elif len(active) > 1:
            respond(response_type="ephemeral", **blocks.cancel_choice(active).as_kwargs())
        else:
            result = services.mentoring.cancel(active[0].request_id, mentee_slack_id=user)
            text = (
                _("Request #{request_id} is cancelled.", request_id=active[0].request_id)
                if result is CancelResult.CANCELLED
                else _("That request is already closed.")
            )
            respond(response_type="ephemeral", text=text)

    app.command("/mentor")(ack=ack_command, lazy=[run_command])
