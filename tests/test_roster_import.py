from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.roster import CsvFormatError, import_mentors, read_mentor_csv
from bot.storage import mentors as mentor_repo
from bot.storage.db import session_scope
from tests.conftest import EXAMPLE_ROSTER

HEADER = "slack_id,name,title,expertise,timezone,languages,capacity\n"


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "mentors.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_example_roster_imports_cleanly(engine: Engine) -> None:
    rows = read_mentor_csv(EXAMPLE_ROSTER)
    report = import_mentors(engine, rows)
    assert (report.created, report.rejected) == (len(rows), [])
    assert len(rows) >= 30
    with session_scope(engine) as session:
        reverse = [m for m in mentor_repo.list_mentors(session) if "reverse mentor" in m.title]
        assert len(reverse) >= 3


def test_bad_rows_are_reported_and_good_rows_still_imported(engine: Engine, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + (
            'U0AAA,Ana,SRE,postmortems,Europe/Paris,"en,fr",3\n'
            "U0BBB,Bo,,   ,UTC,en,2\n"
            "nobody,X,,sql,UTC,en,2\n"
            "U0CCC,Cy,,sql,Mars/Olympus,en,2\n"
            "U0DDD,Di,,sql,UTC,en,lots\n"
            "U0AAA,Ana again,,kubernetes,UTC,en,2\n"
            "U0EEE,Ed,,python,,,\n"
        ),
    )
    progress: list[int] = []
    report = import_mentors(engine, read_mentor_csv(path), progress=progress.append)
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    problems = {(p.line, p.slack_id): p.problem for p in report.rejected}
    assert problems == {
        (3, "U0BBB"): "expertise is empty",
        (4, "nobody"): "slack_id 'nobody' is not a Slack user id (like U024BE7LH)",
        (
            5,
            "U0CCC",
        ): "timezone unknown timezone 'Mars/Olympus' (use an IANA name like Europe/Paris)",
        (
            6,
            "U0DDD",
        ): "capacity Input should be a valid integer, unable to parse string as an integer",
        (7, "U0AAA"): "duplicate slack_id, first given on line 2",
    }
    assert sum(progress) == 7
    with session_scope(engine) as session:
        ana = mentor_repo.get_by_slack_id(session, "U0AAA")
        assert ana is not None
        assert (ana.languages, ana.weekly_capacity, ana.timezone) == (
            ["en", "fr"],
            3,
            "Europe/Paris",
        )
        ed = mentor_repo.get_by_slack_id(session, "U0EEE")
        assert ed is not None
        assert (ed.timezone, ed.weekly_capacity) == ("UTC", 2)


def test_reimport_updates_changed_rows_and_skips_unchanged(engine: Engine, tmp_path: Path) -> None:
    first = HEADER + "U0AAA,Ana,,postmortems,Europe/Paris,en,3\nU0BBB,Bo,,sql,UTC,en,2\n"
    import_mentors(engine, read_mentor_csv(write(tmp_path, first)))
    second = HEADER + "U0AAA,Ana,,postmortems,,,\nU0BBB,Bo,,sql and dbt,UTC,en,2\n"
    report = import_mentors(engine, read_mentor_csv(write(tmp_path, second)))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    with session_scope(engine) as session:
        ana = mentor_repo.get_by_slack_id(session, "U0AAA")
        assert ana is not None
        assert ana.timezone == "Europe/Paris"  # empty cell keeps the stored value


def test_excel_bom_and_column_order_do_not_matter(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeffExpertise,Slack_ID\npostmortems,U0AAA\n")
    assert import_mentors(engine, read_mentor_csv(path)).created == 1


@pytest.mark.parametrize(
    ("content", "encoding", "message"),
    [
        ("name,expertise\nAna,sql\n", "utf-8", "lacks the required column(s) slack_id"),
        ("", "utf-8", "is empty"),
        (HEADER + "U0AAA,José,,sql,UTC,es,2\n", "latin-1", "is not UTF-8 (byte 0xe9 on line 2)"),
    ],
)
def test_unreadable_files_are_refused_whole(
    tmp_path: Path, content: str, encoding: str, message: str
) -> None:
    with pytest.raises(CsvFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_mentor_csv(write(tmp_path, content, encoding))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CsvFormatError, match="does not exist"):
        read_mentor_csv(tmp_path / "nope.csv")


def test_huge_cells_formulas_and_duplicates(engine: Engine, tmp_path: Path) -> None:
    rows = [
        "slack_id,name,expertise",
        "U0KEEP001,Keep,Kubernetes",
        "U0LONG001,Long," + "x" * 5000,  # over the 3,000-character expertise limit
        "U0FORM001,=cmd|' /C calc'!A0,SQL",
        "U0FORM002,Ana,+SUM(A1:A9)",
        "U0FORM003,@ana,Go",
        "U0DASH001,Dash,- bullet point lists are fine",
        "U0KEEP001,Again,Duplicate",
    ]
    report = import_mentors(engine, read_mentor_csv(write(tmp_path, "\n".join(rows) + "\n")))
    problems = {p.slack_id: p.problem for p in report.rejected}
    assert report.created == 2
    assert "at most 3000 characters" in problems["U0LONG001"]
    for formula in ("U0FORM001", "U0FORM002", "U0FORM003"):
        assert "spreadsheet formula" in problems[formula]
    assert "duplicate slack_id, first given on line 2" in problems["U0KEEP001"]

    # One cell larger than the csv module's limit: the whole file is refused, nothing written.
    huge = "slack_id,expertise\nU0NEW0001,ok\nU0HUGE001," + "y" * 200_000 + "\n"
    with pytest.raises(CsvFormatError, match="nothing was imported"):
        read_mentor_csv(write(tmp_path, huge))
    with session_scope(engine) as session:
        assert sorted(m.slack_id for m in mentor_repo.list_mentors(session)) == [
            "U0DASH001",
            "U0KEEP001",
        ]


def test_questions_column_lists_what_a_mentor_can_help_with(engine: Engine, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "slack_id,expertise,questions\n"
        'U0SRE,"SLOs, error budgets","How much downtime is OK for our API, really? | '
        'Who gets paged at 3 am?"\n',
    )
    assert import_mentors(engine, read_mentor_csv(path)).created == 1
    with session_scope(engine) as session:
        mentor = mentor_repo.get_by_slack_id(session, "U0SRE")
        assert mentor is not None
        assert mentor.help_questions == [
            "How much downtime is OK for our API, really?",
            "Who gets paged at 3 am?",
        ]
