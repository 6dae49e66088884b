#!/usr/bin/env bash
# Create (or reuse) the Python venv holding the llama.cpp peer used to make and
# check ingot's golden data: llama-cpp-python (builds llama.cpp from source with
# cmake; minutes on 2 cores, pip caches the built wheel), gguf, numpy, and
# Hugging Face's tokenizers (a binary wheel).
#
#   scripts/goldens/peer-env.sh            # prints the venv path on stdout
#   INGOT_PEER_VENV=/tmp/peervenv scripts/goldens/peer-env.sh
#
# Idempotent: when every pinned package is already installed at its pinned
# version, nothing is installed and only the path is printed.
# Env: INGOT_PEER_VENV (venv dir, default <repo>/.venv-peer), PYTHON (the
# interpreter that creates the venv, default python3), CMAKE_ARGS /
# CMAKE_BUILD_PARALLEL_LEVEL are honoured by the llama-cpp-python build.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${INGOT_PEER_VENV:-$repo/.venv-peer}"
python="${PYTHON:-python3}"

# Exactly the versions the committed goldens (test/golden/model/) were made with.
pins=(
  "llama-cpp-python==0.3.36"
  "gguf==0.19.0"
  "numpy==2.4.6"
  "tokenizers==0.23.3"  # Hugging Face's, for test/golden/tokenizer/hf_sentencepiece.jsonl
)

if [[ ! -x "$venv/bin/python" ]]; then
  echo "peer-env: creating venv $venv" >&2
  "$python" -m venv "$venv" >&2
fi

# Which pins are missing or at another version?
missing="$("$venv/bin/python" - "${pins[@]}" <<'PY'
import sys
from importlib import metadata
for pin in sys.argv[1:]:
    name, want = pin.split("==")
    try:
        have = metadata.version(name)
    except metadata.PackageNotFoundError:
        have = None
    if have != want:
        print(pin)
PY
)"

# llama.cpp 0.3.36's AMX matmul (built whenever -march=native has AMX) segfaults in
# ggml_backend_amx_mul_mat on SmolLM2, in q4_0 and q4_1 alike, so on AMX CPUs the peer is built
# for the same CPU with every AVX-512 extension but no AMX. The flags are recorded in the venv,
# and a build with other flags is replaced (pip's wheel cache does not key on CMAKE_ARGS).
build_flags=""
if grep -qw amx_int8 /proc/cpuinfo 2>/dev/null; then
  build_flags="-DGGML_NATIVE=OFF -DGGML_AVX512=ON -DGGML_AVX512_VBMI=ON -DGGML_AVX512_VNNI=ON"
  build_flags+=" -DGGML_AVX512_BF16=ON -DGGML_AVX_VNNI=ON"
fi
flags_file="$venv/ingot-llama-cpp-cmake-args"
if [[ "$(cat "$flags_file" 2>/dev/null)" != "$build_flags" ]] && ! grep -q llama-cpp <<<"$missing"; then
  echo "peer-env: rebuilding llama-cpp-python with CMAKE_ARGS '$build_flags'" >&2
  "$venv/bin/python" -m pip uninstall --disable-pip-version-check -q -y llama-cpp-python >&2
  missing="${pins[0]} $missing"
fi

if [[ -n "$missing" ]]; then
  echo "peer-env: installing into $venv:" $missing >&2
  # shellcheck disable=SC2086
  CMAKE_ARGS="${CMAKE_ARGS:-} $build_flags" "$venv/bin/python" -m pip install \
    --disable-pip-version-check -q --no-cache-dir $missing >&2
  printf '%s' "$build_flags" >"$flags_file"
fi

echo "$venv"
