"""Background jobs with Huey: one queue for every app server and worker.

The queue is built from ``Settings``: an embedded SQLite queue (``instance/jobs.sqlite3``) by
default, so ``make run`` needs no extra server; Redis when ``REDIS_URL`` is set, so several app
servers share one queue; and Huey's immediate mode (tasks run inline) when
``settings.jobs_immediate``, for unit tests. Each app builds its queue on first use and keeps it
in ``app.extensions``.

The worker is ``python -m tracker.jobs worker``: it builds the app from the environment, then runs
Huey's consumer with *process* workers (WeasyPrint is CPU-bound and its font configuration must
not be shared between threads). Tasks run inside the worker app's context and open their own
database sessions.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.api import TaskWrapper
from huey.consumer import Consumer

from config import Settings

QUEUE_NAME = "zi-tracker"
# Modules whose ``register(huey)`` returns {task name: task}, and whose optional ``warm_up()``
# runs once in each worker process as it starts; add new task modules here.
TASK_MODULES = ("tracker.certificates.tasks",)

logger = logging.getLogger(__name__)
_build_lock = threading.Lock()
_worker_app: Flask | None = None


def build_huey(settings: Settings) -> Huey:
    """The queue ``settings`` describe: immediate (tests), Redis, or the embedded SQLite file.

    Results are not stored: tasks report progress and outcome in the database.
    """
    if settings.jobs_immediate:
        return MemoryHuey(QUEUE_NAME, immediate=True, results=False)
    if settings.redis_url:
        return RedisHuey(QUEUE_NAME, url=settings.redis_url, results=False)
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(QUEUE_NAME, filename=str(settings.jobs_db_path), results=False)


def queue(app: Flask | None = None) -> Huey:
    """The app's queue, built (with every task registered) on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    if "huey" not in app.extensions:
        with _build_lock:
            if "huey" not in app.extensions:
                huey = build_huey(app.config["TRACKER_SETTINGS"])
                app.extensions["huey_tasks"] = _register_tasks(huey)
                app.extensions["huey"] = huey
    return app.extensions["huey"]


def _register_tasks(huey: Huey) -> dict[str, TaskWrapper]:
    import importlib

    tasks: dict[str, TaskWrapper] = {}
    for name in TASK_MODULES:
        tasks.update(importlib.import_module(name).register(huey))
    return tasks


def enqueue(name: str, *args: Any, app: Flask | None = None) -> None:
    """Queue task ``name`` with ``args`` (in immediate mode: run it now). Call after commit:
    the worker reads what the request wrote."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    queue(app)
    app.extensions["huey_tasks"][name](*args)


def task_app() -> Flask:
    """The app a task runs in: the current one (immediate mode) or the worker's."""
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    if _worker_app is None:
        raise RuntimeError("no app for background tasks: start them with `python -m tracker.jobs`")
    return _worker_app


# --- the worker --------------------------------------------------------------------------------


class _Consumer(Consumer):
    """Huey's consumer, except that a repeated stop signal does not abort a graceful shutdown.

    Service scripts often signal twice (a process-group kill, then their own exit trap). Huey
    turns the second SIGTERM into a KeyboardInterrupt that kills the consumer in the middle of
    its shutdown and leaves the worker processes running as orphans. Here later signals only
    update the request; ``shutdown_timeout`` still bounds the wait for running tasks, and SIGINT
    (the interrupt signal) still stops at once.
    """

    def _handle_signal(self, signum: int, frame: Any) -> None:
        self._signum = signum
        self._restart, self._graceful = self._signal_actions[signum]


def run_worker(app: Flask, *, workers: int, worker_type: str = "process") -> None:
    """Run the consumer for ``app``'s queue until SIGTERM (graceful: running tasks finish, for
    at most a minute) or SIGINT (at once: running parts fail and say so)."""
    global _worker_app
    _worker_app = app
    huey = queue(app)
    if huey.immediate:
        raise SystemExit("jobs are configured to run immediately; there is nothing to consume")
    _prepare(app, huey)
    consumer = _Consumer(
        huey,
        workers=workers,
        worker_type=worker_type,
        periodic=False,
        max_delay=1.0,  # an idle SQLite queue is polled at least every second
        graceful_signal="TERM",  # a service stop lets running parts finish
        shutdown_timeout=60,
    )
    consumer.run()


def _prepare(app: Flask, huey: Huey) -> None:
    import importlib

    warm_ups = [
        module.warm_up
        for module in map(importlib.import_module, TASK_MODULES)
        if hasattr(module, "warm_up")
    ]

    def _start_worker_process() -> None:
        # A forked worker must not use the parent's pooled database connections.
        app.extensions["engine"].dispose(close=False)
        started = time.perf_counter()
        for warm_up in warm_ups:  # pay start-up costs now, not in the first user's job
            warm_up()
        logger.info("worker process ready (warm-up %.1f s)", time.perf_counter() - started)

    huey.on_startup("worker-process-start")(_start_worker_process)


def main(argv: list[str] | None = None, create: Callable[[], Flask] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tracker.jobs", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    worker = commands.add_parser("worker", help="run the background-job worker")
    worker.add_argument("-w", "--workers", type=int, default=os.cpu_count() or 1)
    worker.add_argument("-k", "--worker-type", choices=("process", "thread"), default="process")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(processName)s %(name)s %(levelname)s %(message)s"
    )
    for chatty in ("weasyprint", "fontTools", "alembic"):  # per-page progress, font subsetting
        logging.getLogger(chatty).setLevel(logging.WARNING)
    if create is None:
        from tracker import create_app as create
    app = create()
    settings = app.config["TRACKER_SETTINGS"]
    backend = "redis" if settings.redis_url else f"sqlite {settings.jobs_db_path}"
    logger.info("job worker: %s %s workers on %s", args.workers, args.worker_type, backend)
    run_worker(app, workers=max(1, args.workers), worker_type=args.worker_type)
    return 0


if __name__ == "__main__":
    # Run the importable module's main, not this __main__ copy: tasks read `_worker_app` from
    # `tracker.jobs`, which would otherwise be a second, never-initialised module object.
    from tracker import jobs

    sys.exit(jobs.main())
