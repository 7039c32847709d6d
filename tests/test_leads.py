"""Program-lead actions through the real endpoint: only PROGRAM_LEADS, a polite no for others."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.handlers.ids import Action, Callback, Field
from bot.storage.db import session_scope
from bot.storage.models import Mentor
from tests.utils.bot_server import StartBot
from tests.utils.flow import (
    MENTEE,
    ask,
    offer_to,
    offers_in,
    requests_in,
    seed,
    told_unmatched,
)
from tests.utils.slack_api import SlackStandIn

LEAD = "U0LEAD001"  # PROGRAM_LEADS in tests.conftest.bot_settings


@pytest.mark.parametrize(
    "text", ["digest", "demand", "import", "reassign 1 <@U0SRE0003>", "digest 2026-W47"]
)
def test_lead_actions_refuse_everyone_else_politely(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn, text: str
) -> None:
    bot = start_bot()
    response = bot.command(text, MENTEE)
    assert response.status == 200
    assert "only for program leads" in response.body and f"<@{LEAD}>" in response.body
    bot.wait_idle()  # whatever the refused command queued has run: it opened and stored nothing
    assert slack_api.of("views.open") == [] and requests_in(engine) == []


def test_a_question_that_starts_like_a_lead_command_is_still_a_question(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    ask(bot, "import incident postmortems from our old wiki")
    offer_to(slack_api, "U0SRE0001")


def test_help_lists_lead_actions_only_for_leads(engine: Engine, start_bot: StartBot) -> None:
    bot = start_bot()
    assert "reassign" not in bot.command("help", MENTEE).body
    assert "forget-me" in bot.command("help", MENTEE).body
    assert "reassign" in bot.command("help", LEAD).body


def test_demand_shows_ids_not_questions_and_reassign_hands_it_over(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    private = "How do I negotiate a raise with kubernetes budgets?"
    ask(bot, private)  # nobody knows this: unmatched
    told_unmatched(slack_api, "knows this topic well enough")
    request_id = requests_in(engine)[0].id
    slack_api.clear()
    bot.command("demand", LEAD)
    shown = slack_api.wait_text("response_url", "Unmet demand")
    assert f"#{request_id}" in json.dumps(shown.params) and private not in json.dumps(shown.params)

    slack_api.clear()
    bot.command(f"reassign {request_id} <@U0DSC0001|di>", LEAD)
    slack_api.wait_text("response_url", "is now offered to <@U0DSC0001>")
    offer = offer_to(slack_api, "U0DSC0001")
    assert "Chosen for this request by a program lead" in json.dumps(
        slack_api.messages_to("U0DSC0001")[0].params
    )
    assert [(o.id, o.status) for o in offers_in(engine)] == [(int(offer), "pending")]
    slack_api.wait_for(lambda: slack_api.messages_to(MENTEE))  # the mentee hears who was asked

    slack_api.clear()
    bot.command(f"reassign {request_id} <@U0DSC0001>", LEAD)
    slack_api.wait_text("response_url", "was already asked")
    bot.command("reassign 999 U0SRE0001", LEAD)
    slack_api.wait_text("response_url", "There is no request #999")
    bot.command(f"reassign {request_id} <@U0NOBODY1>", LEAD)
    slack_api.wait_text("response_url", "is not an active, approved mentor")
    bot.command("reassign soon", LEAD)
    slack_api.wait_text("response_url", "Usage: `/mentor reassign")


def test_a_lead_cannot_read_questions_through_reassign(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    """The review's attack: become a mentor, then `/mentor reassign 42 @self`."""
    from tests.conftest import add_mentor

    seed(engine)
    add_mentor(engine, LEAD, "anything at all, really")  # the lead registered as a mentor
    add_mentor(engine, MENTEE, "incident postmortems")  # the mentee mentors too
    bot = start_bot()
    ask(bot, "How do I knit a woollen scarf?")  # unmatched: reassignable
    told_unmatched(slack_api, "knows this topic well enough")
    request_id = requests_in(engine)[0].id
    slack_api.clear()
    bot.command(f"reassign {request_id} <@{LEAD}>", LEAD)
    refused = slack_api.wait_text("response_url", "is a program lead")
    assert "knit" not in json.dumps(refused.params)
    bot.command(f"reassign {request_id} <@{MENTEE}>", LEAD)  # probing who asked
    neutral = slack_api.wait_text("response_url", "can't be offered to")
    assert "themselves" not in json.dumps(neutral.params)
    bot.wait_idle()
    assert slack_api.messages_to(LEAD) == []  # the question never reached the lead
    assert offers_in(engine) == []

    bot.command(f"reassign {request_id} <@U0SRE0003>", LEAD)  # a real mentor takes it
    bot.click(Action.ACCEPT, offer_to(slack_api, "U0SRE0003"), "U0SRE0003")
    slack_api.wait_text("response_url", "You accepted this request")
    slack_api.clear()
    for target in (MENTEE, "U0SRE0001"):  # a closed request: the same answer for anyone
        bot.command(f"reassign {request_id} <@{target}>", LEAD)
    answers = slack_api.wait_call("response_url", count=2)
    assert {a.params["text"] for a in answers} == {
        f"Request #{request_id} is not open for reassignment (it is matched, cancelled or"
        " completed)."
    }


def test_reassign_withdraws_the_pending_offer(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    ask(bot)
    offer_to(slack_api, "U0SRE0001")
    # The mentee hears after the offer message's id is stored: from then on it can be updated.
    slack_api.wait_for(lambda: slack_api.messages_to(MENTEE))
    request_id = requests_in(engine)[0].id
    bot.command(f"reassign #{request_id} <@U0SRE0003>", LEAD)
    offer_to(slack_api, "U0SRE0003")
    closed = slack_api.wait_call("chat.update", channel="DU0SRE0001")[0]
    assert "A program lead passed this request to another mentor" in closed.blocks_text()
    assert [o.status for o in offers_in(engine)] == ["withdrawn", "pending"]


def test_digest_preview_goes_only_to_the_lead(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot(digest_channel="C0DIGEST1")
    ask(bot)
    offer_to(slack_api, "U0SRE0001")
    slack_api.clear()
    bot.command("digest", LEAD)
    preview = slack_api.wait_text("response_url", "Preview for program leads")
    assert "Requests: *1*" in json.dumps(preview.params, ensure_ascii=False)
    assert preview.params["response_type"] == "ephemeral"
    assert slack_api.of("chat.postMessage", channel="C0DIGEST1") == []
    bot.command("digest last week", LEAD)
    slack_api.wait_text("response_url", "Give a week like")


def roster_paste(text: str) -> dict[str, dict[str, str]]:
    return {Field.ROSTER_CSV: {"type": "plain_text_input", "value": text}}


def test_roster_import_from_slack_with_bad_rows(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    bot = start_bot()
    bot.command("import", LEAD)
    opened = slack_api.wait_call("views.open")[0]
    assert Callback.ROSTER_IMPORT.value in json.dumps(opened.params)
    pasted = (
        "slack_id,name,expertise\n"
        "U0NEW0001,Eve,Terraform modules and state migrations\n"
        'U0NEW0002,"=HYPERLINK(""http://evil"")",Security reviews\n'
        "U0NEW0001,Eve again,Something else\n"
        "not-an-id,Zed,Databases\n"
    )
    assert bot.submit(Callback.ROSTER_IMPORT, roster_paste(pasted), LEAD).status == 200
    report = slack_api.wait_text("chat.postMessage", "Roster import:")
    text = report.blocks_text()
    assert report.params["channel"] == "D" + LEAD
    assert "1 added" in text and "3 rejected" in text
    assert "spreadsheet formula" in text and "duplicate slack_id" in text
    with session_scope(engine) as session:
        assert session.exec(select(Mentor.slack_id)).all() == ["U0NEW0001"]
    slack_api.clear()
    ask(bot, "How do I migrate Terraform state?", user="U0ASKER01")
    offer_to(slack_api, "U0NEW0001")  # the imported mentor is matchable at once

    slack_api.clear()
    bot.submit(Callback.ROSTER_IMPORT, roster_paste("name\nNo header"), LEAD)
    slack_api.wait_text("chat.postMessage", "lacks the required column")


def test_a_forged_import_submission_by_a_non_lead_is_refused(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    bot = start_bot()
    rows = "slack_id,expertise\nU0NEW0009,Anything\n"
    assert bot.submit(Callback.ROSTER_IMPORT, roster_paste(rows), MENTEE).status == 200
    slack_api.wait_text("chat.postMessage", "only for program leads")
    with session_scope(engine) as session:
        assert session.exec(select(Mentor)).all() == []
