"""What an app worker does once before and once after its first requests (gunicorn only).

Python's collector walks every tracked object in its oldest generation: in a worker that has
imported Flask, SQLAlchemy, WeasyPrint and loaded the LKE framework that is ~250,000 objects,
and a full collection took ~220 ms on this 2-core machine, about once every hundred pages
(issue 18 §3: a page's p95 on the national dataset). Nearly all of them live as long as the
worker, so they are moved out of the collector's sight with ``gc.freeze()`` (the standard
library's tool for exactly this): once when the worker is ready, and once more after its first
requests have loaded the framework, compiled the templates and filled SQLAlchemy's statement
cache. A full collection then walks ~50,000 objects (~10 ms). Objects frozen are still freed by
reference counting; only a cycle that was garbage at the moment of freezing would stay, which
is why each freeze follows a full collection.

Both gunicorn configurations call ``settle_worker`` from ``post_worker_init``; tests and
``flask`` commands never do, so their collector is Python's default.
"""

from __future__ import annotations

import gc
import logging
import threading
import time

from flask import Flask

logger = logging.getLogger(__name__)

# Requests after which the worker's warmed state (framework, templates, statement cache) is
# frozen too: enough for each kind of page to have been served once or twice.
SETTLE_AFTER_REQUESTS = 50


def freeze_long_lived() -> float:
    """Collect, then move everything alive out of the collector's generations; seconds taken."""
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    return time.perf_counter() - started


def settle_worker(app: Flask, after: int = SETTLE_AFTER_REQUESTS) -> None:
    """Freeze what the worker holds now, and again after its first ``after`` requests."""
    taken = freeze_long_lived()
    logger.info("worker settled: %d objects frozen (%.0f ms)", gc.get_freeze_count(), taken * 1000)
    left = [after]
    lock = threading.Lock()  # gthread workers end requests on several threads

    @app.teardown_request
    def _settle_once_warm(_error: BaseException | None) -> None:
        with lock:
            if left[0] <= 0:
                return
            left[0] -= 1
            if left[0]:
                return
        taken = freeze_long_lived()
        logger.info("worker warm: %d objects frozen (%.0f ms)", gc.get_freeze_count(), taken * 1000)
