#!/usr/bin/env bash
# Runs db001-slt over sqllogictest files of ../shared/suites with a minimum pass rate, judging
# records where the corpus (written for SQLite) and PostgreSQL disagree by a throwaway
# PostgreSQL 15 server (test/pg_scratch.sh), as the suites' README asks.
# Usage: run_suite.sh DB001_SLT MIN_PASS_RATE PATH... (paths relative to the suites' sqllogictest/)
# Exits 77 (ctest: skipped) with a message when ../shared/suites is not there (a user's clone).
set -euo pipefail
slt=$1
rate=$2
shift 2
root="$(cd "$(dirname "$0")/../.." && pwd)"
suites="${DB001_SUITES:-$root/../shared/suites}/sqllogictest"
if [ ! -d "$suites" ]; then
  echo "skipped: $suites not found (the shared test suites are not part of a plain clone)"
  exit 77
fi
paths=()
for p in "$@"; do paths+=("$suites/$p"); done
oracle=()
if [ -z "${DB001_SLT_NO_ORACLE:-}" ] && [ -x /usr/lib/postgresql/15/bin/initdb ]; then
  if eval "$("$root/test/pg_scratch.sh" start)"; then
    trap '"$root/test/pg_scratch.sh" stop "$PG_SCRATCH_DIR"' EXIT
    oracle=(--pg "$PG_CONNINFO")
  else
    echo "warning: could not start PostgreSQL; judging by the corpus alone"
  fi
fi
timeout 1200 "$slt" --min-pass-rate "$rate" "${oracle[@]}" "${paths[@]}"
