"""Sharing work between threads that ask for it at the same moment.

`QueryBatcher`: questions waiting to be embedded at the same moment are embedded in one model
call. `SharedRun`: callers that need a fresh run of the same step (the roster-version check
before a match) and arrive while one is under way share the next run, instead of each running
their own.

Both are leader/follower, without a thread of their own: the first caller does the work for
everyone waiting, the others sleep until their answer is there. Whatever the work raises reaches
every caller that was waiting for it; nobody is left waiting.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

Vectors = NDArray[np.float32]

# A batch already has company (questions queued behind a running embedding): wait this long at
# most for more to join. A lone question never waits.
BATCH_WAIT_SECONDS = 0.002
# Stop waiting as soon as nobody new arrived for this share of BATCH_WAIT_SECONDS.
IDLE_SHARE = 0.25
MAX_BATCH = 64


def _for_caller(error: BaseException, *, leader: bool) -> BaseException:
    """The exception one caller raises: the leader its own; each follower a copy chained to it
    (one exception object raised in several threads would mix their tracebacks), or, for an
    interruption of the leader's thread (KeyboardInterrupt…), a RuntimeError saying so."""
    if leader:
        return error
    if not isinstance(error, Exception):
        failed = RuntimeError(f"interrupted in the thread doing the work: {error!r}")
        failed.__cause__ = error
        return failed
    try:
        twin = copy.copy(error)
    except Exception:  # noqa: BLE001  (an exception that cannot be copied: share it)
        return error
    twin.__cause__ = error
    twin.__traceback__ = None
    return twin


class _Waiting:
    __slots__ = ("error", "text", "vector")

    def __init__(self, text: str) -> None:
        self.text = text
        self.vector: Vectors | None = None
        self.error: BaseException | None = None

    @property
    def done(self) -> bool:
        return self.vector is not None or self.error is not None


class QueryBatcher:
    """Embeds questions for concurrent callers, coalescing those that wait at the same moment.

    A caller finding nobody embedding becomes the leader: it takes every question queued (up to
    `max_batch`), embeds them in one call to `embed`, hands each caller its own row, and
    returns. Callers arriving while an embedding runs queue up and form the next batch. A
    leader that already has company waits at most `max_wait` seconds (less once arrivals stop)
    for more; a lone caller is embedded at once.
    """

    def __init__(
        self,
        embed: Callable[[Sequence[str]], Vectors],
        *,
        max_wait: float = BATCH_WAIT_SECONDS,
        max_batch: int = MAX_BATCH,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._embed = embed
        self._max_wait = max(0.0, max_wait)
        self._max_batch = max_batch
        self._queue: list[_Waiting] = []
        self._leading = False
        self._changed = threading.Condition()
        self.batches = 0  # embedding calls made (for tests and benchmarks)
        self.largest = 0  # most questions embedded in one call

    @property
    def waiting(self) -> int:
        """Questions queued and not yet taken into a batch."""
        with self._changed:
            return len(self._queue)

    def embed(self, text: str) -> Vectors:
        """The vector of `text` (one row of the embedder's output)."""
        mine = _Waiting(text)
        with self._changed:
            self._queue.append(mine)
            self._changed.notify_all()  # a leader waiting for company sees the newcomer
        while True:
            with self._changed:
                while self._leading and not mine.done:
                    self._changed.wait()
                if mine.done:
                    return self._outcome(mine, leader=False)
                self._leading = True
                try:
                    self._wait_for_company()
                except BaseException:
                    self._leading = False  # interrupted while waiting: let another lead
                    self._changed.notify_all()
                    raise
                batch = self._queue[: self._max_batch]
                del self._queue[: len(batch)]
            self._run(batch)
            if mine.done:  # else the queue was longer than a batch: lead (or wait) again
                return self._outcome(mine, leader=True)

    def _wait_for_company(self) -> None:
        """Called by the leader with the lock held."""
        if self._max_wait <= 0 or not 1 < len(self._queue) < self._max_batch:
            return
        deadline = time.monotonic() + self._max_wait
        tick = self._max_wait * IDLE_SHARE
        seen = len(self._queue)
        while len(self._queue) < self._max_batch:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._changed.wait(min(left, tick))
            if len(self._queue) == seen:
                return  # nobody new: the burst has arrived
            seen = len(self._queue)

    def _run(self, batch: list[_Waiting]) -> None:
        """Embed `batch` outside the lock; always hand out answers and give up the lead."""
        rows: list[Vectors] = []
        error: BaseException | None = None
        try:
            vectors = self._embed([w.text for w in batch])
            if len(vectors) != len(batch):
                raise ValueError(
                    f"the embedder returned {len(vectors)} rows for {len(batch)} texts"
                )
            rows = [np.array(vector, dtype=np.float32) for vector in vectors]  # own copies
        except BaseException as exc:  # noqa: BLE001  (handed to every caller, re-raised)
            error = exc
        finally:  # whatever happened, every caller gets an answer and the lead is given up
            with self._changed:
                for row, waiting in enumerate(batch):
                    if row < len(rows):
                        waiting.vector = rows[row]
                    else:
                        waiting.error = error or RuntimeError("embedding failed")
                self.batches += 1
                self.largest = max(self.largest, len(batch))
                self._leading = False
                self._changed.notify_all()

    @staticmethod
    def _outcome(waiting: _Waiting, *, leader: bool) -> Vectors:
        if waiting.error is not None:
            raise _for_caller(waiting.error, leader=leader)
        assert waiting.vector is not None
        return waiting.vector


class SharedRun:
    """Runs `step` for callers that each need a run that started after they called.

    A caller arriving while a run is under way waits for it to end, then shares the next run
    with everyone else who arrived meanwhile (ten callers arriving during one run cost one more
    run, not ten), and each caller still sees everything committed before it called."""

    def __init__(self, step: Callable[[], None]) -> None:
        self._step = step
        self._started = 0
        self._finished = 0
        self._running = False
        self._error: BaseException | None = None  # of the last finished run
        self._changed = threading.Condition()
        self._waiting = 0
        self.runs = 0

    @property
    def waiting(self) -> int:
        """Callers waiting for a run to end."""
        with self._changed:
            return self._waiting

    def __call__(self) -> None:
        with self._changed:
            needed = self._started + 1  # the first run to start after this call
            while True:
                if self._finished >= needed:
                    if self._error is not None:
                        raise _for_caller(self._error, leader=False)
                    return
                if not self._running:
                    break
                self._waiting += 1
                try:
                    self._changed.wait()
                finally:
                    self._waiting -= 1
            self._running = True
            self._started += 1
            number = self._started
        error: BaseException | None = None
        try:
            self._step()
        except BaseException as exc:  # handed to every caller waiting for this run
            error = exc
            raise
        finally:
            with self._changed:
                self._finished = number
                self._error = error
                self._running = False
                self.runs += 1
                self._changed.notify_all()
