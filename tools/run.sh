#!/usr/bin/env bash
# Installs what is missing, builds, and starts the DB-001 server on its default config
# (config/database.yaml: loopback only, PostgreSQL protocol on 5432, HTTP on 8080, data under
# ./data). Extra arguments go to the server (e.g. --port 6543). Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh
exec build/bin/db001 --config config/database.yaml "$@"
