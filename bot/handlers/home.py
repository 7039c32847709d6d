"""The App Home tab: ask, my requests; for mentors their profile and pending offers; for leads
this week's numbers."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.handlers import messages
from bot.handlers.context import HandlerServices
from bot.handlers.errors import report, user_safe
from bot.handlers.ids import Action


def home_data(services: HandlerServices, user_id: str) -> messages.HomeData:
    mentor = services.profiles.get(user_id)
    load = services.profiles.load_this_week(mentor.id) if mentor and mentor.id else 0
    return messages.HomeData(
        user_id=user_id,
        requests=services.mentoring.recent_requests(user_id),
        mentor=mentor,
        load_this_week=load,
        pending_offers=services.mentoring.pending_offers(user_id) if mentor else (),
        sessions=services.booking.upcoming(user_id),
        lead_numbers=(
            services.mentoring.week_numbers() if user_id in services.program_leads else None
        ),
    )


def publish_home(client: WebClient, services: HandlerServices, user_id: str) -> None:
    client.views_publish(user_id=user_id, view=messages.home_view(home_data(services, user_id)))


def register(app: App, services: HandlerServices) -> None:
    safe = user_safe(services)

    def ack_event(ack: Ack) -> None:
        ack()

    @safe
    def on_home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") == "home":
            publish_home(client, services, event["user"])

    def open_intake(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()  # the modal opens inline: a trigger_id lives 3 s, too short to queue behind work
        try:
            client.views_open(trigger_id=body["trigger_id"], view=messages.intake_modal())
        except Exception as error:  # noqa: BLE001  (reported to the user, never a 500)
            report(error, body, None, services)

    app.event("app_home_opened")(ack=ack_event, lazy=[on_home_opened])
    app.action(Action.ASK.value)(open_intake)
