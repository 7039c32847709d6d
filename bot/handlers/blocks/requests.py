"""Builders for the mentee: asking (command replies, the intake form), who was asked, status,
cancelling, and "nobody found"."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.handlers.blocks.common import (
    FORMAT_LABELS,
    STATUS_LABELS,
    URGENCY_LABELS,
    Message,
    clip,
    confirmed_button,
    context,
    escape,
    id_value,
    local_time,
    mention,
    modal,
    quote,
    reasons_line,
    section,
)
from bot.handlers.ids import Action, Callback, Field
from bot.mentoring.ports import OfferView, RequestView, Unmatched
from bot.mentoring.views import RequestSummary


def request_received(question: str) -> str:
    return f"Got it! Looking for the best mentor for: _{escape(clip(question, 200))}_"


def too_many_questions(limit: int) -> str:
    return (
        f"You've asked {limit} questions in the last hour, the most mentor-bot takes from one"
        " person: please wait a little before asking again. `/mentor status` shows what is"
        " open."
    )


def help_message(*, for_lead: bool = False) -> Message:
    text = (
        "*mentor-bot* finds a colleague who knows, for a quick focused conversation.\n"
        "• `/mentor <your question>` — ask; the best available mentor is asked at once\n"
        "• `/mentor` — the same, with a form (format, context, urgency)\n"
        "• `/mentor status` — your open requests\n"
        "• `/mentor sessions` — your upcoming sessions\n"
        "• `/mentor cancel` — cancel an open request\n"
        "• `/mentor profile` — become a mentor, or edit your mentor profile\n"
        "• `/mentor my-data` — a copy of everything stored about you\n"
        "• `/mentor forget-me` — delete everything stored about you\n"
        "• `/mentor help` — this message"
    )
    if for_lead:
        text += (
            "\n*For program leads*\n"
            "• `/mentor digest [2026-W47]` — preview the weekly digest\n"
            "• `/mentor demand` — requests that found no mentor (last 4 weeks)\n"
            "• `/mentor reassign <request id> @mentor` — offer a request to a mentor you choose\n"
            "• `/mentor import` — add or update mentors by pasting CSV rows"
        )
    return Message("How to use mentor-bot", [section(text)])


def mentee_asked(offer: OfferView) -> Message:
    who = mention(offer.mentor_slack_id)
    lines = [
        f"I asked {who} to help with your question",
        f"_{reasons_line(offer.reasons)}_" if offer.reasons else "",
        f"They have until {local_time(offer.expires_at)} to answer; if they can't, I'll ask the"
        " next best mentor.",
    ]
    blocks: list[Block] = [
        section("\n".join(line for line in lines if line)),
        section(quote(offer.request.question)),
        ActionsBlock(elements=[cancel_button(offer.request.request_id)]),
    ]
    return Message(
        f"I asked a mentor to help with your question (request #{offer.request.request_id})", blocks
    )


# Leads hear of unmet demand per topic, never per person: say so rather than "I told them".
LEADS_SEE_DEMAND = (
    "Program leads see unmet demand by topic, without your words or your name, so they can"
    " recruit mentors for what people ask about."
)


def mentee_unmatched(request: RequestView, reason: Unmatched) -> Message:
    if reason is Unmatched.NO_EXPERT:
        text = (
            "Sorry, I couldn't find anyone on the mentor roster who knows this topic well enough."
        )
    elif reason is Unmatched.NOBODY_AVAILABLE:
        text = (
            "Sorry, no mentor is available for your question right now (everyone who knows the"
            " topic is paused or fully booked this week)."
        )
    else:
        text = "Sorry, the mentors I asked couldn't take your question this time."
    return Message(
        text,
        [section(text), section(quote(request.question)), context(LEADS_SEE_DEMAND)],
    )


def status_message(requests: Sequence[RequestSummary]) -> Message:
    if not requests:
        text = "You have no open mentoring requests. Ask with `/mentor <your question>`."
        return Message(text, [section(text)])
    blocks: list[Block] = [section("*Your open requests*")]
    for r in requests[:10]:
        asked = ", ".join(mention(m) for m in r.asked_mentors) or "nobody yet"
        blocks.append(
            section(
                f"#{r.request_id} · {STATUS_LABELS.get(r.status, r.status)} · asked: {asked}\n"
                + quote(r.question, 300)
            )
        )
        if r.status in ("open", "offered", "matched"):
            blocks.append(ActionsBlock(elements=[cancel_button(r.request_id)]))
    blocks.append(context("Booked sessions: `/mentor sessions`."))
    return Message(f"You have {len(requests)} open request(s)", blocks)


def cancel_choice(requests: Sequence[RequestSummary]) -> Message:
    blocks: list[Block] = [section("Which request do you want to cancel?")]
    for r in requests[:10]:
        blocks.append(section(f"#{r.request_id} · {quote(r.question, 200)}"))
        blocks.append(ActionsBlock(elements=[cancel_button(r.request_id)]))
    return Message("Which request do you want to cancel?", blocks)


def cancel_button(request_id: int) -> ButtonElement:
    return confirmed_button(
        "Cancel request",
        Action.CANCEL_REQUEST,
        id_value(request_id),
        ask=("Cancel this request?", "The mentor will be told it's no longer needed."),
        answers=("Cancel it", "Keep it"),
    )


def intake_modal(initial_question: str = "") -> View:
    formats = [Option(value=value, text=label) for value, label in FORMAT_LABELS.items()]
    urgencies = [Option(value=value, text=label) for value, label in URGENCY_LABELS.items()]
    return modal(
        Callback.INTAKE,
        "Ask for mentoring",
        "Find a mentor",
        [
            InputBlock(
                block_id=Field.QUESTION.value,
                label="What do you need help with?",
                element=PlainTextInputElement(
                    action_id=Field.QUESTION.value,
                    multiline=True,
                    max_length=3000,
                    initial_value=initial_question or None,
                    placeholder="e.g. How do I run a blameless postmortem?",
                ),
            ),
            InputBlock(
                block_id=Field.FORMAT.value,
                label="Format",
                element=StaticSelectElement(
                    action_id=Field.FORMAT.value, options=formats, initial_option=formats[0]
                ),
            ),
            InputBlock(
                block_id=Field.CONTEXT.value,
                label="Context (optional)",
                optional=True,
                element=PlainTextInputElement(
                    action_id=Field.CONTEXT.value, multiline=True, max_length=1500
                ),
            ),
            InputBlock(
                block_id=Field.URGENCY.value,
                label="Urgency",
                optional=True,
                element=StaticSelectElement(action_id=Field.URGENCY.value, options=urgencies),
            ),
        ],
    )
