"""The Bolt app: a Slack client with retries, request verification, and every listener."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings
from bot.errors import MentorBotError
from bot.handlers import HandlerServices, register_handlers


class SlackNotConfiguredError(MentorBotError):
    pass


SETUP_HELP = (
    "Create the Slack app from manifest.yml (api.slack.com/apps → Create New App → From an app "
    "manifest), install it to your workspace, then put its tokens in .env (see .env.example): "
    "SLACK_BOT_TOKEN (xoxb-…), and SLACK_APP_TOKEN (xapp-…, Socket Mode) or "
    "SLACK_SIGNING_SECRET (HTTP mode)."
)


def build_slack_client(settings: Settings) -> WebClient:
    if settings.slack_bot_token is None:
        raise SlackNotConfiguredError("SLACK_BOT_TOKEN is not set. " + SETUP_HELP)
    return WebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url,
        timeout=10,
        # slack_sdk's own handlers: Retry-After on 429, backoff on 5xx and dropped connections.
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def create_app(settings: Settings, services: HandlerServices, client: WebClient) -> App:
    if settings.slack_signing_secret is None and settings.slack_app_token is None:
        raise SlackNotConfiguredError(
            "Neither SLACK_SIGNING_SECRET nor SLACK_APP_TOKEN is set. " + SETUP_HELP
        )
    app = App(
        client=client,
        # Socket Mode requests are not signed; HTTP requests always are, and Bolt rejects any
        # request whose signature or 5-minute timestamp window does not check out.
        signing_secret=(
            settings.slack_signing_secret.get_secret_value()
            if settings.slack_signing_secret
            else "socket-mode-only"
        ),
        token_verification_enabled=False,
        process_before_response=False,
    )
    register_handlers(app, services)
    return app
