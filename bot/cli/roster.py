"""`mentor-bot db …` and `mentor-bot mentors …`: the schema and the mentor roster."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from bot.cli.common import cli_context, db_app, err, fail, mentors_app, out, progress_bar, safe_url
from bot.container import (
    build_engine,
)
from bot.roster import CsvFormatError, ImportReport, import_mentors, read_mentor_csv
from bot.storage import db
from bot.storage.models import utcnow
from bot.text import clean_text


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create or migrate the schema to the newest revision."""
    settings = cli_context(ctx).settings
    engine = build_engine(settings)
    try:
        db.upgrade(engine)
        out.print(
            f"Database {safe_url(settings.database_url)} "
            f"is at revision {db.current_revision(engine)}."
        )
    finally:
        engine.dispose()


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Show the schema revision of the database and the newest one known."""
    engine = build_engine(cli_context(ctx).settings)
    try:
        out.print(
            f"current: {db.current_revision(engine) or '(empty)'}  head: {db.head_revision()}"
        )
    finally:
        engine.dispose()


# -- mentors ------------------------------------------------------------------------------


@mentors_app.command("import")
def mentors_import(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV with header slack_id,expertise"
            "[,name,title,timezone,languages,capacity,skills]"
        ),
    ],
    embed: Annotated[
        bool, typer.Option(help="Embed changed profiles now (else at bot start).")
    ] = True,
) -> None:
    """Add or update mentors from a CSV file (upsert by slack_id)."""
    try:
        rows = read_mentor_csv(file)
    except CsvFormatError as exc:
        fail(str(exc))
        return
    cli = cli_context(ctx)
    engine = cli.engine()
    try:
        with progress_bar() as progress:
            task = progress.add_task("Importing", total=len(rows))
            report = import_mentors(engine, rows, progress=lambda n: progress.advance(task, n))
        _print_import_report(report)
        if embed and report.changed_ids:
            services = cli.services()
            with progress_bar() as progress:
                task = progress.add_task("Embedding", total=len(report.changed_ids))
                services.matching.sync_embeddings(
                    report.changed_ids, progress=lambda n: progress.advance(task, n)
                )
            services.close()
    finally:
        engine.dispose()
    if report.rejected:
        raise typer.Exit(1)


def _print_import_report(report: ImportReport) -> None:
    out.print(
        f"{report.created} imported, {report.updated} updated, {report.unchanged} unchanged, "
        f"{len(report.rejected)} rejected.",
        highlight=False,
    )
    for problem in report.rejected:
        who = f" ({problem.slack_id})" if problem.slack_id else ""
        err.print(f"  line {problem.line}{who}: {problem.problem}", highlight=False, markup=False)


@mentors_app.command("list")
def mentors_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """List every mentor on the roster."""
    admin = cli_context(ctx).admin(offline=True, load_index=False)
    try:
        mentors = admin.domain.profiles.roster()
    finally:
        admin.close()
    now = utcnow()
    rows = [
        {
            "slack_id": m.slack_id,
            "name": m.name,
            "title": m.title,
            "timezone": m.timezone,
            "languages": list(m.languages),
            "capacity": m.weekly_capacity,
            "status": _status(m.active, m.paused_until, now, m.approval),
            "expertise": m.expertise,
        }
        for m in mentors
    ]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        out.print("No mentors yet. Add some with `mentor-bot mentors import FILE.csv`.")
        return
    table = Table("slack_id", "name", "title", "tz", "cap", "status", "expertise")
    for r in rows:
        expertise = str(r["expertise"])
        short = expertise if len(expertise) <= 60 else expertise[:57] + "..."
        table.add_row(
            *(
                _cell(value)
                for value in (
                    r["slack_id"],
                    r["name"],
                    r["title"],
                    r["timezone"],
                    r["capacity"],
                    r["status"],
                    short,
                )
            )
        )
    out.print(table)
    out.print(f"{len(rows)} mentors.")


def _cell(value: object) -> Text:
    """Mentor-written text as a plain cell: Text is never read as Rich markup ("[red]"), and
    control characters (terminal escape sequences) are dropped."""
    return Text(clean_text(str(value)))


def _status(active: bool, paused_until: object, now: object, approval: str = "approved") -> str:
    if approval == "pending":
        return "awaiting approval"
    if not active or approval == "rejected":
        return "inactive"
    if paused_until is not None and paused_until > now:  # type: ignore[operator]
        return "paused"
    return "active"


@mentors_app.command("remove")
def mentors_remove(ctx: typer.Context, slack_id: str) -> None:
    """Take a mentor off the roster: their pending requests go to the next mentor, their
    upcoming sessions as mentor are cancelled (mentees are told in Slack), and the profile is
    anonymised (anonymous counts stay for the digest)."""
    admin = cli_context(ctx).admin()
    try:
        removed = admin.domain.privacy.remove_mentor(slack_id.strip())
    finally:
        admin.close()
    if not removed:
        fail(f"No mentor with Slack id {slack_id!r}.", code=1)
    out.print(f"Removed mentor {slack_id}: pending requests moved on; counts remain.")


# -- matching -----------------------------------------------------------------------------
