"""Slack-facing latency of `mentor-bot run --http` (gunicorn, real model) with 10k mentors.

Run: `make bench-slack` (about 1 minute). Measures, through the real HTTP endpoint with signed
requests and the local Slack stand-in:
- ack latency of `/mentor <question>` alone and under bursts of 50 concurrent requests,
  against GET /healthz under the same concurrency as the server's own floor;
- time from sending the command to the stand-in receiving the mentor's DM. Each burst is
  measured on its own: the next one is sent once every DM of the last has arrived (bursts sent
  while the last is still being answered would measure a backlog, not a burst).

Targets, printed beside the figures: ack p99 <= 100 ms and command -> DM p99 <= 500 ms under
bursts of 50 (at 10k mentors); one question at a time: as before. The load average is printed
too: the bot, the stand-in and this process share the machine, and so does anything else
running on it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
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
from bot.config import PACKAGED_MODEL
from bot.matching.embedder import SentenceTransformerEmbedder
from bot.matching.service import MatchingService
from tests.test_slack_process import BotProcess, free_port
from tests.utils import slack_requests as sr
from tests.utils.bot_server import SIGNING_SECRET

MENTORS = int(os.environ.get("BENCH_MENTORS", "10000"))
CONCURRENCY = 50
ROUNDS = 4
BURST_ACK_P99_MS = 100.0
BURST_DM_P99_MS = 500.0


def build_roster(directory: str) -> str:
    engine = temp_sqlite_engine(directory)
    embedder = SentenceTransformerEmbedder(PACKAGED_MODEL)
    pool, vectors, topics = phrase_pool(embedder)
    key = MatchingService(engine=engine, embedder=embedder).model_key
    populate(engine, MENTORS, pool, vectors, topics, key)
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


def timed_command(
    bot: BotProcess,
    api: StandInProcess,
    user: str,
    question: str,
    acks: list[float],
    sent_at: dict[str, float],
) -> None:
    body = sr.slash_command(question, user, api.response_url(user))
    headers = sr.SlackSigner(SIGNING_SECRET).headers(body, "application/x-www-form-urlencoded")
    started = time.monotonic()
    sent_at[user] = time.time()
    status, _ = bot.request("POST", "/slack/events", body, headers)
    acks.append(time.monotonic() - started)
    assert status == 200, status


def dm_latencies(
    api: StandInProcess, sent_at: dict[str, float], timeout: float = 120
) -> list[float]:
    """Seconds from sending each command to the stand-in receiving that mentee's offer DM, once
    every mentee has been written to (told who was asked, or that nobody fits)."""
    deadline = time.monotonic() + timeout
    found: dict[str, float] = {}
    answered: set[str] = set()
    while time.monotonic() < deadline and len(answered) < len(sent_at):
        for call in api.calls():
            params = call["params"]
            if call["method"] != "chat.postMessage" or not isinstance(params, dict):
                continue
            text = json.dumps(params.get("blocks"))
            for user, started in sent_at.items():
                if user not in found and f"<@{user}> would like your help" in text:
                    found[user] = float(call["at"]) - started  # type: ignore[arg-type]
                if params.get("channel") == "D" + user:
                    answered.add(user)
        time.sleep(0.1)
    if len(found) < len(sent_at):
        print(
            f"  ({len(sent_at) - len(found)} of {len(sent_at)} questions had no fitting"
            " mentor in the synthetic roster: no DM)"
        )
    return list(found.values())


def against(values: list[float], target_ms: float) -> str:
    """`values`' p99 beside its target."""
    p99 = percentile([v * 1000 for v in values], 99) if values else float("inf")
    verdict = "meets" if p99 <= target_ms else "MISSES"
    return f"  (target p99 <= {target_ms:.0f} ms: {verdict})"


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def burst(target: object, count: int) -> None:
    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]  # type: ignore[arg-type]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def main() -> int:
    questions = [q for q, _ in labelled_questions()]
    print(load_average())
    directory = tempfile.mkdtemp(prefix="mentor-slack-bench-")
    print(f"building a {MENTORS}-mentor roster…")
    url = build_roster(directory)
    api = StandInProcess()
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
        acks: list[float] = []
        sent: dict[str, float] = {}
        for _ in range(30):
            timed_command(bot, api, user(n), questions[n % len(questions)], acks, sent)
            n += 1
            time.sleep(0.1)
        dms = dm_latencies(api, sent)
        print("\none request at a time (30):")
        print(f"  ack                                 {summary_ms(acks)}")
        print(f"  command -> mentor's DM              {summary_ms(dms)}")

        floor: list[float] = []

        def health(_: int) -> None:
            t0 = time.monotonic()
            bot.request("GET", "/healthz")
            floor.append(time.monotonic() - t0)

        for _ in range(ROUNDS):
            burst(health, CONCURRENCY)
        acks, dms = [], []
        for _ in range(ROUNDS):
            base, sent = n, {}
            burst(
                lambda i, b=base, s=sent: timed_command(
                    bot, api, user(b + i), questions[(b + i) % len(questions)], acks, s
                ),
                CONCURRENCY,
            )
            n += CONCURRENCY
            dms += dm_latencies(api, sent)  # every DM of this burst is in
            time.sleep(1)
        print(f"\n{ROUNDS} bursts of {CONCURRENCY} concurrent /mentor requests ({len(acks)}):")
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
    finally:
        bot.stop()
        api.stop()
    print(load_average())
    return 0


if __name__ == "__main__":
    sys.exit(main())
