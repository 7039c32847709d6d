"""Steps of the mentoring flow driven as Slack drives it, shared by the end-to-end tests: a
seeded roster, a question, an offer, an accept, a booked session."""

from __future__ import annotations

import json

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.handlers.ids import Action
from bot.storage.db import session_scope
from bot.storage.models import MentoringRequest, MentoringSession, Offer
from tests.conftest import add_mentor
from tests.utils.bot_server import BotServer, offer_id_in
from tests.utils.slack_api import SlackStandIn

MENTEE = "U0MENTEE1"


QUESTION = "How do I write incident postmortems?"


def seed(engine: Engine) -> None:
    # Three good fits for QUESTION, in a clear order, and one unrelated mentor.
    add_mentor(
        engine,
        "U0SRE0001",
        "writing incident postmortems, incident postmortems, writing postmortems",
        name="Ana",
    )
    add_mentor(
        engine, "U0SRE0002", "incident postmortems, writing postmortems, incident review", name="Bo"
    )
    add_mentor(engine, "U0SRE0003", "incident postmortems, postmortem templates", name="Cy")
    add_mentor(engine, "U0DSC0001", "A/B testing, statistics", name="Di")


def offer_to(api: SlackStandIn, mentor: str, count: int = 1) -> str:
    calls = api.wait_for(lambda: len(api.messages_to(mentor)) >= count and api.messages_to(mentor))
    return offer_id_in(calls[count - 1].blocks_text())


def ask(bot: BotServer, question: str = QUESTION, user: str = MENTEE) -> None:
    response = bot.command(question, user)
    assert response.status == 200
    assert "Looking for the best mentor" in response.body  # Slack shows it only to the asker


def requests_in(engine: Engine) -> list[MentoringRequest]:
    with session_scope(engine) as session:
        return list(session.exec(select(MentoringRequest)).all())


def offers_in(engine: Engine) -> list[Offer]:
    with session_scope(engine) as session:
        return list(session.exec(select(Offer).order_by(col(Offer.id))).all())


def told_unmatched(slack_api: SlackStandIn, words: str, mentee: str = MENTEE) -> str:
    return slack_api.wait_for(  # type: ignore[no-any-return]
        lambda: next(
            (c.blocks_text() for c in slack_api.messages_to(mentee) if words in c.blocks_text()),
            None,
        )
    )


def slot_values(call_text: str) -> list[str]:
    blocks = json.loads(call_text[: call_text.rindex("]") + 1])
    return [
        b["accessory"]["value"]
        for b in blocks
        if b.get("accessory", {}).get("action_id") == Action.BOOK_SLOT.value
    ]


def accepted(engine: Engine, bot: BotServer, slack_api: SlackStandIn) -> list[str]:
    """Ask, have the best mentor accept, and return the slot button values the mentee got."""
    seed(engine)
    ask(bot)
    bot.click(Action.ACCEPT, offer_to(slack_api, "U0SRE0001"), "U0SRE0001")
    slack_api.wait_for(
        lambda: any("You accepted" in json.dumps(c.params) for c in slack_api.of("response_url"))
    )
    picker = slack_api.wait_for(
        lambda: [c for c in slack_api.messages_to(MENTEE) if "Pick a time" in c.blocks_text()]
    )
    return slot_values(picker[0].blocks_text())


def book_first_slot(engine: Engine, bot: BotServer, slack_api: SlackStandIn) -> MentoringSession:
    values = accepted(engine, bot, slack_api)
    bot.click(Action.BOOK_SLOT, values[0], MENTEE)
    slack_api.wait_for(
        lambda: (
            len([c for c in slack_api.of("chat.postMessage") if "Booked:" in c.blocks_text()]) == 2
        )
    )
    with session_scope(engine) as session:
        return session.exec(select(MentoringSession)).one()
