"""Pure Block Kit builders for program-lead actions and for a person's own data."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    InputBlock,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.digest.topics import Topic
from bot.handlers.ids import Action, Callback, Field
from bot.handlers.messages import Message, escape, mention, plain
from bot.mentoring.privacy import ErasedCounts
from bot.mentoring.service import ReassignResult, UnmetRequest
from bot.roster import ImportReport

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
    delete = ButtonElement(
        text="Delete my data",
        action_id=Action.FORGET_CONFIRM.value,
        value="forget",
        style="danger",
        confirm=ConfirmObject(
            title="Delete your data?",
            text="Your profile, questions and comments are deleted for good.",
            confirm="Delete",
            deny="Keep",
        ),
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
    return View(
        type="modal",
        callback_id=Callback.ROSTER_IMPORT.value,
        title="Import mentors",
        submit="Import",
        close="Cancel",
        blocks=[paste],
    )


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
