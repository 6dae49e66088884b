#!/usr/bin/env bash
# Configures (once) and builds ingot with CMake + Ninja into build/. Prints nothing
# when nothing changed.
source "$(dirname "$0")/lib.sh"

if [ ! -f "$INGOT_BUILD/build.ninja" ]; then
  step "configuring and building $INGOT_BUILD"
  cmake -S "$INGOT_ROOT" -B "$INGOT_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
# --quiet drops progress lines; what remains is compiler output, or ninja's
# "no work to do" / "Entering directory" chatter, which we drop too.
if ! output="$(ninja -C "$INGOT_BUILD" --quiet 2>&1)"; then
  printf '%s\n' "$output" >&2
  exit 1
fi
output="$(printf '%s\n' "$output" | grep -vE '^ninja: (no work to do|Entering directory)' || true)"
if [ -n "$output" ]; then printf '%s\n' "$output"; fi
