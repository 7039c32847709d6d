"""Facts about Slack users that listeners need (read through the Web API)."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.languages import LocaleLookupError


def slack_timezone(client: WebClient, user_id: str) -> str:
    """The user's time zone from their Slack profile (UTC when Slack cannot tell)."""
    try:
        return str(client.users_info(user=user_id)["user"].get("tz") or "UTC")
    except (SlackApiError, KeyError, TypeError):
        return "UTC"


def slack_locale(client: WebClient, user_id: str) -> str | None:
    """The language of the user's Slack client ("pl-PL"), None when Slack has none for them.
    Raises LocaleLookupError when Slack could not be asked (try again later)."""
    try:
        user = client.users_info(user=user_id, include_locale=True)["user"]
    except (SlackApiError, OSError) as error:
        raise LocaleLookupError(type(error).__name__) from error
    except (KeyError, TypeError):
        return None
    locale = user.get("locale") if isinstance(user, dict) else None
    return str(locale) if locale else None
