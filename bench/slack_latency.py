"""Slack-facing latency of `mentor-bot run --http` (gunicorn, real model) with 10k mentors.

Run: `make bench-slack` (about 1.5 minutes; `python -m bench.slack_latency --help` for smaller
sizes). Measures, through the real HTTP endpoint with signed requests and the local Slack
stand-in:
- ack latency of `/mentor <question>` alone and under bursts of 50 concurrent requests,
  against GET /healthz under the same concurrency as the server's own floor;
- time from sending the command to the stand-in receiving the mentor's DM. Each burst is
  measured on its own: the next one is sent once every DM of the last has arrived (bursts sent
  while the last is still being answered would measure a backlog, not a burst);
- urgency fan-out (issue 13): bursts of 50 intake forms (signed `view_submission`s of the
  intake modal, the only way to set the urgency) with urgency "today", each offered to the top
  URGENT_FANOUT mentors at once, next to the same bursts with urgency "this week" (one mentor at
  a time): same questions, same roster, same run, interleaved A-B-B-A so a drift of the machine
  or of the roster's load weighs on both alike. Printed for both: the ack (what Slack waits for,
  3 s at most) and form -> first mentor's DM, p50/p99, and the ratio urgent/normal of the ack
  p99, the baseline being the normal bursts of this run.

Targets, printed beside the figures: ack p99 <= 100 ms and command -> DM p99 <= 500 ms under
bursts of 50 (at 10k mentors); one question at a time: as before. Nothing here asserts a time.
The load average is printed too: the bot, the stand-in and this process share the machine, and
so does anything else running on it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.common import (
    bot_process_env,
    labelled_questions,
    percentile,
    summary_ms,
    temp_sqlite_engine,
)
from bench.match_speed import phrase_pool, populate
from bot.config import Settings
from bot.handlers.ids import Callback, Field
from bot.matching.embedder import build_embedder
from bot.matching.service import MatchingService
from bot.storage.models import Urgency
from tests.test_slack_process import BotProcess, free_port
from tests.utils import slack_requests as sr
from tests.utils.bot_server import SIGNING_SECRET

MENTORS = int(os.environ.get("BENCH_MENTORS", "10000"))
CONCURRENCY = 50
ROUNDS = 4
URGENT_ROUNDS = 4  # bursts of each urgency
BURST_ACK_P99_MS = 100.0
BURST_DM_P99_MS = 500.0
OFFER = re.compile(r"<@(\w+)> would like your help")


def build_roster(directory: str, mentors: int = MENTORS) -> str:
    engine = temp_sqlite_engine(directory)
    # EMBEDDING_MODEL (env or .env) picks the model, as for the bot it starts.
    embedder = build_embedder(Settings().embedding_model)
    pool, vectors, topics = phrase_pool(embedder)
    key = MatchingService(engine=engine, embedder=embedder).model_key
    populate(engine, mentors, pool, vectors, topics, key)
    engine.dispose()
    return f"sqlite:///{Path(directory) / 'bench.db'}"


class StandInProcess:
    """The Slack stand-in in its own process, so its work does not load the measuring one."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.utils.slack_api"], stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().strip()
        self.root = self.base_url.removesuffix("api/")

    def response_url(self, name: str) -> str:
        return f"{self.root}response/{name}"

    def calls(self) -> list[dict[str, object]]:
        with urllib.request.urlopen(self.root + "_calls", timeout=30) as response:  # noqa: S310
            return json.loads(response.read())  # type: ignore[no-any-return]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def signed_post(
    bot: BotProcess, body: str, acks: list[float], sent_at: dict[str, float], user: str
) -> str:
    """POST a Slack request as Slack does; its ack time (until the whole answer is read) goes to
    `acks`, the wall-clock moment it was sent to `sent_at[user]`. Returns the answer's body."""
    headers = sr.SlackSigner(SIGNING_SECRET).headers(body, "application/x-www-form-urlencoded")
    started = time.monotonic()
    sent_at[user] = time.time()
    status, text = bot.request("POST", "/slack/events", body, headers)
    acks.append(time.monotonic() - started)
    assert status == 200, status
    return text


def timed_command(
    bot: BotProcess,
    api: StandInProcess,
    user: str,
    question: str,
    acks: list[float],
    sent_at: dict[str, float],
) -> None:
    body = sr.slash_command(question, user, api.response_url(user))
    signed_post(bot, body, acks, sent_at, user)


def timed_form(
    bot: BotProcess,
    user: str,
    question: str,
    urgency: Urgency,
    acks: list[float],
    sent_at: dict[str, float],
) -> None:
    """Submit the intake modal as Slack does, with this urgency picked in its select."""
    values = {
        Field.QUESTION.value: {"type": "plain_text_input", "value": question},
        Field.URGENCY.value: {
            "type": "static_select",
            "selected_option": {"value": urgency.value},
        },
    }
    answer = signed_post(
        bot, sr.view_submission(Callback.INTAKE.value, values, user), acks, sent_at, user
    )
    assert "errors" not in answer, answer  # the form was accepted, not sent back


@dataclass
class Deliveries:
    """What the stand-in received for one burst."""

    first_dm: list[float] = field(default_factory=list)  # s, sent -> first mentor's offer DM
    asked: list[int] = field(default_factory=list)  # mentors offered each request (with one)


class CallLog:
    """The stand-in's calls, read once each: its log only grows, so a poll parses only what is
    new (parsing all of it every 100 ms would load the machine more as the run goes on)."""

    def __init__(self, api: StandInProcess) -> None:
        self.api = api
        self.seen = 0

    def new(self) -> list[dict[str, object]]:
        calls = self.api.calls()
        fresh, self.seen = calls[self.seen :], len(calls)
        return fresh


def deliveries(
    log: CallLog, sent_at: dict[str, float], replies: int = 1, timeout: float = 120
) -> Deliveries:
    """Seconds from sending each request to the stand-in receiving the first offer DM naming
    that mentee, once every mentee has had `replies` DMs (the form's "got it" is one; then who
    was asked, or that nobody fits or the request waits)."""
    deadline = time.monotonic() + timeout
    first: dict[str, float] = {}
    offers: dict[str, int] = {}
    told: dict[str, int] = {}
    channels = {"D" + user: user for user in sent_at}
    while time.monotonic() < deadline and sum(n >= replies for n in told.values()) < len(sent_at):
        for call in log.new():
            params = call["params"]
            if call["method"] != "chat.postMessage" or not isinstance(params, dict):
                continue
            channel = params.get("channel")
            if channel in channels:
                told[channels[channel]] = told.get(channels[channel], 0) + 1
                continue
            found = OFFER.search(json.dumps(params.get("blocks")))
            if found and found.group(1) in sent_at:
                user, at = found.group(1), float(call["at"])  # type: ignore[arg-type]
                first[user] = min(first.get(user, at), at)
                offers[user] = offers.get(user, 0) + 1
        time.sleep(0.1)
    if len(first) < len(sent_at):
        print(
            f"  ({len(sent_at) - len(first)} of {len(sent_at)} questions had no fitting"
            " available mentor in the synthetic roster: no offer DM)"
        )
    return Deliveries(
        [at - sent_at[user] for user, at in first.items()], [offers[u] for u in first]
    )


def dm_latencies(log: CallLog, sent_at: dict[str, float], timeout: float = 120) -> list[float]:
    """Seconds from sending each command to the stand-in receiving that mentee's offer DM, once
    every mentee has been written to (told who was asked, or that nobody fits)."""
    return deliveries(log, sent_at, 1, timeout).first_dm


def against(values: list[float], target_ms: float) -> str:
    """`values`' p99 beside its target."""
    p99 = percentile([v * 1000 for v in values], 99) if values else float("inf")
    verdict = "meets" if p99 <= target_ms else "MISSES"
    return f"  (target p99 <= {target_ms:.0f} ms: {verdict})"


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def burst(target: Callable[[int], object], count: int) -> None:
    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


@dataclass
class Kind:
    """One urgency's bursts of intake forms."""

    urgency: Urgency
    label: str
    acks: list[float] = field(default_factory=list)
    got: Deliveries = field(default_factory=Deliveries)


def p99_ms(values: list[float]) -> float:
    return percentile([v * 1000 for v in values], 99)


def fan_out_vs_one_at_a_time(
    bot: BotProcess,
    log: CallLog,
    questions: list[str],
    rounds: int,
    concurrency: int,
    first_user: int,
) -> int:
    """Bursts of urgent and of normal intake forms, A-B-B-A, each burst on its own (the next
    is sent once every mentee of the last has been answered); both kinds of a pair ask the same
    questions. Prints both and the ratio; returns the next unused user number."""
    normal = Kind(Urgency.THIS_WEEK, 'normal ("this week", one at a time)')
    urgent = Kind(Urgency.TODAY, 'urgent ("today", fan-out)')
    n = first_user
    for r in range(rounds):
        offset = (r * concurrency) % len(questions)
        for kind in (normal, urgent) if r % 2 == 0 else (urgent, normal):
            sent: dict[str, float] = {}

            def submit(
                i: int, k: Kind = kind, base: int = n, at: int = offset, s: dict[str, float] = sent
            ) -> None:
                question = questions[(at + i) % len(questions)]
                timed_form(bot, f"U0F{base + i:07d}", question, k.urgency, k.acks, s)

            burst(submit, concurrency)
            n += concurrency
            got = deliveries(log, sent, replies=2)  # every mentee of this burst is answered
            kind.got.first_dm += got.first_dm
            kind.got.asked += got.asked
            time.sleep(1)
    print(
        f"\nurgency fan-out: {rounds} bursts of {concurrency} concurrent intake forms of each"
        " kind, interleaved A-B-B-A, same questions:"
    )
    for kind in (normal, urgent):
        asked = statistics.mean(kind.got.asked) if kind.got.asked else 0.0
        print(f"  {kind.label}: {len(kind.acks)} forms, {asked:.2f} mentors asked per request")
        print(f"    ack of the form                   {summary_ms(kind.acks)}")
        print(f"    form -> first mentor's DM         {summary_ms(kind.got.first_dm)}")
    print(
        f"  ack p99 urgent / normal             {p99_ms(urgent.acks) / p99_ms(normal.acks):.2f}x"
        f"  (p50 {statistics.median(urgent.acks) / statistics.median(normal.acks):.2f}x)"
    )
    if urgent.got.first_dm and normal.got.first_dm:
        ratio = p99_ms(urgent.got.first_dm) / p99_ms(normal.got.first_dm)
        print(f"  first-DM p99 urgent / normal        {ratio:.2f}x")
    return n


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.slack_latency",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument(
        "--mentors", type=int, default=MENTORS, help="roster size (env BENCH_MENTORS)"
    )
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY, help="requests per burst")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="bursts of /mentor commands")
    parser.add_argument(
        "--urgent-rounds",
        type=int,
        default=URGENT_ROUNDS,
        help="bursts of intake forms of each urgency (0: skip the fan-out comparison)",
    )
    parser.add_argument(
        "--fan-out-only",
        action="store_true",
        help="skip the one-at-a-time and /mentor burst sections",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    concurrency = args.concurrency
    questions = [q for q, _ in labelled_questions()]
    print(load_average())
    directory = tempfile.mkdtemp(prefix="mentor-slack-bench-")
    print(f"building a {args.mentors}-mentor roster…")
    url = build_roster(directory, args.mentors)
    api = StandInProcess()
    log = CallLog(api)
    env = bot_process_env(url, api.base_url)
    bot = BotProcess(env, free_port(), Path(directory) / "bot.log")
    started = time.monotonic()
    bot.wait_ready()
    print(f"`mentor-bot run --http` ready in {time.monotonic() - started:.1f} s")
    try:
        n = 0

        def user(i: int) -> str:
            return f"U0B{i:07d}"

        for _ in range(5):  # warm-up
            timed_command(bot, api, user(n), questions[n % len(questions)], [], {})
            n += 1
        time.sleep(1)
        if not args.fan_out_only:
            acks: list[float] = []
            sent: dict[str, float] = {}
            for _ in range(30):
                timed_command(bot, api, user(n), questions[n % len(questions)], acks, sent)
                n += 1
                time.sleep(0.1)
            dms = dm_latencies(log, sent)
            print("\none request at a time (30):")
            print(f"  ack                                 {summary_ms(acks)}")
            print(f"  command -> mentor's DM              {summary_ms(dms)}")

            floor: list[float] = []

            def health(_: int) -> None:
                t0 = time.monotonic()
                bot.request("GET", "/healthz")
                floor.append(time.monotonic() - t0)

            for _ in range(args.rounds):
                burst(health, concurrency)
            acks, dms = [], []
            for _ in range(args.rounds):
                base, sent = n, {}

                def command(i: int, b: int = base, s: dict[str, float] = sent) -> None:
                    question = questions[(b + i) % len(questions)]
                    timed_command(bot, api, user(b + i), question, acks, s)

                burst(command, concurrency)
                n += concurrency
                dms += dm_latencies(log, sent)  # every DM of this burst is in
                time.sleep(1)
            print(
                f"\n{args.rounds} bursts of {concurrency} concurrent /mentor requests"
                f" ({len(acks)}):"
            )
            print(f"  GET /healthz, same bursts (floor)   {summary_ms(floor)}")
            print(
                f"  ack of /mentor <question>           {summary_ms(acks)}"
                + against(acks, BURST_ACK_P99_MS)
            )
            ratio = sorted(acks)[len(acks) // 2] / sorted(floor)[len(floor) // 2]
            print(f"  ack p50 / floor p50                 {ratio:.2f}x")
            print(
                f"  command -> mentor's DM              {summary_ms(dms)}"
                + against(dms, BURST_DM_P99_MS)
            )
        if args.urgent_rounds:
            fan_out_vs_one_at_a_time(bot, log, questions, args.urgent_rounds, concurrency, n)
    finally:
        bot.stop()
        api.stop()
    print(load_average())
    return 0


if __name__ == "__main__":
    sys.exit(main())
