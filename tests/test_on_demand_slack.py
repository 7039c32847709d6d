"""On demand through the real HTTP endpoint, on a moved clock: an urgent request offered to
three mentors with one winner, a request waiting for a busy expert and offered when the new week
frees a place, an auto-pause after two unanswered offers, and `/mentor again @name`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy.engine import Engine
from time_machine import Traveller

from bot import jobs
from bot.handlers.blocks.booking import parse_slot_value
from bot.handlers.ids import Action, Callback, Field
from bot.matching.embedder import Embedder
from bot.storage.models import Urgency
from tests.conftest import add_mentor
from tests.utils.bot_server import StartBot
from tests.utils.flow import (
    MENTEE,
    QUESTION,
    accepted,
    ask,
    offer_to,
    requests_in,
    seed,
    slot_values,
)
from tests.utils.slack_api import Call, SlackStandIn

# A Tuesday morning in Warsaw: the working day is still ahead.
TUESDAY = datetime(2026, 12, 8, 7, 30, tzinfo=UTC)
MENTORS = ("U0SRE0001", "U0SRE0002", "U0SRE0003")


@pytest.fixture
def tuesday() -> Iterator[Traveller]:
    with time_machine.travel(TUESDAY, tick=True) as clock:
        yield clock


def offers_to(slack_api: SlackStandIn, mentor: str) -> list[str]:
    texts = [c.blocks_text() for c in slack_api.messages_to(mentor)]
    return [text for text in texts if "would like your help" in text]


def urgent_form(question: str = QUESTION) -> dict[object, object]:
    return {
        Field.QUESTION: {"type": "plain_text_input", "value": question},
        Field.URGENCY: {
            "type": "static_select",
            "selected_option": {"value": Urgency.TODAY.value},
        },
    }


def test_an_urgent_request_reaches_three_mentors_and_the_first_accept_wins(
    engine: Engine,
    start_bot: StartBot,
    slack_api: SlackStandIn,
    real_embedder: Embedder,
    tuesday: Traveller,
) -> None:
    seed(engine)
    bot = start_bot(embedder=real_embedder)
    assert bot.submit(Callback.INTAKE, urgent_form(), MENTEE).json() is None
    offers = {mentor: offer_to(slack_api, mentor) for mentor in MENTORS}
    asked = slack_api.wait_for(
        lambda: next(
            (c for c in slack_api.messages_to(MENTEE) if "at the same time" in c.blocks_text()),
            None,
        )
    ).blocks_text()
    assert all(f"<@{mentor}>" in asked for mentor in MENTORS)
    offer_text = slack_api.messages_to("U0SRE0001")[0].blocks_text()
    assert "2 other mentors were asked at the same time" in offer_text
    assert "U0DSC0001" not in [c.params.get("channel") for c in slack_api.of("chat.postMessage")]

    bot.command("status", MENTEE)
    status = slack_api.wait_text("response_url", "Waiting for an answer from")
    assert all(f"<@{mentor}>" in status.params["text"] + str(status.params) for mentor in MENTORS)

    bot.click(Action.ACCEPT, offers["U0SRE0002"], "U0SRE0002")
    slack_api.wait_text("response_url", "You accepted")

    def taken() -> list[Call]:
        return [c for c in slack_api.of("chat.update") if "accepted this urgent" in c.blocks_text()]

    slack_api.wait_for(lambda: len(taken()) == 2 or None)
    assert {c.params["channel"] for c in taken()} == {"DU0SRE0001", "DU0SRE0003"}
    bot.click(Action.ACCEPT, offers["U0SRE0003"], "U0SRE0003")  # a moment too late
    slack_api.wait_text("response_url", "no longer open")
    picker = slack_api.wait_for(
        lambda: [c for c in slack_api.messages_to(MENTEE) if "Pick a time" in c.blocks_text()]
    )
    starts = [parse_slot_value(v)[1] for v in slot_values(picker[0].blocks_text())]
    assert starts and all(start.date() == TUESDAY.date() for start in starts)  # today
    bot.wait_idle()
    [request] = requests_in(engine)
    assert request.status == "matched"


def test_a_request_waits_for_a_busy_expert_and_is_offered_when_the_week_frees_a_place(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn, tuesday: Traveller
) -> None:
    add_mentor(engine, "U0SRE0001", "incident postmortems", name="Ana", weekly_capacity=1)
    bot = start_bot()
    ask(bot, user="U0FIRST01")
    bot.click(Action.ACCEPT, offer_to(slack_api, "U0SRE0001"), "U0SRE0001")  # her one place
    slack_api.wait_text("response_url", "You accepted")
    ask(bot)
    waiting = slack_api.wait_text("chat.postMessage", "waiting list")
    assert "number 1 in line" in waiting.blocks_text()
    bot.command("status", MENTEE)
    slack_api.wait_text("response_url", "number 1 in line")
    jobs.offer_waiting()  # still this week: nothing happens
    assert len(offers_to(slack_api, "U0SRE0001")) == 1

    tuesday.move_to(TUESDAY + timedelta(days=6))  # Monday: a new week, a free place
    jobs.offer_waiting()
    offers = slack_api.wait_for(lambda: len(offers_to(slack_api, "U0SRE0001")) == 2 or None)
    assert offers
    assert QUESTION in offers_to(slack_api, "U0SRE0001")[1]
    assert [r.status for r in requests_in(engine)] == ["matched", "offered"]


def test_two_unanswered_offers_pause_a_mentor_who_comes_back_with_one_click(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn, tuesday: Traveller
) -> None:
    add_mentor(engine, "U0SRE0001", "incident postmortems", name="Ana")
    bot = start_bot()
    ask(bot)
    ask(bot, "incident postmortems for a big outage", user="U0SECOND1")
    slack_api.wait_for(lambda: len(slack_api.messages_to("U0SRE0001")) == 2 or None)
    tuesday.move_to(TUESDAY + timedelta(hours=9))  # eight hours to answer, and nothing came
    assert bot.runtime.mentoring.expire_overdue() == 2
    paused = slack_api.wait_text("chat.postMessage", "paused new requests")
    assert paused.params["channel"] == "DU0SRE0001"
    assert Action.RESUME_OFFERS.value in paused.blocks_text()

    ask(bot, "incident postmortems, a third question", user="U0THIRD01")
    slack_api.wait_text("chat.postMessage", "waiting list")  # her pause keeps it in line
    bot.click(Action.RESUME_OFFERS, "", "U0SRE0001")
    slack_api.wait_text("response_url", "Welcome back")
    slack_api.wait_for(
        lambda: (
            any("a third question" in c.blocks_text() for c in slack_api.messages_to("U0SRE0001"))
            or None
        )
    )


def test_again_asks_a_mentor_met_before_directly(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    bot = start_bot()
    accepted(engine, bot, slack_api)  # Ana (U0SRE0001) helped the mentee before
    slack_api.clear()
    response = bot.command("again @Ana how do I run the follow-up review?", MENTEE)
    assert response.status == 200
    slack_api.wait_text("response_url", "asking <@U0SRE0001> directly")
    offer = slack_api.wait_for(lambda: slack_api.messages_to("U0SRE0001")).pop().blocks_text()
    assert "follow-up review" in offer and "Asked for you by name" in offer
    assert slack_api.messages_to("U0SRE0002") == []  # no matching: nobody else was asked
    bot.command("again @Zed a question for a stranger", MENTEE)
    unknown = slack_api.wait_text("response_url", "couldn't find that name")
    assert "Ana" in unknown.params["text"]
