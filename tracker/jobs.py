"""Background jobs with Huey: one queue for every app server and worker.

The queue is built from ``Settings``: an embedded SQLite queue (``instance/jobs.sqlite3``) by
default, so ``make run`` needs no extra server; Redis when ``REDIS_URL`` is set, so several app
servers share one queue; and Huey's immediate mode (tasks run inline) when
``settings.jobs_immediate``, for unit tests. The composition root (``tracker.wiring``) builds the
queue once per app and names the task modules.

The worker is ``flask --app tracker jobs worker``: it builds the app from the environment, then runs
Huey's consumer with *process* workers (WeasyPrint is CPU-bound and its font configuration must
not be shared between threads). Tasks run inside the worker app's context and open their own
database sessions. Periodic tasks (the stale print-job sweep) run too.

Huey's process workers ignore SIGTERM (the consumer's graceful signal) and are not told when the
consumer dies, so a consumer killed with SIGKILL used to leave them running, rendering, as
orphans. Each child now asks the kernel for SIGKILL when its parent dies (Linux
``PR_SET_PDEATHSIG``). A child killed on its own is replaced by the consumer's health check
within ``HEALTH_CHECK_SECONDS``; its unfinished part is found by the job's heartbeat.
"""

from __future__ import annotations

import ctypes
import importlib
import logging
import os
import signal
import sys
import time
from collections.abc import Sequence
from typing import Any

import click
from flask import Flask, current_app, has_app_context
from flask.cli import AppGroup
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.api import TaskWrapper
from huey.consumer import Consumer, ProcessEnvironment

from config import Settings
from tracker.extensions import JOB_QUEUE, JOB_TASKS, job_queue
from tracker.extensions import settings as tracker_settings

JOB_MODULES = "tracker.job_modules"

QUEUE_NAME = "zi-tracker"
HEALTH_CHECK_SECONDS = 2.0  # how soon a dead worker process is replaced
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

logger = logging.getLogger(__name__)
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


def install(app: Flask, settings: Settings, task_modules: Sequence[str]) -> None:
    """Build the app's queue and register the tasks of ``task_modules``: modules whose
    ``register(huey)`` returns {task name: task}, and whose optional ``warm_up()`` runs once in
    each worker process as it starts. Called once, by the composition root."""
    huey = build_huey(settings)
    tasks: dict[str, TaskWrapper] = {}
    for name in task_modules:
        tasks.update(importlib.import_module(name).register(huey))
    app.extensions[JOB_QUEUE] = huey
    app.extensions[JOB_TASKS] = tasks
    app.extensions[JOB_MODULES] = tuple(task_modules)


def queue(app: Flask | None = None) -> Huey:
    """The app's queue."""
    return job_queue(app)


def enqueue(name: str, *args: Any, app: Flask | None = None) -> None:
    """Queue task ``name`` with ``args`` (in immediate mode: run it now). Call after commit:
    the worker reads what the request wrote."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]  # LocalProxy hides it from type checkers
    app.extensions[JOB_TASKS][name](*args)


def task_app() -> Flask:
    """The app a task runs in: the current one (immediate mode) or the worker's."""
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]  # LocalProxy hides it
    if _worker_app is None:
        raise RuntimeError(
            "no app for background tasks: start them with `flask --app tracker jobs worker`"
        )
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

    def start(self) -> None:
        # Huey installs the consumer's own handlers only after forking the scheduler and the
        # workers; a stop signal in between took the default action and killed the consumer
        # (seen in tests/jobs/test_queue.py under load). Install them first: each child resets
        # its own in ``init_child``.
        self._set_signal_handlers()
        super().start()

    def _handle_signal(self, signum: int, frame: Any) -> None:
        self._signum = signum
        self._restart, self._graceful = self._signal_actions[signum]

    def get_environment(self, worker_type: str) -> Any:
        if worker_type == "process":
            return _DieWithParent(self._graceful_sig, self._interrupt_sig)
        return super().get_environment(worker_type)


class _DieWithParent(ProcessEnvironment):
    """Process workers (and the scheduler) that are killed when the consumer dies, however it
    dies: they ignore SIGTERM while the consumer lives, so nothing else would stop them."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.parent = os.getpid()

    def init_child(self, process: Any) -> None:
        die_with_parent(self.parent)
        super().init_child(process)


def die_with_parent(parent: int) -> None:
    """Have the kernel SIGKILL this process when ``parent`` exits (Linux; elsewhere nothing).
    If the parent is already gone (it died before the request was made), exit now."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        logger.warning("PR_SET_PDEATHSIG failed (errno %s)", ctypes.get_errno())
    if os.getppid() != parent:
        os._exit(1)


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
        periodic=True,  # the stale print-job sweep (tracker.certificates.tasks)
        max_delay=1.0,  # an idle SQLite queue is polled at least every second
        health_check_interval=HEALTH_CHECK_SECONDS,
        graceful_signal="TERM",  # a service stop lets running parts finish
        shutdown_timeout=60,
    )
    consumer.run()


def _prepare(app: Flask, huey: Huey) -> None:
    warm_ups = [
        module.warm_up
        for module in map(importlib.import_module, app.extensions[JOB_MODULES])
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


jobs_cli = AppGroup("jobs", help="Background jobs.")


@jobs_cli.command("worker")
@click.option(
    "-w", "--workers", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default=True
)
@click.option(
    "-k",
    "--worker-type",
    type=click.Choice(["process", "thread"]),
    default="process",
    show_default=True,
    help="process workers: WeasyPrint's font configuration must not be shared between threads",
)
def worker_command(workers: int, worker_type: str) -> None:
    """Run the background-job worker until SIGTERM (running tasks finish) or SIGINT."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(processName)s %(name)s %(levelname)s %(message)s"
    )
    for chatty in ("weasyprint", "fontTools", "alembic"):  # per-page progress, font subsetting
        logging.getLogger(chatty).setLevel(logging.WARNING)
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # LocalProxy hides it from type checkers
    settings = tracker_settings(app)
    backend = "redis" if settings.redis_url else f"sqlite {settings.jobs_db_path}"
    logger.info("job worker: %s %s workers on %s", workers, worker_type, backend)
    run_worker(app, workers=workers, worker_type=worker_type)
