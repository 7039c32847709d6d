"""Structured logging: one JSON line per event, so logs can be grepped and shipped as-is.

Callers pass identifiers (request ids, Slack user ids), never question text or tokens.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TypeAlias

ExcInfo: TypeAlias = (
    tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]
)

# Exceptions whose message can carry the data being processed: a database error quotes the
# failing statement's values and the driver's detail ("Key (x)=(…)"), pydantic quotes the
# input. Their messages are never logged; their type and traceback are.
WITHHELD_MODULES = ("sqlalchemy", "psycopg", "sqlite3", "pydantic", "pydantic_core")

_RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        line.update({k: v for k, v in record.__dict__.items() if k not in _RESERVED})
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)

    def formatException(self, ei: ExcInfo) -> str:  # noqa: N802  (logging's name)
        error = ei[1]
        return safe_traceback(error) if error is not None else ""


def safe_traceback(error: BaseException) -> str:
    """The traceback of `error` and its causes, with the messages of data-carrying
    exceptions (database, validation) replaced by a note."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = "".join(traceback.format_tb(current.__traceback__))
        parts.append(f"Traceback (most recent call last):\n{frames}{_headline(current)}")
        current = current.__cause__ or current.__context__
    return "\n\nwhich was raised while handling:\n\n".join(parts)


def _headline(error: BaseException) -> str:
    kind = type(error)
    name = f"{kind.__module__}.{kind.__qualname__}"
    if kind.__module__.split(".")[0] in WITHHELD_MODULES:
        return f"{name} (message withheld: it can quote the data being processed)"
    return "".join(traceback.format_exception_only(kind, error)).rstrip()


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_libraries()


# Chatty at INFO: kept to warnings.
NOISY = ("sentence_transformers", "transformers", "urllib3", "faiss", "alembic")
# At DEBUG these log whole request and response bodies, i.e. mentees' questions: never below
# INFO, whatever LOG_LEVEL says.
BODY_LOGGERS = ("slack_bolt", "slack_sdk")


def quiet_libraries() -> dict[str, int]:
    """Set third-party log levels; returns the previous ones (tests restore them)."""
    previous = {name: logging.getLogger(name).level for name in (*NOISY, *BODY_LOGGERS)}
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in BODY_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)
    return previous


def log_event(logger: logging.Logger, event: str, /, **fields: Any) -> None:
    """Log `event` with `fields` as structured attributes.

    A field named like a LogRecord attribute ("created", "name"…) would make `logging` raise
    at INFO level, i.e. only in production: such names get a trailing underscore."""
    logger.info(event, extra={f"{k}_" if k in _RESERVED else k: v for k, v in fields.items()})
