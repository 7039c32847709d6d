"""Per-person settings (the language chosen with `/mentor language`)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col

from bot.storage.models import PersonSetting, utcnow


def chosen_language(session: Session, slack_id: str) -> str | None:
    setting = session.get(PersonSetting, slack_id)
    return setting.language if setting else None


def choose_language(session: Session, slack_id: str, language: str | None) -> None:
    """Store the person's language; None goes back to their Slack language."""
    setting = session.get(PersonSetting, slack_id)
    if language is None:
        if setting is not None:
            session.delete(setting)
        return
    if setting is None:
        session.add(PersonSetting(slack_id=slack_id, language=language))
    else:
        setting.language = language
        setting.updated_at = utcnow()
        session.add(setting)


def erase_settings(session: Session, slack_id: str) -> int:
    statement = sa.delete(PersonSetting).where(col(PersonSetting.slack_id) == slack_id)
    result = session.execute(statement)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
