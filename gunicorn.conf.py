"""Gunicorn settings of ``scripts/serve.sh`` (gunicorn reads ``./gunicorn.conf.py`` by default).

Only the server's hooks live here; bind address, workers and threads stay on serve.sh's command
line. Nothing here runs in tests or ``flask`` commands: only gunicorn loads this file. The
production settings are in ``deploy/gunicorn.conf.py`` (docs/production.md), with the same hook.
"""

from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    """Warm the certificate renderer of each app worker before it accepts requests, then keep
    the worker's long-lived objects out of the garbage collector's walks (tracker.serving)."""
    from tracker.certificates.tasks import warm_up_before_serving
    from tracker.serving import settle_worker

    warm_up_before_serving()
    settle_worker(worker.wsgi)
