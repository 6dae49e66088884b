// matmul: argument checks, path dispatch, the dequantize-and-dot reference and the scalar mirror
// of the SIMD paths' integer algorithm.
#include "kernels/cpu/matmul.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "kernels/cpu/matmul_kernels.h"
#include "kernels/cpu/q8_activation.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/dequantize.h"
#include "kernels/quant/float_convert.h"

namespace ingot::cpu {
namespace {

using detail::packed_layout;
using detail::PackedLayout;
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

/// Element e of row j of a packed block's quants, as stored (unsigned).
inline int32_t packed_quant(const uint8_t* qs, bool nibbles, int64_t j, int e) {
  const int k = e / 4;
  const int64_t byte = 4 * j + e % 4;
  if (!nibbles) return qs[64 * k + byte];
  const uint8_t v = qs[64 * (k % 4) + byte];
  return k < 4 ? v & 0x0f : v >> 4;
}

/// Row j's scale (which = 0) or minimum / high-half scale (which = 1) in a panel block.
inline float packed_scale(const PackedLayout& layout, const uint8_t* block, int64_t j, int which) {
  const uint64_t at =
      which == 0 ? detail::packed_scale_at(layout, j) : detail::packed_second_at(layout, j);
  if (layout.f32_scales) {
    float v;
    std::memcpy(&v, block + at, 4);
    return v;
  }
  uint16_t bits = 0;
  std::memcpy(&bits, block + at, 2);
  return fp16_to_fp32(bits);
}

}  // namespace

namespace detail {

// Per output: blocks in order, each an exact integer dot (less the stored offset times the sum
// of the activation quants) and one fma, as the SIMD kernels do it 16 (or 8) rows at a time.
void packed_kernel_scalar(const PackedWeights& w, int64_t panel_begin, int64_t panel_end,
                          const Q8Activations& x, float* y, int64_t y_stride) {
  const PackedLayout layout = packed_layout(w.type);
  const int64_t nb = w.blocks();
  for (int64_t p = panel_begin; p < panel_end; ++p) {
    const uint8_t* panel = w.panel(p);
    const int64_t rows = std::min(kPanelRows, w.rows - p * kPanelRows);
    for (int64_t t = 0; t < x.tokens; ++t)
      for (int64_t j = 0; j < rows; ++j) {
        float acc = 0.0f;
        for (int64_t b = 0; b < nb; ++b) {
          const uint8_t* block = panel + static_cast<uint64_t>(b) * layout.block_bytes;
          const size_t tb = static_cast<size_t>(t * nb + b);
          const int8_t* xq = &x.qs[tb * 32];
          const auto dot = [&](int first, int last, int32_t xsum) {
            int32_t isum = -layout.offset * xsum;
            for (int e = first; e < last; ++e)
              isum += packed_quant(block + layout.header, layout.nibbles, j, e) * xq[e];
            return static_cast<float>(isum);
          };
          const float scale = packed_scale(layout, block, j, 0);
          if (layout.two_scales) {
            acc = std::fma(dot(0, 16, x.sum_lo[tb]), scale * x.d[tb], acc);
            acc = std::fma(dot(16, 32, x.sum[tb] - x.sum_lo[tb]),
                           packed_scale(layout, block, j, 1) * x.d[tb], acc);
          } else {
            acc = std::fma(dot(0, 32, x.sum[tb]), scale * x.d[tb], acc);
          }
          if (layout.has_min) acc = std::fma(packed_scale(layout, block, j, 1), x.s[tb], acc);
        }
        y[t * y_stride + p * kPanelRows + j] = acc;
      }
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
    case MatmulPath::kAmx: return "amx";
  }
  return "?";
}

bool matmul_path_from_name(const std::string& name, MatmulPath& path) {
  for (MatmulPath candidate : {MatmulPath::kReference, MatmulPath::kScalar, MatmulPath::kAvx2,
                               MatmulPath::kAvx512Vnni, MatmulPath::kAmx})
    if (name == matmul_path_name(candidate)) {
      path = candidate;
      return true;
    }
  return false;
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
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512vnni");
    case MatmulPath::kAmx:
      return matmul_path_supported(MatmulPath::kAvx512Vnni) && detail::amx_available();
  }
  return false;
}

MatmulPath best_matmul_path() {
  static const MatmulPath best = [] {
    for (MatmulPath path : {MatmulPath::kAmx, MatmulPath::kAvx512Vnni, MatmulPath::kAvx2})
      if (matmul_path_supported(path)) return path;
    return MatmulPath::kScalar;
  }();
  return best;
}

bool matmul_has_fast_kernel(GgmlType type) {
  return type == GgmlType::F32 || type == GgmlType::F16 || type == GgmlType::BF16 ||
         matmul_packs(type);
}

Status prepare_matmul_deferred(MatmulPath path, GgmlType type, int64_t row_length, const float* x,
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
  if (matmul_reads_packed(out)) resize_activations(tokens, row_length / 32, out.q8);
  return Status::ok_status();
}

void quantize_matmul_input(MatmulInput& in, int64_t begin, int64_t end) {
  if (matmul_reads_packed(in) && begin < end) quantize_activation_rows(in.x, begin, end, in.q8);
}

Status prepare_matmul(MatmulPath path, GgmlType type, int64_t row_length, const float* x,
                      int64_t tokens, MatmulInput& out) {
  INGOT_RETURN_IF_ERROR(prepare_matmul_deferred(path, type, row_length, x, tokens, out));
  quantize_matmul_input(out, 0, tokens);
  return Status::ok_status();
}

bool matmul_reads_packed(const MatmulInput& in) {
  return in.path != MatmulPath::kReference && matmul_packs(in.type);
}

Status matmul_rows(const MatmulInput& in, const MatmulWeights& w, int64_t begin, int64_t end,
                   float* y, int64_t y_stride) {
  if (begin >= end || in.tokens == 0) return Status::ok_status();
  if (matmul_reads_packed(in)) {
    const PackedWeights* packed = w.packed;
    if (packed == nullptr || packed->type != in.type || packed->row_length != in.row_length ||
        end > packed->rows || begin % kPanelRows != 0 ||
        (end % kPanelRows != 0 && end != packed->rows))
      return make_error(StatusCode::kInvalidArgument,
                        "matmul: packed weights missing or not matching the rows asked for");
    const bool tiles = in.path == MatmulPath::kAmx && in.tokens >= kAmxMinTokens;
    const detail::PackedKernel kernel =
        in.path == MatmulPath::kScalar ? detail::packed_kernel_scalar
        : in.path == MatmulPath::kAvx2 ? detail::packed_kernel_avx2
        : tiles                        ? detail::packed_kernel_amx
                                       : detail::packed_kernel_avx512vnni;
    kernel(*packed, begin / kPanelRows, (end + kPanelRows - 1) / kPanelRows, in.q8, y, y_stride);
    return Status::ok_status();
  }
  const uint8_t* wr = w.rows + static_cast<uint64_t>(begin) * in.row_bytes;
  float* yr = y + begin;
  const int64_t rows = end - begin;
  if (in.path == MatmulPath::kReference)
    return matmul_reference(in.type, wr, rows, in.row_length, in.row_bytes, in.x, in.tokens, yr,
                            y_stride);
  const detail::FloatKernel kernel =
      in.path == MatmulPath::kScalar ? detail::float_kernel_scalar : detail::float_kernel_avx2;
  kernel(in.type, wr, rows, in.row_length, in.x, in.tokens, yr, y_stride);
  return Status::ok_status();
}

Status matmul_with_path(MatmulPath path, GgmlType type, const uint8_t* w, int64_t rows,
                        int64_t row_length, const float* x, int64_t tokens, float* y) {
  if (rows < 0) return make_error(StatusCode::kInvalidArgument, "matmul: negative or empty shape");
  thread_local MatmulInput input;
  thread_local PackedWeights packed;
  INGOT_RETURN_IF_ERROR(prepare_matmul(path, type, row_length, x, tokens, input));
  MatmulWeights weights{w, nullptr};
  if (matmul_reads_packed(input)) {
    INGOT_RETURN_IF_ERROR(pack_weights(type, w, rows, row_length, packed));
    weights.packed = &packed;
  }
  return matmul_rows(input, weights, 0, rows, y, rows);
}

Status matmul(GgmlType type, const uint8_t* w, int64_t rows, int64_t row_length, const float* x,
              int64_t tokens, float* y) {
  return matmul_with_path(best_matmul_path(), type, w, rows, row_length, x, tokens, y);
}

}  // namespace ingot::cpu
