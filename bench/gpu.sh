#!/usr/bin/env bash
# One command on a GPU machine that has CUDA, CMake, Ninja and a C++ compiler but no package
# registry. Builds the runtime alone (-DINGOT_RUNTIME_ONLY=ON: no MLIR) with its dependencies
# from .gpu-bundle (scripts/bundle-gpu.sh makes it where the packages are; carry it along), then:
#   1. runs every test of that build: the CUDA kernels against the CPU ones, the GPU device
#      against the CPU device on dummy models, and the runtime's own tests;
#   2. runs compute-sanitizer's memcheck and racecheck over the kernel tests, where it is;
#   3. prints the tables: cuda-bench (each kernel against its roofline), ingot-bench on dummy
#      Llama-3.1-8B at q4_0 (float32 and bfloat16 caches) and bf16 (prefill of 2,048 tokens,
#      decode against the roofline; q4_0 again kernel by kernel, without decode graphs or
#      programmatic launch), and serve-sim on
#      dummy Llama-3.2-1B bf16 with 64 concurrent requests.
#   bench/gpu.sh [BUILD_DIR]      (default build-gpu)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build-gpu}
bundle=.gpu-bundle
[ -d "$bundle/artifacts" ] || { echo "gpu.sh: $bundle is missing: run scripts/bundle-gpu.sh and carry it" >&2; exit 2; }
jobs=$(nproc)
echo "gpu.sh: building with $(nvcc --version | tail -1)"
cmake -S . -B "$out" -G Ninja -DINGOT_RUNTIME_ONLY=ON -DINGOT_DEPS_BUNDLE="$bundle" \
      -DINGOT_ENABLE_CUDA=ON > "$out.configure.log" 2>&1 ||
  { cat "$out.configure.log"; exit 1; }
cmake --build "$out" -j "$jobs"

echo "gpu.sh: tests"
(cd "$out" && ctest -j 4 --output-on-failure)
"$out/bin/device_parity_test"  # again, for its printed agreement
if command -v compute-sanitizer > /dev/null; then
  for tool in memcheck racecheck; do
    echo "gpu.sh: compute-sanitizer --tool $tool"
    compute-sanitizer --tool "$tool" --error-exitcode 1 "$out/bin/cuda_kernels_test" > "$out/$tool.log" 2>&1 ||
      { tail -40 "$out/$tool.log"; exit 1; }
    tail -1 "$out/$tool.log"
  done
fi

echo "gpu.sh: benchmarks"
"$out/bin/cuda-bench"
# The q4_0 artifact's cache is float32 (MAX's choice for that encoding), which keeps prefill
# attention off the tensor cores: it also runs with a bfloat16 cache, as the bf16 model does.
for run in "llama-3.1-8b-q4_0" "llama-3.1-8b-q4_0 --cache-dtype bfloat16" "llama-3.1-8b-bf16"; do
  read -r model extra <<< "$run"
  echo
  echo "## dummy $run"
  # shellcheck disable=SC2086  # $extra: zero or more options
  "$out/bin/ingot-bench" --artifact "$bundle/artifacts/$model.ingot" --device cuda \
                         --prompt-tokens 2048 --decode-tokens 128 --reps 3 $extra
done
echo
echo "## dummy llama-3.1-8b-q4_0, kernel by kernel (no decode graphs, no programmatic launch)"
"$out/bin/ingot-bench" --artifact "$bundle/artifacts/llama-3.1-8b-q4_0.ingot" --device cuda \
                       --prompt-tokens 2048 --decode-tokens 128 --reps 3 --cuda-graphs=false \
                       --pdl-level 0
echo
echo "## dummy llama-3.2-1b-bf16, 64 concurrent requests"
"$out/bin/ingot-bench" serve-sim --artifact "$bundle/artifacts/llama-3.2-1b-bf16.ingot" \
    --device cuda --requests 256 --max-batch-size 64 --prompt-tokens 256 --output-tokens 128 \
    --in-flight-batching
