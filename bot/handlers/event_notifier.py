"""The speed-mentoring EventNotifier, on the Slack Web API (through SlackNotifier's DMs, each
built in its recipient's language)."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk import WebClient

from bot.events.ports import (
    Conversation,
    EventSummary,
    EventView,
    NoticeKind,
    PlanView,
    Schedule,
)
from bot.handlers.blocks import events as blocks
from bot.handlers.notifier import SlackNotifier
from bot.i18n import use_language
from bot.mentoring.ports import MessageRef


class SlackEventNotifier:
    def __init__(
        self, client: WebClient, notifier: SlackNotifier, *, channel_language: str
    ) -> None:
        self._client = client
        self._notifier = notifier
        # A channel has many readers: its announcement is in DIGEST_LANGUAGE, like leads'.
        self._channel_language = channel_language

    def announce(self, event: EventView) -> str | None:
        with use_language(self._channel_language):
            message = blocks.announcement(event)
        response = self._client.chat_postMessage(channel=event.channel, **message.as_kwargs())
        return str(response["ts"])

    def refresh_announcement(self, event: EventView) -> None:
        if event.announcement_ts is None:
            return
        with use_language(self._channel_language):
            message = blocks.announcement(event)
        self._client.chat_update(
            channel=event.channel, ts=event.announcement_ts, **message.as_kwargs()
        )

    def tell_lead_created(self, event: EventView) -> None:
        self._notifier.send(event.lead_slack_id, blocks.lead_created, event)

    def show_plan(self, plan: PlanView) -> MessageRef | None:
        return self._notifier.send(plan.event.lead_slack_id, blocks.plan_review, plan)

    def too_few(self, event: EventView) -> None:
        self._notifier.send(event.lead_slack_id, blocks.too_few, event)

    def send_schedule(self, schedule: Schedule, place: str | None) -> MessageRef | None:
        return self._notifier.send(schedule.slack_id, blocks.schedule_message, schedule, place)

    def remind(self, schedule: Schedule, kind: NoticeKind, round_number: int) -> MessageRef | None:
        with self._notifier.speaking_to(schedule.slack_id):
            message = blocks.notice_message(schedule, kind, round_number)
        return None if message is None else self._notifier.dm(schedule.slack_id, message)

    def ask_for_ratings(self, conversations: Sequence[Conversation]) -> MessageRef | None:
        mentee = conversations[0].mentee_slack_id
        return self._notifier.send(mentee, blocks.ratings_request, conversations)

    def offer_to_continue(self, conversations: Sequence[Conversation]) -> MessageRef | None:
        mentor = conversations[0].mentor_slack_id
        return self._notifier.send(mentor, blocks.continue_offer, conversations)

    def mentor_continues(self, conversation: Conversation) -> MessageRef | None:
        return self._notifier.send(conversation.mentee_slack_id, blocks.continue_note, conversation)

    def summarise(self, summary: EventSummary) -> None:
        self._notifier.send(summary.event.lead_slack_id, blocks.summary_message, summary)

    def cancelled(self, event: EventView, slack_id: str) -> None:
        self._notifier.send(slack_id, blocks.cancelled_message, event)
