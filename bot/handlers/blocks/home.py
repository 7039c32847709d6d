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
    mention,
    quote,
    section,
)
from bot.handlers.blocks.offers import answer_buttons
from bot.handlers.ids import Action
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


def home_view(data: HomeData) -> View:
    blocks: list[Block] = [
        HeaderBlock(text="Mentoring, when you need it"),
        section("Ask a question and I'll find the colleague who knows best."),
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
        section("*Your requests*"),
    ]
    if data.requests:
        for r in data.requests[:5]:
            blocks.append(
                context(
                    f"#{r.request_id} · {STATUS_LABELS.get(r.status, r.status)} · "
                    f"{escape(clip(r.question, 120))}"
                )
            )
    else:
        blocks.append(context("No requests yet."))
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
        section(
            f"*Your mentor profile*{paused}{APPROVAL_NOTE.get(mentor.approval, '')}\n"
            f"{escape(clip(mentor.expertise, 1000))}\n"
            f"Capacity this week: {data.load_this_week} of {mentor.weekly_capacity} used"
        ),
        section("*Requests waiting for your answer*"),
    ]
    if not data.pending_offers:
        blocks.append(context("None right now."))
    for offer in data.pending_offers[:10]:
        blocks.append(
            section(
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
    return [DividerBlock(), section("*This week (program lead view)*\n" + "\n".join(lines))]
