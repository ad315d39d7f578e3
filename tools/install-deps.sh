#!/usr/bin/env bash
# Installs the Debian 12 packages DB-001 needs (only the missing ones).
# Works as root, or through sudo for anyone else.
set -euo pipefail

PACKAGES=(
  g++ cmake ninja-build ccache pkg-config
  libcaf-dev libtbb-dev libxsimd-dev libjemalloc-dev libboost-test-dev
  libpg-query-dev libprotobuf-c-dev libsimdjson-dev libyaml-cpp-dev libcpp-httplib-dev
  libreadline-dev libssl-dev libpq-dev postgresql postgresql-client sqlite3 libsqlite3-dev
  python3-psycopg2
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
