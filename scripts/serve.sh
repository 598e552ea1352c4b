#!/usr/bin/env bash
# Serve the tracker on 127.0.0.1:${PORT:-5000} with gunicorn, plus the background-job worker.
#
# The two are supervised separately. If the job worker dies (killed, out of memory, a crash) it is
# started again after a pause (doubling up to 30 s while it keeps dying young) and the web server
# goes on serving; print jobs it abandoned are retried through their heartbeat. If gunicorn exits,
# the worker is stopped and the script exits with gunicorn's status. SIGTERM or SIGINT stops both,
# gracefully: gunicorn finishes its requests, the worker its running parts (at most a minute).
#
# This is the local shape that `make run` uses. Production (nginx in front, a service manager
# instead of this loop): docs/production.md.
set -uo pipefail # no -e: the loop below looks at every exit status itself
cd "$(dirname "$0")/.."
PORT="${PORT:-5000}"
# The public address certificates print and encode in their QR code, unless the administrator
# sets another one in the app (Pengaturan sistem): by default this server, on this port.
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:$PORT}"
# gunicorn also reads ./gunicorn.conf.py: its hook warms the certificate renderer of each worker.
VENV=.venv/bin
MIN_DELAY=1
MAX_DELAY=30
HEALTHY_AFTER=30 # a worker that ran this long is restarted after the shortest pause

web=""
worker=""
worker_started=0

start_worker() {
  # The job worker shares the queue with the web workers (SQLite file by default, Redis if set).
  "$VENV/flask" --app tracker jobs worker &
  worker=$!
  worker_started=$SECONDS
}

stop_all() {
  trap - INT TERM
  kill -TERM ${worker:+"$worker"} ${web:+"$web"} 2>/dev/null
  wait # for both (and a pending restart pause)
  exit "${1:-0}"
}
trap 'stop_all 0' INT TERM

echo "ZI Tracker: http://127.0.0.1:$PORT  (Ctrl+C to stop)"
"$VENV/gunicorn" --bind "127.0.0.1:$PORT" --workers 2 --threads 4 --timeout 120 \
  --access-logfile - "wsgi:app" &
web=$!
start_worker

delay=$MIN_DELAY
while :; do
  ended=""
  wait -n -p ended "$web" "$worker"
  status=$?
  if [ "$ended" = "$web" ]; then
    echo "serve.sh: gunicorn exited with $status; stopping the job worker" >&2
    web=""
    stop_all "$status"
  elif [ "$ended" = "$worker" ]; then
    if ((SECONDS - worker_started >= HEALTHY_AFTER)); then delay=$MIN_DELAY; fi
    echo "serve.sh: job worker exited with $status; starting it again in ${delay}s" >&2
    worker=""
    sleep "$delay" &
    wait $! # a stop signal interrupts the pause
    start_worker
    delay=$((delay * 2 > MAX_DELAY ? MAX_DELAY : delay * 2))
  fi
done
