"""The NextStepsNotifier on Slack: each DM built in its recipient's language."""

from __future__ import annotations

from collections.abc import Sequence

from bot.booking.ports import SessionView
from bot.handlers.blocks import next_steps as blocks
from bot.handlers.notifier import SlackNotifier
from bot.mentoring.next_steps import ActionView
from bot.mentoring.ports import MessageRef
from bot.storage.models import ActionStatus


class SlackNextStepsNotifier:
    def __init__(self, notifier: SlackNotifier) -> None:
        self._notifier = notifier

    def invite_next_steps(self, meeting: SessionView) -> Sequence[MessageRef]:
        return [
            self._notifier.send(meeting.mentee_slack_id, blocks.invitation_to_mentee, meeting),
            self._notifier.send(meeting.mentor_slack_id, blocks.invitation_to_mentor, meeting),
        ]

    def suggested_steps(self, meeting: SessionView, texts: Sequence[str]) -> MessageRef | None:
        return self._notifier.send(
            meeting.mentee_slack_id, blocks.suggested_message, meeting, texts
        )

    def takeaways_sent(self, meeting: SessionView, text: str) -> MessageRef | None:
        return self._notifier.send(meeting.mentee_slack_id, blocks.takeaways_message, meeting, text)

    def check_progress(
        self, meeting: SessionView, actions: Sequence[ActionView], *, can_follow_up: bool
    ) -> MessageRef | None:
        return self._notifier.send(
            meeting.mentee_slack_id,
            blocks.progress_message,
            meeting,
            actions,
            can_follow_up=can_follow_up,
        )

    def help_worked(self, meeting: SessionView, status: ActionStatus) -> MessageRef | None:
        return self._notifier.send(meeting.mentor_slack_id, blocks.help_worked_message, meeting)
