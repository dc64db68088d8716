"""Prometheus metrics at /metrics: replies by intent and channel, answer latency, the outbox backlog and failures.

The counter and the histogram live in this process (prometheus-client's default registry), or, when
PROMETHEUS_MULTIPROC_DIR is set before the process starts (gunicorn with several workers), in files
in that directory that every worker writes and any worker reads when scraped. The outbox figures are
read from the database at each scrape, so they are the same whichever process answers.
"""

import hmac
import os

from flask import Blueprint, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

MESSAGES = Counter("nongbao_messages", "Replies stored, by intent and channel.", ["intent", "channel"])
ANSWER_SECONDS = Histogram(
    "nongbao_answer_seconds",
    "Time from receiving a message to storing its reply.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

MAX_CHANNELS = 20  # API callers name their channel: past this many names a process counts the rest as "other"
_channels: set[str] = set()

bp = Blueprint("metrics", __name__)


def answered(intent: str, channel: str, seconds: float):
    """Count one stored reply and how long answering took (the engine calls this)."""
    if channel not in _channels and len(_channels) < MAX_CHANNELS:
        _channels.add(channel)
    MESSAGES.labels(intent=intent or "none", channel=channel if channel in _channels else "other").inc()
    ANSWER_SECONDS.observe(seconds)


class OutboxCollector:
    """Gauges computed from the database when scraped."""

    def __init__(self, storage):
        self.storage = storage

    def collect(self):
        yield GaugeMetricFamily("nongbao_outbox_queued", "Reminders waiting in the outbox.", self.storage.outbox_queued_count())
        yield GaugeMetricFamily(
            "nongbao_outbox_failed", "Reminders that failed or were undelivered.", self.storage.outbox_failed_count()
        )


class _ThisProcess:
    """The default registry's metrics (this process only), gathered into a scrape's registry."""

    def collect(self):
        yield from REGISTRY.collect()


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir"))


def exposition(storage) -> bytes:
    """The text format of every metric: this process's or all workers', and the outbox read now."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess():
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(OutboxCollector(storage))
    return generate_latest(registry)


def _authorized() -> bool:
    """No login; a bearer token when METRICS_TOKEN is set."""
    token = current_app.config.get("METRICS_TOKEN") or ""
    if not token:
        return True
    given = request.headers.get("Authorization", "")
    return given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip().encode(), token.encode())


@bp.get("/metrics")
def metrics():
    from .web import store  # here, not at the top: the engine imports this module, and web imports the engine

    if not _authorized():
        return Response("unauthorized\n", 401, {"WWW-Authenticate": 'Bearer realm="metrics"'}, mimetype="text/plain")
    return Response(exposition(store()), content_type=CONTENT_TYPE_LATEST)
