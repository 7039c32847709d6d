"""The privacy and abuse holes an outside review found, each closed and proved through the real
HTTP endpoint: digest labels that could quote one person, reading questions through reassign,
question text in logs, Slack messages left quoting an erased person, and self-made mentors."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import io
import json
import logging
import time
from collections.abc import Mapping
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.booking.ports import NudgeKind
from bot.digest.report import week_label
from bot.handlers.errors import report
from bot.handlers.ids import Action, Callback, Field
from bot.logging import JsonFormatter
from bot.storage import db
from bot.storage.db import session_scope
from bot.storage.models import (
    Mentor,
    MentoringRequest,
    MentoringSession,
    Offer,
    SlackMessage,
    utcnow,
)
from tests.conftest import PG_URL, add_mentor
from tests.utils import slack_requests as sr
from tests.utils.bot_server import SIGNING_SECRET, BotServer, StartBot
from tests.utils.flow import (
    MENTEE,
    QUESTION,
    ask,
    book_first_slot,
    offer_to,
    requests_in,
    seed,
    slot_values,
    told_unmatched,
)
from tests.utils.slack_api import Call, SlackStandIn

LEAD = "U0LEAD001"


def profile_values(expertise: str) -> dict[str, dict[str, object]]:
    return {
        Field.EXPERTISE: {"type": "plain_text_input", "value": expertise},
        Field.CAPACITY: {"type": "number_input", "value": "2"},
        Field.TIMEZONE: {"type": "plain_text_input", "value": "Europe/Warsaw"},
    }


class RecordingHandler(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__()
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


# -- 1. digest labels count people who are not leads, and only once the week is over -------


def test_digest_labels_need_three_people_who_are_not_leads(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    digest = bot.runtime.handler_services.digest
    next_week = utcnow() + timedelta(days=7)

    def labels() -> str:
        """Every topic label of this week's digest, read once the week is over."""
        built = digest.build(week_label(utcnow()), now=next_week)
        return " | ".join(t.label for t in built.topics + built.unmet)

    # (Four questions make one cluster: what is tested is who counts, not the clustering.)
    for question in (
        "my manager Dmitri Volkov shouts at me in standups",
        "Dmitri Volkov shouted at me again today",
    ):
        ask(bot, question)
    ask(bot, "Dmitri Volkov is my new skip-level manager", user="U0OTHER01")
    slack_api.wait_for(lambda: len(requests_in(engine)) == 3)
    assert labels() == ""  # two people (one of them twice): nothing can be named

    # A lead's own question never makes up the third person: leads read the labels.
    ask(bot, "feedback for Dmitri Volkov before his review", user=LEAD)
    slack_api.wait_for(lambda: len(requests_in(engine)) == 4)
    assert "volkov" not in labels()
    bot.command("demand", LEAD)
    demand = slack_api.wait_text("response_url", "Unmet demand")
    assert "volkov" not in json.dumps(demand.params, ensure_ascii=False).lower()

    ask(bot, "how do I talk to Dmitri Volkov about my workload", user="U0THIRD01")
    slack_api.wait_for(lambda: len(requests_in(engine)) == 5)
    # Three different people who are not leads wrote "Volkov": only then may a label use it...
    slack_api.wait_for(lambda: "volkov" in labels())
    # ...and never in the live preview of a week still running, where a lead could watch a
    # label appear the moment someone asked.
    slack_api.clear()
    bot.command("digest", LEAD)
    preview = slack_api.wait_text("response_url", "Preview for program leads")
    text = json.dumps(preview.params, ensure_ascii=False).lower()
    assert "named once the week is over" in text
    assert "volkov" not in text and "dmitri" not in text


def test_topic_clusters_count_people_not_questions() -> None:
    import numpy as np

    from bot.digest.topics import Asked, cluster_topics

    same = np.ones((1, 4), dtype=np.float32) / 2
    asked = [
        Asked("kubernetes upgrades and helm", "U1"),
        Asked("kubernetes upgrades again", "U1"),
        Asked("kubernetes upgrades, once more", "U1"),
        Asked("kubernetes networking", "U2"),
    ]
    assert cluster_topics(asked, np.repeat(same, 4, axis=0)) == []  # two people
    asked.append(Asked("kubernetes upgrades failing", "U3"))
    [topic] = cluster_topics(asked, np.repeat(same, 5, axis=0))
    assert topic.label == "kubernetes" and topic.count == 5  # "upgrades": only U1 and U3


# -- 2. reassign: see tests/test_leads.py::test_a_lead_cannot_read_questions_through_reassign --

# -- 3. question text never reaches the logs ------------------------------------------------


def test_database_errors_never_log_the_values(sqlite_url: str) -> None:
    secret = "my manager Dmitri Volkov shouts at me"
    engine = db.make_engine(sqlite_url)
    db.upgrade(engine)
    with session_scope(engine) as session:
        session.add(Mentor(slack_id="U0SAME001", expertise=secret))
    with pytest.raises(sa.exc.IntegrityError) as caught, session_scope(engine) as session:
        session.add(Mentor(slack_id="U0SAME001", expertise=secret))
    assert secret not in str(caught.value)  # hide_parameters
    assert "hidden due to hide_parameters" in str(caught.value)

    # Whatever the engine: the JSON log formatter withholds a database error's message.
    raw = sa.create_engine(f"{sqlite_url}", hide_parameters=False)
    with pytest.raises(sa.exc.IntegrityError) as unhidden, raw.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO mentor_embedding (mentor_id, model) VALUES (:m, :secret)"),
            {"m": 424242, "secret": secret},
        )
    raw.dispose()
    assert secret in str(unhidden.value)  # the danger, shown
    record = logging.LogRecord("bot", logging.ERROR, "x", 1, "failed", (), None)
    record.exc_info = (type(unhidden.value), unhidden.value, unhidden.value.__traceback__)
    line = JsonFormatter().format(record)
    assert secret not in line and "IntegrityError (message withheld" in line

    logged: list[logging.LogRecord] = []
    handler = RecordingHandler(logged)
    logging.getLogger("bot.handlers.errors").addHandler(handler)
    try:
        told: list[object] = []
        services = SimpleNamespace(notifier=SimpleNamespace(dm=lambda *a: told.append(a)))
        report(unhidden.value, {"user": {"id": "U0ME"}}, None, services)  # type: ignore[arg-type]
    finally:
        logging.getLogger("bot.handlers.errors").removeHandler(handler)
    assert told  # the person gets a reference id...
    assert all(secret not in json.dumps(r.__dict__, default=str) for r in logged)  # ...not logs
    engine.dispose()


@pytest.mark.postgres
def test_control_characters_are_dropped_where_text_enters(
    pg_engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    """PostgreSQL refuses U+0000 in text: the question used to fail after the ack."""
    seed(pg_engine)
    bot = start_bot(database_url=PG_URL)
    ask(bot, "How do I write incident\x00 postmortems?\x1b[2J\u0085")
    offer_to(slack_api, "U0SRE0001")
    context = "We had an outage\x00\nand a second one\x07"
    bot.submit(
        Callback.INTAKE,
        {
            Field.QUESTION: {"type": "plain_text_input", "value": "A/B testing\x00 sample sizes"},
            Field.CONTEXT: {"type": "plain_text_input", "value": context},
            Field.URGENCY: {"type": "static_select", "selected_option": {"value": "<!channel>"}},
        },
        "U0OTHER01",
    )
    offer_to(slack_api, "U0DSC0001")
    values = profile_values("kubernetes upgrades\x00, helm\x1b]0;x\x07 charts")
    assert bot.submit(Callback.PROFILE, values, "U0NEWMENT").json() is None
    slack_api.wait_text("chat.postMessage", "profile is saved")
    with session_scope(pg_engine) as session:
        stored = [
            (r.question, r.context, r.urgency) for r in session.exec(select(MentoringRequest))
        ]
        expertise = session.exec(select(Mentor.expertise).where(Mentor.slack_id == "U0NEWMENT"))
        new_expertise = expertise.one()
    assert sorted(stored, key=str) == sorted(
        [
            ("How do I write incident postmortems?[2J", None, None),
            ("A/B testing sample sizes", "We had an outage\nand a second one", None),
        ],
        key=str,
    )
    assert new_expertise == "kubernetes upgrades, helm]0;x charts"


# -- 4. forget-me rewrites the bot's own messages; nothing re-quotes ------------------------


def logged_messages(engine: Engine) -> list[tuple[str, str, str]]:
    """(kind, channel, ts) of the bot's messages that quote someone, as logged for erasure."""
    with session_scope(engine) as session:
        rows = session.exec(select(SlackMessage)).all()
        return [(m.kind, m.channel, m.ts) for m in rows]


def approval_asks(api: SlackStandIn) -> list[Call]:
    return [c for c in api.of("chat.postMessage") if "waiting for approval" in c.blocks_text()]


def test_forget_me_rewrites_every_message_that_quoted_the_mentee(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    ask(bot)
    offer_to(slack_api, "U0SRE0001")
    slack_api.wait_for(lambda: {k for k, *_ in logged_messages(engine)} >= {"offer", "asked"})
    quoted = logged_messages(engine)
    assert {(k, ch) for k, ch, _ in quoted} == {("offer", "DU0SRE0001"), ("asked", "DU0MENTEE1")}
    slack_api.clear()
    bot.command("forget-me", MENTEE)
    bot.click(Action.FORGET_CONFIRM, "forget", MENTEE)
    slack_api.wait_text("response_url", "Only anonymous counts remain")
    updates = slack_api.wait_call("chat.update", count=len(quoted))
    rewritten = {(c.params["channel"], c.params["ts"]) for c in updates}
    assert {(ch, ts) for _, ch, ts in quoted} <= rewritten
    mentor_copy = [c for c in updates if c.params["channel"] == "DU0SRE0001"]
    assert "deleted at the asker's request" in mentor_copy[-1].blocks_text()
    # Nothing the erasure sent quotes the question or names the mentee again.
    for call in slack_api.calls:
        text = json.dumps(call.params, ensure_ascii=False)
        assert "postmortems" not in text.lower()
        if call.method != "response_url":
            assert MENTEE not in text or call.params.get("channel") == "D" + MENTEE
    assert logged_messages(engine) == []  # the log of where it was quoted is gone too
    assert bot.runtime.services.matching._queries == {}  # no cached question vector


def test_forget_me_rewrites_introduction_and_booking_messages_on_both_sides(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    bot = start_bot()
    book_first_slot(engine, bot, slack_api)
    expected = sorted(["offer", "asked", "introduction", "introduction", "booked", "booked"])
    # (Logged right after the DMs went out: wait for the booking's.)
    slack_api.wait_for(lambda: sorted(k for k, *_ in logged_messages(engine)) == expected)
    quoted = logged_messages(engine)
    slack_api.clear()
    bot.command("forget-me", MENTEE)
    bot.click(Action.FORGET_CONFIRM, "forget", MENTEE)
    slack_api.wait_text("response_url", "Only anonymous counts remain")
    updates = slack_api.wait_call("chat.update", count=len(quoted))
    rewritten = {(c.params["channel"], c.params["ts"]): c for c in updates}
    for _, channel, ts in quoted:
        assert QUESTION not in rewritten[(channel, ts)].blocks_text()
    assert {channel for _, channel, _ in quoted} == {"DU0SRE0001", "DU0MENTEE1"}


def test_a_redaction_slack_refused_is_retried(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    ask(bot)
    offer_to(slack_api, "U0SRE0001")
    slack_api.wait_for(lambda: len(logged_messages(engine)) == 2)
    slack_api.fail("chat.update", 500, times=100)  # Slack is down for a while
    privacy = bot.runtime.handler_services.privacy
    privacy.forget(MENTEE)
    with session_scope(engine) as session:
        pending = session.exec(select(SlackMessage)).all()
    assert len(pending) == 2 and all(m.redact_pending for m in pending)
    # The log keeps where the messages are, and no longer who they were for.
    assert {m.recipient_slack_id for m in pending} == {"U0SRE0001", "forgotten"}
    slack_api.recover("chat.update")  # Slack is back
    slack_api.clear()
    assert privacy.retry_redactions() == 2  # the job, every 10 minutes
    assert logged_messages(engine) == []
    assert all(QUESTION not in c.blocks_text() for c in slack_api.of("chat.update"))


def test_an_erased_mentor_leaves_no_reasons_and_no_vectors(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    ask(bot)
    offer_to(slack_api, "U0SRE0001")
    bot.runtime.handler_services.privacy.forget("U0SRE0001")
    offer_to(slack_api, "U0SRE0002")
    ask(bot, "incident postmortems for my team", user="U0OTHER01")  # the index refreshes
    slack_api.wait_for(lambda: len(requests_in(engine)) == 2)
    with session_scope(engine) as session:
        offers = session.exec(select(Offer).order_by(col(Offer.id))).all()
        erased = session.exec(select(Mentor).where(Mentor.expertise == "")).one()
        vectors = session.execute(sa.text("SELECT mentor_id FROM mentor_embedding")).all()
    assert offers[0].reasons == []  # "matched on: <their expertise>" is theirs too
    assert erased.id not in {v[0] for v in vectors}  # and never re-embedded afterwards
    assert len(bot.runtime.services.matching.index) == 3  # of the 4 seeded mentors


# -- 5. MENTOR_APPROVAL ----------------------------------------------------------------------


def test_a_self_registered_mentor_waits_for_a_lead(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    bot = start_bot(program_leads=[LEAD, "U0LEAD002"])  # MENTOR_APPROVAL=lead by default
    values = profile_values("kubernetes upgrades, helm charts")
    assert bot.submit(Callback.PROFILE, values, "U0NEWMENT").json() is None
    slack_api.wait_text("chat.postMessage", "A program lead will review it")
    asks = slack_api.wait_for(
        lambda: len(approval_asks(slack_api)) == 2 and approval_asks(slack_api)
    )
    assert {c.params["channel"] for c in asks} == {"DU0LEAD001", "DU0LEAD002"}
    assert "kubernetes upgrades" in asks[0].blocks_text() and "Approve" in asks[0].blocks_text()

    ask(bot, "how do I upgrade kubernetes with helm?")  # not a mentor yet: nobody is asked
    told_unmatched(slack_api, "knows this topic well enough")
    assert not [c for c in slack_api.messages_to("U0NEWMENT") if "Accept" in c.blocks_text()]

    with session_scope(engine) as session:
        mentor_id = session.exec(select(Mentor.id).where(Mentor.slack_id == "U0NEWMENT")).one()
    slack_api.clear()
    bot.click(Action.APPROVE_MENTOR, str(mentor_id), "U0NEWMENT")  # approving themself
    slack_api.wait_text("response_url", "Only program leads")
    bot.click(Action.APPROVE_MENTOR, str(mentor_id), LEAD)
    slack_api.wait_text("chat.postMessage", "approved your mentor profile")
    closed = slack_api.wait_call("chat.update", count=2)
    assert {c.params["channel"] for c in closed} == {"DU0LEAD001", "DU0LEAD002"}
    assert all(f"Approved by <@{LEAD}>" in c.blocks_text() for c in closed)
    bot.click(Action.REJECT_MENTOR, str(mentor_id), "U0LEAD002")  # too late: decided
    slack_api.wait_text("response_url", "already decided")

    ask(bot, "how do I upgrade kubernetes with helm?", user="U0OTHER01")
    slack_api.wait_for(
        lambda: [c for c in slack_api.messages_to("U0NEWMENT") if "Accept" in c.blocks_text()]
    )


def test_a_rejected_mentor_gets_no_questions_and_waits_again_after_an_edit(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    bot = start_bot()
    bot.submit(Callback.PROFILE, profile_values("everything, anything, all topics"), "U0GREEDY1")
    slack_api.wait_text("chat.postMessage", "waiting for approval")
    with session_scope(engine) as session:
        mentor_id = session.exec(select(Mentor.id).where(Mentor.slack_id == "U0GREEDY1")).one()
    bot.click(Action.REJECT_MENTOR, str(mentor_id), LEAD)
    slack_api.wait_text("chat.postMessage", "did not approve your mentor profile")
    slack_api.clear()
    bot.home_opened("U0GREEDY1")
    home = slack_api.wait_call("views.publish")[0]
    assert "not on the roster" in json.dumps(home.params["view"])
    slack_api.clear()
    bot.submit(Callback.PROFILE, profile_values("everything, really"), "U0GREEDY1")
    slack_api.wait_text("chat.postMessage", "waiting for approval")  # leads are asked again
    ask(bot, "everything about all topics")
    told_unmatched(slack_api, "knows this topic well enough")


def test_in_open_mode_a_lead_can_deactivate_a_new_mentor(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot(mentor_approval="open")
    bot.submit(Callback.PROFILE, profile_values("incident postmortems, all of them"), "U0NEWMENT")
    slack_api.wait_text("chat.postMessage", "New mentor on the roster")
    ask(bot, "incident postmortems, all of them")
    offer = offer_to(slack_api, "U0NEWMENT", count=2)  # after "your profile is saved"
    with session_scope(engine) as session:
        mentor_id = session.exec(select(Mentor.id).where(Mentor.slack_id == "U0NEWMENT")).one()
    bot.click(Action.DEACTIVATE_MENTOR, str(mentor_id), LEAD)
    slack_api.wait_text("chat.postMessage", "took you off the mentor roster")
    offer_to(slack_api, "U0SRE0001")  # their pending request moved on at once
    closed = slack_api.wait_text("chat.update", "no longer on the mentor roster")
    assert closed.params["channel"] == "DU0NEWMENT"
    slack_api.clear()
    bot.click(Action.ACCEPT, offer, "U0NEWMENT")
    slack_api.wait_text("response_url", "no longer open")


# -- 6. forged requests: 401/400, never 500 ---------------------------------------------------


def wsgi_status(bot: BotServer, headers: dict[str, str], body: bytes, length: str | None) -> int:
    """Call the WSGI app directly, with header values no HTTP client would even send."""
    environ: dict[str, object] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "SERVER_PORT": "3000",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "wsgi.input": io.BytesIO(body),
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
    }
    if length is not None:
        environ["CONTENT_LENGTH"] = length
    seen: list[str] = []
    b"".join(bot.wsgi(environ, lambda status, _headers: seen.append(status)))  # type: ignore[arg-type]
    return int(seen[0].split()[0])


header_values = st.one_of(
    st.text(max_size=80),
    st.just("²"),
    st.just("9" * 5000),
    st.just("v0=" + "é" * 64),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.from_regex(r"v0=[0-9a-f]{64}", fullmatch=True),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    signature=header_values,
    timestamp=header_values,
    body=st.binary(max_size=600),
    length=st.one_of(st.none(), st.text(max_size=12), st.integers(-5, 2_000_000).map(str)),
)
def test_any_forged_headers_or_body_get_4xx(
    bot_only: BotServer, signature: str, timestamp: str, body: bytes, length: str | None
) -> None:
    headers = {"X-Slack-Signature": signature, "X-Slack-Request-Timestamp": timestamp}
    status = wsgi_status(bot_only, headers, body, length if length is not None else str(len(body)))
    assert status in (400, 401, 413)


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Slack-Signature": "v0=" + "é" * 64},  # non-ASCII: hmac.compare_digest raised
        {"X-Slack-Signature": "v0=日本語".encode()},
        {"X-Slack-Request-Timestamp": "²"},  # str.isdigit() says yes, int() says no
        {"X-Slack-Request-Timestamp": "9" * 5000},  # past int()'s digit limit
        {"X-Slack-Request-Timestamp": "-1"},
        {"Content-Length": "-5"},
    ],
)
def test_forged_headers_over_http_get_4xx(bot_only: BotServer, headers: dict[str, object]) -> None:
    body = "command=%2Fmentor&text=help&user_id=U0MENTEE1"
    signed: dict[str, object] = dict(
        bot_only.signer.headers(body, "application/x-www-form-urlencoded")
    )
    signed.update(headers)
    status = raw_post(bot_only.port, body.encode(), signed)
    assert status in (400, 401)


def test_a_signed_body_that_is_not_utf8_gets_400(bot_only: BotServer) -> None:
    body = b"command=%2Fmentor&text=\xff\xfe\xc3"
    ts = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
    }
    assert raw_post(bot_only.port, body, headers) == 400  # signed (so not 401), still no 500
    headers["X-Slack-Signature"] = "v0=" + "0" * 64
    assert raw_post(bot_only.port, body, headers) == 401


def raw_post(port: int, body: bytes, headers: Mapping[str, object]) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest("POST", "/slack/events", skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)  # type: ignore[arg-type]
        if "Content-Length" not in headers:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.fixture
def bot_only(engine: Engine, start_bot: StartBot) -> BotServer:
    return start_bot()


# -- 7. one person cannot flood the mentors ---------------------------------------------------


def test_open_requests_are_capped_and_questions_rate_limited(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    for n in range(1, 4):
        add_mentor(engine, f"U0SRE000{n}", "incident postmortems", weekly_capacity=5)
    bot = start_bot(questions_per_hour=5)  # MAX_OPEN_REQUESTS: 3 by default
    for n in range(3):
        ask(bot, f"incident postmortems, question {n}")
    slack_api.wait_for(lambda: [r.status for r in requests_in(engine)] == ["offered"] * 3)
    ask(bot, "incident postmortems, question 4")  # the cap holds across the ack
    refused = slack_api.wait_text("response_url", "already have 3 open requests")
    assert "/mentor cancel" in refused.params["text"]
    assert len(requests_in(engine)) == 3  # nothing stored, no mentor asked

    def offers_sent() -> int:
        return sum(len(slack_api.messages_to(f"U0SRE000{n}")) for n in range(1, 4))

    # A request is "offered" just before its DM goes out: wait for the three, then check that
    # the refused fourth added none.
    slack_api.wait_for(lambda: offers_sent() >= 3)
    bot.wait_idle()
    assert offers_sent() == 3

    first = requests_in(engine)[0].id
    bot.click(Action.CANCEL_REQUEST, str(first), MENTEE)
    slack_api.wait_text("response_url", "is cancelled")
    ask(bot, "incident postmortems, question 5")  # room again
    slack_api.wait_for(lambda: len(requests_in(engine)) == 4)
    too_fast = bot.command("incident postmortems, question 6", MENTEE)
    assert too_fast.status == 200 and "5 questions in the last hour" in too_fast.body
    bot.wait_idle()
    assert len(requests_in(engine)) == 4  # the refused ack's lazy part did nothing


def test_the_intake_form_is_rate_limited_too(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    bot = start_bot(questions_per_hour=1)
    form = {Field.QUESTION: {"type": "plain_text_input", "value": "A/B testing sample sizes"}}
    assert bot.submit(Callback.INTAKE, form, MENTEE).json() is None
    again = bot.submit(Callback.INTAKE, form, MENTEE).json()
    assert "1 question in the last hour" in again["errors"][Field.QUESTION.value]
    slack_api.wait_for(lambda: len(requests_in(engine)) == 1)
    bot.wait_idle()
    assert len(requests_in(engine)) == 1


# -- 8. acks never 500: every modal error is a field error -----------------------------------


def test_forms_with_bad_values_get_field_errors(bot_only: BotServer) -> None:
    profile = {
        **profile_values("incident postmortems"),
        Field.PAUSED_UNTIL: {"type": "datepicker", "selected_date": "2026-13-45"},
    }
    answer = bot_only.submit(Callback.PROFILE, profile, "U0NEWMENT")
    assert answer.status == 200
    assert "date picker" in answer.json()["errors"][Field.PAUSED_UNTIL.value]
    for metadata, picked in (("abc", 1), ("7", 10**30), ("7", "soon")):
        proposal = {Field.PROPOSED_AT: {"type": "datetimepicker", "selected_date_time": picked}}
        answer = bot_only.submit(Callback.PROPOSE_TIME, proposal, "U0SRE0001", metadata)
        assert answer.status == 200 and answer.json()["response_action"] == "errors"
    empty = {Field.COMMENT: {"type": "plain_text_input", "value": "   "}}
    answer = bot_only.submit(Callback.COMMENT, empty, MENTEE, private_metadata="7")
    assert answer.json()["errors"][Field.COMMENT.value] == "Please write a comment."
    broken_state = bot_only.post_signed(
        sr.view_submission(Callback.INTAKE, {}, MENTEE).replace("%22state%22", "%22x%22"),
        "application/x-www-form-urlencoded",
    )
    assert broken_state.status == 200 and broken_state.json()["response_action"] == "errors"


# -- 12. a rescheduled session gets its reminders again; 13. what happened is recorded --------


def test_a_rescheduled_session_is_reminded_again_with_a_fresh_invite(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    from icalendar import Calendar

    bot = start_bot()
    meeting = book_first_slot(engine, bot, slack_api)
    assert meeting.id is not None and meeting.starts_at is not None
    booking = bot.runtime.handler_services.booking
    assert booking.remind(
        meeting.id, NudgeKind.REMINDER_EARLY, now=meeting.starts_at - timedelta(hours=24)
    )
    slack_api.clear()
    bot.click(Action.RESCHEDULE, str(meeting.id), "U0SRE0001")
    picker = slack_api.wait_for(
        lambda: [c for c in slack_api.messages_to(MENTEE) if "Pick a time" in c.blocks_text()]
    )
    old_start = str(int(meeting.starts_at.timestamp()))
    new_value = next(
        v for v in slot_values(picker[0].blocks_text()) if not v.endswith(":" + old_start)
    )
    bot.click(Action.BOOK_SLOT, new_value, MENTEE)
    slack_api.wait_for(lambda: len(slack_api.of("files.completeUploadExternal")) == 2)
    with session_scope(engine) as session:
        moved = session.get(MentoringSession, meeting.id)
        assert moved is not None and moved.starts_at is not None
    slack_api.clear()
    assert booking.remind(
        meeting.id, NudgeKind.REMINDER_EARLY, now=moved.starts_at - timedelta(hours=24)
    )
    reminders = slack_api.wait_call("chat.postMessage", count=2)
    assert all("Reminder:" in c.blocks_text() for c in reminders)
    invites = [Calendar.from_ical(u.params["content"]) for u in slack_api.of("upload")]
    assert not invites  # cleared: the invites came with the booking, checked next
    # The second booking's invite replaces the first in calendars: same UID, higher SEQUENCE.
    first, second = (session_invite_of(engine, meeting.id, seq) for seq in (1, 2))
    assert first["uid"] == second["uid"] and (first["sequence"], second["sequence"]) == (1, 2)


def session_invite_of(engine: Engine, session_id: int, sequence: int) -> dict[str, object]:
    from icalendar import Calendar

    from bot.booking.calendar import session_invite
    from bot.booking.ports import SessionView

    with session_scope(engine) as session:
        meeting = session.get(MentoringSession, session_id)
        assert meeting is not None
    view = SessionView(
        session_id, meeting.request_id, MENTEE, "U0SRE0001", 60, meeting.starts_at, "q", sequence
    )
    event = Calendar.from_ical(session_invite(view, now=utcnow())).walk("VEVENT")[0]
    return {"uid": str(event["uid"]), "sequence": int(event["sequence"])}


def test_did_it_take_place_yes_wins_and_moved_sends_new_times(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    bot = start_bot()
    meeting = book_first_slot(engine, bot, slack_api)
    assert meeting.id is not None and meeting.starts_at is not None
    sid = meeting.id
    slack_api.clear()
    bot.click("feedback_attendance_held", f"{sid}:held", MENTEE)  # before it even started
    slack_api.wait_text("response_url", "hasn't started yet")
    end = meeting.starts_at + timedelta(minutes=60)
    with time_machine.travel(end + timedelta(minutes=5), tick=True):
        bot.click("feedback_attendance_no_show", f"{sid}:no_show", "U0SRE0001")
        slack_api.wait_text("response_url", "Thanks for telling me")
        assert status_of(engine, sid) == "no_show"
        bot.click("feedback_attendance_held", f"{sid}:held", MENTEE)  # the mentee says it did
        slack_api.wait_text("response_url", "How did your session")
        assert status_of(engine, sid) == "held"
        assert [r.status for r in requests_in(engine)] == ["completed"]
        bot.click("feedback_attendance_moved", f"{sid}:moved", "U0SRE0001")
        slack_api.wait_text("response_url", "already said the session took place")
        bot.click("feedback_attendance_held", f"{sid}:held", "U0INTRUDE")
        slack_api.wait_text("response_url", "isn't yours")


def test_we_moved_it_reschedules(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    bot = start_bot()
    meeting = book_first_slot(engine, bot, slack_api)
    assert meeting.id is not None and meeting.starts_at is not None
    slack_api.clear()
    with time_machine.travel(meeting.starts_at + timedelta(minutes=70), tick=True):
        bot.click("feedback_attendance_moved", f"{meeting.id}:moved", MENTEE)
        slack_api.wait_text("response_url", "fresh times are on their way")
        slack_api.wait_for(
            lambda: [c for c in slack_api.messages_to(MENTEE) if "Pick a time" in c.blocks_text()]
        )
    assert status_of(engine, meeting.id) == "proposed"


def status_of(engine: Engine, session_id: int) -> str:
    with session_scope(engine) as session:
        meeting = session.get(MentoringSession, session_id)
        assert meeting is not None
        return meeting.status
