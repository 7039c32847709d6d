"""The WSGI application served in HTTP mode: Slack's endpoint plus health checks.

Requests to the Slack endpoint are signature-checked *before* their body is parsed, so a forged
or replayed request gets 401 whatever its headers and body contain (non-ASCII, huge numbers,
bytes that are not UTF-8), and a signed but malformed one gets 400, never a 500. Bolt then
verifies the signature again as part of its own middleware.

`/healthz` (liveness) is public; `/readyz` and `/metrics` describe the bot's internals and are
served only on INTERNAL_PORT or with `Authorization: Bearer <METRICS_TOKEN>`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from prometheus_client import CONTENT_TYPE_LATEST
from slack_bolt import App, BoltRequest

from bot.metrics import Metrics

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

SLACK_PATH = "/slack/events"
# Slack's payloads are a few kB; anything far larger is not from Slack and is refused unread.
MAX_BODY_BYTES = 1024 * 1024
# What Slack sends, exactly: anything else is refused before it reaches a parser. ASCII only
# ([0-9], not \d): "²" or full-width digits would pass str.isdigit() and then break int().
TIMESTAMP = re.compile(r"[0-9]{1,12}")
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
REPLAY_WINDOW_SECONDS = 5 * 60
PRIVATE_PATHS = ("/readyz", "/metrics")

WsgiApp = Callable[["WSGIEnvironment", "StartResponse"], Iterable[bytes]]
Readiness = Callable[[], dict[str, Any]]

logger = logging.getLogger(__name__)


def create_wsgi_app(
    bolt_app: App,
    signing_secret: str,
    readiness: Readiness,
    metrics: Metrics | None = None,
    *,
    metrics_token: str | None = None,
    internal_port: int | None = None,
) -> WsgiApp:
    secret = signing_secret.encode()
    token = f"Bearer {metrics_token}".encode() if metrics_token else None

    def private_allowed(environ: WSGIEnvironment) -> bool:
        if internal_port is not None and str(environ.get("SERVER_PORT")) == str(internal_port):
            return True
        given = str(environ.get("HTTP_AUTHORIZATION", "")).encode("latin-1", "replace")
        return token is not None and hmac.compare_digest(given, token)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        internal = internal_port is not None and str(environ.get("SERVER_PORT")) == str(
            internal_port
        )
        if path == "/healthz" and method in ("GET", "HEAD"):
            return _json(start_response, "200 OK", {"ok": True})  # liveness: the process serves
        if path in PRIVATE_PATHS and not private_allowed(environ):
            # Not "401": a scanner learns nothing, not even that the path exists.
            return _json(start_response, "404 Not Found", {"error": "not found"})
        if path == "/readyz" and method in ("GET", "HEAD"):
            report = readiness()
            status = "200 OK" if report.get("ok") else "503 Service Unavailable"
            return _json(start_response, status, report)
        if path == "/metrics" and method == "GET" and metrics is not None:
            data = metrics.exposition()
            start_response(
                "200 OK",
                [("Content-Type", CONTENT_TYPE_LATEST), ("Content-Length", str(len(data)))],
            )
            return [data]
        if path != SLACK_PATH or internal:
            return _json(start_response, "404 Not Found", {"error": "not found"})
        if method != "POST":
            return _json(start_response, "405 Method Not Allowed", {"error": "POST only"})
        return _slack(environ, start_response)

    def _signed(raw: bytes, headers: dict[str, str | Sequence[str]]) -> bool:
        """Slack's v0 signature over the raw bytes, with the header values checked against
        Slack's exact format first (so no parser ever sees a forged value)."""
        timestamp = _first(headers, "x-slack-request-timestamp")
        signature = _first(headers, "x-slack-signature")
        if not (TIMESTAMP.fullmatch(timestamp) and SIGNATURE.fullmatch(signature)):
            return False
        if abs(time.time() - int(timestamp)) > REPLAY_WINDOW_SECONDS:
            return False
        expected = hmac.new(secret, b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256)
        return hmac.compare_digest(f"v0={expected.hexdigest()}".encode(), signature.encode())

    def _slack(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            length = int(str(environ.get("CONTENT_LENGTH") or 0))
        except ValueError:
            return _json(start_response, "400 Bad Request", {"error": "bad Content-Length"})
        if length < 0:
            return _json(start_response, "400 Bad Request", {"error": "bad Content-Length"})
        if length > MAX_BODY_BYTES:
            return _json(start_response, "413 Content Too Large", {"error": "body too large"})
        raw = environ["wsgi.input"].read(length) if length else b""
        headers = _headers(environ)
        if not _signed(raw, headers):
            return _json(start_response, "401 Unauthorized", {"error": "invalid signature"})
        try:
            request = BoltRequest(
                body=raw.decode("utf-8"), query=environ.get("QUERY_STRING", ""), headers=headers
            )
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            logger.warning("malformed_slack_request", extra={"bytes": len(raw)})
            return _json(start_response, "400 Bad Request", {"error": "malformed payload"})
        started = time.perf_counter()
        try:
            response = bolt_app.dispatch(request)
        except (IndexError, KeyError, TypeError, AttributeError, ValueError, RecursionError):
            # Listener errors never get here (Bolt hands them to @app.error); this is Bolt
            # failing to route a signed payload that lacks what its type promises.
            logger.warning("unroutable_slack_request", extra={"bytes": len(raw)})
            return _json(start_response, "400 Bad Request", {"error": "malformed payload"})
        if metrics is not None:
            metrics.ack_seconds.observe(time.perf_counter() - started)
            metrics.requests.labels(type=_kind(request), status=str(response.status)).inc()
        status = f"{response.status} {_REASONS.get(response.status, 'Status')}"
        body = response.body.encode("utf-8") if isinstance(response.body, str) else response.body
        out_headers = [(k, v) for k, values in response.headers.items() for v in values]
        if not any(k.lower() == "content-length" for k, _ in out_headers):
            out_headers.append(("Content-Length", str(len(body))))
        start_response(status, out_headers)
        return [body]

    return application


_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    500: "Internal Server Error",
}


def _kind(request: BoltRequest) -> str:
    body = request.body if isinstance(request.body, dict) else {}
    if "command" in body:
        return "command"
    kind = body.get("type")
    return str(kind) if isinstance(kind, str) and len(kind) < 40 else "other"


def _headers(environ: WSGIEnvironment) -> dict[str, str | Sequence[str]]:
    headers: dict[str, str | Sequence[str]] = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers[key[5:].replace("_", "-").lower()] = [str(value)]
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = [str(environ["CONTENT_TYPE"])]
    return headers


def _first(headers: dict[str, str | Sequence[str]], name: str) -> str:
    values = headers.get(name) or [""]
    return values if isinstance(values, str) else values[0]


def _json(start_response: StartResponse, status: str, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]
