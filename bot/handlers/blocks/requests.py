"""Builders for the mentee: asking (command replies, the intake form), who was asked, status,
cancelling, and "nobody found"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

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
    label,
    local_time,
    mention,
    modal,
    plain,
    quote,
    reasons_line,
    section,
)
from bot.handlers.ids import Action, Callback, Field
from bot.i18n import N_, NATIVE_NAMES, _, ngettext
from bot.mentoring.again import AgainOutcome, AgainResult
from bot.mentoring.ports import OfferView, RequestView, Unmatched
from bot.mentoring.views import RequestSummary


def request_received(question: str) -> str:
    return _(
        "Got it! Looking for the best mentor for: _{question}_",
        question=escape(clip(question, 200)),
    )


def too_many_questions(limit: int) -> str:
    return ngettext(
        "You've asked {count} question in the last hour, the most mentor-bot takes from one"
        " person: please wait a little before asking again. `/mentor status` shows what is"
        " open.",
        "You've asked {count} questions in the last hour, the most mentor-bot takes from one"
        " person: please wait a little before asking again. `/mentor status` shows what is"
        " open.",
        limit,
    )


def again_usage() -> str:
    return _(
        "Ask a mentor you've met before: `/mentor again @name <your question>`, e.g."
        " `/mentor again @Ana how do I present the roadmap to the board?`"
    )


def again_reply(outcome: AgainOutcome) -> Message:
    """The answer to `/mentor again`: asked (the DMs follow), or why not, with who can be named."""
    if outcome.result is AgainResult.ASKED and outcome.mentor is not None:
        return plain(
            _(
                "Got it: I'm asking {mentor} directly, no matching. Details follow in a DM.",
                mentor=mention(outcome.mentor.slack_id),
            )
        )
    if not outcome.past_mentors:
        return plain(
            _(
                "`/mentor again` is for mentors you've met before, and you haven't had a"
                " session yet. Ask with `/mentor <your question>` and I'll find the best fit."
            )
        )
    names = ", ".join(
        f"*{escape(m.name)}*" if m.name else mention(m.slack_id) for m in outcome.past_mentors[:10]
    )
    if outcome.result is AgainResult.NO_QUESTION:
        return plain(_("Add your question after the name.") + "\n" + again_usage())
    return plain(
        _(
            "I couldn't find that name among the mentors you've met: {names}. Try `/mentor"
            " again @name <your question>`.",
            names=names,
        )
    )


def help_message(*, for_lead: bool = False) -> Message:
    text = _(
        "*mentor-bot* finds a colleague who knows, for a quick focused conversation.\n"
        "• `/mentor <your question>` — ask; the best available mentor is asked at once\n"
        "• `/mentor` — the same, with a form (format, context, urgency)\n"
        "• `/mentor status` — your open requests\n"
        "• `/mentor sessions` — your upcoming sessions\n"
        "• `/mentor cancel` — cancel an open request\n"
        "• `/mentor profile` — become a mentor, or edit your mentor profile\n"
        "• `/mentor language pl` — the language I write to you in (en, pl, it, id, es, de, fr)\n"
        "• `/mentor my-data` — a copy of everything stored about you\n"
        "• `/mentor forget-me` — delete everything stored about you\n"
        "• `/mentor help` — this message"
    )
    text += "\n" + _(
        "• `/mentor again @name <your question>` — ask a mentor you've met before, directly"
    )
    if for_lead:
        text += "\n" + _(
            "*For program leads*\n"
            "• `/mentor digest [2026-W47]` — preview the weekly digest\n"
            "• `/mentor demand` — requests that found no mentor (last 4 weeks)\n"
            "• `/mentor reassign <request id> @mentor` — offer a request to a mentor you choose\n"
            "• `/mentor import` — add or update mentors by pasting CSV rows"
        )
        text += "\n" + _(
            "• `/mentor event` — plan a speed-mentoring event (sign-up in a channel, rounds"
            " planned by what people ask)"
        )
    return Message(_("How to use mentor-bot"), [section(text)])


def mentee_asked(offers: Sequence[OfferView]) -> Message:
    """Who was asked: one mentor, or (an urgent request) several at once, and until when."""
    first = offers[0]
    if first.request.direct:  # no matching: nobody else is asked if they can't
        lines = [
            _("I asked {mentor} to help with your question", mentor=mention(first.mentor_slack_id)),
            _("They have until {when} to answer.", when=local_time(first.expires_at)),
        ]
    elif len(offers) == 1:
        lines = [
            _("I asked {mentor} to help with your question", mentor=mention(first.mentor_slack_id)),
            f"_{reasons_line(first.reasons)}_" if first.reasons else "",
            _(
                "They have until {when} to answer; if they can't, I'll ask the next best mentor.",
                when=local_time(first.expires_at),
            ),
        ]
    else:
        lines = [
            _(
                "It's urgent, so I asked {mentors} at the same time: the first to accept will"
                " help you.",
                mentors=", ".join(mention(o.mentor_slack_id) for o in offers),
            ),
            _("They have until {when} to answer.", when=local_time(first.expires_at)),
        ]
    blocks: list[Block] = [
        section("\n".join(line for line in lines if line)),
        section(quote(first.request.question)),
        ActionsBlock(elements=[cancel_button(first.request.request_id)]),
    ]
    return Message(
        _(
            "I asked a mentor to help with your question (request #{request})",
            request=first.request.request_id,
        ),
        blocks,
    )


def mentee_waiting(request: RequestView, place: int, until: datetime) -> Message:
    """Every mentor who knows the topic is busy: the request waits in line."""
    text = _(
        "Everyone who knows this topic is busy right now (fully booked this week, or paused),"
        " so your request is on the waiting list: number {place} in line. I'll offer it as soon"
        " as one of them has room, until {when}.",
        place=place,
        when=local_time(until),
    )
    blocks: list[Block] = [
        section(text),
        section(quote(request.question)),
        ActionsBlock(elements=[cancel_button(request.request_id)]),
        context(_("`/mentor status` shows your place in line.")),
    ]
    return Message(_("Your request is on the waiting list"), blocks)


# Leads hear of unmet demand per topic, never per person: say so rather than "I told them".
LEADS_SEE_DEMAND = N_(
    "Program leads see unmet demand by topic, without your words or your name, so they can"
    " recruit mentors for what people ask about."
)


def mentee_unmatched(request: RequestView, reason: Unmatched) -> Message:
    if reason is Unmatched.NO_EXPERT:
        text = _(
            "Sorry, I couldn't find anyone on the mentor roster who knows this topic well enough."
        )
    elif reason is Unmatched.NOBODY_AVAILABLE:
        text = _(
            "Sorry, no mentor is available for your question right now (everyone who knows the"
            " topic is paused or fully booked this week)."
        )
    elif reason is Unmatched.WAITED_TOO_LONG:
        text = _(
            "Sorry, no mentor who knows this topic had room while your request was on the"
            " waiting list, so I've closed it. You're welcome to ask again."
        )
    elif reason is Unmatched.MENTOR_DECLINED:
        text = _(
            "Sorry, the mentor you asked for couldn't take your question this time. Ask with"
            " `/mentor <your question>` and I'll find the best available mentor."
        )
        return Message(text, [section(text), section(quote(request.question))])
    else:
        text = _("Sorry, the mentors I asked couldn't take your question this time.")
    return Message(
        text,
        [section(text), section(quote(request.question)), context(_(LEADS_SEE_DEMAND))],
    )


def status_message(requests: Sequence[RequestSummary]) -> Message:
    if not requests:
        text = _("You have no open mentoring requests. Ask with `/mentor <your question>`.")
        return Message(text, [section(text)])
    blocks: list[Block] = [section(_("*Your open requests*"))]
    for r in requests[:10]:
        asked = ", ".join(mention(m) for m in r.asked_mentors) or _("nobody yet")
        head = _(
            "#{request} · {status} · asked: {asked}",
            request=r.request_id,
            status=label(STATUS_LABELS, r.status),
            asked=asked,
        )
        blocks.append(section("\n".join([head, *progress_lines(r), quote(r.question, 300)])))
        if r.status in ("open", "offered", "waiting", "matched"):
            blocks.append(ActionsBlock(elements=[cancel_button(r.request_id)]))
    blocks.append(context(_("Booked sessions: `/mentor sessions`.")))
    return Message(
        ngettext("You have {count} open request", "You have {count} open requests", len(requests)),
        blocks,
    )


def progress_lines(request: RequestSummary) -> list[str]:
    """Who is being asked right now and until when, or the place on the waiting list."""
    if request.waiting_place is not None and request.waiting_until is not None:
        return [
            _(
                "Waiting list: number {place} in line, until {when}.",
                place=request.waiting_place,
                when=local_time(request.waiting_until),
            )
        ]
    if request.pending:
        return [
            _(
                "Waiting for an answer from {mentors} until {when}.",
                mentors=", ".join(mention(m) for m, _due in request.pending),
                when=local_time(min(due for _m, due in request.pending)),
            )
        ]
    return []


def cancel_choice(requests: Sequence[RequestSummary]) -> Message:
    which = _("Which request do you want to cancel?")
    blocks: list[Block] = [section(which)]
    for r in requests[:10]:
        blocks.append(section(f"#{r.request_id} · {quote(r.question, 200)}"))
        blocks.append(ActionsBlock(elements=[cancel_button(r.request_id)]))
    return Message(which, blocks)


def cancel_button(request_id: int) -> ButtonElement:
    return confirmed_button(
        _("Cancel request"),
        Action.CANCEL_REQUEST,
        id_value(request_id),
        ask=(_("Cancel this request?"), _("The mentor will be told it's no longer needed.")),
        answers=(_("Cancel it"), _("Keep it")),
    )


def intake_modal(initial_question: str = "") -> View:
    formats = [Option(value=value, text=_(text)) for value, text in FORMAT_LABELS.items()]
    urgencies = [Option(value=value, text=_(text)) for value, text in URGENCY_LABELS.items()]
    return modal(
        Callback.INTAKE,
        _("Ask for mentoring"),
        _("Find a mentor"),
        [
            InputBlock(
                block_id=Field.QUESTION.value,
                label=_("What do you need help with?"),
                element=PlainTextInputElement(
                    action_id=Field.QUESTION.value,
                    multiline=True,
                    max_length=3000,
                    initial_value=initial_question or None,
                    placeholder=_("e.g. How do I run a blameless postmortem?"),
                ),
            ),
            InputBlock(
                block_id=Field.FORMAT.value,
                label=_("Format"),
                element=StaticSelectElement(
                    action_id=Field.FORMAT.value, options=formats, initial_option=formats[0]
                ),
            ),
            InputBlock(
                block_id=Field.GOAL.value,
                label=_("What would success look like? (optional)"),
                hint=_("Your mentor sees it with your question."),
                optional=True,
                element=PlainTextInputElement(
                    action_id=Field.GOAL.value, multiline=True, max_length=500
                ),
            ),
            InputBlock(
                block_id=Field.CONTEXT.value,
                label=_("Context (optional)"),
                optional=True,
                element=PlainTextInputElement(
                    action_id=Field.CONTEXT.value, multiline=True, max_length=1500
                ),
            ),
            InputBlock(
                block_id=Field.URGENCY.value,
                label=_("Urgency"),
                hint=_(
                    "Today: up to 3 fitting mentors get your question at once, and the first"
                    " to accept helps you."
                ),
                optional=True,
                element=StaticSelectElement(action_id=Field.URGENCY.value, options=urgencies),
            ),
            InputBlock(
                block_id=Field.MENTORING_LANGUAGE.value,
                label=_("Language for the conversation"),
                hint=_("Mentors who speak it come first; empty: the language of your question."),
                optional=True,
                element=StaticSelectElement(
                    action_id=Field.MENTORING_LANGUAGE.value,
                    options=[Option(value=code, text=name) for code, name in NATIVE_NAMES.items()],
                ),
            ),
        ],
    )


def language_status(language: str, *, chosen: bool) -> Message:
    """What `/mentor language` alone answers: the language in use, and how to change it."""
    name = NATIVE_NAMES.get(language, language)
    how = (
        _("You chose it with `/mentor language`.")
        if chosen
        else _("It follows your Slack language.")
    )
    text = (
        _("I write to you in *{language}*.", language=name)
        + " "
        + how
        + "\n"
        + _(
            "Change it with `/mentor language <language>`: {choices}; `/mentor language auto`"
            " follows your Slack language again.",
            choices=", ".join(f"`{code}` ({native})" for code, native in NATIVE_NAMES.items()),
        )
    )
    return plain(text)


def language_unknown(asked: str) -> Message:
    return plain(
        _(
            "I can't write in “{language}” yet. I speak: {choices}.",
            language=escape(clip(asked, 20)),
            choices=", ".join(f"`{code}` ({native})" for code, native in NATIVE_NAMES.items()),
        )
    )


def language_set(language: str, *, chosen: bool) -> Message:
    name = NATIVE_NAMES.get(language, language)
    if chosen:
        return plain(_("From now on I write to you in *{language}*.", language=name))
    return plain(
        _(
            "I follow your Slack language again: for now that is *{language}*.",
            language=name,
        )
    )
