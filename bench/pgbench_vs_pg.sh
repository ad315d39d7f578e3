#!/usr/bin/env bash
# pgbench against db001 and against a real PostgreSQL 15 started by this script, both on free
# loopback ports, same pgbench (Debian's), same box; prints TPS and the ratio db001/PostgreSQL.
# Until durability lands PostgreSQL runs with synchronous_commit=off (the issue's rule).
#
# usage: bench/pgbench_vs_pg.sh [--scale 10] [--time 20] [--clients "1 8"]
#                               [--scripts "tpcb-like select-only"] [--modes "simple prepared"]
# Needs build/bin/db001 (tools/build.sh). Targets (issue 3, 8 clients): tpcb-like >= 3x, select-only >= 2x.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=10 duration=20 clients="1 8" scripts="tpcb-like select-only" modes="simple prepared"
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) scale=$2; shift 2 ;;
    --time) duration=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --scripts) scripts=$2; shift 2 ;;
    --modes) modes=$2; shift 2 ;;
    *) echo "usage: $0 [--scale N] [--time S] [--clients \"1 8\"] [--scripts \"...\"] [--modes \"...\"]" >&2; exit 2 ;;
  esac
done
PGBIN=/usr/lib/postgresql/15/bin
[ -x build/bin/db001 ] || { echo "build/bin/db001 missing: run tools/build.sh" >&2; exit 1; }

work=$(mktemp -d /tmp/db001-pgbench.XXXXXX)
pg_dir="" db_pid=""
cleanup() {
  [ -n "$db_pid" ] && kill "$db_pid" 2>/dev/null && wait "$db_pid" 2>/dev/null || true
  [ -n "$pg_dir" ] && test/pg_scratch.sh stop "$pg_dir"
  rm -rf "$work"
}
trap cleanup EXIT

eval "$(PG_SCRATCH_OPTS="-c synchronous_commit=off -c shared_buffers=512MB -c max_connections=50" test/pg_scratch.sh start)"
pg_dir=$PG_SCRATCH_DIR
pg_port=$(sed -n "s/.*port=\([0-9]*\).*/\1/p" <<<"$PG_CONNINFO")

build/bin/db001 --port 0 --http-port 0 --data-dir "$work/data" >"$work/db001.log" 2>&1 &
db_pid=$!
for _ in $(seq 100); do
  db_port=$(sed -n 's/.*connections on [^ ]*:\([0-9]*\).*/\1/p' "$work/db001.log")
  [ -n "$db_port" ] && break
  sleep 0.1
done
[ -n "$db_port" ] || { cat "$work/db001.log" >&2; exit 1; }

bench() {  # port script mode clients -> tps
  local j=$(( $4 < 2 ? 1 : 2 ))
  timeout $((duration + 120)) "$PGBIN/pgbench" -h 127.0.0.1 -p "$1" -U postgres -n -b "$2" -M "$3" -c "$4" -j "$j" \
    -T "$duration" postgres 2>&1 | sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
}
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores shared by pgbench and the server)"
for port in "$pg_port" "$db_port"; do
  "$PGBIN/pgbench" -h 127.0.0.1 -p "$port" -U postgres -i -q -s "$scale" postgres >"$work/init.log" 2>&1 ||
    { cat "$work/init.log" >&2; exit 1; }
done
printf "%-12s %-9s %7s %14s %14s %8s\n" script mode clients "db001 tps" "pg15 tps" ratio
for script in $scripts; do
  for mode in $modes; do
    for c in $clients; do
      pg=$(bench "$pg_port" "$script" "$mode" "$c")
      db=$(bench "$db_port" "$script" "$mode" "$c")
      ratio=$(awk -v a="${db:-0}" -v b="${pg:-0}" 'BEGIN { printf (b > 0 ? "%.2fx" : "n/a"), (b > 0 ? a / b : 0) }')
      printf "%-12s %-9s %7s %14s %14s %8s\n" "$script" "$mode" "$c" "${db:-failed}" "${pg:-failed}" "$ratio"
    done
  done
done
echo "(scale $scale, $duration s per run, PostgreSQL 15 with synchronous_commit=off; load average now $(cut -d' ' -f1-3 /proc/loadavg))"
