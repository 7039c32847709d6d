"""Questions waiting at the same moment are embedded in one call; roster checks are shared.

No timings are asserted: a gate inside the fake embedder holds the first call until the
others are queued, so which texts end up in which call is deterministic. Joins with a timeout
only guard against hangs."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
import pytest
from sqlalchemy.engine import Engine

from bot.matching.batching import QueryBatcher, SharedRun
from bot.matching.embedder import Vectors
from bot.matching.service import MatchingService, MatchResult
from tests.conftest import add_mentor
from tests.utils.fake_embedder import FakeEmbedder

QUESTIONS = [
    "how do I write incident postmortems?",
    "structuring dbt models in the warehouse",
    "designing an A/B test for pricing",
    "giving my first conference talk",
    "on-call rotations that do not burn people out",
    "airflow or dagster for our pipelines?",
]
T = TypeVar("T")
HANG = 30.0  # seconds before a join counts as a hang (never reached when the code is right)


class GatedEmbedder(FakeEmbedder):
    """Its first embedding call waits for `release`; `fail_on` makes call N raise."""

    def __init__(self, fail_on: int | None = None) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()
        self.fail_on = fail_on
        self.batches: list[list[str]] = []

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        self.batches.append(list(texts))
        if len(self.batches) == 1:
            self.entered.set()
            assert self.release.wait(HANG)
        if self.fail_on == len(self.batches):
            raise RuntimeError("model exploded")
        return self.embed(texts)


def alone(text: str) -> Vectors:
    vector: Vectors = FakeEmbedder().embed([text])[0]
    return vector


def asking(call: Callable[[str], T], text: str, into: dict[str, T]) -> Callable[[], None]:
    """A thread target: `call(text)`, its answer kept in `into`."""

    def run() -> None:
        into[text] = call(text)

    return run


def run_all(targets: list[Callable[[], object]]) -> list[threading.Thread]:
    threads = [threading.Thread(target=t, daemon=True) for t in targets]
    for thread in threads:
        thread.start()
    return threads


def join_all(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.join(HANG)
        assert not thread.is_alive(), "a caller never got its answer"


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + HANG
    while not condition():
        assert time.monotonic() < deadline, "the callers never queued"
        time.sleep(0.001)


def test_questions_waiting_together_are_embedded_in_one_call_each_getting_its_own_row() -> None:
    embedder = GatedEmbedder()
    batcher = QueryBatcher(embedder.embed_queries, max_wait=0)
    results: dict[str, Vectors] = {}
    first = run_all([asking(batcher.embed, QUESTIONS[0], results)])
    assert embedder.entered.wait(HANG)  # the first question is being embedded, alone
    others = run_all([asking(batcher.embed, q, results) for q in QUESTIONS[1:]])
    wait_until(lambda: batcher.waiting == len(QUESTIONS) - 1)
    embedder.release.set()
    join_all(first + others)

    # One call for the first question, one for all those that queued behind it.
    assert [len(b) for b in embedder.batches] == [1, len(QUESTIONS) - 1]
    assert sorted(embedder.batches[1]) == sorted(QUESTIONS[1:])
    assert (batcher.batches, batcher.largest) == (2, len(QUESTIONS) - 1)
    for question in QUESTIONS:  # each caller got its own row, as if embedded alone
        np.testing.assert_allclose(results[question], alone(question), atol=1e-6)
    # Rows are copies: one caller changing its vector cannot change another's.
    results[QUESTIONS[1]][:] = 0
    np.testing.assert_allclose(results[QUESTIONS[2]], alone(QUESTIONS[2]), atol=1e-6)


def test_a_burst_larger_than_a_batch_is_split_and_everyone_is_answered() -> None:
    embedder = GatedEmbedder()
    batcher = QueryBatcher(embedder.embed_queries, max_wait=0, max_batch=2)
    results: dict[str, Vectors] = {}
    first = run_all([asking(batcher.embed, QUESTIONS[0], results)])
    assert embedder.entered.wait(HANG)
    others = run_all([asking(batcher.embed, q, results) for q in QUESTIONS[1:]])
    wait_until(lambda: batcher.waiting == len(QUESTIONS) - 1)
    embedder.release.set()
    join_all(first + others)
    assert max(len(b) for b in embedder.batches) == 2
    assert sum(len(b) for b in embedder.batches) == len(QUESTIONS)
    for question in QUESTIONS[1:]:
        np.testing.assert_allclose(results[question], alone(question), atol=1e-6)


def test_a_lone_question_is_embedded_at_once_even_with_a_long_configured_wait() -> None:
    embedder = FakeEmbedder()
    # Waiting for company is for batches that already have some: a lone caller never waits,
    # so a wait of an hour must not hold it (the join below would time out).
    batcher = QueryBatcher(embedder.embed_queries, max_wait=3600)
    got: dict[str, Vectors] = {}
    join_all(run_all([asking(batcher.embed, QUESTIONS[0], got)]))
    assert embedder.calls == [1]
    np.testing.assert_allclose(got[QUESTIONS[0]], alone(QUESTIONS[0]), atol=1e-6)


def test_a_leader_with_company_waits_no_longer_than_configured() -> None:
    embedder = GatedEmbedder()
    batcher = QueryBatcher(embedder.embed_queries, max_wait=0.05)
    got: dict[str, Vectors] = {}
    first = run_all([asking(batcher.embed, QUESTIONS[0], got)])
    assert embedder.entered.wait(HANG)
    others = run_all([asking(batcher.embed, q, got) for q in QUESTIONS[1:3]])
    wait_until(lambda: batcher.waiting == 2)
    embedder.release.set()
    # The next leader has company (2 queued), waits for more (nobody comes), then embeds both.
    join_all(first + others)
    assert [len(b) for b in embedder.batches] == [1, 2]


@pytest.mark.parametrize("fail_on", [1, 2])
def test_an_error_reaches_every_caller_of_its_batch_and_nobody_hangs(fail_on: int) -> None:
    embedder = GatedEmbedder(fail_on=fail_on)
    batcher = QueryBatcher(embedder.embed_queries, max_wait=0)
    errors: dict[str, BaseException] = {}
    answers: dict[str, Vectors] = {}

    def ask(text: str) -> Callable[[], None]:
        def call() -> None:
            try:
                answers[text] = batcher.embed(text)
            except RuntimeError as error:
                errors[text] = error

        return call

    first = run_all([ask(QUESTIONS[0])])
    assert embedder.entered.wait(HANG)
    others = run_all([ask(q) for q in QUESTIONS[1:]])
    wait_until(lambda: batcher.waiting == len(QUESTIONS) - 1)
    embedder.release.set()
    join_all(first + others)

    failed = QUESTIONS[:1] if fail_on == 1 else QUESTIONS[1:]
    assert sorted(errors) == sorted(failed)
    assert all(str(e) == "model exploded" for e in errors.values())
    assert sorted(answers) == sorted(set(QUESTIONS) - set(failed))
    # The batcher is not left stuck behind the failure.
    np.testing.assert_allclose(batcher.embed("kafka"), alone("kafka"), atol=1e-6)


def test_callers_arriving_together_share_one_run_that_started_after_they_called() -> None:
    entered, release = threading.Event(), threading.Event()
    runs: list[int] = []

    def step() -> None:
        runs.append(len(runs) + 1)
        if len(runs) == 1:
            entered.set()
            assert release.wait(HANG)

    shared = SharedRun(step)
    first = run_all([shared])
    assert entered.wait(HANG)
    # These arrive while run 1 is under way: run 1 started before them, so they must not
    # settle for it; they share run 2.
    late = run_all([shared for _ in range(10)])
    wait_until(lambda: shared.waiting == 10)
    release.set()
    join_all(first + late)
    assert runs == [1, 2]
    assert shared.runs == 2


def test_a_failed_shared_run_reaches_everyone_waiting_for_it() -> None:
    entered, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def step() -> None:
        calls.append(1)
        if len(calls) == 1:
            entered.set()
            assert release.wait(HANG)
        elif len(calls) == 2:
            raise ConnectionError("database gone")

    shared = SharedRun(step)
    errors: list[BaseException] = []

    def call() -> None:
        try:
            shared()
        except ConnectionError as error:
            errors.append(error)

    first = run_all([call])
    assert entered.wait(HANG)
    late = run_all([call for _ in range(5)])
    wait_until(lambda: shared.waiting == 5)
    release.set()
    join_all(first + late)
    assert len(errors) == 5 and all(str(e) == "database gone" for e in errors)
    shared()  # the next caller runs the step again
    assert len(calls) == 3


def seed(engine: Engine) -> None:
    add_mentor(engine, "U0SRE", "incident postmortems, on-call rotations, alerting")
    add_mentor(engine, "U0DEN", "data pipelines with airflow, dbt models, warehouse design")
    add_mentor(engine, "U0DSC", "A/B testing, experiment design, statistics, pricing")
    add_mentor(engine, "U0SPK", "public speaking, conference talks")


def test_concurrent_matches_give_the_same_answers_as_one_at_a_time(engine: Engine) -> None:
    seed(engine)
    alone_service = MatchingService(engine=engine, embedder=FakeEmbedder())
    alone_service.start()
    expected = {q: alone_service.match(q, top_k=2) for q in QUESTIONS}

    embedder = GatedEmbedder()
    service = MatchingService(engine=engine, embedder=embedder)
    service.start()
    got: dict[str, list[MatchResult]] = {}

    def match(question: str) -> list[MatchResult]:
        return service.match(question, top_k=2)

    first = run_all([asking(match, QUESTIONS[0], got)])
    assert embedder.entered.wait(HANG)
    others = run_all([asking(match, q, got) for q in QUESTIONS[1:]])
    wait_until(lambda: service._batcher.waiting == len(QUESTIONS) - 1)
    embedder.release.set()
    join_all(first + others)
    assert got == expected
    assert [len(b) for b in embedder.batches] == [1, len(QUESTIONS) - 1]
