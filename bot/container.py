"""Composition root: the one place that builds settings, engine, embedder and services.

Tests build the same graph with fakes by passing them in; nothing here runs at import time.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.matching.embedder import Embedder, SentenceTransformerEmbedder
from bot.matching.service import MatchingService
from bot.storage.db import make_engine


@dataclass
class Services:
    settings: Settings
    engine: Engine
    matching: MatchingService

    def close(self) -> None:
        self.engine.dispose()


def build_engine(settings: Settings) -> Engine:
    return make_engine(settings.database_url)


def build_services(
    settings: Settings, *, engine: Engine | None = None, embedder: Embedder | None = None
) -> Services:
    engine = engine or build_engine(settings)
    embedder = embedder or SentenceTransformerEmbedder(settings.embedding_model)
    matching = MatchingService(
        engine=engine, embedder=embedder, exact_limit=settings.exact_search_limit
    )
    return Services(settings=settings, engine=engine, matching=matching)
