"""Program-lead actions: digest preview, unmet demand, roster import, reassigning a request.

Every entry point checks PROGRAM_LEADS itself (a modal submission too): a refusal is polite and
says who to ask."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.digest.render import digest_text
from bot.digest.report import week_label
from bot.handlers.blocks import admin as blocks
from bot.handlers.blocks import events as event_blocks
from bot.handlers.blocks.common import Message, parse_id_value, plain
from bot.handlers.context import HandlerServices
from bot.handlers.errors import report, user_safe
from bot.handlers.ids import Action, Callback, Field, Subcommand
from bot.handlers.payload import ack_only, clicked_value, modal_values, who
from bot.i18n import N_, _
from bot.mentoring.profiles import Decision, DecisionResult
from bot.roster import CsvFormatError
from bot.storage.models import utcnow

WHAT = {
    Subcommand.DIGEST: N_("the digest preview"),
    Subcommand.DEMAND: N_("the unmet-demand list"),
    Subcommand.IMPORT: N_("importing mentors"),
    Subcommand.REASSIGN: N_("reassigning a request"),
    Subcommand.EVENT: N_("planning a speed-mentoring event"),
}
DEMAND_WEEKS = 4
WEEK = re.compile(r"^\d{4}-W\d{2}$")
# "42 <@U0123|ana>", "#42 <@U0123>" or "42 U0123" (a member id, when mentions are not escaped).
REASSIGN = re.compile(
    r"^#?(\d{1,12})\s+(?:<@([UW][A-Z0-9]{2,31})(?:\|[^>]*)?>|([UW][A-Z0-9]{2,31}))$"
)


def looks_like_args(subcommand: Subcommand, args: str) -> bool:
    """Whether `args` are what this lead subcommand takes (else the text is a question)."""
    pattern = {Subcommand.DIGEST: WEEK, Subcommand.REASSIGN: REASSIGN}.get(subcommand)
    return bool(pattern and pattern.match(args.strip()))


def ack_command(
    ack: Ack,
    subcommand: Subcommand,
    command: dict[str, Any],
    client: WebClient,
    services: HandlerServices,
) -> None:
    user = str(command.get("user_id", ""))
    if not services.is_lead(user):
        ack(**blocks.lead_only(_(WHAT[subcommand]), sorted(services.program_leads)).as_kwargs())
    elif subcommand in (Subcommand.IMPORT, Subcommand.EVENT):
        ack()  # a trigger_id lives 3 s: open the modal now
        form = event_blocks.event_modal() if subcommand is Subcommand.EVENT else None
        try:
            client.views_open(trigger_id=command["trigger_id"], view=form or blocks.import_modal())
        except Exception as error:  # noqa: BLE001  (reported to the user, never a 500)
            report(error, command, None, services)
    else:
        ack(text=_("Working on it…"))


def run_command(
    subcommand: Subcommand, args: str, respond: Respond, services: HandlerServices
) -> None:
    if subcommand is Subcommand.DIGEST:
        message = _digest_preview(args, services)
    elif subcommand is Subcommand.DEMAND:
        message = _demand(services)
    elif subcommand is Subcommand.REASSIGN:
        message = _reassign(args, services)
    else:
        return  # IMPORT, EVENT: the modal is open already
    respond(response_type="ephemeral", **message.as_kwargs())


def _digest_preview(args: str, services: HandlerServices) -> Message:
    if args and not WEEK.match(args):
        return plain(_("Give a week like `2026-W47`, or nothing for this week so far."))
    try:
        # Leads' own questions never feed the labels (no probing); this week's come later.
        digest = services.digest.build(args or week_label(utcnow()))
    except ValueError:
        return plain(_("There is no week {week}.", week=args))
    return blocks.digest_preview(digest_text(digest))


def _demand(services: HandlerServices) -> Message:
    since = utcnow() - timedelta(weeks=DEMAND_WEEKS)
    topics = services.digest.unmet_topics(since)
    return blocks.demand_message(
        topics, services.insights.unmet_requests(since), waiting=services.insights.waiting_list()
    )


def _reassign(args: str, services: HandlerServices) -> Message:
    found = REASSIGN.match(args.strip())
    if found is None:
        return plain(_(blocks.REASSIGN_USAGE))
    request_id, mentor = int(found.group(1)), found.group(2) or found.group(3)
    result = services.mentoring.reassign(request_id, mentor_slack_id=mentor)
    return blocks.reassign_result(result, request_id, mentor)


def register(app: App, services: HandlerServices) -> None:
    safe = user_safe(services)

    @safe
    def run_import(view: dict[str, Any], context: BoltContext) -> None:
        user = who(context)
        if not services.is_lead(user):
            message = blocks.lead_only(_(WHAT[Subcommand.IMPORT]), sorted(services.program_leads))
        else:
            text = str(modal_values(view).get(Field.ROSTER_CSV.value) or "")
            try:
                message = blocks.import_report(services.profiles.import_csv_text(text))
            except CsvFormatError as error:
                message = plain(str(error))
        services.notifier.dm(user, message)

    def decision(kind: Decision) -> Callable[..., None]:
        @safe
        def decide(action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
            try:
                mentor_id = parse_id_value(clicked_value(action))
            except ValueError:
                mentor_id = 0
            result = services.profiles.decide(mentor_id, kind, by=who(context))
            if result is not DecisionResult.DONE:  # DONE: the message itself was rewritten
                text = _(blocks.DECISION_REPLIES[result.value])
                respond(response_type="ephemeral", replace_original=False, text=text)

        return decide

    app.view(Callback.ROSTER_IMPORT.value)(ack=ack_only, lazy=[run_import])
    app.action(Action.APPROVE_MENTOR.value)(ack=ack_only, lazy=[decision(Decision.APPROVE)])
    app.action(Action.REJECT_MENTOR.value)(ack=ack_only, lazy=[decision(Decision.REJECT)])
    app.action(Action.DEACTIVATE_MENTOR.value)(ack=ack_only, lazy=[decision(Decision.DEACTIVATE)])
