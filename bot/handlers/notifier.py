"""The mentoring flow's Notifier port, implemented with the Slack Web API."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import ParamSpec

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.booking.calendar import session_invite
from bot.booking.ports import NudgeKind, SessionView
from bot.booking.slots import Slot
from bot.handlers.blocks import admin as admin_blocks
from bot.handlers.blocks import booking as booking_blocks
from bot.handlers.blocks import common
from bot.handlers.blocks import feedback as feedback_blocks
from bot.handlers.blocks import offers as offer_blocks
from bot.handlers.blocks import requests as request_blocks
from bot.i18n import SOURCE_LANGUAGE, _, use_language
from bot.mentoring.ports import (
    MessageRef,
    OfferClosure,
    OfferView,
    RequestView,
    Unmatched,
    UnmetDemand,
)
from bot.mentoring.profiles import Decision
from bot.storage.models import MentorView

logger = logging.getLogger(__name__)
P = ParamSpec("P")

# chat.update errors meaning there is nothing left to rewrite (the message, the DM or the
# account is gone): a redaction is then done, not retried for ever.
GONE = frozenset(
    {"message_not_found", "channel_not_found", "account_inactive", "user_not_found", "is_archived"}
)


class SlackNotifier:
    """Each message is built in its recipient's language (`language_of`); the digest and the
    closed approval messages leads share, in `lead_language` (DIGEST_LANGUAGE)."""

    def __init__(
        self,
        client: WebClient,
        *,
        program_leads: Sequence[str],
        digest_channel: str | None = None,
        language_of: Callable[[str], str] = lambda _user: SOURCE_LANGUAGE,
        lead_language: str = SOURCE_LANGUAGE,
    ) -> None:
        self._client = client
        self._leads = list(program_leads)
        self._digest_channel = digest_channel
        self._language_of = language_of
        self._lead_language = lead_language
        self._dm_channels: dict[str, str] = {}
        self._lock = threading.Lock()

    def dm(self, user_id: str, message: common.Message) -> MessageRef:
        """Post a message already built (in the language active for the caller)."""
        channel = self._dm_channel(user_id)
        response = self._client.chat_postMessage(channel=channel, **message.as_kwargs())
        return MessageRef(str(response["channel"]), str(response["ts"]), user_id)

    def send(
        self,
        user_id: str,
        build: Callable[P, common.Message],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> MessageRef:
        """Build a message (`build(*args, **kwargs)`) in `user_id`'s language, then DM it."""
        with self.speaking_to(user_id):
            message = build(*args, **kwargs)
        return self.dm(user_id, message)

    def speaking_to(self, user_id: str) -> AbstractContextManager[str]:
        """Messages built inside are in `user_id`'s language."""
        return use_language(self._language_of(user_id))

    def ask_mentor(self, offer: OfferView) -> MessageRef | None:
        return self.send(offer.mentor_slack_id, offer_blocks.offer_message, offer)

    def tell_mentee_received(self, request: RequestView) -> MessageRef | None:
        return self.send(
            request.mentee_slack_id,
            lambda: common.plain(request_blocks.request_received(request.question)),
        )

    def tell_mentee_asked(self, offers: Sequence[OfferView]) -> MessageRef | None:
        return self.send(offers[0].request.mentee_slack_id, request_blocks.mentee_asked, offers)

    def tell_mentee_waiting(
        self, request: RequestView, place: int, until: datetime
    ) -> MessageRef | None:
        return self.send(
            request.mentee_slack_id, request_blocks.mentee_waiting, request, place, until
        )

    def tell_mentor_auto_paused(self, mentor_slack_id: str, until: datetime) -> None:
        self.send(mentor_slack_id, offer_blocks.mentor_auto_paused, until)

    def close_offer(self, offer: OfferView, closure: OfferClosure) -> None:
        if offer.message is None:
            return
        with self.speaking_to(offer.mentor_slack_id):
            closed = offer_blocks.offer_closed(offer, closure)
        self._client.chat_update(
            channel=offer.message.channel, ts=offer.message.ts, **closed.as_kwargs()
        )

    def tell_mentee_unmatched(self, request: RequestView, reason: Unmatched) -> MessageRef | None:
        return self.send(request.mentee_slack_id, request_blocks.mentee_unmatched, request, reason)

    def alert_leads_unmet(self, demand: UnmetDemand) -> None:
        if not self._leads:
            logger.warning("unmet_demand_no_leads", extra={"people": demand.people})
            return
        for lead in self._leads:
            self.send(lead, admin_blocks.leads_unmet, demand)

    def introduce(self, offer: OfferView) -> Sequence[MessageRef]:
        return [
            self.send(
                offer.request.mentee_slack_id, offer_blocks.introduction, offer, for_mentor=False
            ),
            self.send(offer.mentor_slack_id, offer_blocks.introduction, offer, for_mentor=True),
        ]

    def tell_mentor_cancelled(self, offer: OfferView, *, erased: bool = False) -> None:
        self.send(offer.mentor_slack_id, offer_blocks.mentor_cancelled, offer, erased=erased)

    def redact(self, message: MessageRef, kind: str) -> None:
        # The recipient may be the erased person's counterpart (their language) or a lead.
        with self.speaking_to(message.recipient):
            replacement = common.redacted(kind)
        try:
            self._client.chat_update(
                channel=message.channel, ts=message.ts, **replacement.as_kwargs()
            )
        except SlackApiError as error:
            if error.response.get("error") not in GONE:
                raise

    # -- ProfileNotifier -----------------------------------------------------------------

    def ask_leads_to_approve(self, mentor: MentorView) -> Sequence[MessageRef]:
        return [self.send(lead, admin_blocks.approval_request, mentor) for lead in self._leads]

    def tell_leads_new_mentor(self, mentor: MentorView) -> Sequence[MessageRef]:
        return [self.send(lead, admin_blocks.new_mentor_notice, mentor) for lead in self._leads]

    def close_approval(
        self, message: MessageRef, mentor: MentorView, decision: Decision, by: str
    ) -> None:
        with use_language(self._lead_language):
            closed = admin_blocks.approval_closed(mentor, decision.value, by)
        self._client.chat_update(channel=message.channel, ts=message.ts, **closed.as_kwargs())

    def tell_mentor_decision(self, mentor: MentorView, decision: Decision) -> None:
        self.send(mentor.slack_id, admin_blocks.mentor_decision, decision.value)

    # -- BookingNotifier -----------------------------------------------------------------

    def offer_slots(self, meeting: SessionView, slots: Sequence[Slot]) -> None:
        self.send(meeting.mentee_slack_id, booking_blocks.slot_picker, meeting, slots)

    def no_common_slot(self, meeting: SessionView) -> None:
        for for_mentor in (False, True):
            user = meeting.mentor_slack_id if for_mentor else meeting.mentee_slack_id
            self.send(user, booking_blocks.no_common_slot, meeting, for_mentor=for_mentor)

    def slot_taken(self, meeting: SessionView) -> None:
        self.send(meeting.mentee_slack_id, booking_blocks.slot_taken)

    def booked(self, meeting: SessionView) -> Sequence[MessageRef]:
        now = datetime.now(UTC)
        posted = []
        for for_mentor in (False, True):
            user = meeting.mentor_slack_id if for_mentor else meeting.mentee_slack_id
            with self.speaking_to(user):
                message = booking_blocks.session_booked(meeting, for_mentor=for_mentor)
                # The same event (UID) for both; its title and description in each one's words.
                invite = session_invite(meeting, now=now)
                title = _("Add to your calendar")
            posted.append(self.dm(user, message))
            self._client.files_upload_v2(
                channel=self._dm_channel(user),
                file=invite,
                filename="mentoring-session.ics",
                title=title,
            )
        return posted

    def remind(self, meeting: SessionView, kind: NudgeKind) -> Sequence[MessageRef]:
        if kind is NudgeKind.PRACTICE:  # the one nudge that quotes the question
            return [self.send(meeting.mentee_slack_id, feedback_blocks.practice_nudge, meeting)]
        for mentor_side in (False, True):
            who = meeting.mentor_slack_id if mentor_side else meeting.mentee_slack_id
            if kind is NudgeKind.FOLLOW_UP:
                self.send(who, feedback_blocks.attendance_question, meeting, for_mentor=mentor_side)
            else:
                self.send(
                    who, booking_blocks.session_reminder, meeting, kind, for_mentor=mentor_side
                )
        return []

    def changed(
        self, meeting: SessionView, *, by: str, cancelled: bool, erasing: bool = False
    ) -> None:
        for user in (meeting.mentee_slack_id, meeting.mentor_slack_id):
            if erasing and user == by:
                continue  # they are being forgotten: nothing more is sent to them
            self.send(
                user,
                booking_blocks.session_changed,
                meeting,
                by=None if erasing else by,
                cancelled=cancelled,
                for_user=user,
            )

    def send_digest(self, text: str, chart: Path) -> None:
        """`text` and `chart` are already in DIGEST_LANGUAGE (the digest service builds them)."""
        channels = [self._digest_channel] if self._digest_channel else []
        channels += [self._dm_channel(lead) for lead in self._leads]
        if not channels:
            logger.warning("digest_has_no_audience")
        message = common.plain(text)
        with use_language(self._lead_language):
            title = _("Mentoring this week")
        for channel in channels:
            self._client.chat_postMessage(channel=channel, **message.as_kwargs())
            self._client.files_upload_v2(
                channel=channel, file=str(chart), filename=chart.name, title=title
            )

    def send_file(self, user_id: str, content: str, *, filename: str, title: str) -> None:
        """A file in the person's DM with the bot (files:write)."""
        self._client.files_upload_v2(
            channel=self._dm_channel(user_id), content=content, filename=filename, title=title
        )

    def nudge_booking(self, meeting: SessionView) -> None:
        self.send(meeting.mentee_slack_id, booking_blocks.booking_nudge, meeting)

    # -- BusyFeedNotifier ----------------------------------------------------------------

    def busy_feed_failed(self, mentor_slack_id: str) -> None:
        self.send(mentor_slack_id, booking_blocks.busy_feed_failed)

    def _dm_channel(self, user_id: str) -> str:
        with self._lock:
            if user_id in self._dm_channels:
                return self._dm_channels[user_id]
        response = self._client.conversations_open(users=user_id)
        channel = str(response["channel"]["id"])
        with self._lock:
            self._dm_channels[user_id] = channel
        return channel
