#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for tests: `eval "$(test/pg_scratch.sh start)"` sets
# PG_SCRATCH_DIR and PG_CONNINFO (socket in the temp dir, a free loopback port);
# `test/pg_scratch.sh stop DIR` stops it and removes the directory.
# As root the server runs as the postgres user (initdb refuses root); otherwise as you.
# PG_SCRATCH_OPTS adds server options (e.g. "-c synchronous_commit=off -c shared_buffers=1GB").
set -euo pipefail
PGBIN=/usr/lib/postgresql/15/bin
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "${1:-}" in
  start)
    dir=$(mktemp -d /tmp/db001-pg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    as_owner "$PGBIN/initdb" -D "$dir/data" -A trust -U postgres >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" -w -t 60 -l "$dir/server.log" \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=64MB ${PG_SCRATCH_OPTS:-}" start >/dev/null ||
      { cat "$dir/server.log" >&2; exit 1; }
    echo "PG_SCRATCH_DIR=$dir"
    echo "PG_CONNINFO='host=$dir port=$port user=postgres'"
    ;;
  stop)
    dir=${2:?usage: pg_scratch.sh stop DIR}
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start | stop DIR" >&2
    exit 2
    ;;
esac
