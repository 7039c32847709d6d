"""Who is acting, decided once per request, strictly by the shapes Slack sends.

Bolt's own `context.user_id` accepts a `user` field of any shape (a plain string where Slack
sends an object, say); listeners read `who(context)` instead, which holds the user only when
the payload has Slack's own shape for its kind, and is "" otherwise (then nothing is theirs).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext

from bot.i18n import activate

ACTOR = "mentor_bot_actor"
_SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,31}")


def acting_user(body: dict[str, Any]) -> str:
    """The user of a slash command (`user_id`), an interaction (`user.id`) or an event
    (`event.user`); "" when the payload does not have that shape."""
    if "command" in body:
        found: object = body.get("user_id")
    elif isinstance(body.get("event"), dict):
        found = body["event"].get("user")
    else:
        user = body.get("user")
        found = user.get("id") if isinstance(user, dict) else None
    return found if isinstance(found, str) and _SLACK_USER.fullmatch(found) else ""


def actor_middleware(body: dict[str, Any], context: BoltContext, next: Callable[[], Any]) -> Any:
    context[ACTOR] = acting_user(body)  # custom keys reach lazy listeners too
    return next()


def language_middleware(
    language_of: Callable[[str], str],
) -> Callable[[dict[str, Any], BoltContext, Callable[[], Any]], Any]:
    """Replies to a person are in their language: activated for the request before its ack
    runs (Bolt runs listeners after the middleware chain, in the same thread), and inherited
    by lazy listeners (the lazy executor copies the context it was queued from)."""

    def middleware(body: dict[str, Any], context: BoltContext, next: Callable[[], Any]) -> Any:
        activate(language_of(str(context.get(ACTOR) or "")))
        return next()

    return middleware
