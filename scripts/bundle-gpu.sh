#!/usr/bin/env bash
# Gathers into .gpu-bundle/ what bench/gpu.sh needs beyond CUDA on a GPU machine that can fetch
# nothing: GoogleTest's sources (from Debian's googletest package). Carry .gpu-bundle with the
# device tool's `carry`; it is about 2.5 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
src=/usr/src/googletest/googletest
if [ ! -d "$src" ]; then
  echo "bundle-gpu: $src is missing (install the googletest package: scripts/install-deps.sh)" >&2
  exit 2
fi
rm -rf .gpu-bundle
mkdir -p .gpu-bundle
cp -r "$src" .gpu-bundle/googletest
echo "bundle-gpu: wrote .gpu-bundle ($(du -sh .gpu-bundle | cut -f1))"
