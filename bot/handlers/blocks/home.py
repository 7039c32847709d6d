"""The App Home tab: ask, my requests and sessions; for mentors their profile and pending
offers; for leads this week's numbers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
)
from slack_sdk.models.views import View

from bot.booking.ports import SessionView
from bot.handlers.blocks.booking import sessions_message
from bot.handlers.blocks.common import (
    STATUS_LABELS,
    clip,
    context,
    escape,
    label,
    mention,
    quote,
    section,
)
from bot.handlers.blocks.next_steps import home_blocks
from bot.handlers.blocks.offers import answer_buttons
from bot.handlers.ids import Action
from bot.i18n import N_, _, format_day
from bot.mentoring.next_steps import ActionView
from bot.mentoring.ports import OfferView
from bot.mentoring.views import RequestSummary
from bot.storage.models import (
    MentorApproval,
    MentorView,
)


@dataclass(frozen=True)
class HomeData:
    user_id: str
    requests: Sequence[RequestSummary]
    mentor: MentorView | None = None
    load_this_week: int = 0
    pending_offers: Sequence[OfferView] = ()
    lead_numbers: dict[str, int] | None = None
    sessions: Sequence[SessionView] = ()
    next_steps: Sequence[ActionView] = ()  # theirs, open or in progress
    helping: Sequence[ActionView] = ()  # mentees' next steps shared with them
    takeaways: Sequence[str] = ()  # their mentors' latest notes
    timezone: str = "UTC"


def home_view(data: HomeData) -> View:
    blocks: list[Block] = [
        HeaderBlock(text=_("Mentoring, when you need it")),
        section(_("Ask a question and I'll find the colleague who knows best.")),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text=_("Ask for mentoring"), action_id=Action.ASK.value, style="primary"
                ),
                ButtonElement(
                    text=_("Edit mentor profile") if data.mentor else _("Become a mentor"),
                    action_id=Action.EDIT_PROFILE.value,
                ),
            ]
        ),
        DividerBlock(),
        section(_("*Your requests*")),
    ]
    if data.requests:
        for r in data.requests[:5]:
            blocks.append(
                context(
                    f"#{r.request_id} · {label(STATUS_LABELS, r.status)} · "
                    f"{escape(clip(r.question, 120))}"
                )
            )
    else:
        blocks.append(context(_("No requests yet.")))
    if data.sessions:
        blocks += [DividerBlock(), *sessions_message(data.sessions, data.user_id).blocks]
    goals = home_blocks(data.next_steps, data.helping, data.timezone)
    if goals:
        blocks += [DividerBlock(), *goals]
    if data.takeaways:
        notes = "\n".join(quote(t, 600) for t in data.takeaways)
        blocks.append(section(_("*Takeaways from your mentors*") + "\n" + notes))
    if data.mentor is not None:
        blocks += _mentor_home(data)
    if data.lead_numbers is not None:
        blocks += _lead_home(data.lead_numbers)
    return View(type="home", blocks=blocks[:100])


APPROVAL_NOTE = {
    MentorApproval.PENDING.value: N_("waiting for a program lead's approval"),
    MentorApproval.REJECTED.value: N_("not on the roster (a program lead's decision)"),
}


def _mentor_home(data: HomeData) -> list[Block]:
    mentor = data.mentor
    assert mentor is not None
    notes = [_("*Your mentor profile*")]
    if mentor.paused_until and mentor.paused_until > datetime.now(mentor.paused_until.tzinfo):
        until = format_day(mentor.paused_until, mentor.timezone or "UTC")
        notes.append(_("paused until {day}", day=until))
    if mentor.approval in APPROVAL_NOTE:
        notes.append(_(APPROVAL_NOTE[mentor.approval]))
    blocks: list[Block] = [
        DividerBlock(),
        section(
            " · ".join(notes)
            + "\n"
            + escape(clip(mentor.expertise, 1000))
            + "\n"
            + _(
                "Capacity this week: {used} of {capacity} used",
                used=data.load_this_week,
                capacity=mentor.weekly_capacity,
            )
        ),
        section(_("*Requests waiting for your answer*")),
    ]
    if not data.pending_offers:
        blocks.append(context(_("None right now.")))
    for offer in data.pending_offers[:10]:
        blocks.append(
            section(
                _("From {mentee}:", mentee=mention(offer.request.mentee_slack_id))
                + "\n"
                + quote(offer.request.question, 500)
            )
        )
        blocks.append(ActionsBlock(elements=answer_buttons(offer.offer_id, with_pause=False)))
    return blocks


def _lead_home(numbers: dict[str, int]) -> list[Block]:
    lines = [
        f"{_(name)}: *{numbers.get(key, 0)}*"
        for key, name in (
            ("requests", N_("Requests")),
            ("matched", N_("Matched")),
            ("unmatched", N_("Unmatched")),
            ("waiting", N_("Waiting for an answer")),
            ("active_mentors", N_("Active mentors")),
        )
    ]
    return [
        DividerBlock(),
        section(_("*This week (program lead view)*") + "\n" + "\n".join(lines)),
    ]
