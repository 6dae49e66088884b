#!/usr/bin/env bash
# Checks that a GPU machine could configure the runtime-only build: makes the dependency bundle
# (scripts/bundle-gpu.sh) into a scratch folder, then configures -DINGOT_RUNTIME_ONLY=ON from it
# alone (no MLIR, no system packages for PCRE2, xxHash, cxxopts, nlohmann-json, FlatBuffers or
# GoogleTest), and checks that the bundle stays small enough to carry (64 MiB).
#   check_runtime_only_build.sh SOURCE_DIR INGOT_COMPILE SCRATCH_DIR
set -euo pipefail
source_dir=$1 compile=$2 scratch=$3
rm -rf "$scratch"
mkdir -p "$scratch"
INGOT_COMPILE="$compile" "$source_dir/scripts/bundle-gpu.sh" "$scratch/bundle"
size_kib=$(du -sk "$scratch/bundle" | cut -f1)
if [ "$size_kib" -gt $((16 * 1024)) ]; then
  echo "check_runtime_only_build: the bundle is $size_kib KiB, over 16 MiB" >&2
  exit 1
fi
for artifact in "$scratch"/bundle/artifacts/*.ingot; do
  [ "$(stat -c %s "$artifact")" -lt 262144 ] || { echo "$artifact is not a small dummy artifact" >&2; exit 1; }
done
cmake -S "$source_dir" -B "$scratch/build" -DINGOT_RUNTIME_ONLY=ON \
      -DINGOT_DEPS_BUNDLE="$scratch/bundle" -DINGOT_ENABLE_CUDA=OFF > "$scratch/configure.log" 2>&1 ||
  { cat "$scratch/configure.log"; exit 1; }
grep -q "ingot: dependencies from $scratch/bundle" "$scratch/configure.log" ||
  { echo "check_runtime_only_build: the configure did not take the bundle" >&2; exit 1; }
if grep -q "^MLIR_DIR:" "$scratch/build/CMakeCache.txt"; then
  echo "check_runtime_only_build: the runtime-only configure looked for MLIR" >&2
  exit 1
fi
echo "check_runtime_only_build: bundle $size_kib KiB; the runtime-only build configures from it"
