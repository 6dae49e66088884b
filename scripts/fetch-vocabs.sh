#!/usr/bin/env bash
# Fetches llama.cpp's tokenizer test vocabularies (models/ggml-vocab-*.gguf with the .inp texts
# and the .out ids llama.cpp must give for them) from the pinned llama-cpp-python source package
# on PyPI into models/vocab/, checking the package's sha256. Does nothing when they are there.
source "$(dirname "$0")/lib.sh"

SDIST_SPEC="llama-cpp-python==0.3.36"
SDIST_SHA256="832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e"
# The vocabularies whose tokenizer ingot implements (test/unit/tokenizer_vocab_test.cpp).
VOCABS="llama-spm phi-3 llama-bpe gpt-2 qwen2 qwen35 starcoder refact falcon deepseek-llm
        deepseek-coder command-r mpt"
dir="$INGOT_MODELS/vocab"
stamp="$dir/.$SDIST_SHA256"

if [ -f "$stamp" ]; then exit 0; fi

step "fetching llama.cpp's tokenizer test vocabularies from $SDIST_SPEC"
make_fetch_tmp
tmp="$fetch_tmp"
pip_download "$SDIST_SPEC" "$tmp" --no-binary :all:
sdist=("$tmp"/llama_cpp_python-*.tar.gz)
if [ "$(sha256sum "${sdist[0]}" | cut -d' ' -f1)" != "$SDIST_SHA256" ]; then
  echo "fetch-vocabs: error: ${sdist[0]##*/} from $SDIST_SPEC does not have sha256 $SDIST_SHA256" >&2
  exit 2
fi
members=()
for vocab in $VOCABS; do
  for suffix in "" .inp .out; do
    members+=("--wildcards" "*/vendor/llama.cpp/models/ggml-vocab-$vocab.gguf$suffix")
  done
done
tar -xzf "${sdist[0]}" -C "$tmp" "${members[@]}"
rm -rf "$dir"
mkdir -p "$dir"
mv "$tmp"/llama_cpp_python-*/vendor/llama.cpp/models/ggml-vocab-* "$dir/"
touch "$stamp"
step "vocabularies ready: $dir"
