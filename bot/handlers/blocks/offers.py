"""Builders for the mentor's side of a request: the offer and its buttons, the offer once
closed, the introduction after an accept, a cancelled accepted request."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
)

from bot.handlers.blocks.common import (
    FORMAT_LABELS,
    FORMAT_NAMES,
    REDACTED,
    URGENCY_LABELS,
    Message,
    context,
    id_value,
    label,
    local_time,
    mention,
    quote,
    reasons_line,
    redacted,
    section,
)
from bot.handlers.ids import Action
from bot.i18n import N_, NATIVE_NAMES, _, active_language, ngettext
from bot.mentoring.ports import OfferClosure, OfferView
from bot.storage.models import (
    MessageKind,
)


def introduction(offer: OfferView, *, for_mentor: bool) -> Message:
    mentee, mentor = mention(offer.request.mentee_slack_id), mention(offer.mentor_slack_id)
    if for_mentor:
        text = _("Thanks for accepting! You'll be helping {mentee} with:", mentee=mentee)
    else:
        text = _("Good news: {mentor} accepted your request and will help you with:", mentor=mentor)
    booking = _(
        "Next: I'm sending {mentee} a few times that suit you both for a {format} session.",
        mentee=mentee,
        format=label(FORMAT_NAMES, offer.request.format),
    )
    return Message(
        _("You've been matched for a mentoring session"),
        [section(text), section(quote(offer.request.question)), context(booking)],
    )


def mentor_cancelled(offer: OfferView, *, erased: bool = False) -> Message:
    if erased:
        text = _(
            "The mentee cancelled request #{request} that you had accepted. No session is"
            " needed. Thank you for offering your time!",
            request=offer.request.request_id,
        )
    else:
        text = _(
            "{mentee} cancelled request #{request} that you had accepted. No session is"
            " needed. Thank you for offering your time!",
            mentee=mention(offer.request.mentee_slack_id),
            request=offer.request.request_id,
        )
    return Message(_("A request you accepted was cancelled"), [section(text)])


def offer_message(offer: OfferView) -> Message:
    request = offer.request
    head = _(
        "{mentee} would like your help ({format}):",
        mentee=mention(request.mentee_slack_id),
        format=label(FORMAT_LABELS, request.format),
    )
    why = (
        # Asked for by name: the reason is that, not a match on their expertise.
        " ".join(_(reason) + "." for reason in offer.reasons)
        if request.direct
        else _(
            "You were chosen because you know this well — _{reasons}_.",
            reasons=reasons_line(offer.reasons),
        )
    )
    blocks: list[Block] = [section(head), section(quote(request.question))]
    if request.goal:
        blocks.append(section(_("*Success would look like*") + "\n" + quote(request.goal, 500)))
    if request.context:
        blocks.append(section(_("*Context*") + "\n" + quote(request.context, 1500)))
    details = [why, _("Please answer by {when}.", when=local_time(offer.expires_at))]
    if request.language and request.language != active_language():
        # Said in the mentor's language: they may not read the question's at all.
        details.insert(
            0,
            _(
                "The mentee would like to talk in {language}.",
                language=NATIVE_NAMES.get(request.language, request.language),
            ),
        )
    if request.urgency:
        details.insert(0, _("Urgency: {urgency}.", urgency=label(URGENCY_LABELS, request.urgency)))
    if offer.others_asked:
        details.append(
            ngettext(
                "It's urgent, so {count} other mentor was asked at the same time: the first to"
                " accept takes it.",
                "It's urgent, so {count} other mentors were asked at the same time: the first to"
                " accept takes it.",
                offer.others_asked,
            )
        )
    blocks.append(context(" ".join(details)))
    blocks.append(
        ActionsBlock(
            block_id=f"offer:{offer.offer_id}",
            elements=answer_buttons(offer.offer_id, with_pause=True),
        )
    )
    return Message(_("Someone would like your help with a question"), blocks)


def mentor_auto_paused(until: datetime) -> Message:
    """Two offers in a row went unanswered: paused, with a one-click way back."""
    text = _(
        "The last two requests I sent you expired without an answer, so I've paused new"
        " requests to you until {when}: mentees get an answer faster from someone who is"
        " around. Back already? One click and you'll get requests again.",
        when=local_time(until),
    )
    button = ButtonElement(
        text=_("Resume requests"), action_id=Action.RESUME_OFFERS.value, style="primary"
    )
    return Message(
        _("I've paused requests to you for now"),
        [section(text), ActionsBlock(elements=[button])],
    )


def resumed(*, was_paused: bool) -> str:
    if was_paused:
        return _("Welcome back! You'll get mentoring requests again.")
    return _("You're not paused: mentoring requests already reach you.")


def answer_buttons(offer_id: int, *, with_pause: bool) -> list[ButtonElement]:
    value = id_value(offer_id)
    buttons = [
        ButtonElement(
            text=_("Accept"), action_id=Action.ACCEPT.value, value=value, style="primary"
        ),
        ButtonElement(text=_("Decline"), action_id=Action.DECLINE.value, value=value),
        ButtonElement(text=_("Not my topic"), action_id=Action.NOT_MY_TOPIC.value, value=value),
    ]
    if with_pause:
        buttons.append(
            ButtonElement(
                text=_("Not now (pause me a week)"), action_id=Action.PAUSE.value, value=value
            )
        )
    return buttons


CLOSED_TEXT = {
    OfferClosure.ACCEPTED: N_("✅ You accepted this request. I've introduced you to each other."),
    OfferClosure.DECLINED: N_("You declined this request. Thanks for answering quickly!"),
    OfferClosure.NOT_MY_TOPIC: N_(
        "You declined this request as not your topic. Thanks: I'll send you fewer questions "
        "like this one."
    ),
    OfferClosure.PAUSED: N_("You're paused for a week: no new requests until then. See you soon!"),
    OfferClosure.EXPIRED: N_("This request expired before you could answer; it went elsewhere."),
    OfferClosure.WITHDRAWN: N_("The mentee cancelled this request. Nothing more to do."),
    OfferClosure.REASSIGNED: N_(
        "A program lead passed this request to another mentor. Nothing more to do."
    ),
    OfferClosure.ERASED: REDACTED[MessageKind.OFFER.value],
    OfferClosure.TAKEN: N_(
        "Another mentor accepted this urgent request first. Thank you for looking at it!"
    ),
    OfferClosure.RELEASED: N_(
        "You're no longer on the mentor roster, so this request went to another mentor."
        " Nothing more to do."
    ),
}


def offer_closed(offer: OfferView, closure: OfferClosure) -> Message:
    if closure is OfferClosure.ERASED:  # never quote, nor name, someone being erased
        return redacted(MessageKind.OFFER.value)
    closed = _(CLOSED_TEXT[closure])
    blocks: list[Block] = [
        section(_("Request from {mentee}:", mentee=mention(offer.request.mentee_slack_id))),
        section(quote(offer.request.question)),
        context(closed),
    ]
    return Message(closed, blocks)


NO_LONGER_OPEN = N_("This request is no longer open: it was answered, cancelled, or it expired.")


NOT_YOURS = N_("This request was offered to someone else, so only they can answer it.")
