#!/usr/bin/env bash
# The main job: install what is needed, fetch the real SmolLM2 model, build,
# compile the model to a .ingot artifact, and generate text from it on the CPU.
source "$(dirname "$0")/lib.sh"

"$INGOT_ROOT/scripts/install-deps.sh"
"$INGOT_ROOT/scripts/fetch-model.sh"
"$INGOT_ROOT/scripts/build.sh"

artifact="$INGOT_BUILD/SmolLM2-135M-Instruct.ingot"
step "ingot-compile $INGOT_SMOLLM2_GGUF -o $artifact"
"$INGOT_BUILD/bin/ingot-compile" "$INGOT_SMOLLM2_GGUF" -o "$artifact"

step "ingot-run $artifact -p 'The capital of France is' -n 48 --temp 0"
"$INGOT_BUILD/bin/ingot-run" "$artifact" -p "The capital of France is" -n 48 --temp 0

step "ingot-run $artifact --chat -p 'Write a haiku about compilers.' --seed 42"
"$INGOT_BUILD/bin/ingot-run" "$artifact" --chat -p "Write a haiku about compilers." -n 96 \
  --temp 0.7 --top-p 0.9 --seed 42
