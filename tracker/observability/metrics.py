"""Prometheus metrics (issue 18 §6): request latency by route, the job queue, login throttling,
slow queries.

Several processes serve one machine: gunicorn's workers, and the job worker's processes. A
scrape reaches one of them, so per-process counters would jump about from one scrape to the next.
When ``PROMETHEUS_MULTIPROC_DIR`` is set (prometheus_client reads it when it is imported, as do
we, to agree with it), every process writes its samples to files in that folder and ``/metrics``
adds up the files of every process of the machine: the gunicorn workers of each app server and
the job worker that share the folder. Clear the folder when the services start
(``deploy/production-shape.sh`` does; a systemd unit: ``ExecStartPre``); gunicorn marks a worker
dead when it exits (``deploy/gunicorn.conf.py``). Without the variable (``make run``, tests) each
process reports its own figures. Prometheus scrapes every machine, and sums across them.

Queue depth is read from the queue itself at scrape time (Redis or the SQLite file): one figure
shared by every server, not a sum.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

__all__ = ["CONTENT_TYPE_LATEST", "render"]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

REQUEST_SECONDS = Histogram(
    "zi_http_request_duration_seconds",
    "Time to answer a request, by route (the URL rule, not the path), method and status.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
LOGIN_ATTEMPTS = Counter(
    "zi_login_attempts",
    "Login form submissions by outcome: success, failed (wrong name or password), throttled "
    "(refused by the guessing throttle, tracker.auth.throttle) or invalid (an incomplete form).",
    ["outcome"],
)
JOB_FAILURES = Counter(
    "zi_job_failures",
    "Background tasks that ended in an unhandled error, by task.",
    ["task"],
)
SLOW_QUERIES = Counter(
    "zi_db_slow_queries",
    "Database statements slower than SLOW_QUERY_MS.",
)


class QueueCollector(Collector):
    """The job queue's depth, asked of the queue when scraped."""

    def __init__(self, pending: Callable[[], int], scheduled: Callable[[], int]) -> None:
        self.pending, self.scheduled = pending, scheduled

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(
            "zi_job_queue_depth", "Tasks waiting in the queue for a worker.", value=self.pending()
        )
        yield GaugeMetricFamily(
            "zi_job_queue_scheduled", "Tasks scheduled to run later.", value=self.scheduled()
        )


def render(pending: Callable[[], int], scheduled: Callable[[], int]) -> bytes:
    """The text exposition of every metric: the machine's processes (or this one), and the
    queue's depth."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        processes = generate_latest(registry)
    else:
        processes = generate_latest(REGISTRY)
    queue = CollectorRegistry()
    queue.register(QueueCollector(pending, scheduled))
    return processes + generate_latest(queue)


def mark_process_dead(pid: int) -> None:
    """For gunicorn's ``child_exit``: drop a dead worker's live gauges (multiprocess mode)."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(pid)
