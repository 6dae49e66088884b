#!/usr/bin/env bash
# Installs what is needed, fetches the real models (SmolLM2, Gemma 3) and llama.cpp's tokenizer test vocabularies,
# builds, and runs every test:
# GoogleTest units, lit tool tests, the no-MLIR runtime check and the fuzzers.
source "$(dirname "$0")/lib.sh"

"$INGOT_ROOT/scripts/install-deps.sh"
"$INGOT_ROOT/scripts/fetch-model.sh"
"$INGOT_ROOT/scripts/fetch-vocabs.sh"
"$INGOT_ROOT/scripts/fetch-gemma3.sh"
"$INGOT_ROOT/scripts/build.sh"

step "ctest"
jobs="$(nproc 2>/dev/null || echo 2)"
ctest --test-dir "$INGOT_BUILD" --output-on-failure --timeout 600 -j "$jobs"
