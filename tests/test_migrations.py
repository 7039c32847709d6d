from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from bot.storage import db
from bot.storage.db import include_object

TABLES = {
    "mentor",
    "mentor_embedding",
    "roster_state",
    "roster_change",
    "mentoring_request",
    "offer",
    "mentoring_session",
    "feedback",
    "apscheduler_jobs",
    "notification_log",
    "digest_log",
    "slack_message",
}


def test_upgrade_from_empty_creates_every_table_at_head(any_engine: Engine) -> None:
    assert set(sa.inspect(any_engine).get_table_names()) >= TABLES
    assert db.current_revision(any_engine) == db.head_revision()
    assert db.is_up_to_date(any_engine)


def test_models_and_migrations_agree(any_engine: Engine) -> None:
    """A model change without a migration fails here, not in production."""
    with any_engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object}
        )
        assert compare_metadata(context, SQLModel.metadata) == []


def test_downgrade_to_base_and_upgrade_again(any_engine: Engine) -> None:
    db.downgrade(any_engine, "base")
    assert not (TABLES & set(sa.inspect(any_engine).get_table_names()))
    db.upgrade(any_engine)
    assert db.is_up_to_date(any_engine)


def test_upgrade_is_idempotent(any_engine: Engine) -> None:
    db.upgrade(any_engine)
    assert db.current_revision(any_engine) == db.head_revision()


def test_fresh_database_is_not_up_to_date(sqlite_url: str) -> None:
    engine = db.make_engine(sqlite_url)
    assert db.current_revision(engine) is None
    assert not db.is_up_to_date(engine)


def test_heroku_style_postgres_urls_use_psycopg3() -> None:
    assert db.normalise_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert db.normalise_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert db.normalise_url("sqlite:///x.db") == "sqlite:///x.db"
