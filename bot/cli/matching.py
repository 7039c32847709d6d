"""`mentor-bot match` and `mentor-bot prompt`: who would be asked, from the shell."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from bot.cli.common import app, cli_context, err, fail, out
from bot.container import (
    Services,
)
from bot.errors import MentorBotError
from bot.matching.service import MatchResult


@app.command("match")
def match(
    ctx: typer.Context,
    question: Annotated[
        str, typer.Argument(help="The question, or - to read one per line from stdin.")
    ],
    top: Annotated[int, typer.Option("--top", "-k", min=1, max=50, help="How many mentors.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    mentee: Annotated[
        str | None, typer.Option(help="Slack id of the asker (never matched to themself).")
    ] = None,
) -> None:
    """Find the best available mentors for a question."""
    services = cli_context(ctx).services()
    try:
        services.matching.start()
        if question == "-":
            _match_stream(services, top, mentee)
            return
        try:
            results = services.matching.match(question, mentee_slack_id=mentee, top_k=top)
        except MentorBotError as exc:
            fail(str(exc))
            return
        if as_json:
            print(json.dumps([r.as_dict() for r in results], ensure_ascii=False))
        else:
            _print_results(results)
    finally:
        services.close()


def _match_stream(services: Services, top: int, mentee: str | None) -> None:
    failed = 0
    for number, line in enumerate(sys.stdin, start=1):
        try:
            results = services.matching.match(line, mentee_slack_id=mentee, top_k=top)
        except MentorBotError as exc:
            failed += 1
            err.print(f"line {number}: {exc}", highlight=False, markup=False)
            results = []
        print(json.dumps([r.as_dict() for r in results], ensure_ascii=False), flush=True)
    if failed:
        raise typer.Exit(1)


def _print_results(results: list[MatchResult]) -> None:
    if not results:
        out.print(
            "No available mentor right now "
            "(everyone is paused, at capacity, or the roster is empty)."
        )
        return
    for rank, r in enumerate(results, start=1):
        who = f"{r.name} ({r.slack_id})" if r.name else r.slack_id
        title = f", {r.title}" if r.title else ""
        out.print(f"{rank}. {who}{title}  score {r.score:.2f}", highlight=False, markup=False)
        out.print(f"   matched on: {', '.join(r.reasons)}", highlight=False, markup=False)


@app.command("prompt")
def prompt(
    ctx: typer.Context, top: Annotated[int, typer.Option("--top", "-k", min=1, max=50)] = 3
) -> None:
    """Ask questions interactively and see who would be asked (an empty line quits)."""
    services = cli_context(ctx).services()
    try:
        services.matching.start()
        out.print(
            f"{len(services.matching.index)} mentors loaded. Type a question; empty line quits."
        )
        while True:
            try:
                question = input("question> ")
            except EOFError:
                break
            if not question.strip():
                break
            try:
                _print_results(services.matching.match(question, top_k=top))
            except MentorBotError as exc:
                err.print(str(exc), highlight=False, markup=False)
    finally:
        services.close()
