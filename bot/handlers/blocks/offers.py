"""Builders for the mentor's side of a request: the offer and its buttons, the offer once
closed, the introduction after an accept, a cancelled accepted request."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
)

from bot.handlers.blocks.common import (
    FORMAT_LABELS,
    REDACTED,
    URGENCY_LABELS,
    Message,
    context,
    escape,
    id_value,
    local_time,
    mention,
    quote,
    reasons_line,
    redacted,
    section,
)
from bot.handlers.ids import Action
from bot.mentoring.ports import OfferClosure, OfferView
from bot.storage.models import (
    MessageKind,
)


def introduction(offer: OfferView, *, for_mentor: bool) -> Message:
    mentee, mentor = mention(offer.request.mentee_slack_id), mention(offer.mentor_slack_id)
    if for_mentor:
        text = f"Thanks for accepting! You'll be helping {mentee} with:"
    else:
        text = f"Good news: {mentor} accepted your request and will help you with:"
    booking = (
        f"Next: I'm sending {mention(offer.request.mentee_slack_id)} a few times that suit you "
        f"both for a {FORMAT_LABELS.get(offer.request.format, offer.request.format).lower()}"
        " session."
    )
    return Message(
        "You've been matched for a mentoring session",
        [section(text), section(quote(offer.request.question)), context(booking)],
    )


def mentor_cancelled(offer: OfferView, *, erased: bool = False) -> Message:
    who = "The mentee" if erased else mention(offer.request.mentee_slack_id)
    text = (
        f"{who} cancelled request #{offer.request.request_id} that you had accepted. No session"
        " is needed. Thank you for offering your time!"
    )
    return Message("A request you accepted was cancelled", [section(text)])


def offer_message(offer: OfferView) -> Message:
    request = offer.request
    head = (
        f"{mention(request.mentee_slack_id)} would like your help "
        f"({FORMAT_LABELS.get(request.format, request.format)}):"
    )
    why = f"You were chosen because you know this well — _{reasons_line(offer.reasons)}_."
    blocks: list[Block] = [section(head), section(quote(request.question))]
    if request.context:
        blocks.append(section("*Context*\n" + quote(request.context, 1500)))
    details = [why, f"Please answer by {local_time(offer.expires_at)}."]
    if request.urgency:
        details.insert(
            0, f"Urgency: {URGENCY_LABELS.get(request.urgency, escape(request.urgency))}."
        )
    blocks.append(context(" ".join(details)))
    blocks.append(
        ActionsBlock(
            block_id=f"offer:{offer.offer_id}",
            elements=answer_buttons(offer.offer_id, with_pause=True),
        )
    )
    return Message("Someone would like your help with a question", blocks)


def answer_buttons(offer_id: int, *, with_pause: bool) -> list[ButtonElement]:
    value = id_value(offer_id)
    buttons = [
        ButtonElement(text="Accept", action_id=Action.ACCEPT.value, value=value, style="primary"),
        ButtonElement(text="Decline", action_id=Action.DECLINE.value, value=value),
    ]
    if with_pause:
        buttons.append(
            ButtonElement(
                text="Not now (pause me a week)", action_id=Action.PAUSE.value, value=value
            )
        )
    return buttons


CLOSED_TEXT = {
    OfferClosure.ACCEPTED: "✅ You accepted this request. I've introduced you to each other.",
    OfferClosure.DECLINED: "You declined this request. Thanks for answering quickly!",
    OfferClosure.PAUSED: "You're paused for a week: no new requests until then. See you soon!",
    OfferClosure.EXPIRED: "This request expired before you could answer; it went elsewhere.",
    OfferClosure.WITHDRAWN: "The mentee cancelled this request. Nothing more to do.",
    OfferClosure.REASSIGNED: "A program lead passed this request to another mentor. Nothing"
    " more to do.",
    OfferClosure.ERASED: REDACTED[MessageKind.OFFER.value],
    OfferClosure.RELEASED: "You're no longer on the mentor roster, so this request went to"
    " another mentor. Nothing more to do.",
}


def offer_closed(offer: OfferView, closure: OfferClosure) -> Message:
    if closure is OfferClosure.ERASED:  # never quote, nor name, someone being erased
        return redacted(MessageKind.OFFER.value)
    blocks: list[Block] = [
        section(f"Request from {mention(offer.request.mentee_slack_id)}:"),
        section(quote(offer.request.question)),
        context(CLOSED_TEXT[closure]),
    ]
    return Message(CLOSED_TEXT[closure], blocks)


NO_LONGER_OPEN = "This request is no longer open: it was answered, cancelled, or it expired."


NOT_YOURS = "This request was offered to someone else, so only they can answer it."
