"""Hostile and odd input through the real HTTP endpoint: a clear message or a 4xx, never a
500, and never lost data (property-based with hypothesis, plus a fixed corpus)."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.matching.service import MatchingService
from bot.mentoring.profiles import ProfileService
from bot.roster import CsvFormatError, ImportReport
from bot.storage.db import session_scope
from bot.storage.models import SLACK_USER_ID, Mentor, MentoringRequest
from tests.conftest import add_mentor
from tests.utils.bot_server import BotServer, StartBot

CORPUS = [
    "",
    "   ",
    "x" * 40_000,
    "🙂🙂🙂 مرحبا كيف أكتب تقريرا \u200b\u200b\u200d",
    "<!channel> <!here> <@U0SRE0001> <https://evil.example|click>",
    "*bold* _it_ ~strike~ `code` ```block``` > quote",
    "'; DROP TABLE mentor; --",
    "Robert'); DELETE FROM mentoring_request; --",
    "\x00\x01\x02 control characters",
    "help me",  # not the help subcommand
    "STATUS",
]


@pytest.fixture
def bot(engine: Engine, start_bot: StartBot) -> BotServer:
    add_mentor(engine, "U0SRE0001", "incident postmortems, on-call rotations")
    return start_bot()


def mentors_left(engine: Engine) -> int:
    with session_scope(engine) as session:
        return len(session.exec(select(Mentor)).all())


@pytest.mark.parametrize("text", CORPUS)
def test_command_corpus_never_500(engine: Engine, bot: BotServer, text: str) -> None:
    response = bot.command(text, "U0MENTEE1")
    assert response.status == 200
    assert "Traceback" not in response.body
    assert mentors_left(engine) == 1


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=st.text(max_size=4000))
def test_any_command_text_is_answered(engine: Engine, bot: BotServer, text: str) -> None:
    response = bot.command(text, "U0MENTEE1")
    assert response.status == 200
    assert "Traceback" not in response.body
    with session_scope(engine) as session:
        for request in session.exec(select(MentoringRequest)).all():
            assert request.question is not None
            assert 3 <= len(request.question) <= 3000


payload_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kind=st.sampled_from(["block_actions", "view_submission", "shortcut", "nonsense"]),
    action_id=st.sampled_from(
        ["offer_accept", "request_cancel", "session_book_slot", "feedback_rate_3", "unknown_action"]
    ),
    value=payload_values,
    user=payload_values,
)
def test_any_interaction_payload_gets_4xx_or_200(
    engine: Engine, bot: BotServer, kind: str, action_id: str, value: object, user: object
) -> None:
    payload = {
        "type": kind,
        "user": user,
        "actions": [{"action_id": action_id, "value": value}],
        "view": {"callback_id": "intake_modal", "state": value},
        "team": {"id": "T1"},
    }
    body = urlencode({"payload": json.dumps(payload)})
    response = bot.post_signed(body, "application/x-www-form-urlencoded")
    assert response.status in (200, 400, 404)
    assert mentors_left(engine) == 1


csv_cells = st.text(max_size=40) | st.sampled_from(
    ["U0NEW0001", "=cmd()", "+1", "@SUM(A1)", '"', '""', "\r\n", "é", "\ufeff", "x" * 4000]
)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    header=st.sampled_from(["slack_id,expertise", "slack_id,name,expertise,capacity", "", "x"]),
    rows=st.lists(st.lists(csv_cells, max_size=5), max_size=6),
)
def test_any_pasted_roster_gets_a_report_or_a_clear_refusal(
    engine: Engine, matching: MatchingService, header: str, rows: list[list[str]]
) -> None:
    """What a lead pastes into the import form: every outcome is a report or CsvFormatError
    with a message; the mentors already there are never lost."""
    if mentors_left(engine) == 0:
        add_mentor(engine, "U0SRE0001", "incident postmortems, on-call rotations")
    text = header + "\n" + "\n".join(",".join(row) for row in rows)
    profiles = ProfileService(engine=engine, matching=matching)
    outcome: ImportReport | CsvFormatError
    try:
        outcome = profiles.import_csv_text(text)
    except CsvFormatError as error:
        outcome = error
    if isinstance(outcome, CsvFormatError):
        assert str(outcome).strip()  # a message for the lead, not an empty error
    else:
        assert all(p.line >= 2 and p.problem for p in outcome.rejected)
    with session_scope(engine) as session:
        stored = session.exec(select(Mentor.slack_id)).all()
    assert "U0SRE0001" in stored  # nothing lost
    assert all(re.fullmatch(SLACK_USER_ID, slack_id) for slack_id in stored)
    with session_scope(engine) as session:
        assert session.exec(select(Mentor).where(Mentor.slack_id == "U0SRE0001")).one()
