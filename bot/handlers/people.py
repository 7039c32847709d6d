"""Facts about Slack users that listeners need, read through the Web API: `users.info` once a
day per person and process (time zone and language together), not once per question."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.languages import LocaleLookupError

# Both change rarely (a trip, a new Slack language): a day-old answer is fine. A failed call
# (Slack down, rate limited) is not repeated for each message: only after RETRY_SECONDS.
REFRESH_SECONDS = 24 * 3600.0
RETRY_SECONDS = 300.0


@dataclass(frozen=True)
class SlackUser:
    timezone: str  # IANA name; UTC when Slack has none
    locale: str | None  # "pl-PL"; None when Slack has none


class SlackDirectory:
    def __init__(self, client: WebClient, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._client = client
        self._clock = clock
        self._known: dict[str, tuple[float, SlackUser | None]] = {}  # None: the call failed
        self._lock = threading.Lock()

    def timezone(self, user_id: str) -> str:
        """The user's time zone from their Slack profile (UTC when Slack cannot tell)."""
        try:
            return self._user(user_id).timezone
        except LocaleLookupError:
            return "UTC"

    def locale(self, user_id: str) -> str | None:
        """The language of the user's Slack client; LocaleLookupError when Slack could not be
        asked (try again later)."""
        return self._user(user_id).locale

    def _user(self, user_id: str) -> SlackUser:
        now = self._clock()
        with self._lock:
            cached = self._known.get(user_id)
        if cached is not None and cached[0] > now:
            if cached[1] is None:
                raise LocaleLookupError("Slack failed recently")
            return cached[1]
        try:
            found = self._client.users_info(user=user_id, include_locale=True)["user"]
        except (SlackApiError, OSError) as error:
            with self._lock:
                self._known[user_id] = (now + RETRY_SECONDS, None)
            raise LocaleLookupError(type(error).__name__) from error
        user = found if isinstance(found, dict) else {}
        answer = SlackUser(str(user.get("tz") or "UTC"), str(user.get("locale") or "") or None)
        with self._lock:
            self._known[user_id] = (now + REFRESH_SECONDS, answer)
        return answer
