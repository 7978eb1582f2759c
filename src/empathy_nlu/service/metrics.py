"""``/metrics`` in the Prometheus text format, summed over every worker process.

Why prometheus_client's multiprocess mode: each uvicorn worker counts in its own memory-mapped
files under ``$PROMETHEUS_MULTIPROC_DIR`` (set by ``empathy-nlu serve`` before the workers start),
and a scrape of any worker adds them all up; a plain registry would show one worker's share.
Labels are route templates, never paths: a customer id never becomes a label.
"""

from __future__ import annotations

import os

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


class Metrics:
    """The service's counters: requests and latency by route and status, and what was predicted."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Histogram

        self.multiprocess = bool(os.environ.get(MULTIPROCESS_DIR))
        # in multiprocess mode the values live in files; the registry only matters for one process
        self.registry = None if self.multiprocess else CollectorRegistry()
        kwargs = {"registry": self.registry} if self.registry is not None else {}
        self.requests = Counter(
            "empathy_http_requests", "HTTP requests answered", ["method", "route", "status"], **kwargs
        )
        self.latency = Histogram(
            "empathy_http_request_duration_seconds",
            "time from request to response",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            **kwargs,
        )
        self.predictions = Counter("empathy_predictions", "predictions made, by intent", ["intent"], **kwargs)
        self.out_of_scope = Counter("empathy_out_of_scope", "predictions that were out of scope", **kwargs)
        self.handoffs = Counter("empathy_handoffs_recommended", "hand-overs to a human recommended", **kwargs)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = (method, route, str(status))
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)

    def observe_predictions(self, predictions: list[dict]) -> None:
        for prediction in predictions:
            intent = prediction.get("intent") or {}
            self.predictions.labels(intent.get("name") or "none").inc()
            if prediction.get("out_of_scope"):
                self.out_of_scope.inc()
            if ((prediction.get("context") or {}).get("handoff") or {}).get("recommended"):
                self.handoffs.inc()

    def render(self) -> tuple[bytes, str]:
        """The exposition text and its content type."""
        from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

        if not self.multiprocess:
            return generate_latest(self.registry), CONTENT_TYPE_LATEST
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
