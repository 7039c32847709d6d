"""Builders for speed-mentoring events: the lead's form, the channel announcement, the plan
review, each person's schedule and round pings, ratings and follow-ups afterwards."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConversationFilter,
    ConversationSelectElement,
    DateTimePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.booking.place import meeting_place
from bot.events.ports import (
    MIN_RATINGS_SHOWN,
    Conversation,
    EventSummary,
    EventView,
    NoticeKind,
    PlannedPair,
    PlanView,
    Schedule,
    Turn,
)
from bot.handlers.blocks.booking import place_line
from bot.handlers.blocks.common import (
    Message,
    context,
    escape,
    id_value,
    local_time,
    mention,
    modal,
    plain,
    quote,
    reasons_line,
    section,
)
from bot.handlers.ids import Action, Callback, Field
from bot.i18n import _, format_clock, format_when, ngettext
from bot.storage.models import EventStatus

# A plan review lists every pairing only for small events; bigger ones show the weakest.
LIST_ALL_UP_TO = 24
WEAKEST_SHOWN = 8


def event_modal() -> View:
    rounds = [Option(value=str(n), text=str(n)) for n in range(1, 7)]
    minutes = [Option(value=str(n), text=str(n)) for n in (5, 10, 15)]
    breaks = [Option(value=str(n), text=str(n)) for n in (0, 5, 10)]
    return modal(
        Callback.EVENT,
        _("Speed-mentoring event"),
        _("Announce"),
        [
            _text_input(Field.EVENT_TITLE, _("Title"), max_length=150),
            InputBlock(
                block_id=Field.EVENT_START.value,
                label=_("Starts at (your time zone)"),
                element=DateTimePickerElement(action_id=Field.EVENT_START.value),
            ),
            _select(Field.EVENT_ROUNDS, _("Rounds"), rounds, rounds[2]),
            _select(Field.EVENT_MINUTES, _("Minutes per round"), minutes, minutes[2]),
            _select(Field.EVENT_BREAK, _("Break between rounds (minutes)"), breaks, breaks[1]),
            _text_input(
                Field.EVENT_PLACE,
                _("Where"),
                optional=True,
                max_length=300,
                hint=_('A call link, a room, or "Slack huddle" (each pair starts one).'),
            ),
            InputBlock(
                block_id=Field.EVENT_CHANNEL.value,
                label=_("Sign-up channel"),
                hint=_("The announcement with the Join buttons goes here; invite mentor-bot."),
                element=ConversationSelectElement(
                    action_id=Field.EVENT_CHANNEL.value,
                    filter=ConversationFilter(
                        include=["public", "private"], exclude_bot_users=True
                    ),
                ),
            ),
            InputBlock(
                block_id=Field.EVENT_CLOSES.value,
                label=_("Sign-up closes"),
                hint=_("Empty: one hour before the start."),
                optional=True,
                element=DateTimePickerElement(action_id=Field.EVENT_CLOSES.value),
            ),
            _text_input(Field.EVENT_THEME, _("Theme (optional)"), optional=True, max_length=300),
        ],
    )


def join_modal(event: EventView) -> View:
    return modal(
        Callback.EVENT_JOIN,
        _("Join as mentee"),
        _("Join"),
        [
            section(
                _("*{title}* · {when}", title=escape(event.title), when=local_time(event.starts_at))
            ),
            _text_input(
                Field.EVENT_QUESTION,
                _("What would you like to ask?"),
                multiline=True,
                max_length=500,
                hint=_(
                    "Your question decides whom you meet: be specific. The mentors you meet"
                    " see it; the organiser sees only who meets whom."
                ),
            ),
        ],
        metadata=id_value(event.event_id),
    )


def form_error(problem: str) -> str:
    """What the lead reads under a field of the event form."""
    texts = {
        "title": _("Give the event a title."),
        "start_too_soon": _("Pick a start at least 15 minutes from now."),
        "start_too_far": _("Pick a start within the next 90 days."),
        "rounds": _("Between 1 and 6 rounds."),
        "round_minutes": _("Between 5 and 15 minutes per round."),
        "break_minutes": _("A break of 0 to 30 minutes."),
        "closes": _("Sign-up must close in the future, before the start."),
        "channel": _("Pick the channel for the announcement."),
        "start": _("Pick a date and time."),
    }
    return texts.get(problem, _("Check this field."))


def announcement(event: EventView) -> Message:
    head = _("*Speed mentoring: {title}*", title=escape(event.title))
    lines = [
        head,
        ngettext(
            "{when} · {count} round of {minutes} minutes: you meet a different person each"
            " round, picked for what you want to ask.",
            "{when} · {count} rounds of {minutes} minutes: you meet a different person each"
            " round, picked for what you want to ask.",
            event.rounds,
            when=local_time(event.starts_at),
            minutes=event.round_minutes,
        ),
    ]
    if event.theme:
        lines.append(_("Theme: {theme}", theme=escape(event.theme)))
    where = place_line(meeting_place(event.place))
    if where:
        lines.append(where)
    counts = _(
        "Signed up: {mentees} · {mentors}",
        mentees=ngettext("{count} mentee", "{count} mentees", event.mentees),
        mentors=ngettext("{count} mentor", "{count} mentors", event.mentors),
    )
    blocks: list[Block] = [section("\n".join(lines)), context(counts)]
    if event.status == EventStatus.OPEN.value:
        blocks.append(context(_("Sign-up closes {when}.", when=local_time(event.signup_closes_at))))
        value = id_value(event.event_id)
        blocks.append(
            ActionsBlock(
                block_id=f"event:{event.event_id}",
                elements=[
                    ButtonElement(
                        text=_("Join as mentee"),
                        action_id=Action.EVENT_JOIN_MENTEE.value,
                        value=value,
                        style="primary",
                    ),
                    ButtonElement(
                        text=_("Join as mentor"),
                        action_id=Action.EVENT_JOIN_MENTOR.value,
                        value=value,
                    ),
                    ButtonElement(text=_("Leave"), action_id=Action.EVENT_LEAVE.value, value=value),
                ],
            )
        )
    elif event.status == EventStatus.CANCELLED.value:
        blocks.append(context(_("This event was cancelled.")))
    else:
        blocks.append(
            context(_("Sign-up is closed; everyone who joined gets their schedule by DM."))
        )
    return Message(_("Speed mentoring: {title}", title=escape(event.title)), blocks)


def lead_created(event: EventView) -> Message:
    text = _(
        "Your event *{title}* is announced in <#{channel}>. When sign-up closes ({when}) I'll"
        " plan the rounds and show you the plan before anyone gets it.",
        title=escape(event.title),
        channel=event.channel,
        when=local_time(event.signup_closes_at),
    )
    return Message(text, [section(text), ActionsBlock(elements=[_cancel_button(event)])])


def plan_review(plan: PlanView) -> Message:
    event = plan.event
    pairs = [p for round_pairs in plan.rounds for p in round_pairs]
    weak = sorted((p for p in pairs if p.weak), key=lambda p: p.score)
    head = _(
        "*The plan for {title}* — {pairs} conversations in {rounds} rounds. Nothing is sent"
        " until you post it.",
        title=escape(event.title),
        pairs=len(pairs),
        rounds=event.rounds,
    )
    blocks: list[Block] = [section(head)]
    shown = pairs if len(pairs) <= LIST_ALL_UP_TO else weak[:WEAKEST_SHOWN]
    if len(pairs) > LIST_ALL_UP_TO:
        blocks.append(section(_("*The weakest pairings*")))
    for number, round_pairs in enumerate(plan.rounds, start=1):
        lines = [_pair_line(p) for p in round_pairs if p in shown]
        out = plan.sitting_out[number - 1] if number - 1 < len(plan.sitting_out) else ()
        if out:
            lines.append(_("Sitting out: {people}", people=", ".join(mention(s) for s in out)))
        if lines:
            blocks.append(section(_("*Round {number}*", number=number) + "\n" + "\n".join(lines)))
    if weak:
        blocks.append(
            context(
                ngettext(
                    "⚠️ {count} pairing is a weak fit: nobody closer was free in that round.",
                    "⚠️ {count} pairings are weak fits: nobody closer was free in those rounds.",
                    len(weak),
                )
            )
        )
    post = ButtonElement(
        text=_("Post the plan"),
        action_id=Action.EVENT_POST_PLAN.value,
        value=id_value(event.event_id),
        style="primary",
    )
    blocks.append(ActionsBlock(elements=[post, _cancel_button(event)]))
    return Message(_("The plan for {title} is ready", title=escape(event.title)), blocks[:50])


def too_few(event: EventView) -> Message:
    return plain(
        _(
            "Sign-up for *{title}* closed with {mentees} and {mentors}: at least one of each is"
            " needed, so there is nothing to plan. Cancel it, or create a new event.",
            title=escape(event.title),
            mentees=ngettext("{count} mentee", "{count} mentees", event.mentees),
            mentors=ngettext("{count} mentor", "{count} mentors", event.mentors),
        )
    )


def schedule_message(schedule: Schedule, place: str | None) -> Message:
    event = schedule.event
    head = _(
        "*Your schedule for {title}* ({day}, times in your time zone)",
        title=escape(event.title),
        day=format_when(event.starts_at, schedule.timezone),
    )
    blocks: list[Block] = [section(head)]
    for turn in schedule.turns:
        blocks.append(section(_turn_line(turn, schedule)))
    where = place_line(meeting_place(place))
    if where:
        blocks.append(context(where))
    return Message(_("Your speed-mentoring schedule"), blocks)


def notice_message(schedule: Schedule, kind: NoticeKind, round_number: int) -> Message | None:
    """The 10-minute reminder, a round's start, or its last minute; None when it says nothing
    to this person (they sit this round out, for the last minute)."""
    event = schedule.event
    if kind is NoticeKind.REMINDER:
        first = schedule.turns[0] if schedule.turns else None
        text = _("*{title}* starts in 10 minutes.", title=escape(event.title))
        if first is not None:  # the whole line, as in the schedule: the time, whom, why
            text += "\n" + _turn_line(first, schedule)
        return plain(text)
    turn = next((t for t in schedule.turns if t.round == round_number), None)
    if turn is None:
        return None
    if kind is NoticeKind.ONE_MINUTE:
        if turn.other_slack_id is None:
            return None
        return plain(_("1 minute left in round {number}.", number=round_number))
    text = _("Round {number} now: ", number=round_number) + _with_line(turn, schedule)
    blocks: list[Block] = [section(text)]
    if turn.question and schedule.role == "mentor":
        blocks.append(section(quote(turn.question, 500)))
    return Message(text, blocks)


def ratings_request(conversations: Sequence[Conversation]) -> Message:
    event = conversations[0].event
    blocks: list[Block] = [
        section(
            _(
                "Thanks for joining *{title}*! How useful was each conversation? (1 = not"
                " useful, 5 = very useful) Want more time with someone? Ask them for a flash"
                " session.",
                title=escape(event.title),
            )
        )
    ]
    for c in conversations:
        value = id_value(c.pairing_id)
        blocks.append(
            section(
                _("Round {number} with {mentor}", number=c.round, mentor=mention(c.mentor_slack_id))
            )
        )
        buttons = [
            ButtonElement(text=str(n), action_id=f"{Action.EVENT_RATE.value}_{n}", value=value)
            for n in range(1, 6)
        ]
        buttons.append(
            ButtonElement(
                text=_("Ask for a flash session"),
                action_id=Action.EVENT_FOLLOW_UP.value,
                value=value,
            )
        )
        blocks.append(ActionsBlock(block_id=f"event_pairing:{c.pairing_id}", elements=buttons))
    return Message(_("How did the speed mentoring go?"), blocks)


def continue_offer(conversations: Sequence[Conversation]) -> Message:
    event = conversations[0].event
    blocks: list[Block] = [
        section(
            _(
                "Thanks for mentoring at *{title}*! If you'd happily continue with someone, say"
                " so and I'll let them know.",
                title=escape(event.title),
            )
        )
    ]
    for c in conversations:
        blocks.append(
            section(
                _("Round {number} with {mentee}", number=c.round, mentee=mention(c.mentee_slack_id))
            )
        )
        blocks.append(
            ActionsBlock(
                block_id=f"event_pairing:{c.pairing_id}",
                elements=[
                    ButtonElement(
                        text=_("Happy to continue"),
                        action_id=Action.EVENT_CONTINUE.value,
                        value=id_value(c.pairing_id),
                    )
                ],
            )
        )
    return Message(_("Thanks for mentoring at the event"), blocks)


def continue_note(conversation: Conversation) -> Message:
    return plain(
        _(
            "{mentor} would be glad to continue your conversation from *{title}*. Ask them for"
            " a flash session with the button in my message after the event.",
            mentor=mention(conversation.mentor_slack_id),
            title=escape(conversation.event.title),
        )
    )


def summary_message(summary: EventSummary) -> Message:
    average = summary.average_rating
    lines = [
        _("*{title}: how it went*", title=escape(summary.event.title)),
        "• "
        + _(
            "Participants: {mentees} and {mentors}",
            mentees=ngettext("{count} mentee", "{count} mentees", summary.mentees),
            mentors=ngettext("{count} mentor", "{count} mentors", summary.mentors),
        ),
        "• " + _("Conversations held: {count}", count=summary.conversations),
        "• "
        + (
            _(
                "Average rating: {rating} ({count} rated)",
                rating=f"{average:.1f}",
                count=len(summary.ratings),
            )
            if average is not None
            else _("Average rating: no ratings yet")
            if not summary.ratings
            else _(
                "Average rating: shown from {minimum} ratings on ({count} so far)",
                minimum=MIN_RATINGS_SHOWN,
                count=len(summary.ratings),
            )
        ),
        "• " + _("Flash sessions requested: {count}", count=summary.follow_ups),
        "• " + _("Mentors happy to continue: {count}", count=summary.mentors_continuing),
    ]
    return plain("\n".join(lines))


def cancelled_message(event: EventView) -> Message:
    return plain(
        _(
            "*{title}* ({when}) is cancelled by its organiser. Sorry — see you at the next one!",
            title=escape(event.title),
            when=local_time(event.starts_at),
        )
    )


def join_reply(result: str, event: EventView | None = None) -> str:
    texts = {
        "joined": _("You're in! You'll get your personal schedule by DM when sign-up closes."),
        "updated": _("Updated. You'll get your personal schedule by DM when sign-up closes."),
        "closed": _("Sign-up for this event is closed."),
        "not_a_mentor": _(
            "Joining as a mentor needs an active mentor profile: create one with `/mentor"
            " profile`, then join again. You can also join as a mentee."
        ),
        "not_found": _("That event no longer exists."),
        "left": _("You've left the event."),
        "not_in": _("You weren't signed up for this event."),
    }
    return texts[result]


def lead_reply(result: str) -> str:
    texts = {
        "posted": _("Posted: everyone has their schedule, and the round reminders are set."),
        "cancelled": _("The event is cancelled; everyone who joined has been told."),
        "not_lead": _("Only the event's organiser or a program lead can do this."),
        "already": _("This event was already posted, cancelled or finished."),
    }
    return texts[result]


# -- pieces ---------------------------------------------------------------------------------


def _text_input(
    field: Field,
    label: str,
    *,
    optional: bool = False,
    multiline: bool = False,
    max_length: int = 300,
    hint: str | None = None,
) -> InputBlock:
    return InputBlock(
        block_id=field.value,
        label=label,
        optional=optional,
        hint=hint,
        element=PlainTextInputElement(
            action_id=field.value, multiline=multiline, max_length=max_length
        ),
    )


def _select(field: Field, label: str, options: list[Option], initial: Option) -> InputBlock:
    return InputBlock(
        block_id=field.value,
        label=label,
        element=StaticSelectElement(action_id=field.value, options=options, initial_option=initial),
    )


def _cancel_button(event: EventView) -> ButtonElement:
    return ButtonElement(
        text=_("Cancel the event"),
        action_id=Action.EVENT_CANCEL.value,
        value=id_value(event.event_id),
        style="danger",
        confirm={
            "title": {"type": "plain_text", "text": _("Cancel the event?")},
            "text": {"type": "plain_text", "text": _("Everyone who joined will be told.")},
            "confirm": {"type": "plain_text", "text": _("Cancel it")},
            "deny": {"type": "plain_text", "text": _("Keep it")},
        },
    )


def _pair_line(pair: PlannedPair) -> str:
    # No reasons: the mentor's phrases nearest a named mentee's question would tell the lead
    # what that person asked about (leads see topics only when 3 people stand behind them).
    flag = "⚠️ " if pair.weak else ""
    people = f"{mention(pair.mentee_slack_id)} ↔ {mention(pair.mentor_slack_id)}"
    return f"• {flag}{people} · {pair.score:.2f}"


def _with_line(turn: Turn, schedule: Schedule) -> str:
    if turn.other_slack_id is None:
        return _("a break for you this round.")
    return _("you're with {person}.", person=mention(turn.other_slack_id))


def _turn_line(turn: Turn, schedule: Schedule) -> str:
    when = _(
        "Round {number} · {start}–{end}",
        number=turn.round,
        start=format_clock(turn.starts_at, schedule.timezone),
        end=format_clock(turn.ends_at, schedule.timezone),
    )
    if turn.other_slack_id is None:
        return when + " · " + _("a break for you this round")
    line = when + " · " + _("with {person}", person=mention(turn.other_slack_id))
    if turn.reasons:
        line += f" — _{reasons_line(turn.reasons)}_"
    if turn.question and schedule.role == "mentor":
        line += "\n" + quote(turn.question, 300)
    return line
