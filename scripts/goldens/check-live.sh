#!/usr/bin/env bash
# Compares every committed golden with the live peer (llama.cpp via
# llama-cpp-python, gguf-py, ggml, Hugging Face tokenizers), installing the pinned peer first
# (scripts/goldens/peer-env.sh; building llama.cpp takes minutes the first time).
# Exits non-zero on any mismatch. Pass --write to regenerate the goldens instead.
source "$(dirname "$0")/../lib.sh"

"$INGOT_ROOT/scripts/fetch-model.sh"
"$INGOT_ROOT/scripts/fetch-vocabs.sh"
"$INGOT_ROOT/scripts/fetch-gemma3.sh"
venv="$("$INGOT_ROOT/scripts/goldens/peer-env.sh" | tail -n 1)"
py="$venv/bin/python"
golden="$INGOT_ROOT/test/golden"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# SmolLM2 with Llama 3's rope scaling (rope_freqs.weight), for test/golden/model-llama3-rope.
llama3_gguf="$tmp/smollm2-llama3-rope.gguf"
"$py" "$INGOT_ROOT/test/fixtures/add_llama3_rope.py" "$INGOT_SMOLLM2_GGUF" "$llama3_gguf" >/dev/null
# SmolLM2 as a Qwen 3 (QK-norm, NeoX rope), for test/golden/model-qwen3.
qwen3_gguf="$tmp/smollm2-qwen3.gguf"
"$py" "$INGOT_ROOT/test/fixtures/llama_to_qwen3.py" "$INGOT_SMOLLM2_GGUF" "$qwen3_gguf" >/dev/null

if [ "${1:-}" = "--write" ]; then
  step "writing goldens"
  "$py" "$INGOT_ROOT/scripts/goldens/make_model_goldens.py" "$INGOT_SMOLLM2_GGUF" "$golden/model"
  "$py" "$INGOT_ROOT/scripts/goldens/make_model_goldens.py" "$llama3_gguf" "$golden/model-llama3-rope"
  "$py" "$INGOT_ROOT/scripts/goldens/make_model_goldens.py" "$qwen3_gguf" "$golden/model-qwen3"
  "$py" "$INGOT_ROOT/scripts/goldens/make_model_goldens.py" "$INGOT_GEMMA3_GGUF" "$golden/model-gemma3" --ppl-ctx 1024
  "$py" "$INGOT_ROOT/scripts/goldens/make_tokenizer_goldens.py" --model "$INGOT_SMOLLM2_GGUF"
  "$py" "$INGOT_ROOT/scripts/goldens/make_hf_tokenizer_goldens.py"
  "$py" "$INGOT_ROOT/scripts/goldens/make_chat_template_goldens.py"
  "$py" "$INGOT_ROOT/scripts/goldens/make_quant_vectors.py"
  exit 0
fi

step "model goldens vs llama.cpp"
"$py" "$INGOT_ROOT/scripts/goldens/make_model_goldens.py" "$INGOT_SMOLLM2_GGUF" "$golden/model" --check
step "Llama 3 rope-scaled model goldens vs llama.cpp"
"$py" "$INGOT_ROOT/scripts/goldens/make_model_goldens.py" "$llama3_gguf" "$golden/model-llama3-rope" --check
step "Qwen 3 (QK-norm) model goldens vs llama.cpp"
"$py" "$INGOT_ROOT/scripts/goldens/make_model_goldens.py" "$qwen3_gguf" "$golden/model-qwen3" --check
step "Gemma 3 270M model goldens vs llama.cpp"
"$py" "$INGOT_ROOT/scripts/goldens/make_model_goldens.py" "$INGOT_GEMMA3_GGUF" "$golden/model-gemma3" --check
step "tokenizer goldens vs llama.cpp"
"$py" "$INGOT_ROOT/scripts/goldens/make_tokenizer_goldens.py" --model "$INGOT_SMOLLM2_GGUF" --check
step "SentencePiece tokenizer.json goldens vs Hugging Face tokenizers"
"$py" "$INGOT_ROOT/scripts/goldens/make_hf_tokenizer_goldens.py" --check
step "chat-template cases vs llama.cpp's test-chat-template.cpp"
"$py" "$INGOT_ROOT/scripts/goldens/make_chat_template_goldens.py" --check
step "quant vectors vs gguf-py and ggml (regenerated; byte-identical expected)"
mkdir "$tmp/quant"
"$py" "$INGOT_ROOT/scripts/goldens/make_quant_vectors.py" --out "$tmp/quant"
diff -r "$golden/quant" "$tmp/quant" --exclude=README.md
step "all goldens agree with the live peer"
