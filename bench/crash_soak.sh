#!/usr/bin/env bash
# Crash soak: 100 (or $1) cycles of the kill test — concurrent libpq clients commit, the
# server is killed with SIGKILL at a random moment and restarted — and prints the number of
# acknowledged transactions lost (must be 0). Builds first if needed.
#   bench/crash_soak.sh [CYCLES] [--sync off]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/bin/db001 ] || tools/build.sh
cycles=${1:-100}
shift || true
timeout $((cycles * 30 + 120)) /usr/bin/python3 test/e2e/crash_kill.py build/bin "$cycles" "$@"
