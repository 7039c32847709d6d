"""Facts about Slack users that listeners need (read through the Web API)."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError


def slack_timezone(client: WebClient, user_id: str) -> str:
    """The user's time zone from their Slack profile (UTC when Slack cannot tell)."""
    try:
        return str(client.users_info(user=user_id)["user"].get("tz") or "UTC")
    except (SlackApiError, KeyError, TypeError):
        return "UTC"
