#!/usr/bin/env bash
# Installs missing dependencies, then configures (Release, Ninja, ccache) and builds
# everything into build/ (binaries in build/bin/).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build}
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release}
fi
cmake --build "$BUILD_DIR" -j "$(nproc)"
