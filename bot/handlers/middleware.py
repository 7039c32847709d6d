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


# Context key: whether the acting user's language was known when the request came in (else
# the default is active, and a question's own language may answer better; see commands.py).
LANGUAGE_KNOWN = "mentor_bot_language_known"


def language_middleware(
    remembered_language: Callable[[str], str | None], default: str
) -> Callable[[dict[str, Any], BoltContext, Callable[[], Any]], Any]:
    """Replies to a person are in their language as far as this process remembers it (the
    ack may neither wait for the Web API nor for a database connection): activated for the
    request before its ack runs (Bolt runs listeners after the middleware chain, in the same
    thread) and inherited by lazy listeners, which resolve it fully (`user_safe`)."""

    def middleware(body: dict[str, Any], context: BoltContext, next: Callable[[], Any]) -> Any:
        known = remembered_language(str(context.get(ACTOR) or ""))
        context[LANGUAGE_KNOWN] = known is not None
        activate(known or default)
        return next()

    return middleware
