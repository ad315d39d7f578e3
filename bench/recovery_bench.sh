#!/usr/bin/env bash
# Restart / WAL replay / checkpoint figures of db001 (issue "Durability").
#
#   1. wal:        pgbench -i -s SCALE into a fresh server (checkpoint_interval=1h,
#                  max_wal_size=64GB: no checkpoint), kill -9 right after the load, restart
#                  RUNS times (kill -9 after each): everything is WAL replay.
#   2. default:    the same load with the default configuration (a checkpoint every
#                  max_wal_size = 256MB of WAL), kill -9 right after the load, restart RUNS times
#                  (the newest checkpoint + at most about max_wal_size of WAL).
#   3. checkpoint: the same load, then CHECKPOINT, kill -9 right after it, restart RUNS times
#                  (checkpoint load + the little WAL after it).
#   4. small:      WAL of many small commits: pgbench -i -s 1, then tpcb-like for SMALL_TIME s
#                  (synchronous_commit=off), kill -9, restart RUNS times: replay records/s.
#   5. during:     on the checkpointed database of 2, pgbench tpcb-like (prepared, 8 clients)
#                  for TPS_TIME s with checkpoint_interval=5s; per-second TPS (pgbench -P 1)
#                  split into seconds that overlap a checkpoint and seconds that do not.
# Restart time = from starting the process to its "accepting PostgreSQL connections" line;
# the replay figures are read from the server's recovery log lines.
#
# usage: bench/recovery_bench.sh [--scale 60] [--shared-buffers 4GB] [--runs 2] [--small-time 30]
#                                [--tps-time 20] [--only "wal default checkpoint small during"]
# Needs build/bin/db001 and Debian's pgbench/psql. Uses /tmp (about 3 GB of disk at scale 60).
# Targets: replay >= 1 M records/s, restart < 5 s.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=60 shared_buffers=4GB runs=2 small_time=30 tps_time=20 only="wal default checkpoint small during"
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) scale=$2; shift 2 ;;
    --shared-buffers) shared_buffers=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --small-time) small_time=$2; shift 2 ;;
    --tps-time) tps_time=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    *) echo "usage: $0 [--scale N] [--shared-buffers 4GB] [--runs N] [--small-time S] [--tps-time S] [--only \"...\"]" >&2
       exit 2 ;;
  esac
done
PGBIN=/usr/lib/postgresql/15/bin
[ -x build/bin/db001 ] || { echo "build/bin/db001 missing: run tools/build.sh" >&2; exit 1; }

# Memory: pgbench data is ~160 MB of table data per 10 scale units in db001; recovery builds
# the same tables again, so ask for about twice that plus headroom.
avail_mb=$(awk '/MemAvailable/ { print int($2 / 1024) }' /proc/meminfo)
limit=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || echo max)
need_mb=$((scale * 16 * 2 + 1024))
echo "memory: ${avail_mb} MB available, cgroup limit ${limit}; scale ${scale} needs about ${need_mb} MB"
if [ "$avail_mb" -lt "$need_mb" ]; then
  scale=$(( (avail_mb - 1024) / 32 ))
  echo "memory: NOT enough for the requested scale: using scale ${scale} instead" >&2
fi

work=$(mktemp -d /tmp/db001-recovery.XXXXXX)
db_pid=""
stop_server() {  # signal
  if [ -n "$db_pid" ]; then
    kill "-${1:-TERM}" "$db_pid" 2>/dev/null || true
    wait "$db_pid" 2>/dev/null || true
  fi
  db_pid=""
}
cleanup() {
  stop_server KILL
  rm -rf "$work"
}
trap cleanup EXIT

# Every server output line gets a wall-clock stamp (seconds since the epoch).
stamp() { python3 -u -c 'import sys, time
for l in sys.stdin: sys.stdout.write("%.3f %s" % (time.time(), l)); sys.stdout.flush()'; }

start_server() {  # datadir log extra-options... -> db_port, http_port, t_start, t_ready
  local dir=$1 log=$2
  shift 2
  : >"$log"
  t_start=$(date +%s.%N)
  build/bin/db001 --port 0 --http-port 0 --data-dir "$dir" -c database.shared_buffers="$shared_buffers" "$@" \
    > >(stamp >>"$log") 2>&1 &
  db_pid=$!
  db_port=""
  for _ in $(seq 6000); do  # up to 10 minutes of recovery
    db_port=$(sed -n 's/.*accepting PostgreSQL connections on [^ ]*:\([0-9]*\).*/\1/p' "$log")
    [ -n "$db_port" ] && break
    kill -0 "$db_pid" 2>/dev/null || { cat "$log" >&2; echo "db001 exited" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$db_port" ] || { cat "$log" >&2; exit 1; }
  http_port=$(sed -n 's/.*metrics on [^ ]*:\([0-9]*\).*/\1/p' "$log")
  t_ready=$(awk '/accepting PostgreSQL connections/ { print $1; exit }' "$log")
}

pgb() { timeout 1800 "$PGBIN/pgbench" -h 127.0.0.1 -p "$db_port" -U postgres "$@" postgres; }
psql_q() { timeout 120 psql -h 127.0.0.1 -p "$db_port" -U postgres -At -c "$1" postgres; }

# A recovery log's figures for database postgres: "restart_s ckpt_s records mb replay_s rec/s mb/s".
recovery_figures() {  # log
  python3 - "$1" "$t_start" "$t_ready" <<'PY'
import re, sys
log, t0, t1 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
ck = 0.0; rec = mb = rs = rps = mbs = 0.0
for l in open(log):
    if "recovery of" not in l or "/base/postgres" not in l: continue
    m = re.search(r"loaded checkpoint .* in ([0-9.]+) s", l)
    if m: ck = float(m.group(1))
    m = re.search(r"WAL replay done: (\d+) records, ([0-9.]+) MB in ([0-9.]+) s \(([0-9.]+) records/s, ([0-9.]+) MB/s\)", l)
    if m: rec, mb, rs, rps, mbs = (float(x) for x in m.groups())
print("%.2f %.2f %d %.1f %.2f %.0f %.1f" % (t1 - t0, ck, rec, mb, rs, rps, mbs))
PY
}

results="$work/results.txt"
: >"$results"
restarts() {  # label datadir expected-accounts options...
  local label=$1 dir=$2 expect=$3
  shift 3
  for i in $(seq "$runs"); do
    start_server "$dir" "$work/$label.restart$i.log" "$@"
    local f n
    f=$(recovery_figures "$work/$label.restart$i.log")
    n=$(psql_q "SELECT count(*) FROM pgbench_accounts")
    [ "$n" = "$expect" ] || echo "WARNING: $label restart $i: pgbench_accounts has $n rows, expected $expect" >&2
    echo "$label $i $f $n" | tee -a "$results"
    stop_server KILL
  done
}
long="-c database.checkpoint_interval=1h -c database.max_wal_size=64GB"
rows=$((scale * 100000))
echo "columns: case run restart_s checkpoint_load_s replay_records replay_MB replay_s records/s MB/s accounts"

if [[ " $only " == *" wal "* ]]; then
  start_server "$work/wal" "$work/wal.load.log" $long -c database.synchronous_commit=off
  t=$(date +%s.%N); pgb -i -q -s "$scale" >"$work/wal.init.log" 2>&1 || { cat "$work/wal.init.log" >&2; exit 1; }
  echo "wal: pgbench -i -s $scale loaded in $(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s;" \
       "table data $(du -sh "$work/wal/wal" | cut -f1) of WAL"
  sleep 0.2  # synchronous_commit=off: the WAL writer's 10 ms window
  stop_server KILL
  restarts wal "$work/wal" "$rows" $long
  rm -rf "$work/wal"
fi

if [[ " $only " == *" default "* ]]; then
  # The default configuration: checkpoints every max_wal_size (256MB) of WAL during the load,
  # so a restart loads the newest checkpoint and replays at most about that much WAL.
  start_server "$work/default" "$work/default.load.log" -c database.synchronous_commit=off
  pgb -i -q -s "$scale" >"$work/default.init.log" 2>&1 || { cat "$work/default.init.log" >&2; exit 1; }
  echo "default: $(grep -c 'checkpoint of .*/base/postgres' "$work/default.load.log") checkpoints during the load;" \
       "$(du -sh "$work/default/wal/postgres" | cut -f1) of WAL kept"
  sleep 0.2
  stop_server KILL
  restarts default "$work/default" "$rows"
  rm -rf "$work/default"
fi

if [[ " $only " == *" checkpoint "* || " $only " == *" during "* ]]; then
  start_server "$work/ckpt" "$work/ckpt.load.log" $long -c database.synchronous_commit=off
  pgb -i -q -s "$scale" >"$work/ckpt.init.log" 2>&1 || { cat "$work/ckpt.init.log" >&2; exit 1; }
  psql_q "CHECKPOINT" >/dev/null
  echo "CHECKPOINT after the load took $(curl -s "http://127.0.0.1:$http_port/metrics" |
    awk '$1 == "db001_checkpoint_duration_seconds{database=\"postgres\"}" { print $2 }') s"
  stop_server KILL
  echo "checkpoint data: $(du -sh "$work/ckpt/base/postgres" | cut -f1) in base/postgres, $(du -sh "$work/ckpt/wal/postgres" | cut -f1) of WAL"
  if [[ " $only " == *" checkpoint "* ]]; then restarts checkpoint "$work/ckpt" "$rows" $long; fi
fi

if [[ " $only " == *" small "* ]]; then
  start_server "$work/small" "$work/small.load.log" $long -c database.synchronous_commit=off
  pgb -i -q -s 1 >"$work/small.init.log" 2>&1 || { cat "$work/small.init.log" >&2; exit 1; }
  pgb -n -b tpcb-like -M prepared -c 8 -j 2 -T "$small_time" >"$work/small.run.log" 2>&1
  echo "small: $(sed -n 's/^number of transactions actually processed: \(.*\)/\1/p' "$work/small.run.log") tpcb-like transactions in $small_time s"
  sleep 0.2
  stop_server KILL
  restarts small "$work/small" 100000 $long
  rm -rf "$work/small"
fi

if [[ " $only " == *" during "* ]]; then
  start_server "$work/ckpt" "$work/during.log" -c database.checkpoint_interval=5s
  pgb -n -b tpcb-like -M prepared -c 8 -j 2 -T "$tps_time" -P 1 --progress-timestamp >"$work/during.run.log" 2>&1
  stop_server TERM
  python3 - "$work/during.log" "$work/during.run.log" <<'PY' | tee -a "$results"
import re, sys
ckpts = []  # (start, end, kind, MB)
for l in open(sys.argv[1]):
    m = re.match(r"([0-9.]+) db001: checkpoint of \S*/base/postgres: (\d+) \((\w+)\).* ([0-9.]+) MB in ([0-9.]+) s", l)
    if m:
        end, dur = float(m.group(1)), float(m.group(5))
        ckpts.append((end - dur, end, m.group(3), float(m.group(4))))
secs = []  # (start, end, tps)
for l in open(sys.argv[2]):
    m = re.match(r"progress: ([0-9.]+) s, ([0-9.]+) tps", l)
    if m:
        t = float(m.group(1)); secs.append((t - 1, t, float(m.group(2))))
busy = [s for s in secs if any(a < s[1] and s[0] < b for a, b, _, _ in ckpts)]
idle = [s for s in secs if s not in busy]
avg = lambda xs: sum(x[2] for x in xs) / len(xs) if xs else 0
for a, b, k, mb in ckpts:
    print("during checkpoint %s %.2f s %.1f MB" % (k, b - a, mb))
print("during tps_without_checkpoint %.0f (%d s) tps_with_checkpoint %.0f (%d s) ratio %.2f" %
      (avg(idle), len(idle), avg(busy), len(busy), avg(busy) / avg(idle) if idle and busy else 0))
PY
fi

echo
echo "== summary (scale $scale, shared_buffers $shared_buffers; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
printf "%-11s %4s %10s %10s %12s %10s %9s %12s %8s\n" case run "restart s" "ckpt load" "WAL records" "WAL MB" "replay s" "records/s" "MB/s"
awk '$1 == "wal" || $1 == "default" || $1 == "checkpoint" || $1 == "small" {
       printf "%-11s %4s %10s %10s %12s %10s %9s %12s %8s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }' "$results"
grep '^during' "$results" || true
echo "targets: replay >= 1000000 records/s, restart < 5 s"
