"""The App Home tab: ask, my requests; for mentors their profile and pending offers; for leads
this week's numbers."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.handlers.blocks import home as blocks
from bot.handlers.blocks.requests import intake_modal
from bot.handlers.context import HandlerServices
from bot.handlers.errors import opens_modal, user_safe
from bot.handlers.ids import Action
from bot.handlers.payload import ack_only


def home_data(services: HandlerServices, user_id: str) -> blocks.HomeData:
    mentor = services.profiles.get(user_id)
    return blocks.HomeData(
        user_id=user_id,
        requests=services.mentoring.recent_requests(user_id),
        mentor=mentor,
        load_this_week=services.profiles.load_this_week(mentor.id) if mentor else 0,
        pending_offers=services.mentoring.pending_offers(user_id) if mentor else (),
        sessions=services.booking.upcoming(user_id),
        lead_numbers=(
            services.insights.week_numbers() if user_id in services.program_leads else None
        ),
        next_steps=services.next_steps.open_actions(user_id),
        helping=services.next_steps.shared_with(mentor.id) if mentor else (),
        takeaways=services.next_steps.takeaways_for(user_id),
        timezone=services.directory.timezone(user_id),
    )


def publish_home(client: WebClient, services: HandlerServices, user_id: str) -> None:
    client.views_publish(user_id=user_id, view=blocks.home_view(home_data(services, user_id)))


def register(app: App, services: HandlerServices) -> None:
    safe = user_safe(services)

    @safe
    def on_home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") == "home":
            publish_home(client, services, event["user"])

    app.event("app_home_opened")(ack=ack_only, lazy=[on_home_opened])
    app.action(Action.ASK.value)(opens_modal(services, lambda _body, _client: intake_modal()))
