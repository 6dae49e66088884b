#!/usr/bin/env bash
# Fails when a runtime target links MLIR or LLVM, by its CMake link interface or by
# the symbols in its archive or binary. Input: lines "name<TAB>file<TAB>libs<TAB>iface".
# With --expect-violation FILE it checks one file and succeeds only if it DOES find
# MLIR/LLVM symbols (a self-test proving the check can fail).
set -euo pipefail

symbol_violations() {
  nm -C "$1" 2>/dev/null | grep -E '\b(mlir|llvm)::' | head -n 3 || true
}

if [ "${1:-}" = "--expect-violation" ]; then
  [ -n "$(symbol_violations "$2")" ] && { echo "self-test: violation found in $2 as expected"; exit 0; }
  echo "self-test: no MLIR/LLVM symbols found in $2; the check is broken" >&2
  exit 1
fi

status=0
checked=0
while IFS=$'\t' read -r name file libs iface; do
  [ -n "$name" ] || continue
  checked=$((checked + 1))
  if printf '%s;%s' "$libs" "$iface" | grep -qiE '(^|[;/ ])(lib)?(MLIR|LLVM)'; then
    echo "$name links MLIR/LLVM through CMake: $libs $iface" >&2
    status=1
  fi
  found="$(symbol_violations "$file")"
  if [ -n "$found" ]; then
    echo "$name ($file) refers to MLIR/LLVM symbols:" >&2
    echo "$found" >&2
    status=1
  fi
  if ldd "$file" 2>/dev/null | grep -qiE 'lib(MLIR|LLVM)'; then
    echo "$name ($file) loads libMLIR/libLLVM at run time" >&2
    status=1
  fi
done < "$1"
[ "$checked" -gt 0 ] || { echo "no runtime targets listed in $1" >&2; exit 1; }
echo "$checked runtime targets checked: none links MLIR or LLVM"
exit "$status"
