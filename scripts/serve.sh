#!/usr/bin/env bash
# Serve the tracker on 127.0.0.1:${PORT:-5000} with gunicorn, plus the background-job worker.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-5000}"
VENV=.venv/bin

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

if [ -f tracker/jobs.py ]; then
  # The job worker shares the queue with the web workers (SQLite file by default, Redis if set).
  "$VENV/flask" --app tracker jobs worker &
  pids+=($!)
fi

echo "ZI Tracker: http://127.0.0.1:$PORT  (Ctrl+C to stop)"
"$VENV/gunicorn" --bind "127.0.0.1:$PORT" --workers 2 --threads 4 --timeout 120 \
  --access-logfile - "wsgi:app" &
pids+=($!)
wait -n "${pids[@]}"
