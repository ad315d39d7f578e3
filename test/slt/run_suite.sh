#!/usr/bin/env bash
# Runs db001-slt over sqllogictest files of ../shared/suites with a minimum pass rate.
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
exec timeout 1200 "$slt" --min-pass-rate "$rate" "${paths[@]}"
