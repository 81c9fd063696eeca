#!/usr/bin/env bash
# CI job: the tenancy and payment tests through a local PgBouncer in transaction mode (one
# PostgreSQL server connection per pool shared by every test connection), with the application
# in transaction-pooling mode (DB_TRANSACTION_POOLING=1: search_path per statement, no session
# state). Skipped with a message when pgbouncer is not installed.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then
  echo "pgbouncer not installed: PgBouncer job skipped"; exit 0
fi
PY=${PY:-.venv/bin/python}
url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/thongthin_ci}
hostport=${url#*@}; hostport=${hostport%%/*}
pg_host=${hostport%%:*}; pg_port=${hostport##*:}; [ "$pg_port" = "$hostport" ] && pg_port=5432
dir=$(mktemp -d)
port=$("$PY" -m tests.pgbouncer "$dir" "$pg_host" "$pg_port")
stop() { [ -f "$dir/pgbouncer.pid" ] && kill -INT "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true; rm -rf "$dir"; }
trap stop EXIT
echo "== PgBouncer job: tests/tenants tests/services/payments via 127.0.0.1:$port (transaction mode)"
DATABASE_URL="${url%%@*}@127.0.0.1:$port/${url##*/}" DB_TRANSACTION_POOLING=1 THONGTHIN_TESTING=1 \
  THONGTHIN_TEST_PG_DIRECT="$pg_host:$pg_port" \
  "$PY" -m pytest -n "${TEST_WORKERS:-2}" -p no:cacheprovider -q tests/tenants tests/services/payments \
  tests/platform/test_celery_tenancy.py
