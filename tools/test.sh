#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the Boost.Test suites through
# ctest (unit, integration, examples) and the sqllogictest gate over ../shared/suites
# (skipped with a message when that folder is absent).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh
cd build
timeout 1500 ctest --output-on-failure -j 2
