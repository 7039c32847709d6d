"""Builders for program leads (unmet demand, mentor approval, digest preview, roster import,
reassign) and for a person's own data (export, erasure)."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    InputBlock,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.digest.topics import Topic
from bot.handlers.blocks.common import (
    Message,
    confirmed_button,
    context,
    escape,
    id_value,
    mention,
    modal,
    plain,
    quote,
    section,
)
from bot.handlers.ids import Action, Callback, Field
from bot.mentoring.insights import UnmetRequest
from bot.mentoring.ports import Unmatched, UnmetDemand
from bot.mentoring.privacy import ErasedCounts
from bot.mentoring.views import ReassignResult
from bot.roster import ImportReport
from bot.storage.models import MentorView

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
    return Message("Unmet mentoring demand", [section(text)])


def _mentor_summary(mentor: MentorView) -> str:
    lines = [f"{mention(mentor.slack_id)}" + (f" · {escape(mentor.title)}" if mentor.title else "")]
    lines.append(quote(mentor.expertise, 1500))
    if mentor.skills:
        lines.append("Skills: " + escape(", ".join(mentor.skills)))
    return "\n".join(lines)


def approval_request(mentor: MentorView) -> Message:
    value = id_value(mentor.id)
    buttons = ActionsBlock(
        block_id=f"approval:{mentor.id}",
        elements=[
            ButtonElement(
                text="Approve", action_id=Action.APPROVE_MENTOR.value, value=value, style="primary"
            ),
            confirmed_button(
                "Reject",
                Action.REJECT_MENTOR,
                value,
                ask=(
                    "Reject this mentor?",
                    "They will not receive questions; they are told to ask a program lead.",
                ),
                answers=("Reject", "Back"),
            ),
        ],
    )
    return Message(
        "A new mentor profile is waiting for your approval",
        [
            section("*A new mentor profile is waiting for approval*\n" + _mentor_summary(mentor)),
            context(
                "Mentors receive colleagues' questions, some of them personal. Approve people"
                " you trust to handle them; the first program lead to answer decides."
            ),
            buttons,
        ],
    )


def new_mentor_notice(mentor: MentorView) -> Message:
    deactivate = confirmed_button(
        "Deactivate",
        Action.DEACTIVATE_MENTOR,
        id_value(mentor.id),
        ask=(
            "Take this mentor off the roster?",
            "Their pending requests go to the next mentor; they are told to ask a lead.",
        ),
        answers=("Deactivate", "Back"),
    )
    return Message(
        "Someone became a mentor",
        [
            section("*New mentor on the roster*\n" + _mentor_summary(mentor)),
            context("They receive matching questions from now on (MENTOR_APPROVAL=open)."),
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


# Slack's plain_text_input holds at most 3,000 characters; bigger rosters go through the CLI.
PASTE_LIMIT = 3000
SHOWN_PROBLEMS = 15


def lead_only(what: str, leads: Sequence[str]) -> Message:
    who = (
        "Ask a program lead (" + ", ".join(mention(lead) for lead in leads) + ") if you need it."
        if leads
        else "No program leads are set up yet (PROGRAM_LEADS)."
    )
    return plain(f"Sorry, {what} is only for program leads. {who}")


def forget_confirm() -> Message:
    text = (
        "*Delete everything mentor-bot stores about you?*\n"
        "Your mentor profile, your questions, your comments and your open requests and "
        "sessions go (the other person is told a session is cancelled). Only anonymous counts "
        "stay, for the program's statistics. This cannot be undone.\n"
        "Want a copy first? `/mentor my-data`."
    )
    delete = confirmed_button(
        "Delete my data",
        Action.FORGET_CONFIRM,
        "forget",
        ask=("Delete your data?", "Your profile, questions and comments are deleted for good."),
        answers=("Delete", "Keep"),
    )
    keep = ButtonElement(text="Keep my data", action_id=Action.FORGET_KEEP.value, value="keep")
    blocks: list[Block] = [
        SectionBlock(text=text),
        ActionsBlock(elements=[delete, keep]),
    ]
    return Message("Delete everything mentor-bot stores about you?", blocks)


def forgotten(erased: ErasedCounts) -> Message:
    parts = [
        f"{erased.requests} request(s)",
        f"{erased.sessions} session(s)",
        f"{erased.feedback} feedback answer(s)",
    ]
    if erased.mentor_profile:
        parts.insert(0, "your mentor profile")
    return plain(
        "Done: "
        + ", ".join(parts)
        + " no longer carry anything about you. Only anonymous counts remain."
    )


KEPT = "Nothing was deleted."
EXPORT_SENT = "I sent you a file with everything mentor-bot stores about you, in a DM."
EXPORT_TITLE = "Your mentor-bot data"


def digest_preview(text: str) -> Message:
    note = "_Preview for program leads: this week so far; nothing was posted._\n\n"
    return plain(note + text)


def demand_message(topics: Sequence[Topic], requests: Sequence[UnmetRequest]) -> Message:
    if not requests:
        return plain("No unmet requests in the last 4 weeks.")
    lines = [f"*Unmet demand, last 4 weeks:* {len(requests)} request(s) found no mentor."]
    if topics:
        lines.append("Topics: " + ", ".join(f"{escape(t.label)} ({t.count})" for t in topics))
    lines += [f"• #{r.request_id} · {r.format} · {r.created_at:%Y-%m-%d}" for r in requests[:20]]
    lines.append("Hand one to a mentor with `/mentor reassign <request id> @mentor`.")
    return plain("\n".join(lines))


def import_modal() -> View:
    paste = InputBlock(
        block_id=Field.ROSTER_CSV.value,
        label="Roster rows (CSV with a header row)",
        hint=(
            "slack_id,expertise are required; optional: name, title, timezone, languages, "
            "capacity, skills, available_from, available_until. Larger files: "
            "`mentor-bot mentors import`."
        ),
        element=PlainTextInputElement(
            action_id=Field.ROSTER_CSV.value,
            multiline=True,
            max_length=PASTE_LIMIT,
            placeholder="slack_id,name,expertise\nU0123ABCD,Ana,Kubernetes operations",
        ),
    )
    return modal(Callback.ROSTER_IMPORT, "Import mentors", "Import", [paste])


def import_report(report: ImportReport) -> Message:
    lines = [
        f"Roster import: {report.created} added, {report.updated} updated, "
        f"{report.unchanged} unchanged, {len(report.rejected)} rejected."
    ]
    for problem in report.rejected[:SHOWN_PROBLEMS]:
        who = f" ({escape(problem.slack_id)})" if problem.slack_id else ""
        lines.append(f"• line {problem.line}{who}: {escape(problem.problem)}")
    if len(report.rejected) > SHOWN_PROBLEMS:
        lines.append(f"…and {len(report.rejected) - SHOWN_PROBLEMS} more.")
    return plain("\n".join(lines))


REASSIGN_USAGE = "Usage: `/mentor reassign <request id> @mentor`, e.g. `/mentor reassign 42 @ana`."


def reassign_result(result: ReassignResult, request_id: int, mentor: str) -> Message:
    who = mention(mentor)
    # No answer names, or hints at, who asked the request.
    texts = {
        ReassignResult.OFFERED: f"Request #{request_id} is now offered to {who}; the mentee is"
        " told who was asked.",
        ReassignResult.NOT_FOUND: f"There is no request #{request_id}.",
        ReassignResult.CLOSED: f"Request #{request_id} is not open for reassignment (it is"
        " matched, cancelled or completed).",
        ReassignResult.TARGET_IS_LEAD: f"{who} is a program lead: requests, and the questions"
        " in them, can't be handed to a program lead (yourself included). Pick a mentor who is"
        " not a lead.",
        ReassignResult.NO_SUCH_MENTOR: f"{who} is not an active, approved mentor on the roster.",
        ReassignResult.ALREADY_ASKED: f"{who} was already asked about request #{request_id}.",
        ReassignResult.UNSUITABLE: f"Request #{request_id} can't be offered to {who}. Pick"
        " another mentor.",
    }
    return plain(texts[result])
