#!/usr/bin/env bash
# Configures (once) and builds ingot with CMake + Ninja into build/.
source "$(dirname "$0")/lib.sh"

if [ ! -f "$INGOT_BUILD/build.ninja" ]; then
  step "configuring $INGOT_BUILD"
  cmake -S "$INGOT_ROOT" -B "$INGOT_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DINGOT_PYTHON="$INGOT_ROOT/.venv/bin/python" >/dev/null
fi
ninja -C "$INGOT_BUILD" --quiet
