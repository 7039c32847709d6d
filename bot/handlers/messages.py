"""Pure Block Kit builders (slack_sdk.models): data in, blocks out; no I/O, no Slack calls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DatePickerElement,
    DateTimePickerElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.booking.ports import SessionView
from bot.booking.slots import Slot
from bot.handlers.ids import Action, Callback, Field
from bot.mentoring.ports import OfferClosure, OfferView, RequestView, Unmatched, UnmetDemand
from bot.mentoring.profiles import MentorView
from bot.mentoring.service import RequestSummary
from bot.storage.models import (
    MAX_EXPERTISE_CHARS,
    Attendance,
    MentorApproval,
    MentoringFormat,
    MessageKind,
)

SECTION_LIMIT = 3000
FORMAT_LABELS = {
    MentoringFormat.FLASH.value: "Flash — one focused hour",
    MentoringFormat.MICRO.value: "Micro — one or two sessions on one need",
    MentoringFormat.SPEED.value: "Speed — 15 minutes",
}
STATUS_LABELS = {
    "open": "looking for a mentor",
    "offered": "waiting for a mentor's answer",
    "matched": "matched",
    "unmatched": "no mentor found",
    "cancelled": "cancelled",
    "completed": "completed",
}
URGENCY_LABELS = {"today": "Today", "this_week": "This week", "whenever": "No rush"}


@dataclass(frozen=True)
class Message:
    text: str  # notification / screen-reader fallback
    blocks: list[Block]

    def as_kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": [b.to_dict() for b in self.blocks]}


def escape(text: str) -> str:
    """Slack mrkdwn escaping: user text can then never ping <!channel> or forge links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote(text: str, limit: int = SECTION_LIMIT - 200) -> str:
    """User text as an escaped mrkdwn quote that fits in a section."""
    return "\n".join("> " + line for line in escape(clip(text, limit)).splitlines() or [""])


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def reasons_line(reasons: Sequence[str]) -> str:
    return "matched on: " + ", ".join(escape(r) for r in reasons) if reasons else ""


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_LIMIT)))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(text, SECTION_LIMIT))])


# -- mentee -------------------------------------------------------------------------------


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
    return Message("How to use mentor-bot", [_section(text)])


def mentee_asked(offer: OfferView) -> Message:
    who = mention(offer.mentor_slack_id)
    lines = [
        f"I asked {who} to help with your question",
        f"_{reasons_line(offer.reasons)}_" if offer.reasons else "",
        f"They have until {_when(offer.expires_at)} to answer; if they can't, I'll ask the next"
        " best mentor.",
    ]
    blocks: list[Block] = [
        _section("\n".join(line for line in lines if line)),
        _section(quote(offer.request.question)),
        ActionsBlock(elements=[_cancel_button(offer.request.request_id)]),
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
        [_section(text), _section(quote(request.question)), _context(LEADS_SEE_DEMAND)],
    )


UNMET_WHY = {
    Unmatched.NO_EXPERT: "nobody on the roster covers it well",
    Unmatched.NOBODY_AVAILABLE: "the mentors who know it were paused or fully booked",
    Unmatched.ALL_DECLINED: "the mentors who fit could not take it",
}


def leads_unmet(demand: UnmetDemand) -> Message:
    # Privacy: words at least three of the askers used, the roster's own expertise phrases and
    # counts; never a question or an asker.
    about = ", ".join(escape(t) for t in demand.terms)
    topic = f"questions about *{about}*" if about else "questions on one topic"
    closest = (
        "the roster's closest expertise: " + ", ".join(escape(p) for p in demand.expertise)
        if demand.expertise
        else "nobody on the roster is close to it"
    )
    why = "; ".join(
        f"{count}: {UNMET_WHY[reason]}"
        for reason, count in sorted(demand.reasons.items(), key=lambda item: -item[1])
    )
    ids = ", ".join(f"#{i}" for i in demand.request_ids[:20])
    text = (
        f"*Unmet demand:* {demand.people} different people in the last 4 weeks found no mentor"
        f" for {topic} ({closest}; {why}). Requests {ids}. Consider recruiting a mentor for"
        " it, or hand a request to someone with `/mentor reassign <request id> @mentor`."
    )
    return Message("Unmet mentoring demand", [_section(text)])


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
        [_section(text), _section(quote(offer.request.question)), _context(booking)],
    )


def mentor_cancelled(offer: OfferView, *, erased: bool = False) -> Message:
    who = "The mentee" if erased else mention(offer.request.mentee_slack_id)
    text = (
        f"{who} cancelled request #{offer.request.request_id} that you had accepted. No session"
        " is needed. Thank you for offering your time!"
    )
    return Message("A request you accepted was cancelled", [_section(text)])


REDACTED = {
    MessageKind.OFFER.value: (
        "This request was withdrawn, and its text deleted at the asker's request. Nothing more"
        " to do."
    ),
    MessageKind.APPROVAL.value: (
        "This mentor profile was deleted at its owner's request. Nothing more to do."
    ),
}
REDACTED_DEFAULT = (
    "This message was removed: someone asked mentor-bot to delete their data, and it quoted it."
)


def redacted(kind: str) -> Message:
    """What replaces a message that quoted someone who asked for their data to be deleted."""
    return plain("🗑️ " + REDACTED.get(kind, REDACTED_DEFAULT))


def status_message(requests: Sequence[RequestSummary]) -> Message:
    if not requests:
        text = "You have no open mentoring requests. Ask with `/mentor <your question>`."
        return Message(text, [_section(text)])
    blocks: list[Block] = [_section("*Your open requests*")]
    for r in requests[:10]:
        asked = ", ".join(mention(m) for m in r.asked_mentors) or "nobody yet"
        blocks.append(
            _section(
                f"#{r.request_id} · {STATUS_LABELS.get(r.status, r.status)} · asked: {asked}\n"
                + quote(r.question, 300)
            )
        )
        if r.status in ("open", "offered", "matched"):
            blocks.append(ActionsBlock(elements=[_cancel_button(r.request_id)]))
    blocks.append(_context("Booked sessions: `/mentor sessions`."))
    return Message(f"You have {len(requests)} open request(s)", blocks)


def cancel_choice(requests: Sequence[RequestSummary]) -> Message:
    blocks: list[Block] = [_section("Which request do you want to cancel?")]
    for r in requests[:10]:
        blocks.append(_section(f"#{r.request_id} · {quote(r.question, 200)}"))
        blocks.append(ActionsBlock(elements=[_cancel_button(r.request_id)]))
    return Message("Which request do you want to cancel?", blocks)


def plain(text: str) -> Message:
    return Message(text, [_section(text)])


def _cancel_button(request_id: int) -> ButtonElement:
    return ButtonElement(
        text="Cancel request",
        action_id=Action.CANCEL_REQUEST.value,
        value=str(request_id),
        style="danger",
        confirm=ConfirmObject(
            title="Cancel this request?",
            text="The mentor will be told it's no longer needed.",
            confirm="Cancel it",
            deny="Keep it",
        ),
    )


# -- mentor -------------------------------------------------------------------------------


def offer_message(offer: OfferView) -> Message:
    request = offer.request
    head = (
        f"{mention(request.mentee_slack_id)} would like your help "
        f"({FORMAT_LABELS.get(request.format, request.format)}):"
    )
    why = f"You were chosen because you know this well — _{reasons_line(offer.reasons)}_."
    blocks: list[Block] = [_section(head), _section(quote(request.question))]
    if request.context:
        blocks.append(_section("*Context*\n" + quote(request.context, 1500)))
    details = [why, f"Please answer by {_when(offer.expires_at)}."]
    if request.urgency:
        details.insert(
            0, f"Urgency: {URGENCY_LABELS.get(request.urgency, escape(request.urgency))}."
        )
    blocks.append(_context(" ".join(details)))
    blocks.append(
        ActionsBlock(
            block_id=f"offer:{offer.offer_id}",
            elements=answer_buttons(offer.offer_id, with_pause=True),
        )
    )
    return Message("Someone would like your help with a question", blocks)


def answer_buttons(offer_id: int, *, with_pause: bool) -> list[ButtonElement]:
    value = str(offer_id)
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
        _section(f"Request from {mention(offer.request.mentee_slack_id)}:"),
        _section(quote(offer.request.question)),
        _context(CLOSED_TEXT[closure]),
    ]
    return Message(CLOSED_TEXT[closure], blocks)


NO_LONGER_OPEN = "This request is no longer open: it was answered, cancelled, or it expired."
NOT_YOURS = "This request was offered to someone else, so only they can answer it."


# -- modals -------------------------------------------------------------------------------


def intake_modal(initial_question: str = "") -> View:
    formats = [Option(value=value, text=label) for value, label in FORMAT_LABELS.items()]
    urgencies = [Option(value=value, text=label) for value, label in URGENCY_LABELS.items()]
    return View(
        type="modal",
        callback_id=Callback.INTAKE.value,
        title="Ask for mentoring",
        submit="Find a mentor",
        close="Cancel",
        blocks=[
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


@dataclass(frozen=True)
class ProfileDefaults:
    expertise: str = ""
    skills: str = ""
    languages: str = ""
    capacity: int = 2
    timezone: str = "UTC"
    paused_until: str | None = None  # YYYY-MM-DD
    available_from: str | None = None  # HH:MM
    available_until: str | None = None

    @classmethod
    def of(cls, mentor: MentorView | None, timezone: str) -> ProfileDefaults:
        if mentor is None:
            return cls(timezone=timezone)
        return cls(
            mentor.expertise,
            ", ".join(mentor.skills),
            ", ".join(mentor.languages),
            mentor.weekly_capacity,
            mentor.timezone or timezone,
            mentor.paused_until.date().isoformat() if mentor.paused_until else None,
            mentor.available_from,
            mentor.available_until,
        )


def profile_modal(defaults: ProfileDefaults, *, is_mentor: bool) -> View:
    return View(
        type="modal",
        callback_id=Callback.PROFILE.value,
        title="Mentor profile",
        submit="Save",
        close="Cancel",
        blocks=[
            _section(
                "Edit your mentor profile."
                if is_mentor
                else "Become a mentor: tell colleagues what you can help with. Reverse mentors"
                " welcome — juniors often know what seniors don't."
            ),
            InputBlock(
                block_id=Field.EXPERTISE.value,
                label="What can you help with?",
                hint="Short phrases separated by commas: incident postmortems, on-call rotations",
                element=PlainTextInputElement(
                    action_id=Field.EXPERTISE.value,
                    multiline=True,
                    max_length=MAX_EXPERTISE_CHARS,
                    initial_value=defaults.expertise or None,
                ),
            ),
            InputBlock(
                block_id=Field.SKILLS.value,
                label="Skills and tools",
                optional=True,
                element=PlainTextInputElement(
                    action_id=Field.SKILLS.value, initial_value=defaults.skills or None
                ),
            ),
            InputBlock(
                block_id=Field.LANGUAGES.value,
                label="Languages you mentor in",
                optional=True,
                element=PlainTextInputElement(
                    action_id=Field.LANGUAGES.value,
                    initial_value=defaults.languages or None,
                    placeholder="en, fr",
                ),
            ),
            InputBlock(
                block_id=Field.CAPACITY.value,
                label="Sessions per week",
                element=NumberInputElement(
                    action_id=Field.CAPACITY.value,
                    is_decimal_allowed=False,
                    min_value="0",
                    max_value="40",
                    initial_value=str(defaults.capacity),
                ),
            ),
            InputBlock(
                block_id=Field.TIMEZONE.value,
                label="Time zone",
                element=PlainTextInputElement(
                    action_id=Field.TIMEZONE.value, initial_value=defaults.timezone
                ),
            ),
            _time_input(Field.AVAILABLE_FROM, "from", "09:00", defaults.available_from),
            _time_input(Field.AVAILABLE_UNTIL, "until", "17:30", defaults.available_until),
            InputBlock(
                block_id=Field.PAUSED_UNTIL.value,
                label="Pause until",
                optional=True,
                element=DatePickerElement(
                    action_id=Field.PAUSED_UNTIL.value, initial_date=defaults.paused_until
                ),
            ),
        ],
    )


def _time_input(field: Field, word: str, default: str, initial: str | None) -> InputBlock:
    return InputBlock(
        block_id=field.value,
        label=f"Available for sessions {word}",
        optional=True,
        hint=f"Your local time; leave empty for {default}",
        element=TimePickerElement(action_id=field.value, initial_time=initial),
    )


# -- App Home -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeData:
    user_id: str
    requests: Sequence[RequestSummary]
    mentor: MentorView | None = None
    load_this_week: int = 0
    pending_offers: Sequence[OfferView] = ()
    lead_numbers: dict[str, int] | None = None
    sessions: Sequence[SessionView] = ()


def home_view(data: HomeData) -> View:
    blocks: list[Block] = [
        HeaderBlock(text="Mentoring, when you need it"),
        _section("Ask a question and I'll find the colleague who knows best."),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Ask for mentoring", action_id=Action.ASK.value, style="primary"
                ),
                ButtonElement(
                    text="Edit mentor profile" if data.mentor else "Become a mentor",
                    action_id=Action.EDIT_PROFILE.value,
                ),
            ]
        ),
        DividerBlock(),
        _section("*Your requests*"),
    ]
    if data.requests:
        for r in data.requests[:5]:
            blocks.append(
                _context(
                    f"#{r.request_id} · {STATUS_LABELS.get(r.status, r.status)} · "
                    f"{escape(clip(r.question, 120))}"
                )
            )
    else:
        blocks.append(_context("No requests yet."))
    if data.sessions:
        blocks += [DividerBlock(), *sessions_message(data.sessions, data.user_id).blocks]
    if data.mentor is not None:
        blocks += _mentor_home(data)
    if data.lead_numbers is not None:
        blocks += _lead_home(data.lead_numbers)
    return View(type="home", blocks=blocks[:100])


APPROVAL_NOTE = {
    MentorApproval.PENDING.value: " · waiting for a program lead's approval",
    MentorApproval.REJECTED.value: " · not on the roster (a program lead's decision)",
}


def _mentor_home(data: HomeData) -> list[Block]:
    mentor = data.mentor
    assert mentor is not None
    paused = (
        f" · paused until {mentor.paused_until.date().isoformat()}"
        if mentor.paused_until and mentor.paused_until > datetime.now(mentor.paused_until.tzinfo)
        else ""
    )
    blocks: list[Block] = [
        DividerBlock(),
        _section(
            f"*Your mentor profile*{paused}{APPROVAL_NOTE.get(mentor.approval, '')}\n"
            f"{escape(clip(mentor.expertise, 1000))}\n"
            f"Capacity this week: {data.load_this_week} of {mentor.weekly_capacity} used"
        ),
        _section("*Requests waiting for your answer*"),
    ]
    if not data.pending_offers:
        blocks.append(_context("None right now."))
    for offer in data.pending_offers[:10]:
        blocks.append(
            _section(
                f"From {mention(offer.request.mentee_slack_id)}:\n"
                + quote(offer.request.question, 500)
            )
        )
        blocks.append(ActionsBlock(elements=answer_buttons(offer.offer_id, with_pause=False)))
    return blocks


def _lead_home(numbers: dict[str, int]) -> list[Block]:
    lines = [
        f"{label}: *{numbers.get(key, 0)}*"
        for key, label in (
            ("requests", "Requests"),
            ("matched", "Matched"),
            ("unmatched", "Unmatched"),
            ("waiting", "Waiting for an answer"),
            ("active_mentors", "Active mentors"),
        )
    ]
    return [DividerBlock(), _section("*This week (program lead view)*\n" + "\n".join(lines))]


def _when(moment: datetime) -> str:
    """A time every viewer sees in their own time zone (Slack date formatting)."""
    epoch = int(moment.timestamp())
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{epoch}^{{date_short_pretty}} at {{time}}|{fallback}>"


# -- booking ------------------------------------------------------------------------------


def slot_value(session_id: int, slot: Slot) -> str:
    return f"{session_id}:{int(slot.start.timestamp())}"


def parse_slot_value(value: str) -> tuple[int, datetime]:
    """(session id, start) from a Book button; ValueError when it is not ours."""
    session_id, epoch = value.split(":")
    return int(session_id), datetime.fromtimestamp(int(epoch), UTC)


def slot_picker(meeting: SessionView, slots: Sequence[Slot]) -> Message:
    blocks: list[Block] = [
        _section(
            f"Pick a time for your {meeting.duration_minutes}-minute session with "
            f"{mention(meeting.mentor_slack_id)} (shown in your time zone):"
        )
    ]
    for slot in slots:
        note = " _(early or late for one of you)_" if slot.stretched else ""
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=f"*{_when(slot.start)}*{note}"),
                accessory=ButtonElement(
                    text="Book",
                    action_id=Action.BOOK_SLOT.value,
                    value=slot_value(meeting.session_id, slot),
                    style="primary",
                ),
            )
        )
    blocks.append(
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="None of these work",
                    action_id=Action.NO_SLOT_FITS.value,
                    value=str(meeting.session_id),
                )
            ]
        )
    )
    return Message("Pick a time for your mentoring session", blocks)


def no_common_slot(meeting: SessionView, *, for_mentor: bool) -> Message:
    other = meeting.mentee_slack_id if for_mentor else meeting.mentor_slack_id
    if not for_mentor:
        return plain(
            f"I couldn't find a time in the next days that suits both you and {mention(other)}."
            " I've asked them to propose one."
        )
    return _propose_message(
        f"I couldn't find a time in the next days that suits both you and {mention(other)}.",
        meeting,
    )


def _propose_message(text: str, meeting: SessionView) -> Message:
    button = ButtonElement(
        text="Propose a time",
        action_id=Action.PROPOSE_TIME.value,
        value=str(meeting.session_id),
        style="primary",
    )
    return Message(
        text, [_section(text + " Please propose a time:"), ActionsBlock(elements=[button])]
    )


def propose_time_modal(session_id: int) -> View:
    return View(
        type="modal",
        callback_id=Callback.PROPOSE_TIME.value,
        private_metadata=str(session_id),
        title="Propose a time",
        submit="Book it",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id=Field.PROPOSED_AT.value,
                label="When? (your time zone)",
                element=DateTimePickerElement(action_id=Field.PROPOSED_AT.value),
            ),
        ],
    )


def proposal_failed(reason: str, meeting: SessionView | None) -> Message:
    """The mentor's proposed time could not be booked: why, and a button to try again."""
    if meeting is None or meeting.status != "proposed":
        return plain(reason)
    return _propose_message(f"I couldn't book the time you proposed: {reason}", meeting)


def slot_taken() -> Message:
    return plain("That time was just taken. Here are fresh options:")


def session_booked(meeting: SessionView, *, for_mentor: bool) -> Message:
    assert meeting.starts_at is not None
    other = meeting.mentee_slack_id if for_mentor else meeting.mentor_slack_id
    text = (
        f"📅 Booked: *{_when(meeting.starts_at)}*, {meeting.duration_minutes} minutes with "
        f"{mention(other)}. I'll remind you before it starts."
    )
    sid = str(meeting.session_id)
    buttons = ActionsBlock(
        elements=[
            ButtonElement(text="Reschedule", action_id=Action.RESCHEDULE.value, value=sid),
            ButtonElement(
                text="Cancel session",
                action_id=Action.CANCEL_SESSION.value,
                value=sid,
                style="danger",
                confirm=ConfirmObject(
                    title="Cancel this session?",
                    text="The other person will be told.",
                    confirm="Cancel it",
                    deny="Keep it",
                ),
            ),
        ]
    )
    return Message(
        "Your mentoring session is booked",
        [_section(text), _section(quote(meeting.question, 500)), buttons],
    )


def session_changed(meeting: SessionView, *, by: str, cancelled: bool, for_user: str) -> Message:
    who = "You" if by == for_user else mention(by)
    if cancelled:
        text = f"{who} cancelled the mentoring session (request #{meeting.request_id})."
    else:
        text = (
            f"{who} asked to reschedule the mentoring session (request #{meeting.request_id})."
            " New times are on their way to the mentee."
        )
    return plain(text)


REMINDER_TEXT: dict[str, str] = {
    "reminder_early": "Reminder: your mentoring session with {other} is on {when}.",
    "reminder_soon": "Your mentoring session with {other} starts soon, at {when}.",
}


def session_reminder(meeting: SessionView, kind: str, *, for_mentor: bool) -> Message:
    assert meeting.starts_at is not None
    other = mention(meeting.mentee_slack_id if for_mentor else meeting.mentor_slack_id)
    text = REMINDER_TEXT[kind].format(other=other, when=_when(meeting.starts_at))
    return Message(text, [_section(text)])


def no_slot_fits_to_mentor(meeting: SessionView) -> Message:
    return _propose_message(
        f"None of the proposed times work for {mention(meeting.mentee_slack_id)}.", meeting
    )


def booking_nudge(meeting: SessionView) -> Message:
    return plain(
        f"Your session with {mention(meeting.mentor_slack_id)} isn't booked yet."
        " Here are fresh times that suit you both:"
    )


ATTENDANCE_LABELS = {
    Attendance.HELD: "Yes, we met",
    Attendance.NO_SHOW: "No, they didn't show up",
    Attendance.MOVED: "We moved it",
}


def attendance_question(meeting: SessionView, *, for_mentor: bool) -> Message:
    """Sent to both at the session's end: what happened decides what the digest counts."""
    other = mention(meeting.mentee_slack_id if for_mentor else meeting.mentor_slack_id)
    sid = meeting.session_id
    buttons = [
        ButtonElement(
            text=label,
            action_id=f"{Action.ATTENDANCE.value}_{answer.value}",
            value=attendance_value(sid, answer),
            style="primary" if answer is Attendance.HELD else None,
        )
        for answer, label in ATTENDANCE_LABELS.items()
    ]
    return Message(
        "Did your mentoring session take place?",
        [
            _section(f"Did your session with {other} take place?"),
            ActionsBlock(block_id=f"attended:{sid}", elements=buttons),
        ],
    )


def attendance_value(session_id: int, answer: Attendance) -> str:
    return f"{session_id}:{answer.value}"


def parse_attendance_value(value: str) -> tuple[int, Attendance]:
    """(session id, answer) from an attendance button; ValueError when it is not ours."""
    session_id, answer = value.split(":")
    return int(session_id), Attendance(answer)


ATTENDANCE_REPLIES = {
    "no_show": "Thanks for telling me. Sorry it didn't happen: if you'd like another try,"
    " ask again with `/mentor`.",
    "moved": "OK: fresh times are on their way to the mentee.",
    "already_held": "Your mentoring partner already said the session took place, so it counts"
    " as held. Thanks!",
    "too_early": "This session hasn't started yet; answer after it.",
    "not_yours": "This session isn't yours to answer for.",
    "invalid": "That answer doesn't fit; please try again.",
}


def follow_up(meeting: SessionView, *, for_mentor: bool) -> Message:
    other = mention(meeting.mentee_slack_id if for_mentor else meeting.mentor_slack_id)
    sid = meeting.session_id
    ratings = [
        ButtonElement(text=str(n), action_id=f"{Action.RATE.value}_{n}", value=f"{sid}:{n}")
        for n in range(1, 6)
    ]
    return Message(
        "How did your mentoring session go?",
        [
            _section(f"How did your session with {other} go? (1 = not useful, 5 = very useful)"),
            ActionsBlock(block_id=f"rate:{sid}", elements=ratings),
            _section("Would you like to meet again?"),
            ActionsBlock(
                block_id=f"again:{sid}",
                elements=[
                    ButtonElement(
                        text="Yes, let's meet again",
                        action_id=f"{Action.MEET_AGAIN.value}_yes",
                        value=f"{sid}:yes",
                        style="primary",
                    ),
                    ButtonElement(
                        text="No, all good",
                        action_id=f"{Action.MEET_AGAIN.value}_no",
                        value=f"{sid}:no",
                    ),
                    ButtonElement(
                        text="Add a private comment",
                        action_id=Action.ADD_COMMENT.value,
                        value=str(sid),
                    ),
                ],
            ),
            _context(f"Your comment is private: {other} never sees it."),
        ],
    )


PRACTICE_LABELS = {"yes": "Yes", "partly": "Partly", "not_yet": "Not yet"}


def practice_nudge(meeting: SessionView) -> Message:
    sid = meeting.session_id
    return Message(
        "Did you put it into practice?",
        [
            _section(
                f"A week ago you met {mention(meeting.mentor_slack_id)} about:\n"
                + quote(meeting.question, 300)
                + "\nDid you put it into practice?"
            ),
            ActionsBlock(
                block_id=f"practice:{sid}",
                elements=[
                    *(
                        ButtonElement(
                            text=label,
                            action_id=f"{Action.PRACTICE.value}_{value}",
                            value=f"{sid}:{value}",
                        )
                        for value, label in PRACTICE_LABELS.items()
                    ),
                    ButtonElement(
                        text="Add a note",
                        action_id=Action.ADD_COMMENT.value,
                        value=f"{sid}:practice",
                    ),
                ],
            ),
        ],
    )


def comment_modal(session_id: int, kind: str = "follow_up") -> View:
    return View(
        type="modal",
        callback_id=Callback.COMMENT.value,
        private_metadata=f"{session_id}:{kind}",
        title="Private comment",
        submit="Save",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id=Field.COMMENT.value,
                label="Anything the program leads should know?",
                hint="Only the program sees this, never the other person.",
                element=PlainTextInputElement(
                    action_id=Field.COMMENT.value, multiline=True, max_length=3000
                ),
            )
        ],
    )


# -- mentor approval (program leads) ------------------------------------------------------


def _mentor_summary(mentor: MentorView) -> str:
    lines = [f"{mention(mentor.slack_id)}" + (f" · {escape(mentor.title)}" if mentor.title else "")]
    lines.append(quote(mentor.expertise, 1500))
    if mentor.skills:
        lines.append("Skills: " + escape(", ".join(mentor.skills)))
    return "\n".join(lines)


def approval_request(mentor: MentorView) -> Message:
    value = str(mentor.id)
    buttons = ActionsBlock(
        block_id=f"approval:{mentor.id}",
        elements=[
            ButtonElement(
                text="Approve", action_id=Action.APPROVE_MENTOR.value, value=value, style="primary"
            ),
            ButtonElement(
                text="Reject",
                action_id=Action.REJECT_MENTOR.value,
                value=value,
                style="danger",
                confirm=ConfirmObject(
                    title="Reject this mentor?",
                    text="They will not receive questions; they are told to ask a program lead.",
                    confirm="Reject",
                    deny="Back",
                ),
            ),
        ],
    )
    return Message(
        "A new mentor profile is waiting for your approval",
        [
            _section("*A new mentor profile is waiting for approval*\n" + _mentor_summary(mentor)),
            _context(
                "Mentors receive colleagues' questions, some of them personal. Approve people"
                " you trust to handle them; the first program lead to answer decides."
            ),
            buttons,
        ],
    )


def new_mentor_notice(mentor: MentorView) -> Message:
    deactivate = ButtonElement(
        text="Deactivate",
        action_id=Action.DEACTIVATE_MENTOR.value,
        value=str(mentor.id),
        style="danger",
        confirm=ConfirmObject(
            title="Take this mentor off the roster?",
            text="Their pending requests go to the next mentor; they are told to ask a lead.",
            confirm="Deactivate",
            deny="Back",
        ),
    )
    return Message(
        "Someone became a mentor",
        [
            _section("*New mentor on the roster*\n" + _mentor_summary(mentor)),
            _context("They receive matching questions from now on (MENTOR_APPROVAL=open)."),
            ActionsBlock(block_id=f"approval:{mentor.id}", elements=[deactivate]),
        ],
    )


DECISION_DONE = {
    "approve": "✅ Approved by {by}: {who} now receives matching questions.",
    "reject": "Rejected by {by}: {who} receives no questions.",
    "deactivate": "Deactivated by {by}: {who} is off the roster; their pending requests moved on.",
}
DECISION_FOR_MENTOR = {
    "approve": "A program lead approved your mentor profile: you'll receive questions that"
    " match what you know. Thank you!",
    "reject": "A program lead did not approve your mentor profile for now, so you won't receive"
    " questions. Ask a program lead if you'd like to know more.",
    "deactivate": "A program lead took you off the mentor roster for now, so you won't receive"
    " questions. Ask a program lead if you think that's a mistake.",
}
DECISION_REPLIES = {
    "already_decided": "Another program lead has already decided on this profile.",
    "not_found": "That mentor profile no longer exists.",
    "not_a_lead": "Only program leads can decide on mentor profiles.",
}


def approval_closed(mentor: MentorView, decision: str, by: str) -> Message:
    text = DECISION_DONE[decision].format(by=mention(by), who=mention(mentor.slack_id))
    return plain(text)


def mentor_decision(decision: str) -> Message:
    return plain(DECISION_FOR_MENTOR[decision])


def profile_saved(mentor: MentorView, *, waiting: bool) -> Message:
    if waiting:
        return plain(
            "Your mentor profile is saved. A program lead will review it: you'll start"
            " receiving questions once it's approved (I'll tell you)."
        )
    return plain(
        f"Your mentor profile is saved. Capacity: {mentor.weekly_capacity} session(s) a week."
        " I'll send you questions that match what you know."
    )


def sessions_message(sessions: Sequence[SessionView], user_id: str) -> Message:
    if not sessions:
        return plain("No upcoming sessions. Ask for mentoring with `/mentor <your question>`.")
    lines = []
    for meeting in sessions[:20]:
        other = (
            meeting.mentor_slack_id
            if meeting.mentee_slack_id == user_id
            else (meeting.mentee_slack_id)
        )
        when = _when(meeting.starts_at) if meeting.starts_at else "time not booked yet"
        lines.append(f"• {when} · {meeting.duration_minutes} min with {mention(other)}")
    return Message(
        "Your upcoming sessions", [_section("*Your upcoming sessions*\n" + "\n".join(lines))]
    )
