#!/usr/bin/env bash
# Create (or reuse) the Python venv holding the llama.cpp peer used to make and
# check ingot's golden data: llama-cpp-python (builds llama.cpp from source with
# cmake; minutes on 2 cores, pip caches the built wheel), gguf and numpy.
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

if [[ -n "$missing" ]]; then
  echo "peer-env: installing into $venv:" $missing >&2
  # shellcheck disable=SC2086
  "$venv/bin/python" -m pip install --disable-pip-version-check -q $missing >&2
fi

echo "$venv"
