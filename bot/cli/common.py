"""What every `mentor-bot` command shares: the typer apps, the consoles, settings and services
built lazily (tests swap in a fake embedder), and how a command fails."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import make_url
from sqlalchemy.engine import Engine

from bot.app import SlackNotConfiguredError
from bot.config import Settings
from bot.container import (
    Admin,
    Services,
    build_admin,
    build_engine,
    build_services,
)
from bot.logging import configure_logging
from bot.matching.embedder import Embedder
from bot.storage import db

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

    def admin(self, *, offline: bool = False, load_index: bool = True) -> Admin:
        """The bot's services for commands that act on people, the roster or the digest (Slack
        is needed to tell people, unless `offline`). Jobs they create are stored for the
        running bot to run."""
        self.engine().dispose()  # fails clearly when migrations are missing
        embedder = self.embedder_factory(self.settings) if self.embedder_factory else None
        try:
            return build_admin(
                self.settings, embedder=embedder, offline=offline, load_index=load_index
            )
        except SlackNotConfiguredError as exc:
            fail(str(exc))
            raise  # fail() exits; this keeps type checkers sure nothing is returned


def fail(message: str, code: int = 2) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


def safe_url(url: str) -> str:
    return make_url(db.normalise_url(url)).render_as_string(hide_password=True)


def cli_context(ctx: typer.Context) -> CliContext:
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
        settings = cli_context(ctx).settings
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        fail(f"invalid settings: {exc}")
        return
    # Commands print their own results; structured logs would only interleave with them.
    configure_logging(settings.log_level if verbose else "WARNING")


# -- db ------------------------------------------------------------------------------------


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )
