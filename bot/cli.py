"""`mentor-bot` command line: database, roster administration and matching from the shell.

Exit codes: 0 success; 1 the command ran but something was rejected or not found;
2 the input or the environment is unusable (bad file, bad question, database not migrated).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text
from sqlalchemy import make_url
from sqlalchemy.engine import Engine

from bot.app import SETUP_HELP, SlackNotConfiguredError
from bot.config import Settings
from bot.container import (
    Admin,
    BotRuntime,
    Services,
    build_admin,
    build_engine,
    build_runtime,
    build_services,
)
from bot.digest.render import digest_text, write_chart
from bot.digest.report import parse_week
from bot.errors import MentorBotError
from bot.logging import configure_logging
from bot.matching.embedder import Embedder
from bot.matching.service import MatchResult
from bot.mentoring.privacy import export_personal_data
from bot.roster import CsvFormatError, ImportReport, import_mentors, read_mentor_csv
from bot.server import serve_http, serve_socket_mode
from bot.storage import db
from bot.storage import mentors as mentor_repo
from bot.storage.db import session_scope
from bot.storage.models import utcnow
from bot.text import clean_text

app = typer.Typer(help="On-demand mentoring for Slack.", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
mentors_app = typer.Typer(help="Mentor roster.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(mentors_app, name="mentors")
people_app = typer.Typer(
    help="A person's data: export it, or erase it (e.g. for someone who has left).",
    no_args_is_help=True,
)
app.add_typer(people_app, name="people")

# soft_wrap: messages keep their own line breaks, so paths and ids are never split in two
# (and scripts grepping the output see whole sentences).
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


@dataclass
class CliContext:
    """What commands build their services from; tests swap in a fake embedder."""

    settings_factory: Callable[[], Settings] = Settings
    embedder_factory: Callable[[Settings], Embedder] | None = None
    _settings: Settings | None = field(default=None, init=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = self.settings_factory()
        return self._settings

    def engine(self) -> Engine:
        engine = build_engine(self.settings)
        if not db.is_up_to_date(engine):
            engine.dispose()
            fail(
                f"The database {safe_url(self.settings.database_url)} is not initialised or not "
                "up to date. Run `mentor-bot db upgrade` first."
            )
        return engine

    def services(self) -> Services:
        engine = self.engine()
        embedder = self.embedder_factory(self.settings) if self.embedder_factory else None
        return build_services(self.settings, engine=engine, embedder=embedder)

    def admin(self, *, offline: bool = False) -> Admin:
        """The bot's services for commands that act on people or the digest (Slack is needed
        to tell people, unless `offline`). Jobs they create are stored for the running bot."""
        self.engine().dispose()  # fails clearly when migrations are missing
        embedder = self.embedder_factory(self.settings) if self.embedder_factory else None
        try:
            return build_admin(self.settings, embedder=embedder, offline=offline)
        except SlackNotConfiguredError as exc:
            fail(str(exc))
            raise  # fail() exits; this keeps type checkers sure nothing is returned


def fail(message: str, code: int = 2) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


def safe_url(url: str) -> str:
    return make_url(db.normalise_url(url)).render_as_string(hide_password=True)


def _ctx(ctx: typer.Context) -> CliContext:
    obj = ctx.find_root().obj
    assert isinstance(obj, CliContext)
    return obj


@app.callback()
def _root(
    ctx: typer.Context,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log at LOG_LEVEL.")] = False,
) -> None:
    if ctx.obj is None:
        ctx.obj = CliContext()
    try:
        settings = _ctx(ctx).settings
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        fail(f"invalid settings: {exc}")
        return
    # Commands print their own results; structured logs would only interleave with them.
    configure_logging(settings.log_level if verbose else "WARNING")


# -- db ------------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create or migrate the schema to the newest revision."""
    settings = _ctx(ctx).settings
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
    engine = build_engine(_ctx(ctx).settings)
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
    cli = _ctx(ctx)
    engine = cli.engine()
    try:
        with _progress() as progress:
            task = progress.add_task("Importing", total=len(rows))
            report = import_mentors(engine, rows, progress=lambda n: progress.advance(task, n))
        _print_import_report(report)
        if embed and report.changed_ids:
            services = cli.services()
            with _progress() as progress:
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
    engine = _ctx(ctx).engine()
    now = utcnow()
    with session_scope(engine) as session:
        mentors = mentor_repo.list_mentors(session)
        rows = [
            {
                "slack_id": m.slack_id,
                "name": m.name,
                "title": m.title,
                "timezone": m.timezone,
                "languages": m.languages,
                "capacity": m.weekly_capacity,
                "status": _status(m.active, m.paused_until, now, m.approval),
                "expertise": m.expertise,
            }
            for m in mentors
        ]
    engine.dispose()
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
    admin = _ctx(ctx).admin()
    try:
        removed = admin.domain.privacy.remove_mentor(slack_id.strip())
    finally:
        admin.close()
    if not removed:
        fail(f"No mentor with Slack id {slack_id!r}.", code=1)
    out.print(f"Removed mentor {slack_id}: pending requests moved on; counts remain.")


# -- matching -----------------------------------------------------------------------------


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
    services = _ctx(ctx).services()
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
    services = _ctx(ctx).services()
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
    cli = _ctx(ctx)
    if week is not None:
        try:
            parse_week(week)
        except ValueError as exc:
            fail(str(exc))
    admin = cli.admin(offline=dry_run)
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
    engine = _ctx(ctx).engine()
    try:
        print(json.dumps(export_personal_data(engine, slack_id), indent=2, ensure_ascii=False))
    finally:
        engine.dispose()


@people_app.command("forget")
def people_forget(
    ctx: typer.Context,
    slack_id: Annotated[str, typer.Argument(help="Slack user id, e.g. U024BE7LH.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase a person's data as `/mentor forget-me` does: open requests and sessions are
    cancelled (the other side is told in Slack), pending offers move on, texts are deleted."""
    cli = _ctx(ctx)
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


@app.command("run")
def run(
    ctx: typer.Context,
    http: Annotated[
        bool, typer.Option("--http", help="HTTP mode even if SLACK_APP_TOKEN is set.")
    ] = False,
    port: Annotated[int | None, typer.Option(help="HTTP port (default: PORT, 3000).")] = None,
) -> None:
    """Start the Slack bot: Socket Mode with SLACK_APP_TOKEN, otherwise HTTP mode."""
    cli = _ctx(ctx)
    settings = cli.settings
    socket_mode = settings.slack_app_token is not None and not http
    missing = [
        name
        for name, value in (
            ("SLACK_BOT_TOKEN", settings.slack_bot_token),
            (
                "SLACK_APP_TOKEN" if socket_mode else "SLACK_SIGNING_SECRET",
                settings.slack_app_token if socket_mode else settings.slack_signing_secret,
            ),
        )
        if value is None
    ]
    if missing:
        fail(f"{' and '.join(missing)} not set. {SETUP_HELP}")
    cli.engine().dispose()  # fails clearly when migrations are missing
    configure_logging(settings.log_level)

    def build() -> BotRuntime:
        embedder = cli.embedder_factory(settings) if cli.embedder_factory else None
        return build_runtime(settings, embedder=embedder)

    if socket_mode:
        serve_socket_mode(build(), settings)
    else:
        serve_http(build, settings, port or settings.port)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )


def main() -> None:
    app()
