"""Requests shaped and signed exactly as Slack sends them (keys as in Slack's own SDK samples)."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

TEAM = {"id": "T0TEAM001", "domain": "acme"}
_counter = itertools.count(1)


class SlackSigner:
    def __init__(self, secret: str) -> None:
        self._verifier = SignatureVerifier(secret)

    def headers(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> dict[str, str]:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        return {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature
            if signature is not None
            else str(self._verifier.generate_signature(timestamp=ts, body=body)),
        }


def slash_command(text: str, user: str, response_url: str) -> str:
    n = next(_counter)
    return urlencode(
        {
            "token": "verification-token",
            "team_id": TEAM["id"],
            "team_domain": TEAM["domain"],
            "channel_id": "C0GENERAL",
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/mentor",
            "text": text,
            "api_app_id": "A0APP0001",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": f"{n}.trigger",
        }
    )


def _user(user: str) -> dict[str, str]:
    return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM["id"]}


def block_action(
    action_id: str,
    value: str,
    user: str,
    response_url: str,
    *,
    container: str = "message",
    channel: str | None = None,
) -> str:
    n = next(_counter)
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user),
        "api_app_id": "A0APP0001",
        "token": "verification-token",
        "trigger_id": f"{n}.trigger",
        "team": TEAM,
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b1",
                "value": value,
                "type": "button",
                "text": {"type": "plain_text", "text": action_id},
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    if container == "message":
        payload |= {
            "container": {
                "type": "message",
                "message_ts": "1700000000.000001",
                "channel_id": channel or "D" + user,
                "is_ephemeral": False,
            },
            "channel": {"id": channel or "D" + user, "name": "directmessage"},
            "message": {"type": "message", "ts": "1700000000.000001", "text": "offer"},
            "response_url": response_url,
        }
    else:
        payload |= {
            "container": {"type": "view", "view_id": "V0HOME"},
            "view": {"id": "V0HOME", "type": "home", "callback_id": ""},
        }
    return urlencode({"payload": json.dumps(payload)})


def view_submission(
    callback_id: str, values: Mapping[Any, Any], user: str, private_metadata: str = ""
) -> str:
    """`values`: block_id -> state of its one element, e.g.
    {"type": "plain_text_input", "value": "..."}."""
    n = next(_counter)
    payload = {
        "type": "view_submission",
        "team": TEAM,
        "user": _user(user),
        "api_app_id": "A0APP0001",
        "token": "verification-token",
        "trigger_id": f"{n}.trigger",
        "view": {
            "id": f"V{n:05d}",
            "team_id": TEAM["id"],
            "type": "modal",
            "blocks": [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": {block: {block: state} for block, state in values.items()}},
            "hash": f"{n}.hash",
            "title": {"type": "plain_text", "text": "t"},
        },
        "response_urls": [],
        "is_enterprise_install": False,
    }
    return urlencode({"payload": json.dumps(payload)})


def event(event_body: dict[str, Any]) -> str:
    n = next(_counter)
    return json.dumps(
        {
            "token": "verification-token",
            "team_id": TEAM["id"],
            "api_app_id": "A0APP0001",
            "event": event_body,
            "type": "event_callback",
            "event_id": f"Ev{n:08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM["id"], "user_id": "U0BOT0001", "is_bot": True}],
        }
    )


def app_home_opened(user: str) -> str:
    return event(
        {
            "type": "app_home_opened",
            "user": user,
            "channel": "D" + user,
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
    )
