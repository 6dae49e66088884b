#!/usr/bin/env bash
# Installs the Debian packages and the PyPI test tooling ingot needs. Idempotent and
# silent when everything is already there.
source "$(dirname "$0")/lib.sh"

DEBIAN_PACKAGES=(
  cmake ninja-build g++ pkg-config python3 python3-venv unzip
  llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools clang-19 libclang-rt-19-dev
  libflatbuffers-dev flatbuffers-compiler libcxxopts-dev nlohmann-json3-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libpcre2-dev libxxhash-dev
)

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  step "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# PyPI test tooling, pinned, in the project's own venv (fixtures made by an
# independent GGUF writer, to cross-check our reader).
VENV="$INGOT_ROOT/.venv"
PY_PACKAGES=(gguf==0.19.0 numpy==2.4.6)
if [ ! -x "$VENV/bin/python" ]; then
  step "creating $VENV"
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" - "${PY_PACKAGES[@]}" <<'PY' 2>/dev/null; then
import sys
from importlib.metadata import version
for spec in sys.argv[1:]:
    name, want = spec.split("==")
    if version(name) != want:
        sys.exit(1)
PY
  step "installing PyPI test tooling: ${PY_PACKAGES[*]}"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "${PY_PACKAGES[@]}"
fi
