"""Reading what Slack sends, in one place. Listeners declare what Bolt injects (`action`, `view`,
`context`); these helpers turn those into plain values, so no listener repeats
`body["user"]["id"]` or its own `except` tuple. Who acts is always the signed request's user
(see `bot.handlers.middleware`), never a value in the payload."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext

from bot.handlers.middleware import ACTOR


def ack_only(ack: Ack) -> None:
    """The ack of a listener whose work is all in its lazy part."""
    ack()


def who(context: BoltContext) -> str:
    """The user who sent the request, as `actor_middleware` read it ("" when the payload has no
    user in Slack's shape: then nothing is theirs)."""
    return str(context.get(ACTOR) or "")


def clicked_value(action: dict[str, Any] | None) -> str:
    """The value of the button that was clicked ("" when there is none)."""
    return str(action.get("value") or "") if isinstance(action, dict) else ""


def body_value(body: dict[str, Any]) -> str:
    """The clicked button's value, read from a raw block_actions body."""
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else None
    return clicked_value(first)


def modal_values(view: dict[str, Any] | None) -> dict[str, str | None]:
    """Modal input values by field id (selected option values for selects)."""
    values: dict[str, str | None] = {}
    state = view.get("state") if isinstance(view, dict) else None
    blocks = state.get("values") if isinstance(state, dict) else None
    if not isinstance(blocks, dict):
        return values  # not Slack's shape: every field reads as empty
    for block_id, actions in blocks.items():
        for element in actions.values() if isinstance(actions, dict) else ():
            if isinstance(element, dict):
                values[block_id] = _element_value(element)
    return values


def _element_value(state: dict[str, Any]) -> str | None:
    if "selected_option" in state:
        option = state.get("selected_option") or {}
        return option.get("value") if isinstance(option, dict) else None
    for key in (
        "selected_date",
        "selected_time",
        "selected_date_time",
        "selected_conversation",
        "selected_channel",
    ):
        if key in state:
            picked = state.get(key)
            return None if picked is None else str(picked)
    value = state.get("value")
    return None if value is None else str(value)


def metadata(view: dict[str, Any] | None) -> str:
    """A modal's private_metadata (what the bot put there when it opened it)."""
    return str(view.get("private_metadata") or "") if isinstance(view, dict) else ""
