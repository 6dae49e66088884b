// Prefill products on the tensor cores: weights widened to bfloat16 (each thread one 32-value
// unit), activations rounded to bfloat16, then one cuBLAS GEMM with float accumulation. cuBLAS
// is loaded with dlopen on first use, so CPU-only runs of a CUDA build never map its 60 MB.
#include <cublas_v2.h>
#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <type_traits>

#include "kernels/cuda/common.cuh"

namespace ingot::cuda {
namespace {

constexpr uint64_t kAlign = 256;
constexpr size_t kBlasWorkspace = size_t{32} << 20;  // what cuBLAS advises for Hopper

uint64_t aligned(uint64_t bytes) { return (bytes + kAlign - 1) / kAlign * kAlign; }

template <GgmlType T>
__global__ void widen_kernel(const uint8_t* __restrict__ w, int64_t rows, int64_t n,
                             uint64_t row_bytes, __nv_bfloat16* __restrict__ out) {
  const int64_t units = n / 32;
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= rows * units) return;
  const int64_t row = i / units, u = i % units;
  float v[32];
  detail::decode_unit<T>(w + static_cast<uint64_t>(row) * row_bytes, u, v);
  __nv_bfloat16* o = out + row * n + u * 32;
#pragma unroll
  for (int e = 0; e < 32; ++e) o[e] = __float2bfloat16_rn(v[e]);
}

__global__ void round_kernel(const float* __restrict__ x, int64_t count,
                             __nv_bfloat16* __restrict__ out) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) out[i] = __float2bfloat16_rn(x[i]);
}

unsigned grid(int64_t count, int threads) {
  return static_cast<unsigned>((count + threads - 1) / threads);
}

}  // namespace

uint64_t gemm_scratch_bytes(int64_t rows, int64_t n, int64_t tokens) {
  return aligned(static_cast<uint64_t>(rows * n) * 2) +
         aligned(static_cast<uint64_t>(tokens * n) * 2);
}

struct Blas {
  void* library = nullptr;
  cublasHandle_t handle = nullptr;
  decltype(&cublasCreate_v2) create = nullptr;
  decltype(&cublasDestroy_v2) destroy = nullptr;
  decltype(&cublasSetStream_v2) set_stream = nullptr;
  decltype(&cublasSetWorkspace_v2) set_workspace = nullptr;
  void* workspace = nullptr;  // given again after each set_stream: no allocation when captured
  // The C entry point (the header also declares a C++ overload taking cudaDataType).
  cublasStatus_t (*gemm_ex)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int,
                            const void*, const void*, cudaDataType, int, const void*,
                            cudaDataType, int, const void*, void*, cudaDataType, int,
                            cublasComputeType_t, cublasGemmAlgo_t) = nullptr;
};

Blas* blas_create(std::string* why) {
  const auto fail = [&](const std::string& reason) -> Blas* {
    if (why) *why = reason;
    return nullptr;
  };
  void* library = nullptr;
  // The loader's path first, then the toolkit this was built with, where the loader may not look.
  for (const char* name :
       {"libcublas.so.13", "libcublas.so", INGOT_CUDA_LIBRARY_DIR "/libcublas.so.13",
        "/usr/local/cuda/lib64/libcublas.so.13"})
    if ((library = dlopen(name, RTLD_NOW | RTLD_LOCAL)) != nullptr) break;
  if (!library) return fail(std::string("cannot load cuBLAS: ") + dlerror());
  auto blas = std::make_unique<Blas>();
  blas->library = library;
  const auto resolve = [&](auto& fn, const char* symbol) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(library, symbol));
    return fn != nullptr;
  };
  if (!resolve(blas->create, "cublasCreate_v2") || !resolve(blas->destroy, "cublasDestroy_v2") ||
      !resolve(blas->set_stream, "cublasSetStream_v2") ||
      !resolve(blas->set_workspace, "cublasSetWorkspace_v2") ||
      !resolve(blas->gemm_ex, "cublasGemmEx")) {
    dlclose(library);
    return fail(
        "cuBLAS lacks cublasCreate_v2, cublasSetStream_v2, cublasSetWorkspace_v2 or cublasGemmEx");
  }
  if (blas->create(&blas->handle) != CUBLAS_STATUS_SUCCESS) {
    dlclose(library);
    return fail("cuBLAS did not initialize");
  }
  if (cudaMalloc(&blas->workspace, kBlasWorkspace) != cudaSuccess ||
      blas->set_workspace(blas->handle, blas->workspace, kBlasWorkspace) !=
          CUBLAS_STATUS_SUCCESS) {
    cudaGetLastError();
    blas_destroy(blas.release());
    return fail("cuBLAS's workspace could not be set");
  }
  return blas.release();
}

void blas_destroy(Blas* blas) {
  if (!blas) return;
  blas->destroy(blas->handle);
  cudaFree(blas->workspace);
  dlclose(blas->library);
  delete blas;
}

int64_t gemv_token_limit(GgmlType type) {
  if (type == GgmlType::BF16 || !supports_weight_type(type)) return kMaxGemvTokens;
  const quant::TypeTraits traits = quant::type_traits(type);
  const double bytes = static_cast<double>(traits.block_bytes) / traits.block_elems;  // a value
  // Launches L re-read the weight L times: worth it while L * bytes < bytes + 2 + 2.
  const auto launches = static_cast<int64_t>(std::ceil((bytes + 4.0) / bytes)) - 1;
  return std::max<int64_t>(1, launches) * kMaxGemvTokens;
}

cudaError_t gemm(Blas& blas, GgmlType type, const void* w, int64_t rows, int64_t n, const float* x,
                 int64_t tokens, float* y, int64_t y_stride, void* scratch, cudaStream_t stream) {
  if (rows < 0 || tokens < 0 || y_stride < rows || !detail::whole_units(type, n) ||
      scratch == nullptr)
    return cudaErrorInvalidValue;
  if (rows == 0 || tokens == 0) return cudaSuccess;
  auto* widened = static_cast<__nv_bfloat16*>(scratch);
  auto* xb = reinterpret_cast<__nv_bfloat16*>(static_cast<uint8_t*>(scratch) +
                                              aligned(static_cast<uint64_t>(rows * n) * 2));
  const void* a = w;
  if (type != GgmlType::BF16) {
    const bool known = detail::dispatch_type(type, [&]<GgmlType T>() {
      widen_kernel<T><<<grid(rows * (n / 32), 128), 128, 0, stream>>>(
          static_cast<const uint8_t*>(w), rows, n, detail::row_bytes(T, n), widened);
    });
    if (!known) return cudaErrorInvalidValue;
    a = widened;
  }
  round_kernel<<<grid(tokens * n, 256), 256, 0, stream>>>(x, tokens * n, xb);
  if (const cudaError_t status = detail::launched(); status != cudaSuccess) return status;
  // Column-major view: Y (rows x tokens, ld y_stride) = W^T' * X', with W and X row-major.
  const float alpha = 1.0f, beta = 0.0f;
  // cublasSetStream puts the handle back on cuBLAS's own workspace pool, which allocates (in a
  // captured step too): the executor's workspace goes back on after it.
  if (blas.set_stream(blas.handle, stream) != CUBLAS_STATUS_SUCCESS ||
      blas.set_workspace(blas.handle, blas.workspace, kBlasWorkspace) != CUBLAS_STATUS_SUCCESS)
    return cudaErrorUnknown;
  const cublasStatus_t status =
      blas.gemm_ex(blas.handle, CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(rows),
                   static_cast<int>(tokens), static_cast<int>(n), &alpha, a, CUDA_R_16BF,
                   static_cast<int>(n), xb, CUDA_R_16BF, static_cast<int>(n), &beta, y, CUDA_R_32F,
                   static_cast<int>(y_stride), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
  return status == CUBLAS_STATUS_SUCCESS ? cudaSuccess : cudaErrorUnknown;
}

}  // namespace ingot::cuda
