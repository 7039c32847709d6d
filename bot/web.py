"""The WSGI application served in HTTP mode: Slack's endpoint plus a health check.

Requests to the Slack endpoint are signature-checked *before* their body is parsed, so a forged
or replayed request gets 401 whatever it contains, and a signed but malformed one gets 400,
never a 500. Bolt then verifies the signature again as part of its own middleware.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from prometheus_client import CONTENT_TYPE_LATEST
from slack_bolt import App, BoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.metrics import Metrics

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

SLACK_PATH = "/slack/events"
# Slack's payloads are a few kB; anything far larger is not from Slack and is refused unread.
MAX_BODY_BYTES = 1024 * 1024

WsgiApp = Callable[["WSGIEnvironment", "StartResponse"], Iterable[bytes]]
Readiness = Callable[[], dict[str, Any]]

logger = logging.getLogger(__name__)


def create_wsgi_app(
    bolt_app: App, signing_secret: str, readiness: Readiness, metrics: Metrics | None = None
) -> WsgiApp:
    verifier = SignatureVerifier(signing_secret)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz" and method in ("GET", "HEAD"):
            return _json(start_response, "200 OK", {"ok": True})  # liveness: the process serves
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
        if path != SLACK_PATH:
            return _json(start_response, "404 Not Found", {"error": "not found"})
        if method != "POST":
            return _json(start_response, "405 Method Not Allowed", {"error": "POST only"})
        return _slack(environ, start_response)

    def _signed(raw: bytes, headers: dict[str, str | Sequence[str]]) -> bool:
        timestamp = _first(headers, "x-slack-request-timestamp")
        signature = _first(headers, "x-slack-signature")
        if not timestamp.isdigit() or not signature:
            return False
        return verifier.is_valid(body=raw, timestamp=timestamp, signature=signature)

    def _slack(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
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
        except (ValueError, TypeError, KeyError, AttributeError):
            logger.warning("malformed_slack_request", extra={"bytes": len(raw)})
            return _json(start_response, "400 Bad Request", {"error": "malformed payload"})
        started = time.perf_counter()
        try:
            response = bolt_app.dispatch(request)
        except (IndexError, KeyError, TypeError, AttributeError, ValueError):
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
