"""Prometheus metrics on a registry of the bot's own (built by the composition root, so tests
and several app instances in one process never share counters)."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "mentor_bot_slack_requests",
            "Slack requests received, by type",
            ["type", "status"],
            registry=self.registry,
        )
        self.ack_seconds = Histogram(
            "mentor_bot_ack_seconds",
            "Time to answer a Slack request (the ack)",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.match_seconds = Histogram(
            "mentor_bot_match_seconds",
            "Time to match a question (embed, search, rank)",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.matches = Counter(
            "mentor_bot_matches", "Mentor searches, by outcome", ["outcome"], registry=self.registry
        )
        self.offers = Counter(
            "mentor_bot_offer_outcomes",
            "Offers closed, by outcome",
            ["outcome"],
            registry=self.registry,
        )
        self.scheduler_lag = Histogram(
            "mentor_bot_scheduler_lag_seconds",
            "How late scheduled jobs ran",
            buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 3600),
            registry=self.registry,
        )
        self.slack_errors = Counter(
            "mentor_bot_slack_api_errors",
            "Slack Web API calls that failed after retries, by method",
            ["method"],
            registry=self.registry,
        )

        self.lazy_backlog = Gauge(
            "mentor_bot_lazy_backlog",
            "Slack work acknowledged and not yet done (matching, replies)",
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class InstrumentedWebClient(WebClient):
    """A WebClient that counts calls failing after slack_sdk's own retries, by method."""

    def __init__(self, *args: Any, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._metrics = metrics

    def api_call(self, api_method: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().api_call(api_method, *args, **kwargs)
        except (SlackApiError, OSError):
            self._metrics.slack_errors.labels(method=api_method).inc()
            raise
