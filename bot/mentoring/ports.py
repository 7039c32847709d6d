"""What the mentoring flow needs from the outside world, and the data it hands over."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True)
class MessageRef:
    """Where a message was posted (and to whom), so it can be updated or redacted later."""

    channel: str
    ts: str
    recipient: str = ""


@dataclass(frozen=True)
class RequestView:
    request_id: int
    mentee_slack_id: str
    question: str
    format: str
    status: str
    context: str | None = None
    urgency: str | None = None
    # The language to be mentored in: asked for in the form, else the question's own.
    language: str | None = None
    # Addressed to one mentor by name (`/mentor again`, an event's follow-up): no matching.
    direct: bool = False
    goal: str | None = None  # "what would success look like?", in the mentee's words


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
    slot: int = 0  # > 0: one of an urgent request's mentors asked at once
    others_asked: int = 0  # how many other mentors were asked at the same time (when sent)


class OfferClosure(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    NOT_MY_TOPIC = "not_my_topic"
    PAUSED = "paused"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"  # the mentee cancelled
    REASSIGNED = "reassigned"  # a program lead gave it to another mentor
    ERASED = "erased"  # the mentee asked for their data to be deleted: never quote it again
    RELEASED = "released"  # the mentor left the roster: the request went to someone else
    TAKEN = "taken"  # an urgent request asked several mentors at once; another one accepted


class Unmatched(StrEnum):
    NO_EXPERT = "no_expert"  # nobody on the roster knows the topic well enough
    NOBODY_AVAILABLE = "nobody_available"  # the experts are paused or fully booked
    ALL_DECLINED = "all_declined"  # the fitting mentors said no or did not answer
    WAITED_TOO_LONG = "waited_too_long"  # on the waiting list for WAITLIST_DAYS, nobody had room
    MENTOR_DECLINED = "mentor_declined"  # `/mentor again`: that mentor could not take it


@dataclass(frozen=True)
class UnmetDemand:
    """Unmet requests of several different people on one topic, for program leads: words that
    at least three of them used, the roster's closest expertise (if any is close), how many
    people, which request ids and why; never a question or a name."""

    terms: tuple[str, ...]
    expertise: tuple[str, ...]
    people: int
    request_ids: tuple[int, ...]
    reasons: dict[Unmatched, int] = field(default_factory=dict)


class Notifier(Protocol):
    """Messages that quote someone's words return where they went (MessageRef), so erasure can
    rewrite them later; None when nothing was posted."""

    def ask_mentor(self, offer: OfferView) -> MessageRef | None:
        """Offer the request to its mentor (question, asker, reasons, Accept/Decline/Not now)."""

    def tell_mentee_received(self, request: RequestView) -> MessageRef | None:
        """Confirm a request sent with the form (a slash command is confirmed in its ack)."""

    def tell_mentee_asked(self, offers: Sequence[OfferView]) -> MessageRef | None:
        """Tell the mentee who was asked (several mentors at once for an urgent request), why
        and until when, with a Cancel button."""

    def tell_mentee_waiting(
        self, request: RequestView, place: int, until: datetime
    ) -> MessageRef | None:
        """Every fitting mentor is busy: the request waits (its place in line, until when)."""

    def tell_mentor_auto_paused(self, mentor_slack_id: str, until: datetime) -> None:
        """Two offers in a row went unanswered: no more until `until` or a click on Resume."""

    def close_offer(self, offer: OfferView, closure: OfferClosure) -> None:
        """Replace the mentor's offer message: its buttons no longer apply."""

    def tell_mentee_unmatched(self, request: RequestView, reason: Unmatched) -> MessageRef | None:
        """Nobody was found; the mentee's question is quoted back to them."""

    def alert_leads_unmet(self, demand: UnmetDemand) -> None:
        """Unmet demand on a topic several people asked about (never their words or names)."""

    def introduce(self, offer: OfferView) -> Sequence[MessageRef]:
        """Introduce mentee and mentor to each other after an accept."""

    def tell_mentor_cancelled(self, offer: OfferView, *, erased: bool = False) -> None:
        """The mentee cancelled a request this mentor had accepted (`erased`: and asked for
        their data to be deleted, so the message names nobody)."""

    def redact(self, message: MessageRef, kind: str) -> None:
        """Rewrite a message the bot posted earlier so it no longer quotes anyone."""


class OfferTimer(Protocol):
    def start(self, offer_id: int, due: datetime) -> None:
        """Expire the offer at `due` unless it is answered first (must survive restarts)."""

    def stop(self, offer_id: int) -> None: ...
