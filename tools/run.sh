#!/usr/bin/env bash
# Installs what is missing, builds, and starts DB-001 on its default embedded config.
# Until the network server lands this is the interactive shell on an in-process database.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh
exec build/bin/db001-shell "$@"
