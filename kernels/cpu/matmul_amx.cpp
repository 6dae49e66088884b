// AMX matmul kernel: the integer dots of a scale unit (a block of 32 quants, or Q6_K's half
// block) for up to 16 tokens by 16 rows come from one TDPBSSD on the tile unit; AVX-512 then
// scales them into float accumulators exactly as the other paths do. Built with a target pragma,
// called only when amx_available() (the CPU has AMX-TILE and AMX-INT8, and the kernel granted
// this process the tile state).
#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "kernels/cpu/matmul_kernels.h"

#if defined(__linux__)
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl"))), \
                             apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c,avx512f,avx512bw,avx512vl")
// GCC 12's avx512fintrin.h starts some conversions from _mm512_undefined_*, which
// -Wmaybe-uninitialized reports at every use.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace {

using ingot::cpu::PackedWeights;
using ingot::cpu::Q8Activations;
using ingot::cpu::detail::packed_layout;
using ingot::cpu::detail::packed_scale_at;
using ingot::cpu::detail::packed_second_at;
using ingot::cpu::detail::PackedLayout;
using ingot::quant::GgmlType;

// The tile instructions, as asm of our own: GCC 12's intrinsics paste the tile number into their
// asm text (so it cannot be a template argument) and tell the compiler of no memory they read or
// write, which lets it drop the stores a tile load reads.

/// The LDTILECFG operand (palette 1): bytes per row and rows of each tile register.
struct alignas(64) TileConfig {
  uint8_t palette = 1;
  uint8_t start_row = 0;
  uint8_t reserved[14] = {};
  uint16_t colsb[16] = {};
  uint8_t rows[16] = {};
};

inline void tile_configure(const TileConfig& config) {
  __asm__ volatile("ldtilecfg %0" ::"m"(config) : "memory");
}
inline void tile_release() { __asm__ volatile("tilerelease" ::: "memory"); }
template <int kTile>
inline void tile_zero() {
  __asm__ volatile("tilezero %%tmm%c0" ::"i"(kTile));
}
template <int kTile>
inline void tile_load(const void* base, int64_t stride) {
  __asm__ volatile("tileloadd (%0,%1,1), %%tmm%c2" ::"r"(base), "r"(stride), "i"(kTile)
                   : "memory");
}
template <int kTile>
inline void tile_store(void* base, int64_t stride) {
  __asm__ volatile("tilestored %%tmm%c2, (%0,%1,1)" ::"r"(base), "r"(stride), "i"(kTile)
                   : "memory");
}
/// Tile kSum += kX (int8, tokens by K) times kW (int8, K/4 rows of 16 columns by 4).
template <int kSum, int kX, int kW>
inline void tile_dot() {
  __asm__ volatile("tdpbssd %%tmm%c2, %%tmm%c1, %%tmm%c0" ::"i"(kSum), "i"(kX), "i"(kW));
}

// The tiles: sums of four scale units in flight (tiles 0-3), x quants in tiles 4-5 and weights
// in 6-7. Vector work does not overlap the tile work before it (measured: a chunk's tile dots and
// an unrelated float epilogue take the sum of their times), so the kernel works a panel in chunks
// of kChunkUnits units, amortizing the switch: first the signed weights of the chunk's blocks,
// then every unit's dot on the tile unit, then the float epilogue over them all. (Making a
// panel's signed weights once for all token tiles was slower at 512 tokens: the panel-outer
// order streams x from L2 once a panel.)
constexpr int kChunkUnits = 12;  // 16 was 12-15% slower at 1536 quants a row, 8 no faster

/// Quants of a scale unit: 32 of a block, or 16 of a Q6_K half block.
constexpr int unit_quants(const PackedLayout& layout) { return layout.two_scales ? 16 : 32; }

void configure_tiles(const PackedLayout& layout, int tokens) {
  TileConfig config;
  for (int tile = 0; tile < 4; ++tile) {
    config.rows[tile] = static_cast<uint8_t>(tokens);
    config.colsb[tile] = 64;  // 16 int32 sums per token
  }
  for (int tile : {4, 5}) {
    config.rows[tile] = static_cast<uint8_t>(tokens);
    config.colsb[tile] = static_cast<uint16_t>(unit_quants(layout));
  }
  for (int tile : {6, 7}) {
    config.rows[tile] = static_cast<uint8_t>(unit_quants(layout) / 4);
    config.colsb[tile] = 64;  // one group of 4 quants of 16 rows
  }
  tile_configure(config);
}

/// Tile kSum = x quants (tokens rows, x_stride apart) times signed weight groups, then stored.
template <int kSum, int kX, int kW>
inline void unit_dot(const int8_t* xq, int64_t x_stride, const int8_t* weights, int32_t* sums) {
  tile_zero<kSum>();
  tile_load<kX>(xq, x_stride);
  tile_load<kW>(weights, 64);
  tile_dot<kSum, kX, kW>();
  tile_store<kSum>(sums, 64);
}

/// The signed quants (stored quant minus the layout's offset) of a panel block, in the packed
/// group order: 8 groups of 4 quants of 16 rows, 64 bytes a group.
template <GgmlType T>
inline void signed_quants(const uint8_t* quants, int8_t* out) {
  constexpr PackedLayout kLayout = packed_layout(T);
  const __m512i offset = _mm512_set1_epi8(static_cast<char>(kLayout.offset));
  if constexpr (kLayout.nibbles) {
    const __m512i low_mask = _mm512_set1_epi8(0x0f);
    for (int c = 0; c < 4; ++c) {
      const __m512i v = _mm512_loadu_si512(quants + 64 * c);
      const __m512i low = _mm512_and_si512(v, low_mask);
      const __m512i high = _mm512_and_si512(_mm512_srli_epi16(v, 4), low_mask);
      _mm512_store_si512(out + 64 * c, _mm512_sub_epi8(low, offset));
      _mm512_store_si512(out + 64 * (c + 4), _mm512_sub_epi8(high, offset));
    }
  } else {
    for (int c = 0; c < 8; ++c)
      _mm512_store_si512(out + 64 * c,
                         _mm512_sub_epi8(_mm512_loadu_si512(quants + 64 * c), offset));
  }
}

/// 16 scales or minimums of a panel block: floats, or fp16 ones.
template <bool kF32>
inline __m512 load_scales(const uint8_t* p) {
  if constexpr (kF32)
    return _mm512_loadu_ps(p);
  else
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}

/// Tokens [t0, t0 + tokens) (tokens <= 16, the configured tile height) times panels
/// [panel_begin, panel_end).
template <GgmlType T>
void token_tile(const PackedWeights& w, int64_t panel_begin, int64_t panel_end,
                const Q8Activations& x, int64_t t0, int tokens, float* y, int64_t y_stride) {
  constexpr PackedLayout kLayout = packed_layout(T);
  constexpr int kUnitsPerBlock = kLayout.two_scales ? 2 : 1;
  constexpr int kChunkBlocks = kChunkUnits / kUnitsPerBlock;
  constexpr int kUnitBytes = unit_quants(kLayout) * 16;  // signed weight bytes of a unit
  const int64_t nb = w.blocks();
  const int64_t x_stride = nb * 32;
  alignas(64) int32_t sums[kChunkUnits][16][16];  // [unit][token][row]
  alignas(64) int8_t weights[kChunkUnits][kUnitBytes];
  for (int64_t p = panel_begin; p < panel_end; ++p) {
    const uint8_t* panel = w.panel(p);
    __m512 acc[16];
    for (auto& a : acc) a = _mm512_setzero_ps();
    const int64_t chunks = (nb + kChunkBlocks - 1) / kChunkBlocks;
    const int64_t per_chunk = (nb + chunks - 1) / chunks;  // chunks of even size
    for (int64_t b0 = 0; b0 < nb; b0 += per_chunk) {
      const int blocks = static_cast<int>(std::min<int64_t>(per_chunk, nb - b0));
      const uint8_t* first = panel + static_cast<size_t>(b0) * kLayout.block_bytes;
      // Unit u is block u / kUnitsPerBlock (its half u % 2 for Q6_K): a block's units are
      // consecutive in `weights`, as in the packed groups.
      for (int i = 0; i < blocks; ++i)
        signed_quants<T>(first + i * kLayout.block_bytes + kLayout.header,
                         weights[i * kUnitsPerBlock]);
      const int8_t* xq = x.qs.data() + static_cast<size_t>((t0 * nb + b0) * 32);
      const int units = blocks * kUnitsPerBlock;
      const auto unit_x = [&](int u) { return xq + u * unit_quants(kLayout); };
      int u = 0;
      for (; u + 4 <= units; u += 4) {
        unit_dot<0, 4, 6>(unit_x(u), x_stride, weights[u], sums[u][0]);
        unit_dot<1, 5, 7>(unit_x(u + 1), x_stride, weights[u + 1], sums[u + 1][0]);
        unit_dot<2, 4, 6>(unit_x(u + 2), x_stride, weights[u + 2], sums[u + 2][0]);
        unit_dot<3, 5, 7>(unit_x(u + 3), x_stride, weights[u + 3], sums[u + 3][0]);
      }
      for (; u < units; ++u) unit_dot<0, 4, 6>(unit_x(u), x_stride, weights[u], sums[u][0]);
      for (int i = 0; i < blocks; ++i) {
        const int64_t b = b0 + i;
        const uint8_t* block = first + i * kLayout.block_bytes;
        const __m512 dw = load_scales<kLayout.f32_scales>(block + packed_scale_at(kLayout, 0));
        __m512 second = _mm512_setzero_ps();  // the minimums, or the high-half scales
        if constexpr (kLayout.has_min || kLayout.two_scales)
          second = load_scales<kLayout.f32_scales>(block + packed_second_at(kLayout, 0));
        const int32_t(*unit_sums)[16] = sums[i * kUnitsPerBlock];
        const int32_t(*high_sums)[16] = sums[i * kUnitsPerBlock + kUnitsPerBlock - 1];
        // In block order for each token, as the other paths; unrolled with constant indices, so
        // that the accumulators live in registers.
#pragma GCC unroll 16
        for (int t = 0; t < 16; ++t) {
          if (t >= tokens) break;
          const size_t tb = static_cast<size_t>((t0 + t) * nb + b);
          const __m512 dx = _mm512_set1_ps(x.d[tb]);
          acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_load_si512(unit_sums[t])),
                                   _mm512_mul_ps(dw, dx), acc[t]);
          if constexpr (kLayout.two_scales)
            acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_load_si512(high_sums[t])),
                                     _mm512_mul_ps(second, dx), acc[t]);
          if constexpr (kLayout.has_min)
            acc[t] = _mm512_fmadd_ps(second, _mm512_set1_ps(x.s[tb]), acc[t]);
        }
      }
    }
    const int64_t row0 = p * ingot::cpu::kPanelRows;
    const int valid = static_cast<int>(std::min<int64_t>(16, w.rows - row0));
    const auto mask = static_cast<__mmask16>((1u << valid) - 1);
    for (int t = 0; t < tokens; ++t)
      _mm512_mask_storeu_ps(y + (t0 + t) * y_stride + row0, mask, acc[t]);
  }
}

template <GgmlType T>
void amx_rows(const PackedWeights& w, int64_t panel_begin, int64_t panel_end,
              const Q8Activations& x, float* y, int64_t y_stride) {
  int configured = 0;
  for (int64_t t0 = 0; t0 < x.tokens; t0 += 16) {
    const int tokens = static_cast<int>(std::min<int64_t>(16, x.tokens - t0));
    if (tokens != configured) configure_tiles(packed_layout(T), configured = tokens);
    token_tile<T>(w, panel_begin, panel_end, x, t0, tokens, y, y_stride);
  }
  tile_release();
}

}  // namespace

namespace ingot::cpu::detail {

bool amx_available() {
#if defined(__linux__)
  static const bool available = [] {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return false;
    constexpr unsigned kAmxTile = 1u << 24, kAmxInt8 = 1u << 25;
    if ((edx & kAmxTile) == 0 || (edx & kAmxInt8) == 0) return false;
    // Linux hands out the 8 KiB tile state only to processes that ask (ARCH_REQ_XCOMP_PERM for
    // XFEATURE_XTILEDATA); the grant covers every thread of the process.
    constexpr long kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
    return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
  }();
  return available;
#else
  return false;
#endif
}

void packed_kernel_amx(const PackedWeights& w, int64_t panel_begin, int64_t panel_end,
                       const Q8Activations& x, float* y, int64_t y_stride) {
  with_packed_type(w.type,
                   [&]<GgmlType T>() { amx_rows<T>(w, panel_begin, panel_end, x, y, y_stride); });
}

}  // namespace ingot::cpu::detail

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
