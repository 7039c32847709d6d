"""A load run: several hundred simulated Slack users against `mentor-bot run --http` for minutes.

Run: `make bench-load` (one instance, SQLite, ~4 minutes) or
`python -m bench.load --instances 2 --database postgresql://…` (two instances, one PostgreSQL).

Each simulated user thinks (`--think`, uniform; default 1-9 s), then does what people do:
asks a question (40 %), checks `/mentor status` (20 %), opens the App Home (20 %),
`/mentor sessions` (10 %) or `/mentor help` (10 %). A mentor agent answers every offer the
stand-in receives (two thirds accept, one third decline), so matching, accepting and slot
proposals run too. Requests are signed and sent as Slack sends them; the Slack stand-in runs
in its own process.

Printed: sustained requests/s, ack latency percentiles, errors, the bot's resident memory
over the run (growth = last minute's mean against the first minute's), with GET /healthz
under the same load as the floor, and the questions handled (their matching work started)
when the users stop and after the queue drained: acks are immediate, the matching work runs
after them and can queue up.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.common import (
    bot_process_env,
    labelled_questions,
    load_example_roster,
    percentile,
    temp_sqlite_engine,
)
from bench.slack_latency import StandInProcess
from bot.handlers.ids import Action
from bot.storage import db
from tests.test_slack_process import BotProcess, free_port
from tests.utils import slack_requests as sr
from tests.utils.bot_server import SIGNING_SECRET, offer_id_in

FORM = "application/x-www-form-urlencoded"
ACTIONS = (("ask", 40), ("status", 20), ("home", 20), ("sessions", 10), ("help", 10))


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.acks: dict[str, list[float]] = {}
        self.errors: Counter[str] = Counter()

    def record(self, kind: str, seconds: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.acks.setdefault(kind, []).append(seconds)
            if not ok:
                self.errors[f"{kind}: {detail}"] += 1


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (gunicorn master + worker), in MB."""
    total = 0
    for candidate in [pid, *children(pid)]:
        try:
            status = Path(f"/proc/{candidate}/status").read_text()
        except OSError:
            continue
        total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
    return total / 1024


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(c) for c in task.read_text().split()]
    return found


def send(bot: BotProcess, kind: str, body: str, content_type: str, rec: Recorder) -> None:
    headers = sr.SlackSigner(SIGNING_SECRET).headers(body, content_type)
    started = time.monotonic()
    try:
        status, _ = bot.request("POST", "/slack/events", body, headers)
        rec.record(kind, time.monotonic() - started, status == 200, str(status))
    except OSError as error:
        rec.record(kind, time.monotonic() - started, False, type(error).__name__)


def simulated_user(
    think: tuple[float, float],
    index: int,
    bots: list[BotProcess],
    api: StandInProcess,
    questions: list[str],
    stop: threading.Event,
    rec: Recorder,
) -> None:
    rng = random.Random(index)
    user = f"U0L{index:07d}"
    names = [name for name, _ in ACTIONS]
    weights = [weight for _, weight in ACTIONS]
    while not stop.wait(rng.uniform(*think)):
        bot = bots[rng.randrange(len(bots))]  # a load balancer in front of the instances
        kind = rng.choices(names, weights)[0]
        if kind == "home":
            send(bot, kind, sr.app_home_opened(user), "application/json", rec)
            continue
        text = rng.choice(questions) if kind == "ask" else kind
        body = sr.slash_command(text, user, api.response_url(user))
        send(bot, kind, body, FORM, rec)


def mentor_agent(
    bots: list[BotProcess], api: StandInProcess, stop: threading.Event, rec: Recorder
) -> None:
    rng = random.Random(0)
    answered: set[str] = set()
    while not stop.wait(2):
        for call in api.calls():
            params = call["params"]
            if call["method"] != "chat.postMessage" or not isinstance(params, dict):
                continue
            raw = params.get("blocks")
            blocks = raw if isinstance(raw, str) else json.dumps(raw)
            if Action.ACCEPT.value not in blocks:
                continue
            offer = offer_id_in(blocks + " ")
            if offer in answered:
                continue
            answered.add(offer)
            mentor = str(params["channel"])[1:]
            action = Action.ACCEPT if rng.random() < 2 / 3 else Action.DECLINE
            body = sr.block_action(action, offer, mentor, api.response_url("m" + mentor))
            send(bots[rng.randrange(len(bots))], "click", body, FORM, rec)


def health_floor(bots: list[BotProcess], stop: threading.Event, rec: Recorder) -> None:
    while not stop.wait(0.5):
        started = time.monotonic()
        try:
            status, _ = bots[0].request("GET", "/healthz")
            rec.record("healthz", time.monotonic() - started, status == 200, str(status))
        except OSError as error:
            rec.record("healthz", time.monotonic() - started, False, type(error).__name__)


def prepare_database(url: str | None, directory: str) -> str:
    if url is None:
        engine = temp_sqlite_engine(directory)
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
    else:
        engine = db.make_engine(url)
        with engine.begin() as connection:  # a clean schema: the run starts from nothing
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        db.upgrade(engine)
    load_example_roster(engine)
    engine.dispose()
    return url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=180)
    parser.add_argument("--instances", type=int, default=1)
    parser.add_argument("--database", default=None, help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--think", default="1,9", help="think time range in seconds: MIN,MAX")
    args = parser.parse_args()
    low, high = (float(x) for x in args.think.split(","))
    think = (low, high)
    directory = tempfile.mkdtemp(prefix="mentor-load-")
    url = prepare_database(args.database, directory)
    api = StandInProcess()
    env = bot_process_env(url, api.base_url)
    bots = [
        BotProcess(
            {**env, "RUN_SCHEDULER": "true" if i == 0 else "false"},
            free_port(),
            Path(directory) / f"bot{i}.log",
        )
        for i in range(args.instances)
    ]
    for bot in bots:
        bot.wait_ready()
    questions = [q for q, _ in labelled_questions()]
    rec, stop = Recorder(), threading.Event()
    threads = [
        threading.Thread(target=simulated_user, args=(think, i, bots, api, questions, stop, rec))
        for i in range(args.users)
    ]
    threads += [
        threading.Thread(target=mentor_agent, args=(bots, api, stop, rec)),
        threading.Thread(target=health_floor, args=(bots, stop, rec)),
    ]
    memory: list[tuple[float, float]] = []
    print(
        f"{args.users} simulated users, {args.seconds} s, {args.instances} instance(s) on "
        f"{'PostgreSQL' if args.database else 'SQLite'}, example roster, think {args.think} s"
    )
    started = time.monotonic()
    for thread in threads:
        thread.start()
    try:
        while time.monotonic() - started < args.seconds:
            time.sleep(5)
            memory.append((time.monotonic() - started, sum(rss_mb(b.process.pid) for b in bots)))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        elapsed = time.monotonic() - started
        report(rec, memory, elapsed, api)
        drain(rec, api, bots)
        for bot in bots:
            bot.stop()
        api.stop()
    return 1 if rec.errors else 0


def report(
    rec: Recorder, memory: list[tuple[float, float]], elapsed: float, api: StandInProcess
) -> None:
    slack_requests = sum(len(v) for k, v in rec.acks.items() if k != "healthz")
    print(
        f"\nSlack requests: {slack_requests} in {elapsed:.0f} s = {slack_requests / elapsed:.1f}/s"
    )
    for kind, values in sorted(rec.acks.items()):
        ms = [v * 1000 for v in values]
        print(
            f"  {kind:9} n={len(ms):6}  p50 {statistics.median(ms):7.1f} ms  "
            f"p99 {percentile(ms, 99):7.1f} ms  max {max(ms):7.1f} ms"
        )
    everything = [v for k, vs in rec.acks.items() if k != "healthz" for v in vs]
    print(
        f"  all Slack requests: p50 {statistics.median(everything) * 1000:.1f} ms  "
        f"p99 {percentile(everything, 99) * 1000:.1f} ms  max {max(everything) * 1000:.1f} ms"
    )
    print(f"errors: {sum(rec.errors.values())} {dict(rec.errors) or ''}")
    calls = Counter(str(c["method"]) for c in api.calls())
    print(
        f"Slack Web API calls made by the bot: {sum(calls.values())} {dict(calls.most_common(6))}"
    )
    first = [mb for t, mb in memory if t <= 60]
    last = [mb for t, mb in memory if t >= memory[-1][0] - 60]
    if first and last:
        before, after = statistics.mean(first), statistics.mean(last)
        print(
            f"RSS (all instances): first minute {before:.0f} MB, last minute {after:.0f} MB, "
            f"growth {after - before:+.0f} MB ({(after / before - 1) * 100:+.1f} %), "
            f"max {max(mb for _, mb in memory):.0f} MB"
        )


def handled(api: StandInProcess) -> int:
    """Questions whose lazy work has started: each looks up its asker's time zone once."""
    return sum(1 for c in api.calls() if c["method"] == "users.info")


def drain(rec: Recorder, api: StandInProcess, bots: list[BotProcess]) -> None:
    asked = sum(1 for _ in rec.acks.get("ask", []))
    at_stop = handled(api)
    started = time.monotonic()
    while handled(api) < asked and time.monotonic() - started < 300:
        time.sleep(2)
    rss = sum(rss_mb(b.process.pid) for b in bots)
    print(
        f"questions: {asked} asked, {at_stop} handled when the users stopped, "
        f"{handled(api)} after {time.monotonic() - started:.0f} s of draining; "
        f"RSS then {rss:.0f} MB"
    )


if __name__ == "__main__":
    raise SystemExit(main())
