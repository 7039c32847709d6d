"""Goals, next steps and progress through the real HTTP endpoint, on a moved clock: a
question with a goal → a session → next steps with a due date → the due-date check → Done (the
mentor hears it worked) → a follow-up booked with the same mentor through the usual slots."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot import jobs
from bot.booking.ports import NudgeKind
from bot.handlers.ids import Action, Callback, Field
from bot.storage.db import session_scope
from bot.storage.models import DevelopmentAction, MentoringSession, SlackMessage
from tests.utils.bot_server import StartBot
from tests.utils.flow import MENTEE, QUESTION, offer_to, seed, slot_values
from tests.utils.slack_api import SlackStandIn

MENTOR = "U0SRE0001"
GOAL = "I can run our next postmortem without my manager"
STEP = "Run Friday's retro in the blameless format"


def dms(api: SlackStandIn, user: str, words: str) -> list[str]:
    return [c.blocks_text() for c in api.messages_to(user) if words in c.blocks_text()]


def test_question_with_a_goal_to_done_next_step_and_a_follow_up(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    form = {
        Field.QUESTION: {"type": "plain_text_input", "value": QUESTION},
        Field.GOAL: {"type": "plain_text_input", "value": GOAL},
    }
    assert bot.submit(Callback.INTAKE, form, MENTEE).json() is None
    offer = offer_to(slack_api, MENTOR)
    assert GOAL in slack_api.messages_to(MENTOR)[0].blocks_text()  # the mentor sees the goal
    bot.click(Action.ACCEPT, offer, MENTOR)
    picker = slack_api.wait_for(lambda: dms(slack_api, MENTEE, "Pick a time"))[0]
    bot.click(Action.BOOK_SLOT, slot_values(picker)[0], MENTEE)
    slack_api.wait_for(lambda: len(dms(slack_api, MENTEE, "Booked:")) == 1)
    with session_scope(engine) as session:
        meeting = session.exec(select(MentoringSession)).one()
        assert meeting.id is not None and meeting.starts_at is not None
        session_id, end = meeting.id, meeting.starts_at + timedelta(hours=1)

    with time_machine.travel(end, tick=True) as clock:
        assert bot.runtime.handler_services.booking.remind(session_id, NudgeKind.FOLLOW_UP)
        bot.click("feedback_attendance_held", f"{session_id}:held", MENTEE)
        slack_api.wait_for(lambda: dms(slack_api, MENTEE, "Write my next steps"))
        invite = slack_api.wait_for(lambda: dms(slack_api, MENTOR, "Suggest next steps"))[0]
        assert Action.SEND_TAKEAWAYS.value in invite

        bot.click(Action.WRITE_NEXT_STEPS, str(session_id), MENTEE)
        slack_api.wait_for(
            lambda: any(
                Callback.NEXT_STEPS.value in str(c.params) for c in slack_api.of("views.open")
            )
        )
        paris = ZoneInfo("Europe/Paris")
        due = (end.astimezone(paris) + timedelta(days=3)).date()
        steps = {
            f"{Field.ACTION_TEXT.value}_1": {"type": "plain_text_input", "value": STEP},
            f"{Field.ACTION_DUE.value}_1": {"type": "datepicker", "selected_date": due.isoformat()},
            Field.ACTIONS_SHARED: {"type": "checkboxes", "selected_options": [{"value": "shared"}]},
        }
        assert bot.submit(Callback.NEXT_STEPS, steps, MENTEE, str(session_id)).json() is None
        slack_api.wait_for(lambda: dms(slack_api, MENTEE, "Saved. I'll check in"))
        bot.home_opened(MENTOR)
        home = slack_api.wait_call("views.publish")[-1]
        assert "People I'm helping" in str(home.params) and STEP in str(home.params)

        bot.click(Action.SEND_TAKEAWAYS, str(session_id), MENTOR)
        note = {Field.TAKEAWAYS: {"type": "plain_text_input", "value": "Read https://sre.google/"}}
        assert bot.submit(Callback.TAKEAWAYS, note, MENTOR, str(session_id)).json() is None
        slack_api.wait_for(lambda: dms(slack_api, MENTEE, "Takeaways from"))

        clock.move_to(due.isoformat() + "T08:00:00+00:00")  # 09:00 in Paris
        jobs.check_next_steps(session_id, due.isoformat())
        jobs.check_next_steps(session_id, due.isoformat())  # a second run: nothing more
        check = slack_api.wait_for(lambda: dms(slack_api, MENTEE, "How are your next steps"))
        assert len(check) == 1 and STEP in check[0]
        with session_scope(engine) as session:
            action = session.exec(select(DevelopmentAction)).one()
            assert action.id is not None
            action_id = action.id
        bot.click(f"{Action.ACTION_STATUS.value}_done", str(action_id), MENTEE)
        slack_api.wait_text("response_url", "Marked as done")
        worked = slack_api.wait_for(lambda: dms(slack_api, MENTOR, "Your help worked"))[0]
        assert STEP not in worked  # the status, never the text

        bot.click(Action.BOOK_FOLLOW_UP, str(session_id), MENTEE)
        slack_api.wait_text("response_url", "times are on their way")
        slack_api.wait_for(lambda: len(dms(slack_api, MENTEE, "Pick a time")) == 2)
        bot.wait_idle()
        with session_scope(engine) as session:
            sessions = session.exec(
                select(MentoringSession).order_by(col(MentoringSession.sequence))
            ).all()
            mentor = sessions[0].mentor_id  # the same mentor, no matching
            assert [(s.sequence, s.mentor_id) for s in sessions] == [(1, mentor), (2, mentor)]
            assert sessions[1].status == "proposed"
        with session_scope(engine) as session:
            quoting = {
                (m.channel, m.ts)
                for m in session.exec(select(SlackMessage)).all()
                if m.kind == "next_steps"
            }
        assert {"DU0MENTEE1", "DU0SRE0001"} <= {ch for ch, _ts in quoting}
        slack_api.clear()
        bot.command("forget-me", MENTEE)
        bot.click(Action.FORGET_CONFIRM, "forget", MENTEE)
        slack_api.wait_for(
            lambda: (
                quoting
                <= {(c.params["channel"], c.params["ts"]) for c in slack_api.of("chat.update")}
            )
        )
        updates = slack_api.of("chat.update")
        assert all(STEP not in c.blocks_text() for c in updates)
