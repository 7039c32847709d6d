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
from bot.i18n import N_, _, ngettext
from bot.mentoring.insights import UnmetRequest
from bot.mentoring.ports import Unmatched, UnmetDemand
from bot.mentoring.privacy import ErasedCounts
from bot.mentoring.views import ReassignResult
from bot.roster import ImportReport
from bot.storage.models import MentorView

UNMET_WHY = {
    Unmatched.NO_EXPERT: N_("nobody on the roster covers it well"),
    Unmatched.NOBODY_AVAILABLE: N_("the mentors who know it were paused or fully booked"),
    Unmatched.ALL_DECLINED: N_("the mentors who fit could not take it"),
}


def leads_unmet(demand: UnmetDemand) -> Message:
    # Privacy: words at least three of the askers used, the roster's own expertise phrases and
    # counts; never a question or an asker.
    about = ", ".join(escape(t) for t in demand.terms)
    topic = _("questions about *{terms}*", terms=about) if about else _("questions on one topic")
    closest = (
        _(
            "the roster's closest expertise: {phrases}",
            phrases=", ".join(escape(p) for p in demand.expertise),
        )
        if demand.expertise
        else _("nobody on the roster is close to it")
    )
    why = "; ".join(
        f"{count}: {_(UNMET_WHY[reason])}"
        for reason, count in sorted(demand.reasons.items(), key=lambda item: -item[1])
    )
    ids = ", ".join(f"#{i}" for i in demand.request_ids[:20])
    text = ngettext(
        "*Unmet demand:* {count} person in the last 4 weeks found no mentor for {topic}"
        " ({closest}; {why}). Requests {ids}. Consider recruiting a mentor for it, or hand a"
        " request to someone with `/mentor reassign <request id> @mentor`.",
        "*Unmet demand:* {count} different people in the last 4 weeks found no mentor for"
        " {topic} ({closest}; {why}). Requests {ids}. Consider recruiting a mentor for it, or"
        " hand a request to someone with `/mentor reassign <request id> @mentor`.",
        demand.people,
        topic=topic,
        closest=closest,
        why=why,
        ids=ids,
    )
    return Message(_("Unmet mentoring demand"), [section(text)])


def _mentor_summary(mentor: MentorView) -> str:
    lines = [f"{mention(mentor.slack_id)}" + (f" · {escape(mentor.title)}" if mentor.title else "")]
    lines.append(quote(mentor.expertise, 1500))
    if mentor.skills:
        lines.append(_("Skills: {skills}", skills=escape(", ".join(mentor.skills))))
    return "\n".join(lines)


def approval_request(mentor: MentorView) -> Message:
    value = id_value(mentor.id)
    buttons = ActionsBlock(
        block_id=f"approval:{mentor.id}",
        elements=[
            ButtonElement(
                text=_("Approve"),
                action_id=Action.APPROVE_MENTOR.value,
                value=value,
                style="primary",
            ),
            confirmed_button(
                _("Reject"),
                Action.REJECT_MENTOR,
                value,
                ask=(
                    _("Reject this mentor?"),
                    _("They will not receive questions; they are told to ask a program lead."),
                ),
                answers=(_("Reject"), _("Back")),
            ),
        ],
    )
    return Message(
        _("A new mentor profile is waiting for your approval"),
        [
            section(
                _("*A new mentor profile is waiting for approval*") + "\n" + _mentor_summary(mentor)
            ),
            context(
                _(
                    "Mentors receive colleagues' questions, some of them personal. Approve"
                    " people you trust to handle them; the first program lead to answer decides."
                )
            ),
            buttons,
        ],
    )


def new_mentor_notice(mentor: MentorView) -> Message:
    deactivate = confirmed_button(
        _("Deactivate"),
        Action.DEACTIVATE_MENTOR,
        id_value(mentor.id),
        ask=(
            _("Take this mentor off the roster?"),
            _("Their pending requests go to the next mentor; they are told to ask a lead."),
        ),
        answers=(_("Deactivate"), _("Back")),
    )
    return Message(
        _("Someone became a mentor"),
        [
            section(_("*New mentor on the roster*") + "\n" + _mentor_summary(mentor)),
            context(_("They receive matching questions from now on (MENTOR_APPROVAL=open).")),
            ActionsBlock(block_id=f"approval:{mentor.id}", elements=[deactivate]),
        ],
    )


DECISION_DONE = {
    "approve": N_("✅ Approved by {by}: {who} now receives matching questions."),
    "reject": N_("Rejected by {by}: {who} receives no questions."),
    "deactivate": N_(
        "Deactivated by {by}: {who} is off the roster; their pending requests moved on."
    ),
}


DECISION_FOR_MENTOR = {
    "approve": N_(
        "A program lead approved your mentor profile: you'll receive questions that match"
        " what you know. Thank you!"
    ),
    "reject": N_(
        "A program lead did not approve your mentor profile for now, so you won't receive"
        " questions. Ask a program lead if you'd like to know more."
    ),
    "deactivate": N_(
        "A program lead took you off the mentor roster for now, so you won't receive"
        " questions. Ask a program lead if you think that's a mistake."
    ),
}


DECISION_REPLIES = {
    "already_decided": N_("Another program lead has already decided on this profile."),
    "not_found": N_("That mentor profile no longer exists."),
    "not_a_lead": N_("Only program leads can decide on mentor profiles."),
}


def approval_closed(mentor: MentorView, decision: str, by: str) -> Message:
    return plain(_(DECISION_DONE[decision], by=mention(by), who=mention(mentor.slack_id)))


def mentor_decision(decision: str) -> Message:
    return plain(_(DECISION_FOR_MENTOR[decision]))


# Slack's plain_text_input holds at most 3,000 characters; bigger rosters go through the CLI.
PASTE_LIMIT = 3000
SHOWN_PROBLEMS = 15


def lead_only(what: str, leads: Sequence[str]) -> Message:
    who = (
        _(
            "Ask a program lead ({leads}) if you need it.",
            leads=", ".join(mention(lead) for lead in leads),
        )
        if leads
        else _("No program leads are set up yet (PROGRAM_LEADS).")
    )
    return plain(_("Sorry, {what} is only for program leads.", what=what) + " " + who)


def forget_confirm() -> Message:
    title = _("Delete everything mentor-bot stores about you?")
    text = (
        f"*{title}*\n"
        + _(
            "Your mentor profile, your questions, your comments and your open requests and"
            " sessions go (the other person is told a session is cancelled). Only anonymous"
            " counts stay, for the program's statistics. This cannot be undone."
        )
        + "\n"
        + _("Want a copy first? `/mentor my-data`.")
    )
    delete = confirmed_button(
        _("Delete my data"),
        Action.FORGET_CONFIRM,
        "forget",
        ask=(
            _("Delete your data?"),
            _("Your profile, questions and comments are deleted for good."),
        ),
        answers=(_("Delete"), _("Keep")),
    )
    keep = ButtonElement(text=_("Keep my data"), action_id=Action.FORGET_KEEP.value, value="keep")
    blocks: list[Block] = [
        SectionBlock(text=text),
        ActionsBlock(elements=[delete, keep]),
    ]
    return Message(title, blocks)


def forgotten(erased: ErasedCounts) -> Message:
    parts = [
        ngettext("{count} request", "{count} requests", erased.requests),
        ngettext("{count} session", "{count} sessions", erased.sessions),
        ngettext("{count} feedback answer", "{count} feedback answers", erased.feedback),
    ]
    if erased.mentor_profile:
        parts.insert(0, _("your mentor profile"))
    return plain(
        _(
            "Done: {parts} no longer carry anything about you. Only anonymous counts remain.",
            parts=", ".join(parts),
        )
    )


KEPT = N_("Nothing was deleted.")
EXPORT_SENT = N_("I sent you a file with everything mentor-bot stores about you, in a DM.")
EXPORT_TITLE = N_("Your mentor-bot data")


def digest_preview(text: str) -> Message:
    note = "_" + _("Preview for program leads: this week so far; nothing was posted.") + "_\n\n"
    return plain(note + text)


def demand_message(
    topics: Sequence[Topic], requests: Sequence[UnmetRequest], *, waiting: int = 0
) -> Message:
    queue = (
        ngettext(
            "{count} request is on the waiting list now: the mentors who know its topic are"
            " all busy.",
            "{count} requests are on the waiting list now: the mentors who know their topics"
            " are all busy.",
            waiting,
        )
        if waiting
        else ""
    )
    if not requests:
        return plain("\n".join(filter(None, [_("No unmet requests in the last 4 weeks."), queue])))
    lines = [
        ngettext(
            "*Unmet demand, last 4 weeks:* {count} request found no mentor.",
            "*Unmet demand, last 4 weeks:* {count} requests found no mentor.",
            len(requests),
        )
    ]
    if topics:
        lines.append(
            _(
                "Topics: {topics}",
                topics=", ".join(f"{escape(t.label)} ({t.count})" for t in topics),
            )
        )
    lines += [f"• #{r.request_id} · {r.format} · {r.created_at:%Y-%m-%d}" for r in requests[:20]]
    lines.append(_("Hand one to a mentor with `/mentor reassign <request id> @mentor`."))
    if queue:
        lines.append(queue)
    return plain("\n".join(lines))


def import_modal() -> View:
    paste = InputBlock(
        block_id=Field.ROSTER_CSV.value,
        label=_("Roster rows (CSV with a header row)"),
        hint=_(
            "slack_id,expertise are required; optional: name, title, timezone, languages,"
            " capacity, skills, available_from, available_until. Larger files:"
            " `mentor-bot mentors import`."
        ),
        element=PlainTextInputElement(
            action_id=Field.ROSTER_CSV.value,
            multiline=True,
            max_length=PASTE_LIMIT,
            placeholder="slack_id,name,expertise\nU0123ABCD,Ana,Kubernetes operations",
        ),
    )
    return modal(Callback.ROSTER_IMPORT, _("Import mentors"), _("Import"), [paste])


def import_report(report: ImportReport) -> Message:
    lines = [
        _(
            "Roster import: {created} added, {updated} updated, {unchanged} unchanged,"
            " {rejected} rejected.",
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            rejected=len(report.rejected),
        )
    ]
    for problem in report.rejected[:SHOWN_PROBLEMS]:
        who = f" ({escape(problem.slack_id)})" if problem.slack_id else ""
        lines.append(
            "• "
            + _(
                "line {line}{who}: {problem}",
                line=problem.line,
                who=who,
                problem=escape(problem.problem),
            )
        )
    if len(report.rejected) > SHOWN_PROBLEMS:
        lines.append(_("…and {count} more.", count=len(report.rejected) - SHOWN_PROBLEMS))
    return plain("\n".join(lines))


REASSIGN_USAGE = N_(
    "Usage: `/mentor reassign <request id> @mentor`, e.g. `/mentor reassign 42 @ana`."
)


REASSIGN_TEXTS = {
    ReassignResult.OFFERED: N_(
        "Request #{request} is now offered to {who}; the mentee is told who was asked."
    ),
    ReassignResult.NOT_FOUND: N_("There is no request #{request}."),
    ReassignResult.CLOSED: N_(
        "Request #{request} is not open for reassignment (it is matched, cancelled or completed)."
    ),
    ReassignResult.TARGET_IS_LEAD: N_(
        "{who} is a program lead: requests, and the questions in them, can't be handed to a"
        " program lead (yourself included). Pick a mentor who is not a lead."
    ),
    ReassignResult.NO_SUCH_MENTOR: N_("{who} is not an active, approved mentor on the roster."),
    ReassignResult.ALREADY_ASKED: N_("{who} was already asked about request #{request}."),
    ReassignResult.UNSUITABLE: N_(
        "Request #{request} can't be offered to {who}. Pick another mentor."
    ),
}


def reassign_result(result: ReassignResult, request_id: int, mentor: str) -> Message:
    # No answer names, or hints at, who asked the request.
    return plain(_(REASSIGN_TEXTS[result], request=request_id, who=mention(mentor)))
