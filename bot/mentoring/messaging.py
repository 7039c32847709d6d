"""Sending the bot's messages from the domain: a failed send never undoes stored state, where a
message quoting someone's words went is logged, and such messages are rewritten when that
person's data is erased (the Slack side of "forget me")."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import ParamSpec, TypeVar

from sqlalchemy.engine import Engine

from bot.mentoring.ports import MessageRef
from bot.storage import messages as message_repo
from bot.storage.db import session_scope
from bot.storage.models import MessageKind

logger = logging.getLogger(__name__)

Redact = Callable[[MessageRef, str], None]
P = ParamSpec("P")
R = TypeVar("R")


def safely(action: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R | None:
    """Run a notification; a failed Slack call is logged and never undoes stored state."""
    try:
        return action(*args, **kwargs)
    except Exception:
        logger.exception("notification_failed", extra={"action": action.__name__})
        return None


def log_posted(
    engine: Engine,
    kind: MessageKind,
    refs: Iterable[MessageRef | None] | None,
    *,
    request_id: int | None = None,
    session_id: int | None = None,
    mentor_id: int | None = None,
    about: Iterable[str] = (),
) -> None:
    """Log where messages quoting or naming people went (see SlackMessage); one row per
    person in `about` (each one's erasure finds it)."""
    posted = [(r.recipient, r.channel, r.ts) for r in refs or () if isinstance(r, MessageRef)]
    if not posted:
        return
    with session_scope(engine) as session:
        people: list[str | None] = [*sorted(set(about))] or [None]
        for person in people:
            message_repo.record(
                session,
                kind,
                posted,
                request_id=request_id,
                session_id=session_id,
                mentor_id=mentor_id,
                about_slack_id=person,
            )


def redact_pending(engine: Engine, redact: Redact) -> tuple[int, int]:
    """Rewrite every message flagged for redaction; returns (rewritten, failed). Failed ones
    stay flagged for the next sweep (a Slack outage must not leave a question in a DM)."""
    with session_scope(engine) as session:
        pending = [
            (m.id, MessageRef(m.channel, m.ts, m.recipient_slack_id), m.kind)
            for m in message_repo.pending_redactions(session)
            if m.id is not None
        ]
    done: list[int] = []
    for message_id, ref, kind in pending:
        try:
            redact(ref, kind)
        except Exception:  # noqa: BLE001  (logged; retried by the next sweep)
            logger.warning("redaction_failed", extra={"message_id": message_id, "kind": kind})
            continue
        done.append(message_id)
    with session_scope(engine) as session:
        message_repo.forget(session, done)
    return len(done), len(pending) - len(done)
