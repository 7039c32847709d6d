"""Faults a production Slack app meets, each driven through the real HTTP endpoint: the
database going away, Slack timing out, interactions twice / out of order / from deleted users,
and requests whose user fields were tampered with after Slack signed them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from functools import partial
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.handlers.errors import DATABASE_DOWN
from bot.handlers.ids import Action, Callback, Field
from bot.storage.db import session_scope
from bot.storage.models import MentoringSession
from tests.conftest import PG_URL
from tests.utils import slack_requests as sr
from tests.utils.bot_server import StartBot
from tests.utils.flow import (
    MENTEE,
    QUESTION,
    accepted,
    ask,
    offer_to,
    offers_in,
    requests_in,
    seed,
)
from tests.utils.slack_api import SlackStandIn, UserInfo

FORM = "application/x-www-form-urlencoded"


def _cluster() -> list[str] | None:
    """`pg_ctlcluster` arguments for this machine's one cluster, if the test may drive it."""
    versions = sorted(os.listdir("/etc/postgresql")) if Path("/etc/postgresql").is_dir() else []
    if not versions or shutil.which("pg_ctlcluster") is None or os.geteuid() != 0:
        return None
    return ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main"]


def postgres(action: str) -> None:
    cluster = _cluster()
    assert cluster is not None
    extra = ["-m", "fast"] if action == "stop" else []
    subprocess.run([*cluster, action, *extra], check=True, capture_output=True, timeout=60)


def wait_for_postgres(engine: Engine, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            return
        except sa.exc.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.postgres
@pytest.mark.skipif(_cluster() is None, reason="needs root and pg_ctlcluster to stop PostgreSQL")
def test_database_outage_is_explained_and_recovered_without_restart(
    pg_engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(pg_engine)
    bot = start_bot(database_url=PG_URL, metrics_token="m3trics-t0ken")
    try:
        postgres("stop")
        assert bot.request("GET", "/readyz", headers=bot.metrics_auth).status == 503
        assert bot.request("GET", "/healthz").status == 200  # alive: no restart wanted
        response = bot.command(QUESTION, MENTEE)
        assert response.status == 200
        slack_api.wait_text("response_url", "try again in a minute", timeout=30)
        # Forms are acknowledged without the database (their ack used to query it: a 500,
        # which Slack shows as a broken form); the lazy part explains the outage by DM.
        comment = {Field.COMMENT: {"type": "plain_text_input", "value": "a private note"}}
        assert bot.submit(Callback.COMMENT, comment, MENTEE, private_metadata="7").status == 200
        proposal = {
            Field.PROPOSED_AT: {
                "type": "datetimepicker",
                "selected_date_time": int(time.time()) + 86400,
            }
        }
        assert (
            bot.submit(Callback.PROPOSE_TIME, proposal, "U0SRE0001", private_metadata="7").status
            == 200
        )
        for user in (MENTEE, "U0SRE0001"):
            # Each person is told separately: wait for that person's DM, not just any.
            slack_api.wait_for(partial(_told_database_down, slack_api, user), timeout=30)
        bot.click(Action.ACCEPT, "1", "U0SRE0001")
        replies = slack_api.wait_for(
            lambda: (
                [c for c in slack_api.of("response_url") if DATABASE_DOWN in c.params["text"]]
                and len([c for c in slack_api.of("response_url") if DATABASE_DOWN in str(c.params)])
                >= 2
            ),
            timeout=30,
        )
        assert replies
    finally:
        postgres("start")
    wait_for_postgres(pg_engine)
    assert requests_in(pg_engine) == []  # nothing half-written by the failed attempt
    slack_api.clear()
    ask(bot)  # the same running bot: the pool's pre-ping replaced the dead connections
    offer_to(slack_api, "U0SRE0001")
    assert [r.status for r in requests_in(pg_engine)] == ["offered"]
    time.sleep(1.1)  # past the readiness cache
    assert bot.request("GET", "/readyz", headers=bot.metrics_auth).status == 200


def test_slack_timeouts_are_retried_and_state_stays_consistent(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot(slack_timeout_seconds=0.5)
    slack_api.slow("chat.postMessage", 1.5)  # the offer's first post times out
    ask(bot)
    offers = slack_api.wait_for(
        lambda: len(slack_api.messages_to("U0SRE0001")) >= 2 and slack_api.messages_to("U0SRE0001")
    )
    assert offers[0].params == offers[1].params  # the same offer, retried once
    slack_api.wait_for(lambda: slack_api.messages_to(MENTEE))
    assert [o.status for o in offers_in(engine)] == ["pending"]
    assert [r.status for r in requests_in(engine)] == ["offered"]

    # Slack never answers an accept's reply in time (all retries): stored state still holds.
    slack_api.slow("response_url", 1.5, times=3)
    bot.click(Action.ACCEPT, offer_to(slack_api, "U0SRE0001"), "U0SRE0001")
    slack_api.wait_for(
        lambda: [c for c in slack_api.messages_to(MENTEE) if "Pick a time" in c.blocks_text()]
    )
    assert [o.status for o in offers_in(engine)] == ["accepted"]
    assert [r.status for r in requests_in(engine)] == ["matched"]


def test_the_same_click_twice_at_once_books_one_session(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    bot = start_bot()
    values = accepted(engine, bot, slack_api)
    slack_api.clear()
    clicks = [
        threading.Thread(target=bot.click, args=(Action.BOOK_SLOT, values[0], MENTEE))
        for _ in range(2)
    ]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join()
    slack_api.wait_text("response_url", "already booked")

    def booked() -> list[object]:
        return [c for c in slack_api.of("chat.postMessage") if "Booked:" in c.blocks_text()]

    slack_api.wait_for(lambda: len(booked()) >= 2)
    time.sleep(0.5)
    assert len(booked()) == 2  # one for each person, once
    with session_scope(engine) as session:
        assert [s.status for s in session.exec(select(MentoringSession)).all()] == ["scheduled"]


def test_clicks_out_of_order_change_nothing(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    ask(bot)
    offer = offer_to(slack_api, "U0SRE0001")
    bot.click(Action.ACCEPT, offer, "U0SRE0001")
    slack_api.wait_text("response_url", "You accepted")
    bot.click(Action.DECLINE, offer, "U0SRE0001")  # an older click, delivered late
    slack_api.wait_text("response_url", "no longer open")
    bot.click(Action.CANCEL_REQUEST, str(requests_in(engine)[0].id), "U0SOMEONE")
    bot.wait_idle()
    assert [o.status for o in offers_in(engine)] == ["accepted"]
    assert [r.status for r in requests_in(engine)] == ["matched"]
    assert len(slack_api.messages_to("U0SRE0002")) == 0  # nobody else was asked


def test_deleted_users_get_polite_answers(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    slack_api.users[MENTEE] = UserInfo(deleted=True)  # users.info: user_not_found
    ask(bot)
    offer = offer_to(slack_api, "U0SRE0001")  # matched all the same, in UTC
    # An admin removes the mentor (`mentors remove`): the request moves on, never stuck.
    assert bot.runtime.handler_services.privacy.remove_mentor("U0SRE0001")
    offer_to(slack_api, "U0SRE0002")
    slack_api.clear()
    response = bot.click(Action.ACCEPT, offer, "U0SRE0001")
    assert response.status == 200
    slack_api.wait_text("response_url", "no longer open")
    assert [r.status for r in requests_in(engine)] == ["offered"]
    assert [o.status for o in offers_in(engine)] == ["declined", "pending"]


def test_user_fields_changed_after_signing_are_refused(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    ask(bot)
    offer = offer_to(slack_api, "U0SRE0001")
    signed_as_intruder = sr.block_action(
        Action.ACCEPT, offer, "U0INTRUDE", slack_api.response_url("x")
    )
    headers = bot.signer.headers(signed_as_intruder, FORM)
    forged = signed_as_intruder.replace("U0INTRUDE", "U0SRE0001")
    assert bot.request("POST", "/slack/events", forged, headers).status == 401

    command = dict(parse_qsl(sr.slash_command("digest", MENTEE, slack_api.response_url("c"))))
    body = urlencode(command)
    headers = bot.signer.headers(body, FORM)
    as_lead = urlencode({**command, "user_id": "U0LEAD001"})
    assert bot.request("POST", "/slack/events", as_lead, headers).status == 401

    payload = json.loads(dict(parse_qsl(signed_as_intruder))["payload"])
    payload["user"] = "U0SRE0001"  # a string where Slack sends an object
    response = bot.post_signed(urlencode({"payload": json.dumps(payload)}), FORM)
    assert response.status in (200, 400)
    bot.wait_idle()
    assert [o.status for o in offers_in(engine)] == ["pending"]


def _told_database_down(slack_api: SlackStandIn, user: str) -> bool:
    return any(DATABASE_DOWN in c.blocks_text() for c in slack_api.messages_to(user))
