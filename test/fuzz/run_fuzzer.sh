#!/usr/bin/env bash
# Runs one libFuzzer harness for a fixed time from its seed corpus.
# Usage: run_fuzzer.sh FUZZER SEED_DIR WORK_DIR SECONDS
set -euo pipefail
fuzzer="$1" seeds="$2" work="$3" seconds="$4"
mkdir -p "$work"
cd "$work"
# New inputs go to $work/corpus (first dir); the committed seeds are read only.
mkdir -p corpus
exec "$fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
  -print_final_stats=1 corpus "$seeds"
