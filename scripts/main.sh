#!/usr/bin/env bash
# The main job: install what is needed, fetch the real SmolLM2 model, build, and
# run ingot on it. Until the runtime generates text, the job inspects the real
# GGUF, tokenizes a sample prompt, compiles the model to a .ingot artifact and
# inspects that.
source "$(dirname "$0")/lib.sh"

"$INGOT_ROOT/scripts/install-deps.sh"
"$INGOT_ROOT/scripts/fetch-model.sh"
"$INGOT_ROOT/scripts/build.sh"

step "ingot-inspect $INGOT_SMOLLM2_GGUF"
"$INGOT_BUILD/bin/ingot-inspect" "$INGOT_SMOLLM2_GGUF"
if [ -x "$INGOT_BUILD/bin/ingot-tokenize" ]; then
  step "ingot-tokenize $INGOT_SMOLLM2_GGUF"
  printf 'Hello, world! The year 2026 has 365 days.\n' | "$INGOT_BUILD/bin/ingot-tokenize" "$INGOT_SMOLLM2_GGUF"
fi

artifact="$INGOT_BUILD/SmolLM2-135M-Instruct.ingot"
step "ingot-compile $INGOT_SMOLLM2_GGUF -o $artifact"
"$INGOT_BUILD/bin/ingot-compile" "$INGOT_SMOLLM2_GGUF" -o "$artifact"
step "ingot-inspect $artifact"
"$INGOT_BUILD/bin/ingot-inspect" "$artifact"
