#!/usr/bin/env bash
# One command on a GPU machine that has CUDA, CMake, Ninja and a C++ compiler but no package
# registry. Builds the runtime alone (-DINGOT_RUNTIME_ONLY=ON: no MLIR) with its dependencies
# from .gpu-bundle (scripts/bundle-gpu.sh makes it where the packages are; carry it along), then:
#   test      every test of that build: the CUDA kernels against the CPU ones, the GPU device
#             against the CPU device on dummy models, and the runtime's own tests;
#   bench     the tables: cuda-bench (each kernel against its roofline), ingot-bench on dummy
#             Llama-3.1-8B at q4_0 (float32 and bfloat16 caches) and bf16 (prefill of 2,048
#             tokens, decode against the roofline; q4_0 again kernel by kernel, without decode
#             graphs or programmatic launch), and serve-sim on dummy Llama-3.2-1B bf16 with 64
#             concurrent requests; and the peer, the same 8B shape in PyTorch (bench/torch_peer.py:
#             transformers, bf16, SDPA, random weights), where torch is;
#   sanitize  compute-sanitizer's memcheck over the kernel tests and racecheck over those of the
#             kernels with shared memory, where it is.
# Device time is short, so the whole run has a time budget, each step a time limit within what
# is left of it (a step is skipped when under 20 s are), and a step that fails or runs out of
# time is reported and the next one still runs; the build is for the card present only, and
# the bench runs go in the order of their worth. Every step's whole output goes to a log file in
# BUILD_DIR/logs, and the tables are gathered into summary.md beside them and printed as each
# comes; where the device tool's $OUT is set, summary.md and gpu-logs.tar.gz (every log) are
# copied there after every step, so what was done comes back even if the call is killed.
#   bench/gpu.sh [BUILD_DIR]      (default build-gpu)
# Env: GPU_SH_STEPS   the steps, in order (default "test bench sanitize"; the build always runs)
#      GPU_SH_BUDGET  seconds for the whole run (default 560: one 10-minute device call)
#      CMAKE_CUDA_ARCHITECTURES   (default: the card's, from nvidia-smi: 90a on Hopper)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
out=${1:-build-gpu}
bundle=.gpu-bundle
logs=$out/logs
steps=${GPU_SH_STEPS:-test bench sanitize}
deadline=$(( $(date +%s) + ${GPU_SH_BUDGET:-560} ))
[ -d "$bundle/artifacts" ] || { echo "gpu.sh: $bundle is missing: run scripts/bundle-gpu.sh and carry it" >&2; exit 2; }
mkdir -p "$logs"
summary="$logs/summary.md"
: > "$summary"
failed=0

# Copies summary.md and every log to the device tool's $OUT, where it is set.
publish() {
  [ -n "${OUT:-}" ] || return 0
  cp "$summary" "$OUT/" 2>/dev/null
  tar -czf "$OUT/gpu-logs.tar.gz" -C "$logs" . 2>/dev/null
}
trap publish EXIT

# Runs "$@" for at most $1 seconds (less when less of the budget is left, none when under 20 s
# are) with its output in $logs/$2.log; says how it went.
run_step() {
  local limit=$1 name=$2 start rc left
  shift 2
  start=$(date +%s)
  left=$(( deadline - start - 10 ))  # 10 s for timeout's kill and the publish
  if [ "$left" -lt 20 ]; then
    echo "gpu.sh: $name skipped: the time budget is spent"; failed=1
    rm -f "$logs/$name.log"  # not an earlier call's, which gather would take for this one's
    return 125
  fi
  [ "$left" -lt "$limit" ] && limit=$left
  timeout --kill-after=5 "$limit" "$@" > "$logs/$name.log" 2>&1
  rc=$?
  local took=$(( $(date +%s) - start ))
  if [ "$rc" -eq 0 ]; then
    echo "gpu.sh: $name passed in ${took} s"
  elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "gpu.sh: $name ran out of its ${limit} s"; failed=1; tail -5 "$logs/$name.log"
  else
    echo "gpu.sh: $name failed (status $rc) after ${took} s"; failed=1; tail -30 "$logs/$name.log"
  fi
  publish
  return "$rc"
}

# The Markdown table lines (and the lines naming a run) of a bench log, into the summary and
# onto the output at once.
gather() {
  [ -f "$logs/$1.log" ] || return 0
  { echo; echo "## $1"; grep -E '^(\||ingot:|peer:|decode roofline|measured|device)' "$logs/$1.log"; } |
    tee -a "$summary"
  publish
}

# ingot-bench on the dummy artifact $1 (prefill of 2,048 tokens, 128 decode steps), with the
# options that follow.
bench_8b() {
  local model=$1 extra="${*:2}" name
  name="ingot-bench.$model${extra:+.$(tr -dc 'a-z0-9' <<< "$extra")}"
  run_step 240 "$name" "$out/bin/ingot-bench" --artifact "$bundle/artifacts/$model.ingot" \
    --device cuda --prompt-tokens 2048 --decode-tokens 128 --reps 3 "${@:2}"
  gather "$name"
}

arch=${CMAKE_CUDA_ARCHITECTURES:-}
if [ -z "$arch" ] && command -v nvidia-smi > /dev/null; then
  cap=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d ' .')
  case "$cap" in
    90) arch=90a ;;        # Hopper: wgmma and programmatic launch want the arch-specific target
    [0-9][0-9]) arch=$cap ;;
  esac
fi
arch=${arch:-80;90a}
echo "gpu.sh: building for sm_$arch with $(nvcc --version | tail -1); logs in $logs"
if ! run_step 600 build bash -c "cmake -S . -B '$out' -G Ninja -DINGOT_RUNTIME_ONLY=ON \
       -DINGOT_DEPS_BUNDLE='$bundle' -DINGOT_ENABLE_CUDA=ON '-DCMAKE_CUDA_ARCHITECTURES=$arch' &&
     cmake --build '$out' -j '$(nproc)'"; then
  exit 1
fi

for step in $steps; do
  case "$step" in
    test)
      # The device parity tests run on their own, once, for the agreement they print.
      run_step 300 tests bash -c "cd '$out' && ctest -j 4 --timeout 120 --output-on-failure \
        -E '^DeviceParity\.'"
      grep -E 'tests passed|tests failed' "$logs/tests.log" | sed 's/^/gpu.sh: /'
      run_step 120 device_parity "$out/bin/device_parity_test"
      ;;
    bench)
      run_step 180 cuda-bench "$out/bin/cuda-bench"
      gather cuda-bench
      # Decode and prefill of 2,048 tokens on the 8B shape, then the 64-request serve-sim, then
      # the PyTorch peer; then what only explains them: q4_0 with a bfloat16 cache (the q4_0
      # artifact's cache is float32, MAX's choice for that encoding, which keeps prefill
      # attention off the tensor cores) and q4_0 kernel by kernel (no decode graphs, no
      # programmatic launch).
      bench_8b llama-3.1-8b-q4_0
      bench_8b llama-3.1-8b-bf16
      run_step 300 serve-sim.llama-3.2-1b-bf16 "$out/bin/ingot-bench" serve-sim \
        --artifact "$bundle/artifacts/llama-3.2-1b-bf16.ingot" --device cuda --requests 256 \
        --max-batch-size 64 --prompt-tokens 256 --output-tokens 128 --in-flight-batching
      gather serve-sim.llama-3.2-1b-bf16
      if python3 -c 'import torch, transformers' 2> /dev/null; then
        run_step 300 torch-peer.llama-3.1-8b env PYTHONUNBUFFERED=1 python3 bench/torch_peer.py \
          --artifact "$bundle/artifacts/llama-3.1-8b-bf16.ingot" --inspect "$out/bin/ingot-inspect" \
          --prompt-tokens 2048 --decode-tokens 128 --reps 3
        gather torch-peer.llama-3.1-8b
      else
        echo "gpu.sh: no torch and transformers here: no PyTorch peer"
      fi
      bench_8b llama-3.1-8b-q4_0 --cache-dtype bfloat16
      bench_8b llama-3.1-8b-q4_0 --cuda-graphs=false --pdl-level 0
      ;;
    sanitize)
      if ! command -v compute-sanitizer > /dev/null; then
        echo "gpu.sh: no compute-sanitizer on this machine"; continue
      fi
      # memcheck over every kernel test; racecheck, many times slower, over the tests of the
      # kernels with shared memory (attention, prefill attention, rms_norm, argmax, sampling):
      # not gemv, cuBLAS's products, the fill, or the host-side tests.
      for tool in memcheck racecheck; do
        filter=*
        [ "$tool" = racecheck ] &&
          filter='-*Gemv*:*Gemm*:*DummyFill*:*Schedule*:*RejectBad*:*Programmatic*'
        run_step 300 "$tool" compute-sanitizer --tool "$tool" --error-exitcode 1 \
          "$out/bin/cuda_kernels_test" "--gtest_filter=$filter"
        [ -f "$logs/$tool.log" ] && tail -1 "$logs/$tool.log" | sed "s/^/gpu.sh: $tool: /"
      done
      ;;
    *) echo "gpu.sh: unknown step '$step' (test, bench, sanitize)" >&2; exit 2 ;;
  esac
done
cat "$summary"
exit "$failed"
