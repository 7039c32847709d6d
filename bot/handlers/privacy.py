"""`/mentor my-data` (a JSON export by DM) and `/mentor forget-me` (erasure after a confirm)."""

from __future__ import annotations

import json

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond

from bot.handlers.blocks import admin as blocks
from bot.handlers.context import HandlerServices
from bot.handlers.errors import user_safe
from bot.handlers.ids import Action, Subcommand
from bot.handlers.payload import ack_only, who
from bot.i18n import _

SUBCOMMANDS = frozenset({Subcommand.MY_DATA, Subcommand.FORGET_ME})
EXPORT_FILENAME = "mentor-bot-my-data.json"


def ack_command(ack: Ack, subcommand: Subcommand) -> None:
    if subcommand is Subcommand.FORGET_ME:
        ack(**blocks.forget_confirm().as_kwargs())
    else:
        ack(text=_("Gathering what mentor-bot stores about you…"))


def send_export(user: str, respond: Respond, services: HandlerServices) -> None:
    data = services.privacy.export(user)
    content = json.dumps(data, indent=2, ensure_ascii=False)
    services.notifier.send_file(
        user, content, filename=EXPORT_FILENAME, title=_(blocks.EXPORT_TITLE)
    )
    respond(response_type="ephemeral", text=_(blocks.EXPORT_SENT))


def register(app: App, services: HandlerServices) -> None:
    safe = user_safe(services)

    @safe
    def forget(context: BoltContext, respond: Respond) -> None:
        # Whose data goes is the signed request's user, never a value from the payload.
        erased = services.privacy.forget(who(context))
        respond(replace_original=True, **blocks.forgotten(erased).as_kwargs())

    @safe
    def keep(respond: Respond) -> None:
        respond(replace_original=True, text=_(blocks.KEPT))

    app.action(Action.FORGET_CONFIRM.value)(ack=ack_only, lazy=[forget])
    app.action(Action.FORGET_KEEP.value)(ack=ack_only, lazy=[keep])
