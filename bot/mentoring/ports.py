"""What the mentoring flow needs from the outside world, and the data it hands over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True)
class MessageRef:
    """Where a message was posted, so it can be updated later."""

    channel: str
    ts: str


@dataclass(frozen=True)
class RequestView:
    request_id: int
    mentee_slack_id: str
    question: str
    format: str
    status: str
    context: str | None = None
    urgency: str | None = None


@dataclass(frozen=True)
class OfferView:
    offer_id: int
    request: RequestView
    mentor_slack_id: str
    mentor_name: str
    rank: int
    reasons: tuple[str, ...]
    expires_at: datetime
    message: MessageRef | None = None


class OfferClosure(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    PAUSED = "paused"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"  # the mentee cancelled
    REASSIGNED = "reassigned"  # a program lead gave it to another mentor


class Unmatched(StrEnum):
    NO_EXPERT = "no_expert"  # nobody on the roster knows the topic well enough
    NOBODY_AVAILABLE = "nobody_available"  # the experts are paused or fully booked
    ALL_DECLINED = "all_declined"  # the fitting mentors said no or did not answer


class Notifier(Protocol):
    def ask_mentor(self, offer: OfferView) -> MessageRef | None:
        """Offer the request to its mentor (question, asker, reasons, Accept/Decline/Not now)."""

    def tell_mentee_asked(self, offer: OfferView) -> None:
        """Tell the mentee who was asked and why, with a Cancel button."""

    def close_offer(self, offer: OfferView, closure: OfferClosure) -> None:
        """Replace the mentor's offer message: its buttons no longer apply."""

    def tell_mentee_unmatched(self, request: RequestView, reason: Unmatched) -> None: ...

    def alert_leads_unmet(
        self, request: RequestView, topic: tuple[str, ...], reason: Unmatched
    ) -> None:
        """Unmet demand, described by topic (never by the mentee's words)."""

    def introduce(self, offer: OfferView) -> None:
        """Introduce mentee and mentor to each other after an accept."""

    def tell_mentor_cancelled(self, offer: OfferView) -> None:
        """The mentee cancelled a request this mentor had accepted."""


class OfferTimer(Protocol):
    def start(self, offer_id: int, due: datetime) -> None:
        """Expire the offer at `due` unless it is answered first (must survive restarts)."""

    def stop(self, offer_id: int) -> None: ...
