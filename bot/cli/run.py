"""`mentor-bot run`: the Slack bot, in Socket Mode or HTTP mode."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.app import SETUP_HELP
from bot.cli.common import app, cli_context, fail
from bot.container import (
    BotRuntime,
    build_runtime,
)
from bot.logging import configure_logging
from bot.server import serve_http, serve_socket_mode


@app.command("run")
def run(
    ctx: typer.Context,
    http: Annotated[
        bool, typer.Option("--http", help="HTTP mode even if SLACK_APP_TOKEN is set.")
    ] = False,
    port: Annotated[int | None, typer.Option(help="HTTP port (default: PORT, 3000).")] = None,
) -> None:
    """Start the Slack bot: Socket Mode with SLACK_APP_TOKEN, otherwise HTTP mode."""
    cli = cli_context(ctx)
    settings = cli.settings
    socket_mode = settings.slack_app_token is not None and not http
    missing = [
        name
        for name, value in (
            ("SLACK_BOT_TOKEN", settings.slack_bot_token),
            (
                "SLACK_APP_TOKEN" if socket_mode else "SLACK_SIGNING_SECRET",
                settings.slack_app_token if socket_mode else settings.slack_signing_secret,
            ),
        )
        if value is None
    ]
    if missing:
        fail(f"{' and '.join(missing)} not set. {SETUP_HELP}")
    cli.engine().dispose()  # fails clearly when migrations are missing
    configure_logging(settings.log_level)

    def build() -> BotRuntime:
        embedder = cli.embedder_factory(settings) if cli.embedder_factory else None
        return build_runtime(settings, embedder=embedder)

    if socket_mode:
        serve_socket_mode(build(), settings)
    else:
        serve_http(build, settings, port or settings.port)
