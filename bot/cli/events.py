"""`mentor-bot event plan`: plan speed-mentoring rounds from a participants CSV, no Slack."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from bot.cli.common import app, cli_context, err, fail, out
from bot.container import Services
from bot.events.participants import Participants, read_participants_csv
from bot.events.planning import MAX_ROUNDS, Plan, plan_event
from bot.events.scoring import EventMentor, active_roster, profiles_of, score_event
from bot.roster import CsvFormatError, RowProblem
from bot.text import clean_text

event_app = typer.Typer(help="Speed-mentoring events.", no_args_is_help=True)
app.add_typer(event_app, name="event")


NO_PROFILE = (
    "has no active mentor profile on the roster, so there is nothing to match questions "
    "against: add one with `mentor-bot mentors import` or `/mentor profile`"
)


class MentorSource(StrEnum):
    FILE = "file"
    ROSTER = "roster"


@event_app.command("plan")
def event_plan(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(help="CSV with header slack_id,role,question (role: mentee or mentor)."),
    ],
    rounds: Annotated[int, typer.Option(min=1, max=MAX_ROUNDS, help="How many rounds (1-6).")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
    mentors: Annotated[
        MentorSource,
        typer.Option(help="roster: every active roster mentor joins the file's mentors."),
    ] = MentorSource.FILE,
) -> None:
    """Plan who meets whom in each round, by how well each mentor fits each question."""
    participants = _read(file)
    if not participants.mentees:
        fail(f"{file.name} has no mentee: at least one mentee and one mentor are needed.")
    if not participants.mentors and mentors is MentorSource.FILE:
        fail(
            f"{file.name} has no mentor: add mentor rows, or use --mentors roster to invite "
            "every active roster mentor."
        )
    services = cli_context(ctx).services()
    try:
        services.matching.start()
        event_mentors = _event_mentors(services, participants, mentors, file.name)
        event = score_event(
            services.matching,
            [(m.slack_id, m.question) for m in participants.mentees],
            event_mentors,
            rounds,
        )
        plan = plan_event(event, weak_below=services.settings.min_match_score)
    finally:
        services.close()
    if as_json:
        print(json.dumps(plan.as_json(), ensure_ascii=False))
    else:
        _print_plan(plan, services.settings.min_match_score, len(event_mentors))


def _read(file: Path) -> Participants:
    try:
        participants = read_participants_csv(file)
    except CsvFormatError as exc:
        fail(str(exc))
        raise  # fail() exits; this keeps type checkers sure nothing is returned
    if participants.problems:
        _fail_with(participants.problems, file.name)
    return participants


def _fail_with(problems: list[RowProblem], name: str) -> None:
    """The same row-numbered report as `mentors import`; nothing is planned from a file with
    bad rows: a plan that silently leaves someone out would be worse than none."""
    err.print(
        f"{len(problems)} row(s) of {name} have problems; nothing was planned:", highlight=False
    )
    for problem in problems:
        who = f" ({problem.slack_id})" if problem.slack_id else ""
        err.print(f"  line {problem.line}{who}: {problem.problem}", highlight=False, markup=False)
    raise typer.Exit(2)


def _event_mentors(
    services: Services, participants: Participants, source: MentorSource, name: str
) -> list[EventMentor]:
    """The file's mentors (each must have an active roster profile: that is what is scored),
    then, with --mentors roster, every other active roster mentor."""
    listed = [p.slack_id for p in participants.mentors]
    found = profiles_of(services.engine, listed)
    missing = [
        RowProblem(p.line, p.slack_id, NO_PROFILE)
        for p in participants.mentors
        if p.slack_id not in found
    ]
    if missing:
        _fail_with(missing, name)
    chosen = [found[slack_id] for slack_id in listed]
    if source is MentorSource.ROSTER:
        chosen += [m for m in active_roster(services.engine) if m.slack_id not in found]
    if not chosen:
        fail("The roster has no active mentor: nobody to meet the mentees.")
    return chosen


def _print_plan(plan: Plan, weak_below: float, mentors: int) -> None:
    for number, (pairings, sitting_out) in enumerate(
        zip(plan.rounds, plan.sitting_out, strict=True), start=1
    ):
        table = Table("mentee", "mentor", "score", "matched on", title=f"Round {number}")
        for p in pairings:
            flag = " (weak)" if p.weak else ""
            table.add_row(
                p.mentee, p.mentor, f"{p.score:.2f}{flag}", Text(clean_text(", ".join(p.reasons)))
            )
        out.print(table)
        if sitting_out:
            out.print(f"  sitting out: {', '.join(sitting_out)}", highlight=False)
    conversations = sum(len(r) for r in plan.rounds)
    out.print(
        f"{len(plan.rounds)} rounds, {conversations} conversations, "
        f"total relevance {plan.total:.2f}.",
        highlight=False,
    )
    if plan.weak:
        out.print(
            f"{len(plan.weak)} weak pairing(s) (score below {weak_below:.2f}): worth a look.",
            highlight=False,
        )
    if len(plan.rounds) > mentors:
        out.print(
            f"Only {mentors} mentor(s): nobody can have more than {mentors} conversations, "
            "so some rounds have people sitting out.",
            highlight=False,
        )
