"""Mentor roster administration: CSV import (upsert by Slack id) with per-row problem reports."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.engine import Engine

from bot.errors import MentorBotError
from bot.storage import mentors as mentor_repo
from bot.storage.db import session_scope
from bot.storage.models import MentorProfile
from bot.text import clean_text

REQUIRED_COLUMNS = ("slack_id", "expertise")
OPTIONAL_COLUMNS = (
    "name",
    "title",
    "timezone",
    "languages",
    "capacity",
    "skills",
    "available_from",
    "available_until",
    "questions",  # "questions I can help with", separated by " | " (or line breaks in the cell)
    "meeting_place",  # a personal https video link, a room, or "Slack huddle"
)
# CSV column → profile field, where the names differ.
FIELD_OF_COLUMN = {"capacity": "weekly_capacity", "questions": "help_questions"}
BATCH_SIZE = 500
# What Excel, LibreOffice and Google Sheets treat as the start of a formula (OWASP's list);
# "-" only before a digit, bracket or another operator, so "- bullet" text stays allowed.
FORMULA = re.compile(r"^\s*([=+@\t\r]|-[\d(=+@])")
MAX_FILE_BYTES = 50 * 1024 * 1024


class CsvFormatError(MentorBotError):
    """The file as a whole cannot be read (encoding, header, size)."""


@dataclass(frozen=True)
class RowProblem:
    line: int
    slack_id: str
    problem: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RowProblem] = field(default_factory=list)
    changed_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]


def read_mentor_csv(path: Path) -> list[CsvRow]:
    """Rows of a roster CSV, or CsvFormatError saying what is wrong with the file."""
    text = read_csv_file(path, retry="import again; nothing was imported")
    return parse_csv_text(text, path.name)


def read_csv_file(path: Path, *, retry: str) -> str:
    """A CSV file's text, or CsvFormatError saying what is wrong with the file (`retry`: what
    to do once it is saved as UTF-8)."""
    if not path.is_file():
        raise CsvFormatError(f"{path} does not exist or is not a file.")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise CsvFormatError(f"{path} is larger than {MAX_FILE_BYTES // 2**20} MiB; split it.")
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CsvFormatError(
            f"{path.name} is not UTF-8 (byte 0x{raw[exc.start]:02x} on line {line}). "
            f"Save it as 'CSV UTF-8' and {retry}."
        ) from exc


def parse_csv_text(text: str, name: str = "The roster") -> list[CsvRow]:
    """Rows of roster CSV text (a file's, or pasted in Slack), or CsvFormatError."""
    return list(_rows(text, name))


def _rows(text: str, name: str) -> Iterator[CsvRow]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not header:
        raise CsvFormatError(f"{name} is empty: expected a header row with slack_id,expertise.")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CsvFormatError(
            f"{name} lacks the required column(s) {', '.join(missing)}; "
            f"the header has: {', '.join(h for h in header if h) or '(nothing)'}."
        )
    reader.fieldnames = header
    try:
        for record in reader:
            # Control characters go here, at the boundary: a bad row's cells are echoed back
            # in problem reports (CLI and Slack), and the rest goes on to the database.
            values = {
                k: clean_text(v or "", multiline=k == "expertise").strip()
                for k, v in record.items()
                if isinstance(k, str)
            }
            if any(values.values()):
                yield CsvRow(reader.line_num, values)
    except csv.Error as exc:
        raise CsvFormatError(
            f"{name} line {reader.line_num}: {exc}; nothing was imported."
        ) from exc


def formula_cells(values: dict[str, str]) -> list[str]:
    """Columns whose cell a spreadsheet would run as a formula (CSV injection): refused, since
    the roster is exported back to spreadsheets by the people who maintain it."""
    return [column for column, value in values.items() if FORMULA.match(value)]


def profile_from_row(values: dict[str, str]) -> MentorProfile:
    """A profile holding only the cells that were filled: empty optional cells keep what is
    stored (an admin's re-import must not undo a mentor's own timezone or pause)."""
    data: dict[str, object] = {
        "slack_id": values.get("slack_id", ""),
        "expertise": values.get("expertise", ""),
    }
    for column in OPTIONAL_COLUMNS:
        if values.get(column):
            data[FIELD_OF_COLUMN.get(column, column)] = values[column]
    return MentorProfile.model_validate(data)


def describe_validation_error(error: ValidationError) -> str:
    names = {field: column for column, field in FIELD_OF_COLUMN.items()}
    parts = []
    for item in error.errors():
        column = names.get(str(item["loc"][0]), str(item["loc"][0])) if item["loc"] else "row"
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "string_too_short":
            message = "is empty"
        parts.append(f"{column} {message}")
    return "; ".join(parts)


def import_mentors(
    engine: Engine, rows: list[CsvRow], *, progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Upsert valid rows in batches; invalid rows are reported and never stop the others."""
    report = ImportReport()
    first_seen: dict[str, int] = {}
    for start in range(0, len(rows), BATCH_SIZE):
        batch = rows[start : start + BATCH_SIZE]
        profiles = []
        for row in batch:
            profile = _validated(row, first_seen, report)
            if profile is not None:
                profiles.append(profile)
        _upsert_batch(engine, profiles, report)
        if progress:
            progress(len(batch))
    return report


def _validated(
    row: CsvRow, first_seen: dict[str, int], report: ImportReport
) -> MentorProfile | None:
    slack_id = row.values.get("slack_id", "")
    formulas = formula_cells(row.values)
    if formulas:
        problem = (
            f"{', '.join(formulas)} starts like a spreadsheet formula (=, +, -, @); "
            "remove that first character"
        )
        report.rejected.append(RowProblem(row.line, slack_id, problem))
        return None
    try:
        profile = profile_from_row(row.values)
    except ValidationError as exc:
        report.rejected.append(RowProblem(row.line, slack_id, describe_validation_error(exc)))
        return None
    if profile.slack_id in first_seen:
        problem = f"duplicate slack_id, first given on line {first_seen[profile.slack_id]}"
        report.rejected.append(RowProblem(row.line, slack_id, problem))
        return None
    first_seen[profile.slack_id] = row.line
    return profile


def _upsert_batch(engine: Engine, profiles: list[MentorProfile], report: ImportReport) -> None:
    with session_scope(engine) as session:
        changed: list[int] = []
        for profile in profiles:
            existing = mentor_repo.get_by_slack_id(session, profile.slack_id)
            if existing is not None and _same_profile(existing, profile):
                report.unchanged += 1
                continue
            mentor, created = mentor_repo.upsert_mentor(session, profile)
            if created:
                report.created += 1
            else:
                report.updated += 1
            assert mentor.id is not None
            changed.append(mentor.id)
        mentor_repo.record_changes(session, changed)
    report.changed_ids.extend(changed)


def _same_profile(existing: object, profile: MentorProfile) -> bool:
    given = profile.model_dump(exclude_unset=True)
    return all(getattr(existing, k) == v for k, v in given.items())
