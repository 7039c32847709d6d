"""A speed-mentoring event end to end through the real HTTP endpoint, with the real model, on
a moved clock: the lead's form, sign-up in a channel, the plan shown to the lead and posted,
schedules, the reminder and round pings (each once), ratings, a follow-up flash request, and
the lead's summary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial

import time_machine
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot import jobs
from bot.handlers.ids import Action, Callback, Field
from bot.matching.embedder import Embedder
from bot.storage.db import session_scope
from bot.storage.models import EventPairing, MentoringRequest, SlackMessage, SpeedEvent
from tests.utils.bot_server import BotServer, StartBot
from tests.utils.flow import seed
from tests.utils.slack_api import SlackStandIn

LEAD = "U0LEAD001"
CHANNEL = "C0EVENTS1"
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
START = MONDAY + timedelta(days=1, hours=5)  # Tuesday 14:00 UTC
QUESTIONS = {
    "U0MENTEE1": "How do I write incident postmortems?",
    "U0MENTEE2": "How big should my A/B test sample be?",
}
MENTORS = ("U0SRE0001", "U0DSC0001")


def lead_form() -> dict[object, object]:
    def select(value: str) -> dict[str, object]:
        return {"type": "static_select", "selected_option": {"value": value}}

    return {
        Field.EVENT_TITLE: {"type": "plain_text_input", "value": "Ask an expert"},
        Field.EVENT_START: {"type": "datetimepicker", "selected_date_time": int(START.timestamp())},
        Field.EVENT_ROUNDS: select("2"),
        Field.EVENT_MINUTES: select("10"),
        Field.EVENT_BREAK: select("5"),
        Field.EVENT_PLACE: {"type": "plain_text_input", "value": "Slack huddle"},
        Field.EVENT_CHANNEL: {"type": "conversations_select", "selected_conversation": CHANNEL},
    }


def dms(api: SlackStandIn, user: str, words: str) -> list[str]:
    return [c.blocks_text() for c in api.messages_to(user) if words in c.blocks_text()]


def run(job_kind: str, event_id: int, round_number: int = 0) -> None:
    jobs.event_notice(event_id, job_kind, round_number)


def sign_up(bot: BotServer, api: SlackStandIn, event_id: int) -> None:
    opened = len(api.of("views.open"))
    for mentee, question in QUESTIONS.items():
        bot.click(Action.EVENT_JOIN_MENTEE, str(event_id), mentee)
        opened += 1
        modal = api.wait_call("views.open", count=opened)[-1]
        assert Callback.EVENT_JOIN.value in str(modal.params)
        form = {Field.EVENT_QUESTION: {"type": "plain_text_input", "value": question}}
        assert bot.submit(Callback.EVENT_JOIN, form, mentee, str(event_id)).json() is None
        api.wait_for(partial(dms, api, mentee, "You're in!"))
    for mentor in MENTORS:
        bot.click(Action.EVENT_JOIN_MENTOR, str(event_id), mentor)
    bot.click(Action.EVENT_JOIN_MENTOR, str(event_id), "U0NOBODY1")  # no mentor profile
    api.wait_text("response_url", "needs an active mentor profile")
    api.wait_for(
        lambda: any(
            "2 mentees" in c.blocks_text() and "2 mentors" in c.blocks_text()
            for c in api.of("chat.update", channel=CHANNEL)
        )
    )


def test_a_lead_runs_a_speed_mentoring_event_end_to_end(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn, real_embedder: Embedder
) -> None:
    seed(engine)
    with time_machine.travel(MONDAY, tick=True) as clock:
        bot = start_bot(embedder=real_embedder)
        bot.command("event", "U0MENTEE1")  # not a lead
        bot.command("event", LEAD)
        slack_api.wait_for(
            lambda: any(Callback.EVENT.value in str(c.params) for c in slack_api.of("views.open"))
        )
        assert bot.submit(Callback.EVENT, lead_form(), LEAD).json() is None
        announcement = slack_api.wait_call("chat.postMessage", channel=CHANNEL)[0].blocks_text()
        assert "Ask an expert" in announcement and Action.EVENT_JOIN_MENTEE.value in announcement
        with session_scope(engine) as session:
            event = session.exec(select(SpeedEvent)).one()
            assert event.id is not None and event.lead_slack_id == LEAD
            event_id, closes = event.id, event.signup_closes_at
        assert closes == START - timedelta(hours=1)

        sign_up(bot, slack_api, event_id)
        clock.move_to(closes)
        run("close", event_id)
        plan = slack_api.wait_for(lambda: dms(slack_api, LEAD, "The plan for"))[0]
        assert all(f"<@{person}>" in plan for person in (*QUESTIONS, *MENTORS))
        assert dms(slack_api, "U0MENTEE1", "Your schedule") == []  # the lead reviews first

        bot.click(Action.EVENT_POST_PLAN, str(event_id), "U0MENTEE1")
        slack_api.wait_text("response_url", "Only the event's organiser")
        bot.click(Action.EVENT_POST_PLAN, str(event_id), LEAD)
        slack_api.wait_text("response_url", "Posted")
        mine = slack_api.wait_for(lambda: dms(slack_api, "U0MENTEE1", "Your schedule"))[0]
        assert "Round 1" in mine and "<@U0SRE0001>" in mine.split("Round 2")[0]  # best fit first
        theirs = slack_api.wait_for(lambda: dms(slack_api, "U0DSC0001", "Your schedule"))[0]
        assert QUESTIONS["U0MENTEE2"] in theirs  # a mentor sees the question they'll hear

        clock.move_to(START - timedelta(minutes=10))
        run("reminder", event_id)
        slack_api.wait_for(lambda: dms(slack_api, "U0MENTEE2", "starts in 10 minutes"))
        clock.move_to(START)
        run("round_start", event_id, 1)
        run("round_start", event_id, 1)  # a second run after a restart: nothing more
        clock.move_to(START + timedelta(minutes=9))
        run("one_minute", event_id, 1)
        slack_api.wait_for(lambda: dms(slack_api, "U0SRE0001", "1 minute left in round 1"))
        assert len(dms(slack_api, "U0MENTEE1", "Round 1 now")) == 1

        clock.move_to(START + timedelta(minutes=25))
        run("end", event_id)
        ratings = slack_api.wait_for(lambda: dms(slack_api, "U0MENTEE1", "How useful"))[0]
        assert Action.EVENT_FOLLOW_UP.value in ratings
        pairing = _pairing_with(engine, event_id, "U0MENTEE1", "U0SRE0001")
        bot.click(f"{Action.EVENT_RATE.value}_5", str(pairing), "U0MENTEE1")
        slack_api.wait_text("response_url", "rated that conversation 5/5")
        bot.click(Action.EVENT_FOLLOW_UP, str(pairing), "U0MENTEE1")
        slack_api.wait_text("response_url", "Asked!")
        offer = slack_api.wait_for(lambda: dms(slack_api, "U0SRE0001", "would like your help"))
        assert QUESTIONS["U0MENTEE1"] in offer[0]  # a normal flash request, to that mentor
        bot.click(Action.EVENT_CONTINUE, str(pairing), "U0SRE0001")
        slack_api.wait_text("response_url", "Noted, thank you")
        slack_api.wait_for(lambda: dms(slack_api, "U0MENTEE1", "would be glad to continue"))

        with session_scope(engine) as session:
            [request] = session.exec(select(MentoringRequest)).all()
            assert request.preferred_mentor_id is not None and request.status == "offered"
        clock.move_to(START + timedelta(days=1, minutes=30))
        run("summary", event_id)
        summary = slack_api.wait_for(lambda: dms(slack_api, LEAD, "how it went"))[0]
        assert "Conversations held: 4" in summary
        assert "Average rating: shown from 3 ratings on (1 so far)" in summary  # not whose
        assert "Flash sessions requested: 1" in summary
        bot.wait_idle()

        # Forget-me reaches the other participants' DMs that named or quoted the person.
        with session_scope(engine) as session:
            naming = {
                (m.channel, m.ts)
                for m in session.exec(select(SlackMessage)).all()
                if m.about_slack_id == "U0MENTEE2"
            }
        assert {"DU0DSC0001", "DU0SRE0001", "DU0LEAD001"} <= {ch for ch, _ts in naming}
        slack_api.clear()
        bot.command("forget-me", "U0MENTEE2")
        bot.click(Action.FORGET_CONFIRM, "forget", "U0MENTEE2")
        slack_api.wait_text("response_url", "Only anonymous counts remain")
        slack_api.wait_for(
            lambda: (
                naming
                <= {(c.params["channel"], c.params["ts"]) for c in slack_api.of("chat.update")}
            )
        )
        updates = slack_api.of("chat.update")
        assert all(QUESTIONS["U0MENTEE2"] not in c.blocks_text() for c in updates)


def _pairing_with(engine: Engine, event_id: int, mentee: str, mentor: str) -> int:
    with session_scope(engine) as session:
        row = session.exec(
            select(EventPairing).where(
                EventPairing.event_id == event_id,
                EventPairing.mentee_slack_id == mentee,
                EventPairing.mentor_slack_id == mentor,
            )
        ).one()
        assert row.id is not None
        return row.id
