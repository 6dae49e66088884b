#!/usr/bin/env bash
# Helper of kill_during_compile.test: kills ingot-compile at several points.
set -u
model="$1" dest="$2"
folder="$(dirname "$dest")"
for delay in 0.02 0.05 0.1 0.2 0.3 0.45; do
  ingot-compile "$model" --encoding q8_0 -o "$dest" 2>/dev/null &
  pid=$!
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  if [ -e "$dest" ]; then
    # The rename may have happened before the kill: then the file must be whole.
    ingot-inspect "$dest" > /dev/null || { echo "killed after ${delay}s: $dest is corrupt"; exit 1; }
    rm -f "$dest"
  fi
done
ingot-compile "$model" --encoding q8_0 -o "$dest" 2>/dev/null || { echo "clean run failed"; exit 1; }
[ -s "$dest" ] || { echo "clean run wrote nothing"; exit 1; }
leftover="$(find "$folder" -name '.model.ingot.tmp-*')"
[ -z "$leftover" ] || { echo "temporary files left behind: $leftover"; exit 1; }
echo "ok: no partial artifact after 6 kills"
