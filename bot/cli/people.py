"""`mentor-bot digest` and `mentor-bot people …`: the weekly digest, a person's data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import app, cli_context, err, fail, out, people_app
from bot.digest.render import digest_text, write_chart
from bot.digest.report import parse_week


@app.command("digest")
def digest(
    ctx: typer.Context,
    week: Annotated[
        str | None, typer.Option(help="ISO week like 2026-W47 (default: last full week).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print and write the chart; send nothing.")
    ] = False,
    chart: Annotated[Path | None, typer.Option(help="Where to write the chart PNG.")] = None,
) -> None:
    """The weekly digest for program leads: print it (--dry-run) or send it now (once a week)."""
    cli = cli_context(ctx)
    if week is not None:
        try:
            parse_week(week)
        except ValueError as exc:
            fail(str(exc))
    admin = cli.admin(offline=dry_run, load_index=False)
    try:
        if dry_run:
            report = admin.domain.digest.build(week)
            print(digest_text(report))
            path = write_chart(report, chart or Path(f"digest-{report.week}.png"))
            err.print(f"chart written to {path}", highlight=False)
            return
        sent = admin.domain.digest.send(week)
        out.print("Digest sent." if sent else "That week's digest was already sent.")
    finally:
        admin.close()


# -- people --------------------------------------------------------------------------------


@people_app.command("export")
def people_export(
    ctx: typer.Context,
    slack_id: Annotated[str, typer.Argument(help="Slack user id, e.g. U024BE7LH.")],
) -> None:
    """Print everything stored about a person as JSON (what `/mentor my-data` sends them)."""
    admin = cli_context(ctx).admin(offline=True, load_index=False)
    try:
        data = admin.domain.privacy.export(slack_id)
    finally:
        admin.close()
    print(json.dumps(data, indent=2, ensure_ascii=False))


@people_app.command("forget")
def people_forget(
    ctx: typer.Context,
    slack_id: Annotated[str, typer.Argument(help="Slack user id, e.g. U024BE7LH.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase a person's data as `/mentor forget-me` does: open requests and sessions are
    cancelled (the other side is told in Slack), pending offers move on, texts are deleted."""
    cli = cli_context(ctx)
    cli.engine().dispose()  # fails clearly when migrations are missing
    if not yes and not typer.confirm(f"Erase everything stored about {slack_id}?"):
        raise typer.Exit(1)
    admin = cli.admin()
    try:
        erased = admin.domain.privacy.forget(slack_id)
    finally:
        admin.close()
    out.print(
        f"Erased: {erased.requests} request(s), {erased.sessions} session(s), "
        f"{erased.feedback} feedback answer(s)"
        + (", the mentor profile" if erased.mentor_profile else "")
        + ". Anonymous counts remain.",
        highlight=False,
    )
