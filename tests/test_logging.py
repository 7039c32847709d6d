"""Structured logs: every event is one JSON line; no field name can break logging."""

from __future__ import annotations

import io
import json
import logging

from bot.logging import JsonFormatter, log_event


def test_events_with_reserved_field_names_are_logged_not_raised() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("test.events")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)  # production level: makeRecord runs
    try:
        log_event(logger, "profile_saved", mentor_id=7, created=True, name="x")
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["event"] == "profile_saved"
    assert (line["mentor_id"], line["created_"], line["name_"]) == (7, True, "x")
