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
  pg_pid=$(head -1 "$pg_dir/data/postmaster.pid")
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

# CPU seconds (user + system, with reaped children: PostgreSQL's backends) of a process so far.
cpu_of() {  # pid
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15 + $16 + $17) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# Runs pgbench; sets tps, tx (transactions), pgb_cpu (pgbench's CPU seconds) and srv_cpu (the
# server's CPU seconds during the run; PostgreSQL: the postmaster and its reaped backends).
bench() {  # port script mode clients server-pid
  local j=$(( $4 < 2 ? 1 : 2 )) out c0 c1 TIMEFORMAT='%U %S'
  c0=$(cpu_of "$5")
  out=$( { time timeout $((duration + 120)) "$PGBIN/pgbench" -h 127.0.0.1 -p "$1" -U postgres -n -b "$2" -M "$3" \
           -c "$4" -j "$j" -T "$duration" postgres; } 2>&1 )
  sleep 1  # PostgreSQL's backends exit and are reaped (their CPU joins the postmaster's)
  c1=$(cpu_of "$5")
  tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out")
  tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
  pgb_cpu=$(tail -1 <<<"$out" | awk '{ print $1 + $2 }')
  srv_cpu=$(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')
}

us_per_tx() {  # cpu-seconds transactions
  awk -v c="$1" -v n="${2:-0}" 'BEGIN { printf (n > 0 ? "%.1f" : "n/a"), (n > 0 ? c * 1e6 / n : 0) }'
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
  printf "%-12s %-9s %7s %12s %12s %7s %16s   %s\n" script mode clients "db001 tps" "pg15 tps" ratio "commits/fsync" \
    "CPU us/tx: pgbench db001 | pgbench pg15"
  for script in $r_scripts; do
    for mode in $modes; do
      for c in $r_clients; do
        bench "$pg_port" "$script" "$mode" "$c" "$pg_pid"
        pg=$tps pg_cpu="$(us_per_tx "$pgb_cpu" "$tx") $(us_per_tx "$srv_cpu" "$tx")"
        c0=$(metric db001_wal_commits_total) f0=$(metric db001_wal_fsyncs_total)
        bench "$db_port" "$script" "$mode" "$c" "$db_pid"
        db=$tps db_cpu="$(us_per_tx "$pgb_cpu" "$tx") $(us_per_tx "$srv_cpu" "$tx")"
        c1=$(metric db001_wal_commits_total) f1=$(metric db001_wal_fsyncs_total)
        ratio=$(awk -v a="${db:-0}" -v b="${pg:-0}" 'BEGIN { printf (b > 0 ? "%.2fx" : "n/a"), (b > 0 ? a / b : 0) }')
        cpf=$(awk -v c="$((c1 - c0))" -v f="$((f1 - f0))" 'BEGIN { printf (f > 0 ? "%.2f (%d/%d)" : "n/a"), (f > 0 ? c / f : 0), c, f }')
        printf "%-12s %-9s %7s %12s %12s %7s %16s   %s | %s\n" "$script" "$mode" "$c" "${db:-failed}" "${pg:-failed}" \
          "$ratio" "$cpf" "$db_cpu" "$pg_cpu"
      done
    done
  done
  stop_servers
done
echo "(scale $scale, $duration s per run; load average now $(cut -d' ' -f1-3 /proc/loadavg))"
echo "CPU us/tx: CPU time per transaction of pgbench and of the server (user + system; PostgreSQL with its"
echo "backends). pgbench and the server share $(nproc) cores, so no server can exceed"
echo "$(nproc) cores / (pgbench's us/tx + its own us/tx) transactions per second."
