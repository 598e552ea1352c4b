"""gunicorn behind nginx, for production (docs/production.md):

    gunicorn -c deploy/gunicorn.conf.py wsgi:app

gunicorn listens on the loopback only; nginx (deploy/nginx/zi-tracker.conf) is the one client,
and it hands over whole requests, so the threads here never wait on a slow client. The few
values that differ per machine come from GUNICORN_* variables.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 120  # a stuck request is ended; nginx's proxy_read_timeout is a little longer
graceful_timeout = 30
keepalive = 5  # above nginx's upstream keepalive_timeout (4 s): nginx closes idle links first
# Trust X-Forwarded-Proto (for wsgi.url_scheme) from nginx only; the app reads X-Forwarded-For
# through werkzeug's ProxyFix when TRUSTED_PROXIES is set.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
max_requests = 2000  # restart a worker now and then, bounding slow leaks
max_requests_jitter = 200
accesslog = "-"


def post_worker_init(worker):
    """Warm each worker's certificate renderer before it takes requests and settle its garbage
    collector (as ./gunicorn.conf.py)."""
    from tracker.certificates.tasks import warm_up_before_serving
    from tracker.serving import settle_worker

    warm_up_before_serving()
    settle_worker(worker.wsgi)


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR (tracker/observability/metrics.py): a worker that exits
    leaves its counters to the machine's totals and takes its live gauges away."""
    from tracker.observability.metrics import mark_process_dead

    mark_process_dead(worker.pid)
