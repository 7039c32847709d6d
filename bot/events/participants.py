"""Reading an event's participants from CSV (`slack_id,role,question`), with the same
row-numbered problem reports as the roster import (`bot/roster.py`)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from bot.errors import InvalidQuestionError
from bot.mentoring.questions import clean_question
from bot.roster import CsvFormatError, RowProblem, formula_cells, read_csv_file
from bot.storage.models import SLACK_USER_ID
from bot.text import clean_text

COLUMNS = ("slack_id", "role", "question")


class Role(StrEnum):
    MENTEE = "mentee"
    MENTOR = "mentor"


@dataclass(frozen=True)
class Participant:
    line: int
    slack_id: str
    role: Role
    question: str  # "" for mentors: their profile speaks for them


@dataclass
class Participants:
    mentees: list[Participant] = field(default_factory=list)
    mentors: list[Participant] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def read_participants_csv(path: Path) -> Participants:
    """The file's mentees and mentors, and a problem per bad row; CsvFormatError when the file
    as a whole cannot be read. (The file checks mirror `read_mentor_csv`, whose header rules
    are the roster's.)"""
    text = read_csv_file(path, retry="try again")
    return parse_participants(text, path.name)


def parse_participants(text: str, name: str = "The participants file") -> Participants:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not header:
        raise CsvFormatError(f"{name} is empty: expected a header row with {','.join(COLUMNS)}.")
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise CsvFormatError(
            f"{name} lacks the required column(s) {', '.join(missing)}; "
            f"the header has: {', '.join(h for h in header if h) or '(nothing)'}."
        )
    reader.fieldnames = header
    found = Participants()
    first_seen: dict[tuple[str, Role], int] = {}
    try:
        for record in reader:
            values = {
                k: clean_text(v or "").strip() for k, v in record.items() if isinstance(k, str)
            }
            if any(values.values()):
                _add_row(found, reader.line_num, values, first_seen)
    except csv.Error as exc:
        raise CsvFormatError(f"{name} line {reader.line_num}: {exc}.") from exc
    return found


def _add_row(
    found: Participants,
    line: int,
    values: dict[str, str],
    first_seen: dict[tuple[str, Role], int],
) -> None:
    slack_id = values.get("slack_id", "")
    problem = _problem(values)
    if problem is not None:
        found.problems.append(RowProblem(line, slack_id, problem))
        return
    role = Role(values["role"].lower())
    if (slack_id, role) in first_seen:
        problem = f"duplicate {role} slack_id, first given on line {first_seen[slack_id, role]}"
        found.problems.append(RowProblem(line, slack_id, problem))
        return
    first_seen[slack_id, role] = line
    # A person may take part both ways (a mentee who also mentors): never paired with
    # themself, and never in two conversations in one round (see planning.py).
    if role is Role.MENTEE:
        found.mentees.append(Participant(line, slack_id, role, clean_question(values["question"])))
    else:
        found.mentors.append(Participant(line, slack_id, role, ""))


def _problem(values: dict[str, str]) -> str | None:
    """What is wrong with one row, or None (the first problem found is enough to fix)."""
    formulas = formula_cells(values)
    if formulas:
        return (
            f"{', '.join(formulas)} starts like a spreadsheet formula (=, +, -, @); "
            "remove that first character"
        )
    slack_id, role = values.get("slack_id", ""), values.get("role", "").lower()
    if not slack_id:
        return "slack_id is empty"
    if not re.fullmatch(SLACK_USER_ID, slack_id):
        return f"{slack_id!r} is not a Slack user id (like U024BE7LH)"
    if role not in {r.value for r in Role}:
        return f"role {values.get('role', '')!r} is neither mentee nor mentor"
    if role == Role.MENTEE:
        if not values.get("question"):
            return "question is empty (a mentee's question decides whom they meet)"
        try:
            clean_question(values["question"])
        except InvalidQuestionError as exc:
            return f"question: {exc}"
    return None
