#!/usr/bin/env bash
# On a GPU machine with CUDA and a C++ compiler but no package registry: builds the CUDA kernels,
# their GoogleTest checks against the CPU kernels and cuda-bench with nvcc alone (no CMake
# dependencies, no MLIR), runs the checks, then prints the benchmark table. GoogleTest comes from
# .gpu-bundle/ (scripts/bundle-gpu.sh, run where the packages are; carry it along).
#   bench/gpu.sh [OUT_DIR]      (default build-gpu)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build-gpu}
gtest=.gpu-bundle/googletest
[ -d "$gtest" ] || { echo "gpu.sh: $gtest is missing: run scripts/bundle-gpu.sh and carry .gpu-bundle" >&2; exit 2; }
mkdir -p "$out/obj"
arch="-gencode=arch=compute_90a,code=sm_90a -gencode=arch=compute_80,code=[sm_80,compute_80]"
cxx="g++ -std=c++20 -O2 -I. -I$gtest/include -I$gtest -I/usr/local/cuda/include"
objects=()
compile() {  # source -> object
  local obj="$out/obj/$(echo "$1" | tr / _).o"
  case "$1" in
    *.cu) nvcc -std=c++20 -O3 --expt-relaxed-constexpr -lineinfo $arch -I. -c "$1" -o "$obj" ;;
    kernels/cpu/*) $cxx -ffp-contract=off -c "$1" -o "$obj" ;;
    *) $cxx -c "$1" -o "$obj" ;;
  esac
  objects+=("$obj")
}
echo "gpu.sh: building with $(nvcc --version | tail -1)"
for f in kernels/cuda/*.cu kernels/quant/*.cpp kernels/cpu/*.cpp; do compile "$f"; done
compile "$gtest/src/gtest-all.cc"
compile "$gtest/src/gtest_main.cc"
compile test/unit/cuda_kernels_test.cpp
compile bench/cuda_bench.cpp
lib=(); test_main=(); bench_main=()
for o in "${objects[@]}"; do
  case "$o" in
    *cuda_kernels_test*|*gtest*) test_main+=("$o") ;;
    *cuda_bench*) bench_main+=("$o") ;;
    *) lib+=("$o") ;;
  esac
done
nvcc $arch -o "$out/cuda_kernels_test" "${test_main[@]}" "${lib[@]}" -ldl -lpthread
nvcc $arch -o "$out/cuda-bench" "${bench_main[@]}" "${lib[@]}" -ldl
echo "gpu.sh: running the kernel checks"
"$out/cuda_kernels_test"
echo "gpu.sh: benchmark"
"$out/cuda-bench"
