"""`/mentor my-data` (a JSON export by DM) and `/mentor forget-me` (erasure after a confirm)."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond

from bot.handlers import messages_admin
from bot.handlers.context import HandlerServices
from bot.handlers.errors import user_safe
from bot.handlers.ids import Action, Subcommand

SUBCOMMANDS = frozenset({Subcommand.MY_DATA, Subcommand.FORGET_ME})
EXPORT_FILENAME = "mentor-bot-my-data.json"


def ack_command(ack: Ack, subcommand: Subcommand) -> None:
    if subcommand is Subcommand.FORGET_ME:
        ack(**messages_admin.forget_confirm().as_kwargs())
    else:
        ack(text="Gathering what mentor-bot stores about you…")


def send_export(user: str, respond: Respond, services: HandlerServices) -> None:
    data = services.privacy.export(user)
    content = json.dumps(data, indent=2, ensure_ascii=False)
    services.notifier.send_file(
        user, content, filename=EXPORT_FILENAME, title=messages_admin.EXPORT_TITLE
    )
    respond(response_type="ephemeral", text=messages_admin.EXPORT_SENT)


def register(app: App, services: HandlerServices) -> None:
    safe = user_safe(services)

    def ack_only(ack: Ack) -> None:
        ack()

    @safe
    def forget(body: dict[str, Any], respond: Respond) -> None:
        # Whose data goes is the signed request's user, never a value from the payload.
        erased = services.privacy.forget(body["user"]["id"])
        respond(replace_original=True, **messages_admin.forgotten(erased).as_kwargs())

    @safe
    def keep(respond: Respond) -> None:
        respond(replace_original=True, text=messages_admin.KEPT)

    app.action(Action.FORGET_CONFIRM.value)(ack=ack_only, lazy=[forget])
    app.action(Action.FORGET_KEEP.value)(ack=ack_only, lazy=[keep])
