"""Slack listeners, one module per feature. Each `register(app, services)` wires its listeners;
`register_handlers` is the only place that calls them (no decorators at import time)."""

from __future__ import annotations

from slack_bolt import App

from bot.handlers import (
    booking,
    commands,
    errors,
    events,
    feedback,
    home,
    leads,
    next_steps,
    offers,
    privacy,
    profile,
    requests,
)
from bot.handlers.context import HandlerServices
from bot.handlers.middleware import actor_middleware, language_middleware


def register_handlers(app: App, services: HandlerServices) -> None:
    app.use(actor_middleware)  # who acts, for every listener (`payload.who`)
    # ...and the language they read
    app.use(language_middleware(services.languages.remembered_language, services.languages.default))
    errors.register(app, services)
    commands.register(app, services)
    requests.register(app, services)
    offers.register(app, services)
    profile.register(app, services)
    home.register(app, services)
    booking.register(app, services)
    feedback.register(app, services)
    leads.register(app, services)
    events.register(app, services)
    next_steps.register(app, services)
    privacy.register(app, services)


__all__ = ["HandlerServices", "register_handlers"]
