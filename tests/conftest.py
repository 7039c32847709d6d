from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bot.config import PACKAGED_MODEL, Settings
from bot.matching.embedder import Embedder
from bot.matching.service import MatchingService
from bot.storage import db
from bot.storage import mentors as mentor_repo
from bot.storage.db import session_scope
from bot.storage.models import MentorProfile
from tests.utils.bot_server import SIGNING_SECRET, BotServer, StartBot
from tests.utils.fake_embedder import FakeEmbedder
from tests.utils.slack_api import SlackStandIn

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_ROSTER = ROOT / "examples" / "mentors.csv"
PG_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(autouse=True, scope="session")
def production_log_level() -> Iterator[None]:
    """Log records are built at INFO, as in production, so a broken log call fails tests."""
    logger = logging.getLogger("bot")
    before = logger.level
    logger.setLevel(logging.INFO)
    yield
    logger.setLevel(before)


def reset_postgres(url: str) -> Engine:
    engine = db.make_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    return engine


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'mentor_bot.db'}"


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    engine = db.make_engine(sqlite_url)
    db.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set (make ci / .ci/run sets it)")
    engine = reset_postgres(PG_URL)
    db.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def any_engine(request: pytest.FixtureRequest) -> Engine:
    """The same test on both supported back-ends."""
    name = "engine" if request.param == "sqlite" else "pg_engine"
    engine: Engine = request.getfixturevalue(name)
    return engine


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(scope="session")
def real_embedder() -> Embedder:
    from bot.matching.embedder import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(PACKAGED_MODEL)


@pytest.fixture
def settings(sqlite_url: str) -> Settings:
    return Settings(database_url=sqlite_url, _env_file=None)


def add_mentor(engine: Engine, slack_id: str, expertise: str, **fields: object) -> int:
    with session_scope(engine) as session:
        mentor, _ = mentor_repo.upsert_mentor(
            session,
            MentorProfile(slack_id=slack_id, expertise=expertise, **fields),  # type: ignore[arg-type]
        )
        assert mentor.id is not None
        mentor_repo.record_changes(session, [mentor.id])
        return mentor.id


@pytest.fixture
def matching(engine: Engine, fake_embedder: FakeEmbedder) -> MatchingService:
    return MatchingService(engine=engine, embedder=fake_embedder)


@pytest.fixture
def slack_api() -> Iterator[SlackStandIn]:
    api = SlackStandIn().start()
    yield api
    api.stop()


def bot_settings(database_url: str, api: SlackStandIn, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "slack_bot_token": "xoxb-test-token",
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": api.base_url,
        "program_leads": ["U0LEAD001"],
        "mentor_response_hours": 8,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]  # values: any setting


@pytest.fixture
def start_bot(engine: Engine, sqlite_url: str, slack_api: SlackStandIn) -> Iterator[StartBot]:
    """Start the real bot on a real port: start_bot(**setting_overrides) -> BotServer."""
    servers: list[BotServer] = []

    def start(
        embedder: Embedder | None = None, database_url: str | None = None, **overrides: Any
    ) -> BotServer:
        settings = bot_settings(database_url or sqlite_url, slack_api, **overrides)
        server = BotServer(settings, embedder or FakeEmbedder(), slack_api)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()
