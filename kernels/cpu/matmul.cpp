// matmul: argument checks, path dispatch, the dequantize-and-dot reference and the scalar mirror
// of the SIMD paths' integer algorithm.
#include "kernels/cpu/matmul.h"

#include <cmath>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "kernels/cpu/matmul_kernels.h"
#include "kernels/cpu/q8_activation.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/dequantize.h"
#include "kernels/quant/float_convert.h"

namespace ingot::cpu {
namespace {

using quant::fp16_to_fp32;

/// Dequantizes each weight row once, then dots it with every token in float, left to right.
Status matmul_reference(GgmlType type, const uint8_t* w, int64_t rows, int64_t row_length,
                        uint64_t row_bytes, const float* x, int64_t tokens, float* y,
                        int64_t y_stride) {
  thread_local std::vector<float> row;
  row.resize(static_cast<size_t>(row_length));
  for (int64_t r = 0; r < rows; ++r) {
    INGOT_RETURN_IF_ERROR(
        quant::dequantize_row(type, {w + static_cast<uint64_t>(r) * row_bytes, row_bytes}, row));
    for (int64_t t = 0; t < tokens; ++t) {
      const float* xt = x + t * row_length;
      float sum = 0.0f;
      for (int64_t i = 0; i < row_length; ++i) sum += row[static_cast<size_t>(i)] * xt[i];
      y[t * y_stride + r] = sum;
    }
  }
  return Status::ok_status();
}

/// Integer dot of one weight block with 32 activation quants; `d` and `m` get its fp32 scale and
/// offset.
template <typename Block>
int32_t block_isum(const uint8_t* src, const int8_t* xq, float& d, float& m) {
  Block block;
  std::memcpy(&block, src, sizeof(block));
  d = fp16_to_fp32(block.d);
  int32_t sum = 0;
  if constexpr (std::is_same_v<Block, quant::BlockQ8_0>) {
    m = 0.0f;
    for (int j = 0; j < 32; ++j) sum += int32_t{block.qs[j]} * xq[j];
  } else {
    constexpr int kOffset = std::is_same_v<Block, quant::BlockQ4_0> ? 8 : 0;
    if constexpr (std::is_same_v<Block, quant::BlockQ4_1>)
      m = fp16_to_fp32(block.m);
    else
      m = 0.0f;
    for (int j = 0; j < 16; ++j) {
      sum += ((block.qs[j] & 0x0f) - kOffset) * xq[j];
      sum += ((block.qs[j] >> 4) - kOffset) * xq[j + 16];
    }
  }
  return sum;
}

template <typename Block>
void quant_rows_scalar(const uint8_t* w, int64_t rows, const Q8Activations& x, float* y,
                       int64_t y_stride) {
  const int64_t nb = x.blocks;
  for (int64_t r = 0; r < rows; ++r) {
    const uint8_t* wr = w + static_cast<size_t>(r * nb) * sizeof(Block);
    for (int64_t t = 0; t < x.tokens; ++t) {
      float acc[8] = {};
      for (int64_t b = 0; b < nb; ++b) {
        const size_t xb = static_cast<size_t>(t * nb + b);
        float d = 0.0f, m = 0.0f;
        const int32_t isum =
            block_isum<Block>(wr + static_cast<size_t>(b) * sizeof(Block), &x.qs[xb * 32], d, m);
        float& lane = acc[b % 8];
        lane = std::fma(static_cast<float>(isum), d * x.d[xb], lane);
        if constexpr (std::is_same_v<Block, quant::BlockQ4_1>) lane = std::fma(m, x.s[xb], lane);
      }
      y[t * y_stride + r] = detail::reduce_lanes(acc);
    }
  }
}

}  // namespace

namespace detail {

void quant_kernel_scalar(GgmlType type, const uint8_t* w, int64_t rows, const Q8Activations& x,
                         float* y, int64_t y_stride) {
  switch (type) {
    case GgmlType::Q8_0: return quant_rows_scalar<quant::BlockQ8_0>(w, rows, x, y, y_stride);
    case GgmlType::Q4_0: return quant_rows_scalar<quant::BlockQ4_0>(w, rows, x, y, y_stride);
    default: return quant_rows_scalar<quant::BlockQ4_1>(w, rows, x, y, y_stride);
  }
}

void float_kernel_scalar(GgmlType type, const uint8_t* w, int64_t rows, int64_t row_length,
                         const float* x, int64_t tokens, float* y, int64_t y_stride) {
  const size_t elem = type == GgmlType::F32 ? 4 : 2;
  for (int64_t r = 0; r < rows; ++r) {
    const uint8_t* wr = w + static_cast<size_t>(r * row_length) * elem;
    for (int64_t t = 0; t < tokens; ++t) {
      const float* xt = x + t * row_length;
      float acc[kFloatLanes] = {};
      for (int64_t i = 0; i < row_length; ++i) {
        float wi = 0.0f;
        if (type == GgmlType::F32) {
          std::memcpy(&wi, wr + i * 4, 4);
        } else {
          uint16_t bits = 0;
          std::memcpy(&bits, wr + i * 2, 2);
          wi = type == GgmlType::F16 ? fp16_to_fp32(bits) : quant::bf16_to_fp32(bits);
        }
        acc[i % kFloatLanes] = std::fma(wi, xt[i], acc[i % kFloatLanes]);
      }
      float folded[8];
      fold_float_lanes(acc, folded);
      y[t * y_stride + r] = reduce_lanes(folded);
    }
  }
}

}  // namespace detail

const char* matmul_path_name(MatmulPath path) {
  switch (path) {
    case MatmulPath::kReference: return "reference";
    case MatmulPath::kScalar: return "scalar";
    case MatmulPath::kAvx2: return "avx2";
    case MatmulPath::kAvx512Vnni: return "avx512vnni";
  }
  return "?";
}

bool matmul_path_supported(MatmulPath path) {
  switch (path) {
    case MatmulPath::kReference:
    case MatmulPath::kScalar: return true;
    case MatmulPath::kAvx2:
      // Every AVX2 CPU (Intel Haswell on, AMD Zen on) also has F16C, which clang's
      // __builtin_cpu_supports cannot name.
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case MatmulPath::kAvx512Vnni:
      return matmul_path_supported(MatmulPath::kAvx2) && __builtin_cpu_supports("avx512f") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
  }
  return false;
}

MatmulPath best_matmul_path() {
  static const MatmulPath best = matmul_path_supported(MatmulPath::kAvx512Vnni)
                                     ? MatmulPath::kAvx512Vnni
                                 : matmul_path_supported(MatmulPath::kAvx2) ? MatmulPath::kAvx2
                                                                            : MatmulPath::kScalar;
  return best;
}

bool matmul_has_fast_kernel(GgmlType type) {
  switch (type) {
    case GgmlType::F32:
    case GgmlType::F16:
    case GgmlType::BF16:
    case GgmlType::Q8_0:
    case GgmlType::Q4_0:
    case GgmlType::Q4_1: return true;
    default: return false;
  }
}

Status prepare_matmul(MatmulPath path, GgmlType type, int64_t row_length, const float* x,
                      int64_t tokens, MatmulInput& out) {
  if (!matmul_path_supported(path))
    return make_error(StatusCode::kUnimplemented,
                      std::string("matmul: this CPU lacks path ") + matmul_path_name(path));
  if (row_length <= 0 || tokens < 0)
    return make_error(StatusCode::kInvalidArgument, "matmul: negative or empty shape");
  const auto row_bytes = quant::row_bytes(type, static_cast<uint64_t>(row_length));
  if (!row_bytes)
    return make_error(
        StatusCode::kInvalidArgument,
        "matmul: row length " + std::to_string(row_length) + " is not a whole number of blocks");
  if (!matmul_has_fast_kernel(type) || path == MatmulPath::kReference) {
    if (!quant::can_dequantize(type))
      return make_error(StatusCode::kUnimplemented, "matmul: unsupported weight type");
    path = MatmulPath::kReference;
  }
  out.path = path;
  out.type = type;
  out.row_length = row_length;
  out.row_bytes = *row_bytes;
  out.tokens = tokens;
  out.x = x;
  const bool integer = path != MatmulPath::kReference && type != GgmlType::F32 &&
                       type != GgmlType::F16 && type != GgmlType::BF16;
  if (integer) quantize_activations(x, tokens, row_length / 32, out.q8);
  return Status::ok_status();
}

Status matmul_rows(const MatmulInput& in, const uint8_t* w, int64_t begin, int64_t end, float* y,
                   int64_t y_stride) {
  if (begin >= end || in.tokens == 0) return Status::ok_status();
  const uint8_t* wr = w + static_cast<uint64_t>(begin) * in.row_bytes;
  float* yr = y + begin;
  const int64_t rows = end - begin;
  if (in.path == MatmulPath::kReference)
    return matmul_reference(in.type, wr, rows, in.row_length, in.row_bytes, in.x, in.tokens, yr,
                            y_stride);
  if (in.type == GgmlType::F32 || in.type == GgmlType::F16 || in.type == GgmlType::BF16) {
    const detail::FloatKernel kernel =
        in.path == MatmulPath::kScalar ? detail::float_kernel_scalar : detail::float_kernel_avx2;
    kernel(in.type, wr, rows, in.row_length, in.x, in.tokens, yr, y_stride);
    return Status::ok_status();
  }
  const detail::QuantKernel kernel = in.path == MatmulPath::kScalar ? detail::quant_kernel_scalar
                                     : in.path == MatmulPath::kAvx2 ? detail::quant_kernel_avx2
                                                                    : detail::quant_kernel_avx512vnni;
  kernel(in.type, wr, rows, in.q8, yr, y_stride);
  return Status::ok_status();
}

Status matmul_with_path(MatmulPath path, GgmlType type, const uint8_t* w, int64_t rows,
                        int64_t row_length, const float* x, int64_t tokens, float* y) {
  if (rows < 0) return make_error(StatusCode::kInvalidArgument, "matmul: negative or empty shape");
  thread_local MatmulInput input;
  INGOT_RETURN_IF_ERROR(prepare_matmul(path, type, row_length, x, tokens, input));
  return matmul_rows(input, w, 0, rows, y, rows);
}

Status matmul(GgmlType type, const uint8_t* w, int64_t rows, int64_t row_length, const float* x,
              int64_t tokens, float* y) {
  return matmul_with_path(best_matmul_path(), type, w, rows, row_length, x, tokens, y);
}

}  // namespace ingot::cpu
