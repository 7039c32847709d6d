"""A person's own data through Slack: `/mentor my-data`, `/mentor forget-me`, and retention."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.handlers.ids import Action
from bot.storage import stats
from bot.storage.db import session_scope
from bot.storage.models import (
    Feedback,
    Mentor,
    MentorEmbedding,
    MentoringRequest,
    MentoringSession,
    Offer,
    utcnow,
)
from tests.utils.bot_server import BotServer, StartBot
from tests.utils.flow import (
    MENTEE,
    QUESTION,
    ask,
    book_first_slot,
    offer_to,
    seed,
    told_unmatched,
)
from tests.utils.slack_api import SlackStandIn

SECRET_COMMENT = "between us: I think my manager is the problem"


def export_of(bot: BotServer, api: SlackStandIn, user: str) -> dict:  # type: ignore[type-arg]
    api.clear()
    response = bot.command("my-data", user)
    assert response.status == 200 and "Gathering" in response.body
    api.wait_text("response_url", "I sent you a file")
    done = [
        c
        for c in api.of("files.completeUploadExternal")
        if "Your mentor-bot data" in json.dumps(c.params)
    ]
    assert [c.params["channel_id"] for c in done] == ["D" + user]  # to the person, in their DM
    upload = next(c for c in api.of("upload") if c.params["content"].startswith("{"))
    return json.loads(upload.params["content"])  # type: ignore[no-any-return]


def stored_text(engine: Engine) -> str:
    """Every row of every table, as text: where personal data could still hide."""
    dump = []
    with engine.connect() as connection:
        for table in sa.inspect(engine).get_table_names():
            if table in ("apscheduler_jobs", "alembic_version"):
                continue
            rows = connection.execute(sa.text(f"SELECT * FROM {table}")).all()
            dump.append(repr(rows))
    return "\n".join(dump)


def booked_with_comment(engine: Engine, bot: BotServer, api: SlackStandIn, author: str) -> int:
    """A booked session with feedback (and SECRET_COMMENT) written by `author`."""
    meeting_id = book_first_slot(engine, bot, api).id
    assert meeting_id is not None
    with session_scope(engine) as session:
        session.add(
            Feedback(
                session_id=meeting_id,
                author_slack_id=author,
                role="mentee" if author == MENTEE else "mentor",
                rating=4,
                comment=SECRET_COMMENT,
            )
        )
    return meeting_id


def test_my_data_exports_what_is_stored_and_nothing_of_others(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    bot = start_bot()
    booked_with_comment(engine, bot, slack_api, "U0SRE0001")

    mine = export_of(bot, slack_api, MENTEE)
    assert [r["question"] for r in mine["requests"]] == [QUESTION]
    assert mine["requests"][0]["status"] == "matched"
    assert [(s["role"], s["status"]) for s in mine["sessions"]] == [("mentee", "scheduled")]
    assert mine["mentor_profile"] is None
    assert SECRET_COMMENT not in json.dumps(mine)  # the mentor's comment is theirs

    theirs = export_of(bot, slack_api, "U0SRE0001")
    assert "postmortems" in theirs["mentor_profile"]["expertise"]
    assert [o["status"] for o in theirs["offers_received"]] == ["accepted"]
    assert theirs["feedback_given"][0]["comment"] == SECRET_COMMENT
    assert QUESTION not in json.dumps(theirs)  # the mentee's question is the mentee's


def test_forget_me_asks_first_then_erases_and_keeps_counts(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    bot = start_bot()
    meeting_id = booked_with_comment(engine, bot, slack_api, MENTEE)
    with session_scope(engine) as session:
        jobs = {r[0] for r in session.execute(sa.text("SELECT id FROM apscheduler_jobs"))}
    assert f"reminder_soon:{meeting_id}" in jobs

    confirm = bot.command("forget-me", MENTEE)
    assert "Delete my data" in confirm.body and "cannot be undone" in confirm.body
    assert QUESTION in stored_text(engine)  # nothing happens before the click
    bot.click(Action.FORGET_KEEP, "keep", MENTEE)
    slack_api.wait_text("response_url", "Nothing was deleted")
    assert QUESTION in stored_text(engine)

    slack_api.clear()
    # A forged value cannot aim the erasure at someone else: the signed user is erased.
    bot.click(Action.FORGET_CONFIRM, "U0SRE0001", MENTEE)
    slack_api.wait_text("response_url", "Only anonymous counts remain")
    # The mentor learns the session is off, without the forgotten person being named; they
    # themselves get nothing more.
    [cancelled] = slack_api.wait_for(
        lambda: [
            c for c in slack_api.messages_to("U0SRE0001") if "was cancelled" in c.blocks_text()
        ]
    )
    assert MENTEE not in json.dumps(cancelled.params)
    assert not [c for c in slack_api.messages_to(MENTEE) if "cancelled" in c.blocks_text()]

    everything = stored_text(engine)
    for personal in (MENTEE, QUESTION, SECRET_COMMENT):
        assert personal not in everything
    with session_scope(engine) as session:
        jobs = {r[0] for r in session.execute(sa.text("SELECT id FROM apscheduler_jobs"))}
        meeting_now = session.get(MentoringSession, meeting_id)
        mentor = session.exec(select(Mentor).where(Mentor.slack_id == "U0SRE0001")).one()
        counted = stats.requests_between(session, utcnow() - timedelta(days=1), utcnow())
    assert not {j for j in jobs if j.endswith(f":{meeting_id}")}  # pending nudges dropped
    assert meeting_now is not None and meeting_now.status == "cancelled"
    assert mentor.expertise  # the other person's data is untouched
    # The digest still counts the request, anonymously, and as matched: history stays.
    assert [r.status for r in counted] == ["matched"]

    after = export_of(bot, slack_api, MENTEE)
    assert after["requests"] == [] and after["sessions"] == [] and after["feedback_given"] == []


def test_a_mentor_who_is_forgotten_leaves_the_index_and_their_offer_moves_on(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    seed(engine)
    bot = start_bot()
    ask(bot)
    offer_to(slack_api, "U0SRE0001")
    bot.command("forget-me", "U0SRE0001")
    bot.click(Action.FORGET_CONFIRM, "forget", "U0SRE0001")
    slack_api.wait_text("response_url", "your mentor profile")
    offer_to(slack_api, "U0SRE0002")  # the pending request went to the next best mentor

    with session_scope(engine) as session:
        mentors = {m.slack_id: m for m in session.exec(select(Mentor)).all()}
        vectors = session.exec(select(MentorEmbedding.mentor_id)).all()
        offers = session.exec(select(Offer).order_by(col(Offer.id))).all()
    assert "U0SRE0001" not in mentors
    erased = next(m for m in mentors.values() if m.slack_id.startswith("forgotten-"))
    assert (erased.expertise, erased.name, erased.active) == ("", "", False)
    assert erased.id not in vectors
    assert [o.status for o in offers] == ["declined", "pending"]

    slack_api.clear()
    ask(bot, "Writing incident postmortems for my team", user="U0OTHER01")
    first = slack_api.wait_for(
        lambda: [
            c
            for c in slack_api.of("chat.postMessage")
            if "U0OTHER01" in c.blocks_text() and c.params["channel"] != "DU0OTHER01"
        ]
    )
    assert first[0].params["channel"] != "DU0SRE0001"


def test_retention_purges_old_texts_only(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    bot = start_bot(retention_days=30)
    old, recent = utcnow() - timedelta(days=31), utcnow() - timedelta(days=29)
    with session_scope(engine) as session:
        for when, text in ((old, "an old worry"), (recent, "a recent worry")):
            request = MentoringRequest(
                mentee_slack_id=MENTEE,
                question=text,
                context="ctx",
                status="completed",
                created_at=when,
            )
            session.add(request)
    purged = bot.runtime.handler_services.privacy.purge_old_texts()
    assert purged == (1, 0)
    with session_scope(engine) as session:
        rows = session.exec(select(MentoringRequest).order_by(col(MentoringRequest.id))).all()
        jobs = {r[0] for r in session.execute(sa.text("SELECT id FROM apscheduler_jobs"))}
    assert [(r.question, r.context) for r in rows] == [
        (None, None),
        ("a recent worry", "ctx"),
    ]
    assert "retention-purge" in jobs  # the daily job is stored, so it survives restarts


def test_a_question_reaches_only_the_mentee_and_the_mentors_asked(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    """Through a decline, an accept, a booking, the unmet-demand path and the digest: every
    Slack call that carries the question goes to the mentee or a mentor it was offered to, and
    no log line (at DEBUG, libraries included) holds the question or a secret."""
    import logging

    from bot.logging import quiet_libraries

    caplog.set_level(logging.DEBUG)  # LOG_LEVEL=DEBUG, as set up by configure_logging
    previous = quiet_libraries()
    try:
        run_a_private_flow(engine, start_bot, slack_api)
    finally:
        for name, level in previous.items():
            logging.getLogger(name).setLevel(level)
    logged = caplog.text
    assert "burning" not in logged and "salary" not in logged
    assert "xoxb-test-token" not in logged
    assert "test-signing-secret" not in logged


def run_a_private_flow(engine: Engine, start_bot: StartBot, slack_api: SlackStandIn) -> None:
    seed(engine)
    bot = start_bot(digest_channel="C0DIGEST1")
    question = "How do I write incident postmortems when I think I'm burning out?"
    ask(bot, question)
    bot.click(Action.DECLINE, offer_to(slack_api, "U0SRE0001"), "U0SRE0001")
    bot.click(Action.ACCEPT, offer_to(slack_api, "U0SRE0002"), "U0SRE0002")
    slack_api.wait_for(
        lambda: [c for c in slack_api.messages_to(MENTEE) if "Pick a time" in c.blocks_text()]
    )
    ask(bot, "How do I negotiate my salary with a burning-out manager?", user="U0OTHER01")
    told_unmatched(slack_api, "knows this topic well enough", "U0OTHER01")
    bot.runtime.handler_services.digest.send(now=utcnow() + timedelta(days=7))
    slack_api.wait_call("chat.postMessage", channel="C0DIGEST1")

    # Who may see each question: its asker and the mentors it was offered to. DMs, and
    # replies to the person's own message or command (response_url).
    audiences = {
        "burning out": (MENTEE, "U0SRE0001", "U0SRE0002"),
        "negotiate my salary": ("U0OTHER01",),  # nobody fits: only the asker
    }
    for marker, people in audiences.items():
        allowed = {"D" + p for p in people} | {
            f"/response/{kind}-{p}" for p in people for kind in ("act", "cmd")
        }
        for call in slack_api.calls:
            if marker in json.dumps(call.params, ensure_ascii=False):
                where = call.params.get("channel") or call.path
                assert where in allowed, (marker, where)


def test_both_people_of_a_session_can_be_forgotten(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    bot = start_bot()
    meeting_id = booked_with_comment(engine, bot, slack_api, MENTEE)
    with session_scope(engine) as session:
        session.add(
            Feedback(session_id=meeting_id, author_slack_id="U0SRE0001", role="mentor", rating=5)
        )
    privacy = bot.runtime.handler_services.privacy
    assert privacy.forget(MENTEE).feedback == 1
    assert privacy.forget("U0SRE0001").mentor_profile
    with session_scope(engine) as session:
        authors = sorted(f.author_slack_id for f in session.exec(select(Feedback)).all())
    assert authors == ["forgotten-mentee", "forgotten-mentor"]  # still counted, by role
