"""A per-person limit on questions, checked in the ack (in memory, so it costs no database call
inside Slack's 3 seconds). With several instances each counts its own share: the database's
MAX_OPEN_REQUESTS cap is the limit that holds across them."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

# Keys idle for a whole window are dropped once this many are tracked.
PRUNE_ABOVE = 10_000


class RateLimiter:
    """At most `limit` events per `window` seconds per key (a sliding window)."""

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    @property
    def limit(self) -> int:
        return self._limit

    def allow(self, key: str) -> bool:
        """Count one event for `key`; False (and nothing counted) when over the limit."""
        now = self._clock()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self._window:
                events.popleft()
            if len(events) >= self._limit:
                return False
            events.append(now)
            if len(self._events) > PRUNE_ABOVE:
                self._prune(now)
            return True

    def _prune(self, now: float) -> None:
        idle = [k for k, e in self._events.items() if not e or e[-1] <= now - self._window]
        for key in idle:
            del self._events[key]
