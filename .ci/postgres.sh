#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on a loopback port, as the `postgres` user.
# Usage: source .ci/postgres.sh   (exports KAM_TEST_POSTGRES_URL and PG_TEST_DIR)
#        .ci/postgres.sh stop      (stops the cluster named by PG_TEST_DIR)
set -euo pipefail
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

if [ "${1:-}" = "stop" ]; then
  [ -n "${PG_TEST_DIR:-}" ] && su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$PG_TEST_DIR/data' -m fast stop" >/dev/null 2>&1 || true
  return 0 2>/dev/null || exit 0
fi

if [ ! -x "$PG_BIN/initdb" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
fi
id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres

PG_PORT=${PG_PORT:-$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")}
PG_TEST_DIR=$(mktemp -d /tmp/kam-pg.XXXXXX)
chown postgres "$PG_TEST_DIR"
su postgres -s /bin/sh -c "$PG_BIN/initdb -D '$PG_TEST_DIR/data' -A trust -U postgres -E UTF8 --locale=C.UTF-8" >/dev/null
su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$PG_TEST_DIR/data' -l '$PG_TEST_DIR/log' -w \
  -o \"-h 127.0.0.1 -p $PG_PORT -k '$PG_TEST_DIR' -c fsync=off -c synchronous_commit=off\" start" >/dev/null
su postgres -s /bin/sh -c "$PG_BIN/createdb -h 127.0.0.1 -p $PG_PORT -U postgres kam_test"
export PG_TEST_DIR
export KAM_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/kam_test"
echo "PostgreSQL test server at $KAM_TEST_POSTGRES_URL (data in $PG_TEST_DIR)"
