"""A local stand-in for the Slack Web API: answers like Slack, records every call, injects faults.

The bot reaches it through SLACK_API_URL (`WebClient(base_url=...)`), and response_url posts go
to its /response/<id> path, exactly as they would go to hooks.slack.com.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

BOT_USER_ID = "U0BOT0001"
TEAM_ID = "T0TEAM001"


@dataclass
class Call:
    method: str  # Web API method, or "response_url"
    params: dict[str, Any]
    headers: dict[str, str]
    path: str = ""
    at: float = field(default_factory=time.time)  # when the stand-in received it

    def blocks_text(self) -> str:
        """Every text in the message's blocks (or view), for assertions on what people see."""
        source = self.params.get("view") or self.params
        if isinstance(source, str):
            source = json.loads(source)
        blocks = source.get("blocks") if isinstance(source, dict) else None
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        return json.dumps(blocks or [], ensure_ascii=False) + " " + str(self.params.get("text", ""))


@dataclass
class Fault:
    status: int
    retry_after: int | None = None
    times: int = 1
    delay: float = 0.0


@dataclass
class Hold:
    """Calls to `method` whose parameters contain `text` stall before Slack sees them: the test
    can kill the bot mid-call. Released calls are dropped, as if the connection had died."""

    method: str
    text: str
    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        return method == self.method and self.text in json.dumps(params, ensure_ascii=False)


@dataclass
class UserInfo:
    tz: str = "Europe/Paris"
    real_name: str = ""
    deleted: bool = False
    locale: str = "en-US"  # Slack sends it only when asked (include_locale=true)


class SlackStandIn:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.users: dict[str, UserInfo] = {}
        self._faults: dict[str, list[Fault]] = {}
        self._holds: list[Hold] = []
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> SlackStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release_all()
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/api/"

    def response_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/response/{name}"

    # -- test controls -----------------------------------------------------------------
    def fail(
        self,
        method: str,
        status: int,
        *,
        retry_after: int | None = None,
        times: int = 1,
        delay: float = 0.0,
    ) -> None:
        with self._lock:
            self._faults.setdefault(method, []).append(Fault(status, retry_after, times, delay))

    def recover(self, method: str) -> None:
        """`method` answers normally again (faults not yet consumed are dropped)."""
        with self._lock:
            self._faults.pop(method, None)

    def slow(self, method: str, delay: float, *, times: int = 1) -> None:
        """Answer `method` normally, but only after `delay` seconds (a Slack timing out)."""
        self.fail(method, 200, delay=delay, times=times)

    def hold(self, method: str, text: str = "") -> Hold:
        held = Hold(method, text)
        with self._lock:
            self._holds.append(held)
        return held

    def release_all(self) -> None:
        with self._lock:
            holds, self._holds = self._holds, []
        for held in holds:
            held.released.set()

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    def of(self, method: str, **match: Any) -> list[Call]:
        with self._lock:
            calls = list(self.calls)
        return [
            c
            for c in calls
            if c.method == method and all(c.params.get(k) == v for k, v in match.items())
        ]

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Poll until predicate() is truthy: Bolt listeners run on background threads."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            time.sleep(0.02)
        raise AssertionError(f"timed out after {timeout}s; calls so far: {self.summary()}")

    def wait_call(
        self, method: str, count: int = 1, timeout: float = 10.0, **match: Any
    ) -> list[Call]:
        return self.wait_for(  # type: ignore[no-any-return]
            lambda: (calls := self.of(method, **match)) and len(calls) >= count and calls,
            timeout,
        )

    def wait_text(self, method: str, text: str, timeout: float = 10.0) -> Call:
        """The first `method` call whose parameters contain `text` (waiting for it): safer than
        indexing calls, since earlier actions may still be answering in the background."""

        def found() -> Call | None:
            return next(
                (c for c in self.of(method) if text in json.dumps(c.params, ensure_ascii=False)),
                None,
            )

        return self.wait_for(found, timeout)  # type: ignore[no-any-return]

    def messages_to(self, user_id: str) -> list[Call]:
        """chat.postMessage calls sent to a user's DM (the stand-in's DM id is D + user id)."""
        return self.of("chat.postMessage", channel="D" + user_id)

    def summary(self) -> list[str]:
        with self._lock:
            return [f"{c.method}:{c.params.get('channel', '')}" for c in self.calls]

    # -- HTTP --------------------------------------------------------------------------
    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        ts = f"1700000000.{next(self._ts):06d}"
        if method == "auth.test":
            return {
                "ok": True,
                "user_id": BOT_USER_ID,
                "bot_id": "B0BOT0001",
                "team_id": TEAM_ID,
                "team": "Test",
                "user": "mentor-bot",
                "url": "https://test.slack.com/",
            }
        if method == "users.info":
            user_id = str(params.get("user", ""))
            info = self.users.get(user_id, UserInfo())
            if info.deleted:
                return {"ok": False, "error": "user_not_found"}
            user: dict[str, Any] = {
                "id": user_id,
                "tz": info.tz,
                "deleted": False,
                "real_name": info.real_name or user_id,
                "profile": {"real_name": info.real_name or user_id},
            }
            if str(params.get("include_locale", "")).lower() in ("true", "1"):
                user["locale"] = info.locale  # as Slack: only when asked for
            return {"ok": True, "user": user}
        if method == "conversations.open":
            users = str(params.get("users", ""))
            channel = "D" + users if "," not in users else "G" + users.replace(",", "")
            return {"ok": True, "channel": {"id": channel}}
        if method in ("chat.postMessage", "chat.update"):
            return {
                "ok": True,
                "channel": params.get("channel"),
                "ts": params.get("ts") or ts,
                "message": {"text": params.get("text", ""), "ts": ts},
            }
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):08d}"
            return {
                "ok": True,
                "file_id": file_id,
                "upload_url": f"http://127.0.0.1:{self._server.server_port}/upload/{file_id}",
            }
        if method == "files.completeUploadExternal":
            files = params.get("files")
            files = json.loads(files) if isinstance(files, str) else files
            return {
                "ok": True,
                "files": [{"id": f["id"], "title": f.get("title")} for f in files or []],
            }
        if method in ("views.open", "views.publish", "views.update"):
            return {"ok": True, "view": {"id": "V" + ts.replace(".", "")}}
        return {"ok": True}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                return

            def _params(self) -> dict[str, Any]:
                url = urlparse(self.path)
                if url.path.startswith("/upload/"):  # a file's raw bytes (files_upload_v2)
                    length = int(self.headers.get("Content-Length") or 0)
                    return {"content": self.rfile.read(length).decode("utf-8", "replace")}
                params: dict[str, Any] = {k: v[0] for k, v in parse_qs(url.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                if body:
                    if (self.headers.get("Content-Type") or "").startswith("application/json"):
                        params.update(json.loads(body))
                    else:
                        params.update({k: v[0] for k, v in parse_qs(body).items()})
                return params

            def _handle(self) -> None:
                path = urlparse(self.path).path
                if path == "/_calls":  # for a stand-in running in its own process
                    self._send_calls()
                    return
                params = self._params()
                method = (
                    "response_url"
                    if path.startswith("/response/")
                    else "upload"
                    if path.startswith("/upload/")
                    else path.rsplit("/", 1)[-1]
                )
                with stand_in._lock:
                    held = next((h for h in stand_in._holds if h.matches(method, params)), None)
                if held is not None:
                    held.arrived.set()
                    held.released.wait(120)
                    self.close_connection = True
                    return
                with stand_in._lock:
                    stand_in.calls.append(Call(method, params, dict(self.headers), path))
                    faults = stand_in._faults.get(method, [])
                    fault = faults[0] if faults else None
                    if fault:
                        fault.times -= 1
                        if fault.times <= 0:
                            faults.pop(0)
                if fault and fault.status == 200:  # slow, not failing: answer after the delay
                    time.sleep(fault.delay)
                    fault = None
                if fault:
                    time.sleep(fault.delay)
                    self.send_response(fault.status)
                    if fault.retry_after is not None:
                        self.send_header("Retry-After", str(fault.retry_after))
                    body = json.dumps(
                        {
                            "ok": False,
                            "error": "ratelimited" if fault.status == 429 else "internal_error",
                        }
                    ).encode()
                else:
                    answer = (
                        {"ok": True}
                        if method in ("response_url", "upload")
                        else stand_in._answer(method, params)
                    )
                    body = json.dumps(answer).encode()
                    self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _send_calls(self) -> None:
                with stand_in._lock:
                    calls = [
                        {"method": c.method, "params": c.params, "at": c.at} for c in stand_in.calls
                    ]
                body = json.dumps(calls).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = _handle  # noqa: N815  (http.server naming)
            do_GET = _handle  # noqa: N815

        return Handler


def main() -> None:
    """Run the stand-in alone (benchmarks keep its load out of the measuring process)."""
    api = SlackStandIn().start()
    print(api.base_url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        api.stop()


if __name__ == "__main__":
    main()
