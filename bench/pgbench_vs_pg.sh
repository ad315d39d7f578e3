#!/usr/bin/env bash
# pgbench against db001 and against a real PostgreSQL 15 started by this script, both on free
# loopback ports, same pgbench (Debian's), same box and disk (/tmp); prints TPS and the ratio
# db001/PostgreSQL.
#
#   --sync off: both servers with synchronous_commit=off (PostgreSQL also fsync=off, as before
#               durability landed; db001 still writes its WAL, flushed every 10 ms)
#   --sync on:  both with synchronous_commit=on and fsync on: a COMMIT returns once its WAL
#               record is on disk. tpcb-like at 8 clients by default; db001's commits per fsync
#               (group commit) are read from its /metrics before and after each run.
#   --sync both (default): the "on" round, then the "off" round.
#
# usage: bench/pgbench_vs_pg.sh [--sync on|off|both] [--scale 10] [--time 20]
#                               [--clients "1 8"] [--scripts "tpcb-like select-only"] [--modes "simple prepared"]
#                               [--on-clients "8"] [--on-scripts "tpcb-like"]
# --clients/--scripts are for the "off" round, --on-clients/--on-scripts for the "on" round.
# Needs build/bin/db001 (tools/build.sh). Targets (8 clients): tpcb-like >= 3x (both rounds),
# select-only >= 2x.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=10 duration=20 clients="1 8" scripts="tpcb-like select-only" modes="simple prepared" sync=both
on_clients="8" on_scripts="tpcb-like"
usage() {
  echo "usage: $0 [--sync on|off|both] [--scale N] [--time S] [--clients \"1 8\"] [--scripts \"...\"] [--modes \"...\"]" \
       "[--on-clients \"8\"] [--on-scripts \"tpcb-like\"]" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case "$1" in
    --sync) sync=$2; shift 2 ;;
    --scale) scale=$2; shift 2 ;;
    --time) duration=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --scripts) scripts=$2; shift 2 ;;
    --modes) modes=$2; shift 2 ;;
    --on-clients) on_clients=$2; shift 2 ;;
    --on-scripts) on_scripts=$2; shift 2 ;;
    *) usage ;;
  esac
done
case "$sync" in on) rounds="on" ;; off) rounds="off" ;; both) rounds="on off" ;; *) usage ;; esac
PGBIN=/usr/lib/postgresql/15/bin
[ -x build/bin/db001 ] || { echo "build/bin/db001 missing: run tools/build.sh" >&2; exit 1; }

work=$(mktemp -d /tmp/db001-pgbench.XXXXXX)
pg_dir="" db_pid=""
stop_servers() {
  if [ -n "$db_pid" ]; then kill "$db_pid" 2>/dev/null && wait "$db_pid" 2>/dev/null || true; fi
  db_pid=""
  if [ -n "$pg_dir" ]; then test/pg_scratch.sh stop "$pg_dir"; fi
  pg_dir=""
}
cleanup() {
  stop_servers
  rm -rf "$work"
}
trap cleanup EXIT

start_servers() {  # sync -> pg_port, db_port, http_port
  local s=$1 pg_opts
  if [ "$s" = on ]; then
    pg_opts="-c fsync=on -c synchronous_commit=on -c shared_buffers=512MB -c max_connections=50"
  else
    pg_opts="-c synchronous_commit=off -c shared_buffers=512MB -c max_connections=50"
  fi
  eval "$(PG_SCRATCH_OPTS="$pg_opts" test/pg_scratch.sh start)"
  pg_dir=$PG_SCRATCH_DIR
  pg_port=$(sed -n "s/.*port=\([0-9]*\).*/\1/p" <<<"$PG_CONNINFO")
  local log="$work/db001-sync-$s.log"  # one per round: a reused log could show the last round's port
  rm -rf "$work/data" "$log"
  build/bin/db001 --port 0 --http-port 0 --data-dir "$work/data" -c database.synchronous_commit="$s" \
    >"$log" 2>&1 &
  db_pid=$!
  db_port="" http_port=""
  for _ in $(seq 300); do
    db_port=$(sed -n 's/.*connections on [^ ]*:\([0-9]*\).*/\1/p' "$log" 2>/dev/null)
    [ -n "$db_port" ] && break
    sleep 0.1
  done
  [ -n "$db_port" ] || { cat "$log" >&2; exit 1; }
  http_port=$(sed -n 's/.*metrics on [^ ]*:\([0-9]*\).*/\1/p' "$log")
}

metric() {  # name -> value for database "postgres" (0 if absent)
  curl -s "http://127.0.0.1:$http_port/metrics" |
    awk -v n="$1{database=\"postgres\"}" '$1 == n { print $2; found = 1 } END { if (!found) print 0 }'
}

bench() {  # port script mode clients -> tps
  local j=$(( $4 < 2 ? 1 : 2 ))
  timeout $((duration + 120)) "$PGBIN/pgbench" -h 127.0.0.1 -p "$1" -U postgres -n -b "$2" -M "$3" -c "$4" -j "$j" \
    -T "$duration" postgres 2>&1 | sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
}

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores shared by pgbench and the server)"
for round in $rounds; do
  start_servers "$round"
  for port in "$pg_port" "$db_port"; do
    "$PGBIN/pgbench" -h 127.0.0.1 -p "$port" -U postgres -i -q -s "$scale" postgres >"$work/init.log" 2>&1 ||
      { cat "$work/init.log" >&2; exit 1; }
  done
  if [ "$round" = on ]; then
    echo "== synchronous_commit=on, fsync on (both servers, WAL on $(df --output=source /tmp | tail -1))"
    r_scripts=$on_scripts r_clients=$on_clients
  else
    echo "== synchronous_commit=off (PostgreSQL also fsync=off; db001 flushes its WAL every 10 ms)"
    r_scripts=$scripts r_clients=$clients
  fi
  printf "%-12s %-9s %7s %14s %14s %8s %16s\n" script mode clients "db001 tps" "pg15 tps" ratio "commits/fsync"
  for script in $r_scripts; do
    for mode in $modes; do
      for c in $r_clients; do
        pg=$(bench "$pg_port" "$script" "$mode" "$c")
        c0=$(metric db001_wal_commits_total) f0=$(metric db001_wal_fsyncs_total)
        db=$(bench "$db_port" "$script" "$mode" "$c")
        c1=$(metric db001_wal_commits_total) f1=$(metric db001_wal_fsyncs_total)
        ratio=$(awk -v a="${db:-0}" -v b="${pg:-0}" 'BEGIN { printf (b > 0 ? "%.2fx" : "n/a"), (b > 0 ? a / b : 0) }')
        cpf=$(awk -v c="$((c1 - c0))" -v f="$((f1 - f0))" 'BEGIN { printf (f > 0 ? "%.2f (%d/%d)" : "n/a"), (f > 0 ? c / f : 0), c, f }')
        printf "%-12s %-9s %7s %14s %14s %8s %16s\n" "$script" "$mode" "$c" "${db:-failed}" "${pg:-failed}" "$ratio" "$cpf"
      done
    done
  done
  stop_servers
done
echo "(scale $scale, $duration s per run; load average now $(cut -d' ' -f1-3 /proc/loadavg))"
