#!/usr/bin/env bash
# Run the whole pytest suite on SQLite and on a throwaway PostgreSQL at the same time.
# Each run is mostly one Python process on one core, so on a 2-core machine the two together take
# little longer than the slower one alone. Each run's output goes to its own log, printed whole
# when both have finished, so the two never interleave; the exit status fails if either failed.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST=(.venv/bin/python -m pytest -q -p no:cacheprovider "$@")
LOGS=$(mktemp -d /tmp/zi-test-logs.XXXXXX)
trap 'rm -rf "$LOGS"' EXIT

started=$(date +%s)
"${PYTEST[@]}" >"$LOGS/sqlite.log" 2>&1 &
sqlite_pid=$!
scripts/with-postgres.sh "${PYTEST[@]}" >"$LOGS/postgres.log" 2>&1 &
postgres_pid=$!

wait "$sqlite_pid"; sqlite_rc=$?
wait "$postgres_pid"; postgres_rc=$?

echo "== pytest on SQLite (exit $sqlite_rc) =="
cat "$LOGS/sqlite.log"
echo "== pytest on a throwaway PostgreSQL (exit $postgres_rc) =="
cat "$LOGS/postgres.log"
echo "both databases: $(( $(date +%s) - started )) s"
[ "$sqlite_rc" -eq 0 ] && [ "$postgres_rc" -eq 0 ]
