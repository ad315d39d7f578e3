#!/usr/bin/env bash
# The whole sqllogictest sample of ../shared/suites (select1-5, evidence, index, random),
# judged with the PostgreSQL oracle; about a minute. Not part of tools/test.sh (which gates
# select1-5 and evidence). Extra arguments go to db001-slt (e.g. --verbose, --json out.json).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh >/dev/null
exec test/slt/run_suite.sh build/bin/db001-slt 0 "$@" .
