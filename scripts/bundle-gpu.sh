#!/usr/bin/env bash
# Gathers into .gpu-bundle/ what a GPU machine that can fetch nothing needs to build the runtime
# (bench/gpu.sh: CMake with -DINGOT_RUNTIME_ONLY=ON -DINGOT_DEPS_BUNDLE=.gpu-bundle) and to run
# it on real shapes:
#   googletest/  GoogleTest's sources
#   include/     FlatBuffers, nlohmann-json, cxxopts, xxHash and PCRE2 headers
#   lib/         static libpcre2-32 and libxxhash
#   schema/      artifact.fbs and flatc's artifact_generated.h for it (no flatc needed there)
#   artifacts/   dummy-weight artifacts (--load-format dummy, about 100 KB each): SmolLM2-135M,
#                Llama-3.2-1B and Llama-3.1-8B shapes, made with build/bin/ingot-compile
# Everything comes from Debian's packages (scripts/install-deps.sh). Carry .gpu-bundle with the
# device tool's `carry`; it is about 6 MB.
#   scripts/bundle-gpu.sh [OUT_DIR]   (default .gpu-bundle, relative to the repository root;
#                                     INGOT_COMPILE names the ingot-compile to use)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.gpu-bundle}
compile=${INGOT_COMPILE:-build/bin/ingot-compile}
for need in /usr/src/googletest/googletest /usr/include/flatbuffers /usr/include/nlohmann \
            /usr/include/cxxopts.hpp /usr/include/xxhash.h /usr/include/pcre2.h \
            /usr/lib/x86_64-linux-gnu/libpcre2-32.a /usr/lib/x86_64-linux-gnu/libxxhash.a "$compile"; do
  [ -e "$need" ] || { echo "bundle-gpu: $need is missing (scripts/install-deps.sh, then build)" >&2; exit 2; }
done
command -v flatc > /dev/null || { echo "bundle-gpu: flatc is missing (flatbuffers-compiler)" >&2; exit 2; }

rm -rf "$out"
mkdir -p "$out/include" "$out/lib" "$out/schema" "$out/artifacts"
cp -r /usr/src/googletest/googletest "$out/googletest"
cp -r /usr/include/flatbuffers /usr/include/nlohmann "$out/include/"
cp /usr/include/cxxopts.hpp /usr/include/xxhash.h /usr/include/pcre2.h "$out/include/"
cp /usr/lib/x86_64-linux-gnu/libpcre2-32.a /usr/lib/x86_64-linux-gnu/libxxhash.a "$out/lib/"
cp runtime/schema/artifact.fbs "$out/schema/"
flatc --cpp --scoped-enums -o "$out/schema" runtime/schema/artifact.fbs

# Dummy artifacts: name, preset, encoding.
while read -r name preset encoding; do
  # Its remarks are noise here; its errors are not.
  if ! log=$("$compile" --load-format dummy --arch llama --preset "$preset" \
               --encoding "$encoding" --max-length 8192 -o "$out/artifacts/$name.ingot" 2>&1); then
    printf '%s\n' "$log" >&2
    echo "bundle-gpu: could not make the $name artifact" >&2
    exit 1
  fi
done << 'LIST'
smollm2-135m-q8_0 smollm2-135m q8_0
smollm2-135m-q4_0 smollm2-135m q4_0
smollm2-135m-bf16 smollm2-135m bfloat16
llama-3.2-1b-bf16 llama-3.2-1b bfloat16
llama-3.1-8b-q4_0 llama-3.1-8b q4_0
llama-3.1-8b-bf16 llama-3.1-8b bfloat16
LIST
echo "bundle-gpu: wrote $out ($(du -sh "$out" | cut -f1))"
