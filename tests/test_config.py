from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from bot.config import Settings
from tests.conftest import ROOT


def test_env_example_documents_every_setting() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#? ?([A-Z_]+)=", text, re.MULTILINE))
    assert {name.upper() for name in Settings.model_fields} <= documented


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROGRAM_LEADS", " U0LEAD001, U0LEAD002 ,")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-secret")
    settings = Settings(_env_file=None)
    assert settings.program_leads == ["U0LEAD001", "U0LEAD002"]
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert settings.log_level == "DEBUG"
    assert "xoxb-secret" not in repr(settings)  # tokens never end up in logs or tracebacks


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DIGEST_TIME", "25:00"),
        ("DIGEST_TIMEZONE", "Mars/Base"),
        ("MIN_MATCH_SCORE", "2"),
        ("LOG_LEVEL", "LOUD"),
        ("MENTOR_APPROVAL", "anyone"),
        ("MAX_OPEN_REQUESTS", "0"),
        ("QUESTIONS_PER_HOUR", "-1"),
        ("INTERNAL_PORT", "3000"),  # the same as PORT: the internals would be public
    ],
)
def test_bad_settings_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings(_env_file=None)
