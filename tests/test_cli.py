from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Protocol, cast

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner, Result

from bot.cli import CliContext, app
from bot.storage import db
from bot.storage.db import session_scope
from bot.storage.models import Mentor, MentoringRequest, Offer
from tests.conftest import EXAMPLE_ROSTER, add_mentor, bot_settings
from tests.utils.fake_embedder import FakeEmbedder
from tests.utils.slack_api import SlackStandIn


class Cli(Protocol):
    embedder: FakeEmbedder

    def __call__(self, *args: str, input: str | None = None, columns: int = 80) -> Result: ...


@pytest.fixture
def cli(sqlite_url: str, slack_api: SlackStandIn) -> Cli:
    """The CLI with the bot's settings: commands that tell people (removing a mentor,
    erasing someone) reach the Slack stand-in."""
    embedder = FakeEmbedder()
    settings = bot_settings(sqlite_url, slack_api)

    def run(*args: str, input: str | None = None, columns: int = 80) -> Result:
        context = CliContext(settings_factory=lambda: settings, embedder_factory=lambda _: embedder)
        env = {"COLUMNS": str(columns)}
        return CliRunner().invoke(app, list(args), input=input, obj=context, env=env)

    run.embedder = embedder  # type: ignore[attr-defined]  # the Cli protocol's attribute
    return cast(Cli, run)


def roster(tmp_path: Path) -> Path:
    path = tmp_path / "r.csv"
    path.write_text(
        "slack_id,name,title,expertise\n"
        'U0SRE,Ana,SRE,"incident postmortems, on-call rotations"\n'
        'U0DEN,Diego,Data engineer,"airflow pipelines, dbt models"\n'
        "U0BAD,,,\n",
        encoding="utf-8",
    )
    return path


def test_commands_refuse_an_unmigrated_database(cli: Cli) -> None:
    result = cli("mentors", "list")
    assert result.exit_code == 2
    assert "Run `mentor-bot db upgrade` first" in result.stderr


def test_import_list_match_remove(cli: Cli, tmp_path: Path) -> None:
    assert cli("db", "upgrade").exit_code == 0
    result = cli("mentors", "import", str(roster(tmp_path)))
    assert result.exit_code == 1  # a row was rejected
    assert "2 imported, 0 updated, 0 unchanged, 1 rejected." in result.stdout
    assert "line 4 (U0BAD): expertise is empty" in result.stderr
    assert cli.embedder.texts_embedded > 0  # import embeds so the bot starts warm

    listed = json.loads(cli("mentors", "list", "--json").stdout)
    assert [m["slack_id"] for m in listed] == ["U0DEN", "U0SRE"]
    assert "2 mentors." in cli("mentors", "list").stdout

    result = cli("match", "writing incident postmortems", "--json", "--top", "1")
    assert result.exit_code == 0
    [best] = json.loads(result.stdout)
    assert best["slack_id"] == "U0SRE"
    assert best["reasons"] == ["incident postmortems"]
    assert isinstance(best["score"], float)

    text = cli("match", "dbt models").stdout
    assert "1. Diego (U0DEN), Data engineer" in text
    assert "matched on: dbt models" in text

    assert cli("mentors", "remove", "U0SRE").exit_code == 0
    result = cli("mentors", "remove", "U0SRE")
    assert result.exit_code == 1
    assert "No mentor with Slack id 'U0SRE'" in result.stderr


def test_match_reads_questions_from_stdin(cli: Cli, tmp_path: Path) -> None:
    cli("db", "upgrade")
    cli("mentors", "import", str(roster(tmp_path)))
    result = cli("match", "-", "--top", "1", input="on-call rotations\n\ndbt models\n")
    lines = result.stdout.splitlines()
    assert [[r["slack_id"] for r in json.loads(line)] for line in lines] == [
        ["U0SRE"],
        [],
        ["U0DEN"],
    ]
    assert "line 2: Please write your question" in result.stderr
    assert result.exit_code == 1


def test_bad_question_and_bad_file_get_clear_messages(cli: Cli, tmp_path: Path) -> None:
    cli("db", "upgrade")
    result = cli("match", "  ")
    assert result.exit_code == 2
    assert "Please write your question" in result.stderr
    result = cli("mentors", "import", str(tmp_path / "missing.csv"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_match_with_nobody_available(cli: Cli) -> None:
    cli("db", "upgrade")
    result = cli("match", "postmortems")
    assert result.exit_code == 0
    assert "No available mentor right now" in result.stdout


def test_example_roster_through_cli(cli: Cli) -> None:
    cli("db", "upgrade")
    result = cli("mentors", "import", str(EXAMPLE_ROSTER))
    assert result.exit_code == 0, result.stderr
    assert "36 imported" in result.stdout


def test_removing_a_mentor_moves_their_pending_request_on(
    cli: Cli, sqlite_url: str, slack_api: SlackStandIn
) -> None:
    """`mentors remove` used to delete the pending offer, leaving its request stuck for ever."""
    cli("db", "upgrade")
    engine = db.make_engine(sqlite_url)
    add_mentor(engine, "U0SRE0001", "incident postmortems")
    add_mentor(engine, "U0SRE0002", "incident postmortems, on-call")
    with session_scope(engine) as session:
        request = MentoringRequest(mentee_slack_id="U0ASKER01", question="incident postmortems")
        session.add(request)
        session.flush()
        mentor = session.exec(select(Mentor).where(Mentor.slack_id == "U0SRE0001")).one()
        session.add(
            Offer(
                request_id=request.id,  # type: ignore[arg-type]
                mentor_id=mentor.id,  # type: ignore[arg-type]
                rank=1,
                score=0.9,
                reasons=["incident postmortems"],
                expires_at=request.created_at + timedelta(hours=8),
            )
        )
        request.status = "offered"
    result = cli("mentors", "remove", "U0SRE0001")
    assert result.exit_code == 0, result.output
    assert "pending requests moved on" in result.stdout
    slack_api.wait_call("chat.postMessage", channel="DU0SRE0002")  # the next mentor is asked
    with session_scope(engine) as session:
        offers = session.exec(select(Offer).order_by(col(Offer.id))).all()
        removed = session.get(Mentor, offers[0].mentor_id)
        status = session.exec(select(MentoringRequest.status)).one()
    assert [o.status for o in offers] == ["declined", "pending"]
    assert status == "offered"  # never stuck: it waits on the next mentor
    assert removed is not None and removed.slack_id.startswith("forgotten-")
    assert (removed.expertise, offers[0].reasons) == ("", [])  # anonymous, counts remain
    engine.dispose()


def test_mentor_list_never_runs_markup_or_terminal_escapes(cli: Cli, sqlite_url: str) -> None:
    cli("db", "upgrade")
    engine = db.make_engine(sqlite_url)
    with session_scope(engine) as session:  # as written before text was cleaned on the way in
        session.add(
            Mentor(
                slack_id="U0EVIL001",
                name="[bold red]Admin[/bold red]",
                expertise="\x1b[2J\x1b]0;pwned\x07wiped your screen \x9b31m",
            )
        )
    engine.dispose()
    listed = cli("mentors", "list", columns=200)
    assert listed.exit_code == 0, listed.output
    assert "[bold red]Admin[/bold red]" in listed.stdout  # shown as written, not styled
    assert "wiped your screen" in listed.stdout
    assert not any(ch in listed.stdout for ch in "\x1b\x07\x9b")


def test_people_export_and_forget_for_someone_who_has_left(
    sqlite_url: str, slack_api: SlackStandIn, tmp_path: Path
) -> None:
    """An admin exports, then erases, a departed mentee's data from the shell."""
    from bot.storage import db
    from bot.storage.db import session_scope
    from bot.storage.models import MentoringRequest
    from tests.conftest import add_mentor, bot_settings

    settings = bot_settings(sqlite_url, slack_api)
    engine = db.make_engine(sqlite_url)
    db.upgrade(engine)
    add_mentor(engine, "U0SRE0001", "incident postmortems")
    with session_scope(engine) as session:
        session.add(MentoringRequest(mentee_slack_id="U0GONE001", question="my private worry"))

    def run(*args: str, input: str | None = None) -> Result:
        context = CliContext(
            settings_factory=lambda: settings, embedder_factory=lambda _: FakeEmbedder()
        )
        return CliRunner().invoke(app, list(args), input=input, obj=context)

    exported = run("people", "export", "U0GONE001")
    assert exported.exit_code == 0
    assert json.loads(exported.stdout)["requests"][0]["question"] == "my private worry"

    kept = run("people", "forget", "U0GONE001", input="n\n")
    assert kept.exit_code == 1
    erased = run("people", "forget", "U0GONE001", input="y\n")
    assert erased.exit_code == 0, erased.output
    assert "Erased: 1 request(s)" in erased.stdout
    after = json.loads(run("people", "export", "U0GONE001").stdout)
    assert after["requests"] == []
    with session_scope(engine) as session:
        request = session.exec(select(MentoringRequest)).one()
    assert (request.mentee_slack_id, request.question, request.status) == (
        "forgotten",
        None,
        "cancelled",
    )
    engine.dispose()
