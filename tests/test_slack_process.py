"""`mentor-bot run --http` as production runs it (gunicorn, real packaged model), in its own
process: a full request, a SIGKILL with an offer pending, and a restart that honours its timer."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from bot.handlers.ids import Action
from bot.roster import import_mentors, read_mentor_csv
from bot.storage import db
from bot.storage.db import session_scope
from bot.storage.models import Mentor, Offer
from tests.conftest import EXAMPLE_ROSTER
from tests.utils import slack_requests as sr
from tests.utils.bot_server import METRICS_TOKEN, SIGNING_SECRET, offer_id_in
from tests.utils.slack_api import Call, SlackStandIn

pytestmark = pytest.mark.real_model
MENTEE = "U0MENTEE1"


def pending_offer_due(env: dict[str, str]) -> datetime:
    engine = db.make_engine(env["DATABASE_URL"])
    try:
        with session_scope(engine) as session:
            offer = session.exec(select(Offer).where(Offer.status == "pending")).one()
            return offer.expires_at
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class BotProcess:
    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.port = port
        self._log = log.open("ab")
        script = Path(sys.executable).with_name("mentor-bot")
        self.process = subprocess.Popen(
            [str(script), "run", "--http", "--port", str(port)],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "bot exited while starting"
            try:
                auth = {"Authorization": f"Bearer {METRICS_TOKEN}"}
                status, _ = self.request("GET", "/readyz", headers=auth)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.25)
        raise AssertionError("bot did not become ready")

    def request(
        self, method: str, path: str, body: str = "", headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body.encode(), headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read().decode()
        finally:
            connection.close()

    def post(self, body: str, content_type: str) -> int:
        headers = sr.SlackSigner(SIGNING_SECRET).headers(body, content_type)
        return self.request("POST", "/slack/events", body, headers)[0]

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


def process_env(database_url: str, api: SlackStandIn, **extra: str) -> dict[str, str]:
    """The environment of a `mentor-bot run` process talking to the stand-in."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api.base_url,
        "METRICS_TOKEN": METRICS_TOKEN,
        "HF_HUB_OFFLINE": "1",
        **extra,
    }


@pytest.fixture
def bot_env(tmp_path: Path, slack_api: SlackStandIn) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    import_mentors(engine, read_mentor_csv(EXAMPLE_ROSTER))
    engine.dispose()
    return process_env(
        url,
        slack_api,
        PROGRAM_LEADS="U0LEAD001",
        MENTOR_RESPONSE_HOURS=str(20 / 3600),  # twenty seconds to answer
    )


def ask_about_slow_ci(bot: BotProcess, slack_api: SlackStandIn) -> None:
    """/mentor a question two mentors fit (test automation best, then developer experience);
    returns once the best one has the offer."""
    question = "How do I make our slow CI pipeline and flaky end-to-end tests faster?"
    body = sr.slash_command(question, MENTEE, slack_api.response_url("cmd"))
    assert bot.post(body, "application/x-www-form-urlencoded") == 200
    offer = slack_api.wait_for(lambda: slack_api.messages_to("U0QAE0029"), timeout=30)
    assert "flaky tests" in offer[0].blocks_text()


def test_offer_timer_survives_sigkill_and_restart(
    bot_env: dict[str, str], slack_api: SlackStandIn, tmp_path: Path
) -> None:
    port = free_port()
    bot = BotProcess(bot_env, port, tmp_path / "bot.log")
    try:
        bot.wait_ready()
        ask_about_slow_ci(bot, slack_api)
        # The mentee's DM is sent after the offer message's ts is stored: waiting for it makes
        # sure the restarted bot can update the offer message (kill -9 could land in between).
        slack_api.wait_for(lambda: slack_api.messages_to(MENTEE), timeout=30)
        bot.kill()  # the offer is pending and its expiry job is only in the database now
        time.sleep(max(0.0, (pending_offer_due(bot_env) - datetime.now(UTC)).total_seconds()) + 1)
        # ...and fell due while no process ran
        slack_api.clear()
        # The restarted bot gives the *next* mentor 10 minutes, so a slow machine cannot
        # expire the second offer before the test clicks it; the first offer's due time was
        # stored with its job and is what this test is about.
        bot = BotProcess({**bot_env, "MENTOR_RESPONSE_HOURS": "0.2"}, port, tmp_path / "bot.log")
        bot.wait_ready()
        expired = slack_api.wait_call("chat.update", timeout=30)[0]
        assert "expired" in expired.blocks_text()
        second = slack_api.wait_for(
            lambda: [
                c
                for c in slack_api.of("chat.postMessage")
                if "Accept" in c.blocks_text() and c.params["channel"] != "DU0QAE0029"
            ],
            timeout=30,
        )[0]
        mentor = second.params["channel"][1:]
        assert mentor == "U0DVX0030"
        accept = sr.block_action(
            Action.ACCEPT,
            offer_id_in(second.blocks_text()),
            mentor,
            slack_api.response_url("accept"),
        )
        assert bot.post(accept, "application/x-www-form-urlencoded") == 200
        intro = slack_api.wait_for(
            lambda: [
                c
                for c in slack_api.messages_to(MENTEE)
                if "accepted your request" in c.blocks_text()
            ]
        )
        assert f"<@{mentor}>" in intro[0].blocks_text()
        time.sleep(1)
        assert len(slack_api.of("chat.update")) == 1  # the expiry ran exactly once
    finally:
        bot.stop()


def test_run_without_tokens_explains_setup(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'x.db'}"
    script = Path(sys.executable).with_name("mentor-bot")
    result = subprocess.run(
        [str(script), "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr and "manifest.yml" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.postgres
def test_two_bot_processes_on_postgres_send_a_nudge_once(
    pg_engine: object, slack_api: SlackStandIn, tmp_path: Path
) -> None:
    """Two `mentor-bot run` processes share one PostgreSQL and its job table; a reminder that
    falls due is picked up by both schedulers and sent by exactly one (notification_log)."""
    from datetime import timedelta

    from bot.scheduling import build_scheduler
    from bot.storage.models import MentoringRequest, MentoringSession
    from tests.conftest import PG_URL

    assert PG_URL
    engine = pg_engine
    import_mentors(engine, read_mentor_csv(EXAMPLE_ROSTER))  # type: ignore[arg-type]
    with session_scope(engine) as session:  # type: ignore[arg-type]
        mentor_id = session.exec(select(Mentor.id).where(Mentor.slack_id == "U0SRE0001")).one()
        request = MentoringRequest(mentee_slack_id=MENTEE, question="q", status="matched")
        session.add(request)
        session.flush()
        assert request.id is not None and mentor_id is not None
        meeting = MentoringSession(
            request_id=request.id,
            mentor_id=mentor_id,
            mentee_slack_id=MENTEE,
            status="scheduled",
            starts_at=datetime.now(UTC) + timedelta(minutes=10, seconds=25),
        )
        session.add(meeting)
        session.flush()
        session_id = meeting.id
    env = process_env(PG_URL, slack_api)
    bots = [BotProcess(env, free_port(), tmp_path / f"bot{i}.log") for i in range(2)]
    try:
        for bot in bots:
            bot.wait_ready()
        # Stored as `book()` stores it: due in ~25 s, when both schedulers are running.
        scheduler = build_scheduler(engine)  # type: ignore[arg-type]
        scheduler.start(paused=True)
        due = datetime.now(UTC) + timedelta(seconds=25)
        scheduler.add_job(
            "bot.jobs:remind",
            "date",
            run_date=due,
            args=[session_id, "reminder_soon"],
            id=f"reminder_soon:{session_id}",
            misfire_grace_time=540,
        )
        scheduler.shutdown(wait=False)

        def reminders() -> list[Call]:
            return [c for c in slack_api.of("chat.postMessage") if "starts soon" in c.blocks_text()]

        slack_api.wait_for(lambda: len(reminders()) >= 2, timeout=90)
        time.sleep(20)  # both schedulers have woken up (every 15 s) and seen the job by now
        assert sorted(c.params["channel"] for c in reminders()) == ["DU0MENTEE1", "DU0SRE0001"]
    finally:
        for bot in bots:
            bot.stop()


def ask_process(bot: BotProcess, api: SlackStandIn, question: str, user: str = MENTEE) -> None:
    body = sr.slash_command(question, user, api.response_url(f"cmd-{user}"))
    assert bot.post(body, "application/x-www-form-urlencoded") == 200


def click_process(bot: BotProcess, api: SlackStandIn, action: str, value: str, user: str) -> None:
    body = sr.block_action(action, value, user, api.response_url(f"act-{user}"))
    assert bot.post(body, "application/x-www-form-urlencoded") == 200


def offer_message(api: SlackStandIn, mentor: str) -> str:
    calls = api.wait_for(
        lambda: [c for c in api.messages_to(mentor) if "Accept" in c.blocks_text()], timeout=30
    )
    return offer_id_in(calls[-1].blocks_text())


def slot_pickers(api: SlackStandIn, user: str = MENTEE) -> list[Call]:
    return [c for c in api.messages_to(user) if "Pick a time" in c.blocks_text()]


def test_sigkill_between_accept_and_booking_leaves_nothing_stuck(
    bot_env: dict[str, str], slack_api: SlackStandIn, tmp_path: Path
) -> None:
    from bot.booking.service import START_GRACE
    from bot.storage.models import MentoringSession

    port = free_port()
    env = {**bot_env, "MENTOR_RESPONSE_HOURS": "1"}
    bot = BotProcess(env, port, tmp_path / "bot.log")
    try:
        bot.wait_ready()
        ask_process(bot, slack_api, "How do I make our flaky end-to-end tests reliable?")
        offer = offer_message(slack_api, "U0QAE0029")
        # The accept commits, then its introduction to the mentee stalls: kill -9 right there,
        # before any time slots went out.
        held = slack_api.hold("chat.postMessage", "accepted your request")
        click_process(bot, slack_api, Action.ACCEPT, offer, "U0QAE0029")
        assert held.arrived.wait(30)
        bot.kill()
        killed_at = time.monotonic()
        slack_api.release_all()
        assert slot_pickers(slack_api) == []
        time.sleep(max(0.0, START_GRACE.total_seconds() + 1 - (time.monotonic() - killed_at)))
        bot = BotProcess(env, port, tmp_path / "bot.log")
        bot.wait_ready()
        slack_api.wait_for(lambda: slot_pickers(slack_api), timeout=60)  # caught up at start
        time.sleep(2)
        assert len(slot_pickers(slack_api)) == 1
        engine = db.make_engine(env["DATABASE_URL"])
        with session_scope(engine) as session:
            meeting = session.exec(select(MentoringSession)).one()
            jobs = {r[0] for r in session.execute(sa.text("SELECT id FROM apscheduler_jobs"))}
        engine.dispose()
        assert meeting.status == "proposed" and f"booking_nudge:{meeting.id}" in jobs
    finally:
        bot.stop()


def test_sigkill_mid_nudge_sweep_loses_and_doubles_nothing(
    bot_env: dict[str, str], slack_api: SlackStandIn, tmp_path: Path
) -> None:
    """Six sessions whose "starts soon" reminder is due and whose jobs were lost: the catch-up
    sweep sends them at start; the process dies on the fourth; the restart finishes the rest."""
    from datetime import timedelta

    from bot.storage.models import MentoringRequest, MentoringSession

    mentees = [f"U0MTEE00{i}" for i in range(1, 7)]
    engine = db.make_engine(bot_env["DATABASE_URL"])
    with session_scope(engine) as session:
        mentor_id = session.exec(select(Mentor.id).where(Mentor.slack_id == "U0SRE0001")).one()
        for mentee in mentees:
            request = MentoringRequest(mentee_slack_id=mentee, question="q", status="matched")
            session.add(request)
            session.flush()
            assert request.id is not None and mentor_id is not None
            session.add(
                MentoringSession(
                    request_id=request.id,
                    mentor_id=mentor_id,
                    mentee_slack_id=mentee,
                    status="scheduled",
                    starts_at=datetime.now(UTC) + timedelta(minutes=9),  # reminder 1 min late
                )
            )
    engine.dispose()

    def soon(user: str) -> list[object]:
        return [c for c in slack_api.messages_to(user) if "starts soon" in c.blocks_text()]

    port = free_port()
    held = slack_api.hold("chat.postMessage", "DU0MTEE004")
    bot = BotProcess(bot_env, port, tmp_path / "bot.log")
    try:
        assert held.arrived.wait(120)
        bot.kill()
        slack_api.release_all()
        assert soon("U0MTEE004") == [] and len(soon("U0MTEE001")) == 1
        bot = BotProcess(bot_env, port, tmp_path / "bot.log")
        bot.wait_ready()
        slack_api.wait_for(lambda: all(soon(m) for m in mentees), timeout=60)
        time.sleep(2)
        assert [len(soon(m)) for m in mentees] == [1] * 6  # none lost, none doubled
        assert len(soon("U0SRE0001")) == 6  # the mentor: one per session
    finally:
        bot.stop()


@pytest.mark.postgres
def test_two_http_instances_share_requests_and_the_roster(
    pg_engine: object, slack_api: SlackStandIn, tmp_path: Path
) -> None:
    """Production shape: two instances behind a load balancer on one PostgreSQL. A question
    handled by one is accepted through the other; a mentor who registers through one and is
    approved by a lead through the other is matched by the first (each refreshes its FAISS
    index from the roster change log)."""
    from bot.handlers.ids import Callback, Field
    from bot.storage.models import Mentor, MentoringRequest
    from tests.conftest import PG_URL

    assert PG_URL
    import_mentors(pg_engine, read_mentor_csv(EXAMPLE_ROSTER))  # type: ignore[arg-type]
    env = process_env(PG_URL, slack_api, PROGRAM_LEADS="U0LEAD001")
    first = BotProcess(env, free_port(), tmp_path / "a.log")
    second = BotProcess({**env, "RUN_SCHEDULER": "false"}, free_port(), tmp_path / "b.log")
    try:
        first.wait_ready()
        second.wait_ready()
        ask_process(first, slack_api, "How do I make our flaky end-to-end tests reliable?")
        offer = offer_message(slack_api, "U0QAE0029")
        click_process(second, slack_api, Action.ACCEPT, offer, "U0QAE0029")
        slack_api.wait_for(lambda: slot_pickers(slack_api), timeout=30)
        with session_scope(pg_engine) as session:  # type: ignore[arg-type]
            assert [r.status for r in session.exec(select(MentoringRequest))] == ["matched"]

        values = {
            Field.EXPERTISE: {
                "type": "plain_text_input",
                "value": "embedded Rust firmware for drones, flight controller tuning",
            },
            Field.CAPACITY: {"type": "number_input", "value": "2"},
            Field.TIMEZONE: {"type": "plain_text_input", "value": "Europe/Berlin"},
        }
        body = sr.view_submission(Callback.PROFILE, values, "U0DRONE01")
        assert second.post(body, "application/x-www-form-urlencoded") == 200
        slack_api.wait_for(
            lambda: any(
                "profile is saved" in c.blocks_text() for c in slack_api.messages_to("U0DRONE01")
            ),
            timeout=60,
        )
        with session_scope(pg_engine) as session:  # type: ignore[arg-type]
            drone = session.exec(select(Mentor.id).where(Mentor.slack_id == "U0DRONE01")).one()
        click_process(first, slack_api, Action.APPROVE_MENTOR, str(drone), "U0LEAD001")
        slack_api.wait_text("chat.postMessage", "approved your mentor profile", timeout=30)
        ask_process(first, slack_api, "Tuning the flight controller of our drone", "U0PILOT01")
        offer_message(slack_api, "U0DRONE01")  # the first instance knows the new mentor
    finally:
        first.stop()
        second.stop()


def test_a_restart_reads_the_index_snapshot_and_a_forgotten_mentor_leaves_it(
    bot_env: dict[str, str], slack_api: SlackStandIn, tmp_path: Path
) -> None:
    """The index written after one start is what the next start reads (the real model's
    vectors, through Slack's HTTP endpoint); a mentor's erasure deletes it."""
    snapshots = tmp_path / "index-snapshot"
    env = {**bot_env, "INDEX_SNAPSHOT_DIR": str(snapshots), "INDEX_SNAPSHOT_MIN_MENTORS": "1"}
    log = tmp_path / "bot.log"
    bot = BotProcess(env, free_port(), log)
    try:
        bot.wait_ready()
        deadline = time.monotonic() + 60
        while not (snapshots / "snapshot.json").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        bot.stop()
    assert (snapshots / "snapshot.json").exists()

    bot = BotProcess(env, free_port(), log)
    try:
        bot.wait_ready()
        loaded = [e for e in log_events(log) if e.get("event") == "index_loaded"]
        assert [e["source"] for e in loaded] == ["database", "snapshot"]
        ask_about_slow_ci(bot, slack_api)

        forget = sr.block_action(
            Action.FORGET_CONFIRM, "forget", "U0DVX0030", slack_api.response_url("forget")
        )
        assert bot.post(forget, "application/x-www-form-urlencoded") == 200
        slack_api.wait_for(lambda: not (snapshots / "snapshot.json").exists(), timeout=30)
        assert not any(snapshots.iterdir())  # their phrases are not left on disk
    finally:
        bot.stop()


def test_the_int8_model_answers_through_http(
    bot_env: dict[str, str], slack_api: SlackStandIn, tmp_path: Path
) -> None:
    """EMBEDDING_MODEL=packaged:all-MiniLM-L6-v2-int8: the same flow, without torch."""
    env = {**bot_env, "EMBEDDING_MODEL": "packaged:all-MiniLM-L6-v2-int8"}
    bot = BotProcess(env, free_port(), tmp_path / "bot.log")
    try:
        bot.wait_ready()
        ask_about_slow_ci(bot, slack_api)
        loaded = [e for e in log_events(tmp_path / "bot.log") if e.get("event") == "index_loaded"]
        assert loaded[0]["model"] == "packaged:all-MiniLM-L6-v2-int8|phrases-v1"
    finally:
        bot.stop()


def log_events(log: Path) -> list[dict[str, object]]:
    events = []
    for line in log.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            events.append(record)
    return events
