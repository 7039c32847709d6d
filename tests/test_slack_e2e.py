"""The bot driven exactly as Slack drives it: signed HTTP requests to the real endpoint, and a
local Slack Web API stand-in that records what people would see."""

from __future__ import annotations

import functools
import json
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.booking.ports import NudgeKind
from bot.handlers.ids import Action, Callback, Field
from bot.storage.db import session_scope
from bot.storage.models import Feedback, MentoringRequest, MentoringSession, Offer, OfferStatus
from tests.conftest import add_mentor
from tests.utils.bot_server import StartBot, free_port
from tests.utils.flow import (
    MENTEE,
    QUESTION,
    accepted,
    ask,
    book_first_slot,
    offer_to,
    offers_in,
    requests_in,
    seed,
    told_unmatched,
)
from tests.utils.slack_api import SlackStandIn


def test_happy_path_question_to_introduction(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    ask(bot)
    offer_id = offer_to(slack_api, "U0SRE0001")
    offer_text = slack_api.messages_to("U0SRE0001")[0].blocks_text()
    assert MENTEE in offer_text and "matched on: " in offer_text
    for label in ("Accept", "Decline", "Not now (pause me a week)"):
        assert label in offer_text
    mentee_dm = slack_api.wait_for(lambda: slack_api.messages_to(MENTEE))[0].blocks_text()
    assert (
        "<@U0SRE0001>" in mentee_dm and "matched on: " in mentee_dm and "postmortems" in mentee_dm
    )
    assert "Cancel request" in mentee_dm

    assert bot.click(Action.ACCEPT, offer_id, "U0SRE0001").status == 200
    replaced = slack_api.wait_text("response_url", "You accepted this request")
    assert replaced.params["replace_original"] is True
    assert "You accepted this request" in json.dumps(replaced.params)
    slack_api.wait_for(lambda: len(slack_api.messages_to(MENTEE)) >= 2)
    intro = slack_api.messages_to(MENTEE)[1].blocks_text()
    assert "<@U0SRE0001> accepted your request" in intro
    assert "a few times that suit you both" in intro
    slack_api.wait_for(lambda: len(slack_api.messages_to("U0SRE0001")) >= 2)
    assert [r.status for r in requests_in(engine)] == ["matched"]


def test_decline_goes_to_next_candidate(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    ask(bot)
    first = offer_to(slack_api, "U0SRE0001")
    bot.click(Action.DECLINE, first, "U0SRE0001")
    second = offer_to(slack_api, "U0SRE0002")
    assert second != first
    slack_api.wait_text("response_url", "You declined this request")
    assert [o.status for o in offers_in(engine)] == ["declined", "pending"]


def test_pause_moves_on_and_pauses_the_mentor_for_a_week(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    ask(bot)
    bot.click(Action.PAUSE, offer_to(slack_api, "U0SRE0001"), "U0SRE0001")
    offer_to(slack_api, "U0SRE0002")
    ask(bot, "postmortems for our outage", user="U0OTHER01")
    # Ana is paused, so the new question skips her even though she fits best.
    slack_api.wait_for(
        lambda: (
            len(slack_api.messages_to("U0SRE0003")) >= 1
            or len(slack_api.messages_to("U0SRE0002")) >= 2
        )
    )
    assert len(slack_api.messages_to("U0SRE0001")) == 1


def test_no_answer_in_time_goes_to_next_candidate(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot(mentor_response_hours=1.5 / 3600)  # 1.5 s to answer
    ask(bot)
    first = offer_to(slack_api, "U0SRE0001")
    offer_to(slack_api, "U0SRE0002")
    expired = slack_api.wait_call("chat.update")[0]
    assert "expired" in expired.blocks_text()
    bot.click(Action.ACCEPT, first, "U0SRE0001")  # too late
    late = slack_api.wait_text("response_url", "no longer open")
    assert "no longer open" in late.params["text"]
    assert late.params["response_type"] == "ephemeral"


def test_after_three_candidates_the_mentee_is_told(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    ask(bot)
    for mentor in ("U0SRE0001", "U0SRE0002", "U0SRE0003"):
        bot.click(Action.DECLINE, offer_to(slack_api, mentor), mentor)
    told = told_unmatched(slack_api, "couldn't take your question")
    assert "without your words or your name" in told  # what leads see, said truthfully
    assert [r.status for r in requests_in(engine)] == ["unmatched"]
    assert not slack_api.messages_to("U0DSC0001")  # never offered to an unrelated 4th mentor
    # One person's unmet request never reaches the leads on its own.
    assert slack_api.messages_to("U0LEAD001") == []


def test_no_expert_on_the_roster_is_no_offer(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    ask(bot, "How do I knit a woollen scarf?")  # nobody fits: better no offer than a bad one
    told_unmatched(slack_api, "knows this topic well enough")
    assert offers_in(engine) == []


def test_experts_all_busy_is_told_as_such(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    add_mentor(engine, "U0SRE0001", "incident postmortems", weekly_capacity=0)
    bot = start_bot()
    ask(bot)
    told_unmatched(slack_api, "no mentor is available")


def test_leads_hear_of_a_topic_once_three_people_found_no_mentor(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    add_mentor(engine, "U0SRE0001", "incident postmortems", weekly_capacity=0)  # busy
    bot = start_bot()
    asks = [
        (MENTEE, "Incident postmortems: my manager Dmitri Volkov blames me"),
        (MENTEE, "Dmitri Volkov blamed me again in the incident postmortems"),
        ("U0SECOND1", "how to write incident postmortems"),
    ]
    for mentee, question in asks:
        ask(bot, question, user=mentee)
        told_unmatched(slack_api, "no mentor is available", mentee)
    assert slack_api.messages_to("U0LEAD001") == []  # two people: not yet
    ask(bot, "incident postmortems for a big outage", user="U0THIRD01")
    lead = slack_api.wait_for(lambda: slack_api.messages_to("U0LEAD001"))[0].blocks_text()
    assert "3 different people" in lead and "incident postmortems" in lead
    assert "paused or fully booked" in lead
    for private in ("Dmitri", "Volkov", "blame", MENTEE, "U0SECOND1", "outage"):
        assert private not in lead
    ask(bot, "incident postmortems, please", user="U0FOURTH1")
    told_unmatched(slack_api, "no mentor is available", "U0FOURTH1")
    bot.wait_idle()
    assert len(slack_api.messages_to("U0LEAD001")) == 1  # not once per duplicate request


def test_cancel_withdraws_the_offer(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    ask(bot)
    offer_id = offer_to(slack_api, "U0SRE0001")
    request_id = str(requests_in(engine)[0].id)
    bot.click(Action.CANCEL_REQUEST, request_id, MENTEE)
    withdrawn = slack_api.wait_call("chat.update")[0]
    assert "The mentee cancelled this request" in withdrawn.blocks_text()
    assert withdrawn.params["channel"] == "DU0SRE0001"
    slack_api.clear()
    bot.click(Action.ACCEPT, offer_id, "U0SRE0001")
    slack_api.wait_text("response_url", "no longer open")
    assert [r.status for r in requests_in(engine)] == ["cancelled"]
    assert [o.status for o in offers_in(engine)] == ["withdrawn"]


def test_double_accept_and_retries_introduce_once(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    ask(bot)
    offer_id = offer_to(slack_api, "U0SRE0001")
    threads = [
        threading.Thread(target=bot.click, args=(Action.ACCEPT, offer_id, "U0SRE0001"))
        for _ in range(5)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    answers = slack_api.wait_call("response_url", count=5)
    assert sum("You accepted" in json.dumps(a.params) for a in answers) == 1
    assert sum("no longer open" in json.dumps(a.params) for a in answers) == 4
    bot.wait_idle()
    intros = [
        c for c in slack_api.messages_to(MENTEE) if "accepted your request" in c.blocks_text()
    ]
    assert len(intros) == 1
    assert [o.status for o in offers_in(engine)] == ["accepted"]


def test_someone_else_cannot_answer_an_offer(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    ask(bot)
    offer_id = offer_to(slack_api, "U0SRE0001")
    bot.click(Action.ACCEPT, offer_id, "U0INTRUDER")
    slack_api.wait_text("response_url", "offered to someone else")
    assert [o.status for o in offers_in(engine)] == ["pending"]


def test_question_text_is_escaped_for_mentors(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    ask(bot, "<!channel> incident postmortems & <https://evil.example|click me>")
    text = slack_api.wait_for(lambda: slack_api.messages_to("U0SRE0001"))[0].blocks_text()
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert "<https://evil" not in text and "&amp;" in text


@pytest.mark.parametrize(
    ("text", "reply"),
    [("", None), ("   ", None), ("?!", "too short"), ("x" * 3001, "under 3000")],
)
def test_bad_questions_get_a_clear_reply(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn, text: str, reply: str | None
) -> None:
    seed(engine)
    bot = start_bot()
    response = bot.command(text, MENTEE)
    assert response.status == 200
    if reply is None:  # empty: the intake form opens instead
        modal = slack_api.wait_call("views.open")[0]
        assert Callback.INTAKE.value in json.dumps(modal.params)
    else:
        assert reply in response.body
        time.sleep(0.2)
        assert not slack_api.of("chat.postMessage")
    assert requests_in(engine) == []


def test_help_status_and_cancel_subcommands(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    assert "/mentor status" in bot.command("help", MENTEE).body
    bot.command("status", MENTEE)
    slack_api.wait_text("response_url", "no open mentoring requests")
    ask(bot)
    offer_to(slack_api, "U0SRE0001")
    slack_api.clear()
    bot.command("status", MENTEE)
    status = json.dumps(slack_api.wait_text("response_url", "waiting for a mentor").params)
    assert "waiting for a mentor" in status and "U0SRE0001" in status
    slack_api.clear()
    bot.command("cancel", MENTEE)
    slack_api.wait_text("response_url", "is cancelled")
    assert [r.status for r in requests_in(engine)] == ["cancelled"]


def test_intake_modal_submission(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    bad = bot.submit(
        Callback.INTAKE, {Field.QUESTION: {"type": "plain_text_input", "value": "?"}}, MENTEE
    )
    assert bad.json() == {
        "response_action": "errors",
        "errors": {
            "question": "That question is too short to match. "
            "Add a few words about what you need help with."
        },
    }
    good = bot.submit(
        Callback.INTAKE,
        {
            Field.QUESTION: {"type": "plain_text_input", "value": "A/B testing sample sizes"},
            Field.FORMAT: {"type": "static_select", "selected_option": {"value": "speed"}},
            Field.CONTEXT: {"type": "plain_text_input", "value": "We launch Monday"},
            Field.URGENCY: {"type": "static_select", "selected_option": {"value": "today"}},
        },
        MENTEE,
    )
    assert good.status == 200
    offer = slack_api.wait_for(lambda: slack_api.messages_to("U0DSC0001"))[0].blocks_text()
    assert "Speed" in offer and "We launch Monday" in offer and "Urgency: Today" in offer
    assert requests_in(engine)[0].format == "speed"


def test_profile_modal_creates_a_mentor_matched_at_once(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    from tests.utils.slack_api import UserInfo

    slack_api.users["U0NEWMENT"] = UserInfo(tz="Asia/Jakarta")
    bot = start_bot(mentor_approval="open")
    bot.command("profile", "U0NEWMENT")
    modal = json.dumps(slack_api.wait_call("views.open")[0].params)
    assert "Asia/Jakarta" in modal and "Become a mentor" in modal
    values = {
        Field.EXPERTISE: {"type": "plain_text_input", "value": "kubernetes upgrades, helm charts"},
        Field.SKILLS: {"type": "plain_text_input", "value": "Terraform"},
        Field.LANGUAGES: {"type": "plain_text_input", "value": "en, id"},
        Field.CAPACITY: {"type": "number_input", "value": "2"},
        Field.TIMEZONE: {"type": "plain_text_input", "value": "Mars/Base"},
        Field.PAUSED_UNTIL: {"type": "datepicker", "selected_date": None},
    }
    rejected = bot.submit(Callback.PROFILE, values, "U0NEWMENT").json()
    assert rejected["response_action"] == "errors"
    assert "Unknown time zone" in rejected["errors"]["timezone"]
    values[Field.TIMEZONE] = {"type": "plain_text_input", "value": "Asia/Jakarta"}
    assert bot.submit(Callback.PROFILE, values, "U0NEWMENT").json() is None
    slack_api.wait_for(
        lambda: any(
            "profile is saved" in c.blocks_text() for c in slack_api.messages_to("U0NEWMENT")
        )
    )
    ask(bot, "how do I upgrade kubernetes with helm?")
    offer = slack_api.wait_for(
        lambda: [c for c in slack_api.messages_to("U0NEWMENT") if "Accept" in c.blocks_text()]
    )
    assert "kubernetes upgrades" in offer[0].blocks_text()
    # MENTOR_APPROVAL=open: the leads hear of the new mentor, with a way to take them off.
    notice = slack_api.wait_text("chat.postMessage", "New mentor on the roster")
    assert notice.params["channel"] == "DU0LEAD001" and "Deactivate" in notice.blocks_text()


def test_a_mentor_found_by_the_questions_they_said_they_can_help_with(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    add_mentor(engine, "U0API0001", "api design and versioning, checkout api integrations")
    bot = start_bot(mentor_approval="open")
    values = {
        Field.EXPERTISE: {"type": "plain_text_input", "value": "SLOs, error budgets"},
        Field.HELP_QUESTIONS: {
            "type": "plain_text_input",
            "value": "How much downtime is acceptable for our API?\nWho should be paged at night?",
        },
        Field.CAPACITY: {"type": "number_input", "value": "2"},
        Field.TIMEZONE: {"type": "plain_text_input", "value": "Europe/Warsaw"},
    }
    assert bot.submit(Callback.PROFILE, values, "U0SRE0009").json() is None
    slack_api.wait_for(
        lambda: any(
            "profile is saved" in c.blocks_text() for c in slack_api.messages_to("U0SRE0009")
        )
    )
    ask(bot, "how much downtime is acceptable for the checkout api?")
    [offer] = slack_api.wait_for(
        lambda: [c for c in slack_api.messages_to("U0SRE0009") if "Accept" in c.blocks_text()]
    )
    # Chosen for their own example question, which the offer names as the reason.
    assert "How much downtime is acceptable for our API?" in offer.blocks_text()
    assert not [c for c in slack_api.messages_to("U0API0001") if "Accept" in c.blocks_text()]
    # The form shows them again when the mentor edits the profile.
    slack_api.clear()
    bot.command("profile", "U0SRE0009")
    modal = json.dumps(slack_api.wait_call("views.open")[0].params)
    assert "Who should be paged at night?" in modal


def test_app_home_for_mentee_mentor_and_lead(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    ask(bot)
    offer_id = offer_to(slack_api, "U0SRE0001")
    for user in (MENTEE, "U0SRE0001", "U0LEAD001"):
        assert bot.home_opened(user).status == 200
    home = {
        c.params["user_id"]: json.dumps(c.params["view"])
        for c in slack_api.wait_call("views.publish", count=3)
    }
    assert "Ask for mentoring" in home[MENTEE] and "waiting for a mentor" in home[MENTEE]
    assert "Capacity this week: 1 of 2 used" in home["U0SRE0001"]
    assert f'"value": "{offer_id}"' in home["U0SRE0001"]
    assert "program lead view" in home["U0LEAD001"]
    assert "program lead view" not in home[MENTEE]
    slack_api.clear()
    bot.click(Action.ACCEPT, offer_id, "U0SRE0001", container="view")  # accept from the Home tab
    republished = slack_api.wait_call("views.publish")[0]
    assert "None right now" in json.dumps(republished.params["view"])


def test_signatures_are_enforced(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    bot = start_bot()
    body = "command=%2Fmentor&text=help&user_id=U0MENTEE1&trigger_id=1"
    form = "application/x-www-form-urlencoded"
    assert bot.post_signed(body, form).status == 200
    assert bot.post_signed(body, form, signature="v0=" + "0" * 64).status == 401
    assert bot.request("POST", "/slack/events", body, {"Content-Type": form}).status == 401
    stale = int(time.time()) - 6 * 60  # outside Slack's 5-minute window: a replay
    assert bot.post_signed(body, form, timestamp=stale).status == 401


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("payload=%7Bnot+json", "application/x-www-form-urlencoded"),
        ("{not json", "application/json"),
        ("payload=%5B1%2C2%5D", "application/x-www-form-urlencoded"),
        ('payload={"type":"block_actions","actions":[]}', "application/x-www-form-urlencoded"),
        ('{"type":"event_callback","event":{"type":"unknown_event"}}', "application/json"),
    ],
)
def test_malformed_payloads_get_4xx_never_500(
    engine: Engine, start_bot: StartBot, body: str, content_type: str
) -> None:
    bot = start_bot()
    response = bot.post_signed(body, content_type)
    assert 400 <= response.status < 500 or response.status == 200
    assert response.status != 500


def test_health_check_and_unknown_paths(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot(metrics_token="m3trics-t0ken")
    assert bot.request("GET", "/healthz").json() == {"ok": True}  # liveness, public
    for path in ("/readyz", "/metrics"):  # internals: not for the world
        assert bot.request("GET", path).status == 404
        assert bot.request("GET", path, headers={"Authorization": "Bearer wrong"}).status == 404
    ready = bot.request("GET", "/readyz", headers=bot.metrics_auth)
    assert ready.status == 200
    assert ready.json()["database"] and ready.json()["model"] and ready.json()["index_fresh"]
    assert ready.json()["mentors_indexed"] == 4
    add_mentor(engine, "U0NEW0001", "another mentor")  # as another process would
    time.sleep(1.1)  # past the readiness cache
    ready = bot.request("GET", "/readyz", headers=bot.metrics_auth).json()
    # A probe is cheap: it reports the lag and leaves the catching up to the next match.
    assert (ready["mentors_indexed"], ready["index_fresh"], ready["ok"]) == (4, False, True)
    ask(bot, "another question about incident postmortems")
    offer_to(slack_api, "U0SRE0001")
    time.sleep(1.1)
    assert bot.request("GET", "/readyz", headers=bot.metrics_auth).json()["mentors_indexed"] == 5
    assert bot.request("GET", "/slack/events").status == 405
    assert bot.request("GET", "/nope").status == 404


def test_readyz_and_metrics_on_the_internal_port_only(engine: Engine, start_bot: StartBot) -> None:
    bot = start_bot(internal_port=free_port())
    assert bot.request("GET", "/readyz").status == 404  # the Slack port keeps them private
    assert bot.request("GET", "/metrics").status == 404
    assert bot.internal("GET", "/readyz").json()["ok"] is True
    assert "mentor_bot_ack_seconds" in bot.internal("GET", "/metrics").body
    assert bot.internal("POST", "/slack/events", "x").status == 404  # no Slack in there


def test_slack_rate_limits_and_errors_are_retried(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    slack_api.fail("chat.postMessage", 429, retry_after=1)
    slack_api.fail("chat.postMessage", 500)
    ask(bot)
    offer_to(slack_api, "U0SRE0001", count=3)  # 429, then 500, then delivered
    mentee = slack_api.wait_for(lambda: slack_api.messages_to(MENTEE))
    assert "<@U0SRE0001>" in mentee[0].blocks_text()
    assert [o.status for o in offers_in(engine)] == ["pending"]
    assert offers_in(engine)[0].message_ts  # the delivered message is remembered for updates


def test_failed_slack_call_keeps_request_state(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    slack_api.fail("chat.postMessage", 500, times=20)
    ask(bot)
    slack_api.wait_for(lambda: len(slack_api.of("chat.postMessage")) >= 6, timeout=20)
    time.sleep(0.5)
    # Slack never took the message, yet the offer stands and will expire into the next one.
    assert [o.status for o in offers_in(engine)] == ["pending"]
    assert [r.status for r in requests_in(engine)] == ["offered"]


@pytest.mark.postgres
def test_two_mentors_racing_to_accept_on_postgres(
    pg_engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    """Mentor A clicks Accept just as A's offer expires and B is asked (and clicks at once).
    Whatever the interleaving, exactly one mentor ends up with each request."""
    from tests.conftest import PG_URL

    add_mentor(pg_engine, "U0SRE0001", "incident postmortems", weekly_capacity=20)
    add_mentor(pg_engine, "U0SRE0002", "postmortems", weekly_capacity=20)
    bot = start_bot(database_url=PG_URL)
    mentees = [f"U0RACE{i:03d}" for i in range(6)]
    for mentee in mentees:
        ask(bot, QUESTION, user=mentee)
        slack_api.wait_for(functools.partial(slack_api.messages_to, mentee))
    with session_scope(pg_engine) as session:
        offers = {o.request_id: o.id for o in session.exec(select(Offer)).all()}
        for offer in session.exec(select(Offer)).all():
            offer.expires_at = offer.expires_at.replace(year=2000)  # due now
            session.add(offer)

    def mentor_a(offer_id: int) -> None:
        bot.click(Action.ACCEPT, str(offer_id), "U0SRE0001")

    def expiry_then_mentor_b(offer_id: int) -> None:
        if bot.runtime.mentoring.expire(offer_id):
            with session_scope(pg_engine) as session:
                new = session.exec(
                    select(Offer).where(Offer.status == "pending", Offer.rank == 2)
                ).all()
            for offer in new:
                bot.click(Action.ACCEPT, str(offer.id), "U0SRE0002")

    threads = []
    for offer_id in offers.values():
        assert offer_id is not None
        threads += [
            threading.Thread(target=mentor_a, args=(offer_id,)),
            threading.Thread(target=expiry_then_mentor_b, args=(offer_id,)),
        ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    time.sleep(0.5)
    with session_scope(pg_engine) as session:
        requests = session.exec(select(MentoringRequest)).all()
        all_offers = session.exec(select(Offer)).all()
    for request in requests:
        accepted = [
            o
            for o in all_offers
            if o.request_id == request.id and o.status == OfferStatus.ACCEPTED.value
        ]
        assert request.status == "matched"
        assert len(accepted) == 1
    for mentee in mentees:
        intros = [
            c for c in slack_api.messages_to(mentee) if "accepted your request" in c.blocks_text()
        ]
        assert len(intros) == 1


def test_home_buttons_open_modals_within_the_request(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    bot = start_bot()
    assert bot.click(Action.ASK, "", MENTEE, container="view").status == 200
    # Opened before the HTTP response: no waiting behind queued work with a 3 s trigger_id.
    assert Callback.INTAKE.value in json.dumps(slack_api.of("views.open")[0].params)
    assert bot.click(Action.EDIT_PROFILE, "", MENTEE, container="view").status == 200
    assert Callback.PROFILE.value in json.dumps(slack_api.of("views.open")[1].params)


def test_failed_modal_open_is_explained_not_a_500(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    bot = start_bot()
    slack_api.fail("views.open", 400)  # e.g. an expired trigger_id
    assert bot.command("", MENTEE).status == 200
    apology = slack_api.wait_for(lambda: slack_api.messages_to(MENTEE))[0].blocks_text()
    assert "something went wrong on our side (reference" in apology


def test_accept_leads_to_slots_and_booking_with_reminders(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    from tests.utils.slack_api import UserInfo

    slack_api.users[MENTEE] = UserInfo(tz="Asia/Jakarta")
    bot = start_bot()
    values = accepted(engine, bot, slack_api)
    assert 3 <= len(values) <= 5
    picker = next(c for c in slack_api.messages_to(MENTEE) if "Pick a time" in c.blocks_text())
    assert "<!date^" in picker.blocks_text()  # shown in each viewer's own time zone
    assert "None of these work" in picker.blocks_text()
    slack_api.clear()
    bot.click(Action.BOOK_SLOT, values[0], "U0INTRUDER")
    slack_api.wait_text("response_url", "Only the mentee and the mentor")
    slack_api.clear()
    bot.click(Action.BOOK_SLOT, values[0], MENTEE)
    slack_api.wait_for(
        lambda: (
            len([c for c in slack_api.of("chat.postMessage") if "Booked:" in c.blocks_text()]) == 2
        )
    )
    booked_for = {
        c.params["channel"]
        for c in slack_api.of("chat.postMessage")
        if "Booked:" in c.blocks_text()
    }
    assert booked_for == {"D" + MENTEE, "DU0SRE0001"}
    with session_scope(engine) as session:
        meeting = session.exec(select(MentoringSession)).one()
        jobs = {row[0] for row in session.execute(sa.text("SELECT id FROM apscheduler_jobs"))}
    assert meeting.status == "scheduled" and meeting.starts_at is not None
    assert int(meeting.starts_at.timestamp()) == int(values[0].split(":")[1])
    assert {f"reminder_early:{meeting.id}", f"reminder_soon:{meeting.id}"} & jobs
    assert f"reminder_soon:{meeting.id}" in jobs
    slack_api.clear()
    bot.click(Action.BOOK_SLOT, values[1], MENTEE)  # a second pick: already booked
    slack_api.wait_text("response_url", "already booked")


def test_none_of_these_work_asks_the_mentor(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    bot = start_bot()
    accepted(engine, bot, slack_api)
    with session_scope(engine) as session:
        session_id = session.exec(select(MentoringSession)).one().id
    bot.click(Action.NO_SLOT_FITS, str(session_id), MENTEE)
    slack_api.wait_for(
        lambda: any(
            "None of the proposed times work" in c.blocks_text()
            for c in slack_api.messages_to("U0SRE0001")
        )
    )
    # The mentor proposes a time instead, in their own time zone.
    bot.click(Action.PROPOSE_TIME, str(session_id), "U0SRE0001")
    assert Callback.PROPOSE_TIME.value in json.dumps(slack_api.of("views.open")[-1].params)
    past = int(time.time()) - 3600
    rejected = bot.submit(
        Callback.PROPOSE_TIME,
        {Field.PROPOSED_AT: {"type": "datetimepicker", "selected_date_time": past}},
        "U0SRE0001",
        private_metadata=str(session_id),
    ).json()
    assert "in the future" in rejected["errors"][Field.PROPOSED_AT.value]
    when = int(time.time()) + 3 * 86400
    accepted_reply = bot.submit(
        Callback.PROPOSE_TIME,
        {Field.PROPOSED_AT: {"type": "datetimepicker", "selected_date_time": when}},
        "U0SRE0001",
        private_metadata=str(session_id),
    )
    assert accepted_reply.status == 200
    assert accepted_reply.json() is None
    slack_api.wait_for(
        lambda: (
            len([c for c in slack_api.of("chat.postMessage") if "Booked:" in c.blocks_text()]) == 2
        )
    )
    with session_scope(engine) as session:
        meeting = session.get(MentoringSession, session_id)
        assert meeting is not None
        assert int(meeting.starts_at.timestamp()) == when  # type: ignore[union-attr]


def test_follow_up_rating_private_comment_and_meet_again(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    bot = start_bot()
    meeting = book_first_slot(engine, bot, slack_api)
    assert meeting.starts_at is not None and meeting.id is not None
    slack_api.clear()
    bot.command("sessions", MENTEE)
    slack_api.wait_text("response_url", "Your upcoming sessions")
    end = meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
    slack_api.clear()
    with time_machine.travel(end, tick=True):  # the job, at the session's end
        assert bot.runtime.handler_services.booking.remind(meeting.id, NudgeKind.FOLLOW_UP)
        slack_api.wait_call("chat.postMessage", count=2)
        asked = [c.blocks_text() for c in slack_api.of("chat.postMessage")]
        assert all("take place?" in text for text in asked)  # both are asked what happened
        bot.click("feedback_attendance_held", f"{meeting.id}:held", MENTEE)
        rating = slack_api.wait_text("response_url", "How did your session")
        assert rating.params["replace_original"] is True
    bot.click("feedback_rate_4", f"{meeting.id}:4", MENTEE)
    secret = "Honestly I think I'm burning out"
    response = bot.submit(
        Callback.COMMENT,
        {Field.COMMENT: {"type": "plain_text_input", "value": secret}},
        MENTEE,
        private_metadata=str(meeting.id),
    )
    assert response.status == 200
    slack_api.wait_text("chat.postMessage", "private comment is saved")
    bot.click("feedback_meet_again_yes", f"{meeting.id}:yes", MENTEE)
    bot.click("feedback_meet_again_yes", f"{meeting.id}:yes", "U0SRE0001")
    slack_api.wait_for(
        lambda: (
            len([c for c in slack_api.messages_to(MENTEE) if "Pick a time" in c.blocks_text()]) == 1
        )
    )
    with session_scope(engine) as session:
        rows = session.exec(select(Feedback)).all()
        sequences = [s.sequence for s in session.exec(select(MentoringSession)).all()]
    mentee_row = next(r for r in rows if r.author_slack_id == MENTEE)
    assert (mentee_row.rating, mentee_row.comment, mentee_row.meet_again) == (4, secret, True)
    assert mentee_row.attendance == "held"
    assert sorted(sequences) == [1, 2]
    assert [r.status for r in requests_in(engine)] == ["completed"]
    with session_scope(engine) as session:
        assert session.get(MentoringSession, meeting.id).status == "held"  # type: ignore[union-attr]
    everything_sent = json.dumps([c.params for c in slack_api.calls])
    assert "burning out" not in everything_sent  # the mentor (or anyone) never sees it


def test_reminder_reaches_both_once(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    bot = start_bot()
    meeting = book_first_slot(engine, bot, slack_api)
    assert meeting.starts_at is not None and meeting.id is not None
    slack_api.clear()
    booking = bot.runtime.handler_services.booking
    at = meeting.starts_at - timedelta(minutes=10)
    assert booking.remind(meeting.id, NudgeKind.REMINDER_SOON, now=at)
    assert not booking.remind(meeting.id, NudgeKind.REMINDER_SOON, now=at)
    reminders = slack_api.wait_call("chat.postMessage", count=2)
    assert {c.params["channel"] for c in reminders} == {"D" + MENTEE, "DU0SRE0001"}
    assert all("starts soon" in c.blocks_text() for c in reminders)


def test_reschedule_and_cancel_from_the_dm(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    bot = start_bot()
    meeting = book_first_slot(engine, bot, slack_api)
    assert meeting.id is not None and meeting.starts_at is not None
    booked = next(c for c in slack_api.messages_to("U0SRE0001") if "Booked:" in c.blocks_text())
    assert "Reschedule" in booked.blocks_text() and "Cancel session" in booked.blocks_text()
    slack_api.clear()
    bot.click(Action.RESCHEDULE, str(meeting.id), "U0SRE0001")  # the mentor can't make it
    slack_api.wait_for(
        lambda: any("Pick a time" in c.blocks_text() for c in slack_api.messages_to(MENTEE))
    )
    told = [c for c in slack_api.messages_to(MENTEE) if "asked to reschedule" in c.blocks_text()]
    assert told and "<@U0SRE0001>" in told[0].blocks_text()
    booking = bot.runtime.handler_services.booking
    at = meeting.starts_at - timedelta(minutes=10)
    assert not booking.remind(meeting.id, NudgeKind.REMINDER_SOON, now=at)  # the old time is void
    slack_api.clear()
    bot.click(Action.CANCEL_SESSION, str(meeting.id), MENTEE)
    slack_api.wait_for(
        lambda: (
            len(
                [
                    c
                    for c in slack_api.of("chat.postMessage")
                    if "cancelled the mentoring session" in c.blocks_text()
                ]
            )
            == 2
        )
    )
    with session_scope(engine) as session:
        assert session.get(MentoringSession, meeting.id).status == "cancelled"  # type: ignore[union-attr]
    bot.click(Action.RESCHEDULE, str(meeting.id), MENTEE)
    slack_api.wait_text("response_url", "was cancelled")


def test_booking_sends_a_calendar_invite_without_the_question(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    from icalendar import Calendar

    bot = start_bot()
    meeting = book_first_slot(engine, bot, slack_api)
    uploads = slack_api.wait_call("upload", count=2)
    completed = slack_api.wait_call("files.completeUploadExternal", count=2)
    assert {c.params["channel_id"] for c in completed} == {"D" + MENTEE, "DU0SRE0001"}
    event = Calendar.from_ical(uploads[0].params["content"]).walk("VEVENT")[0]
    assert event.decoded("dtstart") == meeting.starts_at
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=60)
    assert "postmortems" not in uploads[0].params["content"]  # calendars are not private


def test_digest_goes_to_channel_and_leads_through_slack(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    from zoneinfo import ZoneInfo

    from bot.digest.service import DigestService
    from tests.utils.fake_embedder import FakeEmbedder

    seed(engine)
    bot = start_bot(digest_channel="C0DIGEST1")
    ask(bot)
    offer_to(slack_api, "U0SRE0001")
    runtime = bot.runtime
    digest = DigestService(
        engine=runtime.services.engine,
        embedder=FakeEmbedder(),
        notifier=runtime.handler_services.notifier,
        timezone=ZoneInfo("UTC"),
    )
    slack_api.clear()
    current = datetime_now_week()  # this week, so today's request is in it
    assert digest.send(current)
    assert not digest.send(current)  # once per week
    posts = slack_api.wait_for(
        lambda: (
            len(
                digests := [
                    c
                    for c in slack_api.of("chat.postMessage")
                    if "Weekly mentoring digest" in c.blocks_text()
                ]
            )
            >= 2
            and digests
        )
    )
    assert len(posts) == 2
    assert {c.params["channel"] for c in posts} == {"C0DIGEST1", "DU0LEAD001"}
    assert all("Requests: *1*" in c.blocks_text() for c in posts)
    assert all(QUESTION not in c.blocks_text() for c in posts)
    uploads = slack_api.wait_call("files.completeUploadExternal", count=2)
    assert {c.params["channel_id"] for c in uploads} == {"C0DIGEST1", "DU0LEAD001"}
    assert slack_api.of("upload")[0].params["content"].startswith("\ufffdPNG")


def datetime_now_week() -> str:
    from datetime import UTC, datetime

    from bot.digest.report import week_label

    return week_label(datetime.now(UTC))


def test_jobs_fire_on_the_real_clock_practice_note_included(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    """The job functions APScheduler calls, run with the clock moved (time-machine): each
    nudge at its time, once, and the practice nudge takes progress plus a private note."""
    import time_machine

    from bot import jobs

    bot = start_bot()
    meeting = book_first_slot(engine, bot, slack_api)
    assert meeting.starts_at is not None and meeting.id is not None
    end = meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
    slack_api.clear()
    with time_machine.travel(meeting.starts_at - timedelta(minutes=10), tick=True):
        jobs.remind(meeting.id, "reminder_soon")
        jobs.remind(meeting.id, "reminder_soon")  # a duplicate run
    # Due 24 h before; run 7 h late (past its 6 h grace, e.g. after a long outage): skipped.
    with time_machine.travel(meeting.starts_at - timedelta(hours=17), tick=True):
        jobs.remind(meeting.id, "reminder_early")
    with time_machine.travel(end + timedelta(days=7, minutes=5), tick=True):
        jobs.remind(meeting.id, "practice")
    sent = slack_api.wait_call("chat.postMessage", count=3)
    texts = [c.blocks_text() for c in sent]
    assert sum("starts soon" in t for t in texts) == 2
    assert sum("put it into practice" in t for t in texts) == 1
    bot.wait_idle()
    assert len(slack_api.of("chat.postMessage")) == 3
    bot.click("feedback_practice_partly", f"{meeting.id}:partly", MENTEE)
    note = bot.submit(
        Callback.COMMENT,
        {Field.COMMENT: {"type": "plain_text_input", "value": "Tried it in our retro"}},
        MENTEE,
        private_metadata=f"{meeting.id}:practice",
    )
    assert note.status == 200
    slack_api.wait_text("chat.postMessage", "private comment is saved")
    with session_scope(engine) as session:
        practice = session.exec(select(Feedback).where(Feedback.kind == "practice")).one()
    assert (practice.progress, practice.comment) == ("partly", "Tried it in our retro")


def test_metrics_count_requests_matches_outcomes_and_slack_errors(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot(metrics_token="m3trics-t0ken")
    ask(bot)
    bot.click(Action.ACCEPT, offer_to(slack_api, "U0SRE0001"), "U0SRE0001")
    slack_api.wait_for(
        lambda: any("You accepted" in json.dumps(c.params) for c in slack_api.of("response_url"))
    )
    slack_api.fail("chat.postMessage", 500, times=3)  # one DM fails even after retries
    ask(bot, "postmortems for our outage", user="U0OTHER01")
    error_line = 'mentor_bot_slack_api_errors_total{method="chat.postMessage"} 1.0'
    text = slack_api.wait_for(  # the failing call retries with backoff first
        lambda: (
            (body := bot.request("GET", "/metrics", headers=bot.metrics_auth).body)
            and error_line in body
            and body
        )
    )
    assert 'mentor_bot_slack_requests_total{status="200",type="command"} 2.0' in text
    assert 'mentor_bot_slack_requests_total{status="200",type="block_actions"} 1.0' in text
    assert 'mentor_bot_matches_total{outcome="offered"} 2.0' in text
    assert 'mentor_bot_offer_outcomes_total{outcome="accepted"} 1.0' in text
    assert "mentor_bot_match_seconds_count" in text
    assert "mentor_bot_ack_seconds_bucket" in text
