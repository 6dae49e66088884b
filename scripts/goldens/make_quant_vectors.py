#!/usr/bin/env python3
"""Writes the golden vectors of kernels/quant under test/golden/quant/.

For every type there are two files (format: test/golden/quant/README.md):

  <type>.dequant.bin  random quantized bytes (block scales kept finite) and the
                      floats the reference dequantizer gives for them;
  <type>.quant.bin    random floats and the bytes ggml's reference quantizer
                      (quantize_row_*_ref, via ggml_quantize_chunk with no
                      importance matrix) gives for them.

  bulk_digests.txt    for each block type, FNV-1a digests of ggml's quantization
                      of a few thousand blocks of integer-built pseudo-random
                      floats (the unit test rebuilds the same floats), and of
                      ggml's dequantization of those bytes. Rare last-bit
                      differences in the K-quant scale searches (about 1 block
                      in 500 for a reordered product) only show at this scale.

Dequantization references: gguf.quants.dequantize (the `gguf` package), checked
against ggml's own to_float; Q8_K, which gguf lacks, uses ggml's to_float.
Quantization references: ggml itself, loaded with ctypes from the shared
libraries that llama-cpp-python ships; where gguf.quants.quantize also exists
(F16, BF16, Q4_0 .. Q8_0) it must agree, except on F16 NaNs (numpy keeps the
payload, ggml writes 0x7E00). Any other disagreement aborts the run.

Usage: make_quant_vectors.py [--out DIR] [--ggml-lib PATH/libggml-base.so]
Run it with a Python that has numpy, gguf and llama-cpp-python installed.
"""

from __future__ import annotations

import argparse
import ctypes
import importlib.metadata
import pathlib
import struct
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T

SEED = 20240611
MAGIC = b"INGOTQV1"
DEQUANTIZE, QUANTIZE = 0, 1
# GGML_TYPE_COUNT in the ggml.h of the ggml these vectors come from (ggml 0.25.3);
# ggml has no call that reports it, and reading past it is out of bounds.
GGML_TYPE_COUNT = 43

# (type, number of blocks or elements); odd counts on purpose.
TYPES = [
    (T.F32, 1001), (T.F16, 1001), (T.BF16, 1001),
    (T.Q4_0, 63), (T.Q4_1, 63), (T.Q5_0, 63), (T.Q5_1, 63), (T.Q8_0, 63),
    (T.Q2_K, 15), (T.Q3_K, 15), (T.Q4_K, 15), (T.Q5_K, 15), (T.Q6_K, 15), (T.Q8_K, 15),
    (T.IQ4_NL, 63), (T.IQ4_XS, 15),
]

# Byte offsets of the fp16 scale fields inside one block (see kernels/quant/blocks.h).
FP16_FIELDS = {
    T.Q4_0: [0], T.Q4_1: [0, 2], T.Q5_0: [0], T.Q5_1: [0, 2], T.Q8_0: [0],
    T.Q2_K: [80, 82], T.Q3_K: [108], T.Q4_K: [0, 2], T.Q5_K: [0, 2], T.Q6_K: [208],
    T.IQ4_NL: [0], T.IQ4_XS: [0],
}


class Ggml:
    """The few ggml entry points the generator needs."""

    class Traits(ctypes.Structure):
        _fields_ = [
            ("type_name", ctypes.c_char_p),
            ("blck_size", ctypes.c_int64),
            ("blck_size_interleave", ctypes.c_int64),
            ("type_size", ctypes.c_size_t),
            ("is_quantized", ctypes.c_bool),
            ("to_float", ctypes.c_void_p),
            ("from_float_ref", ctypes.c_void_p),
        ]

    ROW_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64)

    def __init__(self, path: str):
        self.lib = ctypes.CDLL(path)
        self.lib.ggml_type_size.restype = ctypes.c_size_t
        self.lib.ggml_type_size.argtypes = [ctypes.c_int]
        self.lib.ggml_blck_size.restype = ctypes.c_int64
        self.lib.ggml_blck_size.argtypes = [ctypes.c_int]
        self.lib.ggml_type_name.restype = ctypes.c_char_p
        self.lib.ggml_type_name.argtypes = [ctypes.c_int]
        self.lib.ggml_get_type_traits.restype = ctypes.POINTER(Ggml.Traits)
        self.lib.ggml_get_type_traits.argtypes = [ctypes.c_int]
        self.lib.ggml_quantize_chunk.restype = ctypes.c_size_t
        self.lib.ggml_quantize_chunk.argtypes = [
            ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p,
            ctypes.c_int64, ctypes.c_int64, ctypes.c_int64, ctypes.c_void_p]

    def geometry(self, t: int) -> tuple[int, int]:
        return int(self.lib.ggml_blck_size(t)), int(self.lib.ggml_type_size(t))

    def to_float(self, t: int, raw: np.ndarray, n: int) -> np.ndarray:
        if t == T.F32:  # no converter: ggml uses F32 data as is
            return raw.view(np.float32).copy()
        out = np.empty(n, dtype=np.float32)
        if t == T.Q8_K:  # an activation-only type: its traits leave to_float unset
            fn = ctypes.cast(self.lib.dequantize_row_q8_K, ctypes.c_void_p).value
        else:
            fn = self.lib.ggml_get_type_traits(t).contents.to_float
        Ggml.ROW_FN(fn)(raw.ctypes.data, out.ctypes.data, n)
        return out

    def quantize(self, t: int, x: np.ndarray) -> np.ndarray:
        blck, size = self.geometry(t)
        out = np.zeros(x.size // blck * size, dtype=np.uint8)
        if t == T.Q8_K:  # not handled by ggml_quantize_chunk; call the row reference
            fn = ctypes.cast(self.lib.quantize_row_q8_K_ref, ctypes.c_void_p).value
            Ggml.ROW_FN(fn)(x.ctypes.data, out.ctypes.data, x.size)
        else:
            written = self.lib.ggml_quantize_chunk(t, x.ctypes.data, out.ctypes.data, 0, 1, x.size, None)
            assert written == out.size, (t, written, out.size)
        return out


def random_fp16_scales(rng: np.random.Generator, n: int) -> np.ndarray:
    """Finite fp16 scales of either sign, log-uniform over 2^-20 .. 2^3 (subnormals included)."""
    mag = np.exp2(rng.uniform(-20.0, 3.0, n))
    return (mag * rng.choice([-1.0, 1.0], n)).astype(np.float16)


def random_quantized(rng: np.random.Generator, t: int, count: int, type_size: int) -> np.ndarray:
    """Random bytes for `count` blocks (or elements) of t, with sane scale fields."""
    raw = rng.integers(0, 256, count * type_size, dtype=np.uint8)
    if t in (T.F32, T.F16, T.BF16):
        return raw  # every bit pattern, NaN and inf included, is a valid input
    blocks = raw.reshape(count, type_size)
    if t == T.Q8_K:
        d = (np.exp2(rng.uniform(-12.0, 2.0, count)) * rng.choice([-1.0, 1.0], count)).astype(np.float32)
        blocks[:, 0:4] = d.view(np.uint8).reshape(count, 4)
        return raw
    for off in FP16_FIELDS[t]:
        blocks[:, off:off + 2] = random_fp16_scales(rng, count).view(np.uint8).reshape(count, 2)
    return raw


def random_floats(rng: np.random.Generator, n: int) -> np.ndarray:
    """n normal-ish floats, never zero: each group of 32 gets its own scale
    (1e-3 .. 1e2) and sometimes an offset (all-positive or all-negative groups),
    and about 1% of the values are outliers 5-20x larger."""
    group = 32
    padded = -(-n // group) * group
    x = rng.standard_normal(padded)
    groups = padded // group
    scale = 10.0 ** rng.uniform(-3.0, 2.0, groups)
    offset = np.where(rng.random(groups) < 0.3, rng.uniform(-3.0, 3.0, groups), 0.0)
    x = (x.reshape(groups, group) + offset[:, None]) * scale[:, None]
    # Sub-groups of 16 drift in scale too, as in real weight rows.
    x = x.reshape(-1, 16) * (10.0 ** rng.uniform(-0.3, 0.3, (padded // 16, 1)))
    x = x.ravel()[:n]
    outliers = rng.random(n) < 0.01
    x[outliers] *= rng.uniform(5.0, 20.0, outliers.sum()) * rng.choice([-1.0, 1.0], outliers.sum())
    x = x.astype(np.float32)
    x[x == 0] = np.float32(1e-7)
    return x


def conversion_specials() -> np.ndarray:
    """Edge cases for the F16/BF16 conversions (no zeros: the unit test covers +-0)."""
    f16_max, f16_min_normal, f16_min_sub = 65504.0, 2.0 ** -14, 2.0 ** -24
    vals = [
        np.inf, -np.inf, f16_max, -f16_max, 65519.0, 65520.0, -65520.0, 1e6, 3.0e38,
        f16_min_normal, f16_min_sub, -f16_min_sub, f16_min_sub / 2, f16_min_sub * 0.75, f16_min_sub * 1.5,
        1.0 + 2.0 ** -11, 1.0 + 3 * 2.0 ** -11, 1.0 + 2.0 ** -8, 1.0 + 3 * 2.0 ** -8,  # ties to even
        1e-40, -1e-42, 1.1754942e-38,  # fp32 subnormals: bf16 keeps them
        3.4028235e38,  # FLT_MAX: bf16 rounds it to inf
    ]
    specials = np.array(vals, dtype=np.float32)
    nans = np.array([0x7FC00000, 0xFFC00001, 0x7F800001, 0x7FA5A5A5, 0xFF80FFFF], dtype=np.uint32).view(np.float32)
    return np.concatenate([specials, nans])


# --- Bulk digests -------------------------------------------------------------
# The inputs are built from integers and one float32 multiply each, so C++
# (test/unit/quant_bulk_test.cpp) rebuilds them bit for bit without numpy.

BULK_SEED = 0x1D0C0FFEE
BULK_BLOCKS = {T.Q4_0: 8191, T.Q4_1: 8191, T.Q5_0: 8191, T.Q5_1: 8191, T.Q8_0: 8191,
               T.Q2_K: 2047, T.Q3_K: 2047, T.Q4_K: 2047, T.Q5_K: 2047, T.Q6_K: 2047, T.Q8_K: 2047,
               T.IQ4_NL: 8191, T.IQ4_XS: 2047}
GROUP_STREAM = 0xD1B54A32D192ED03
M64 = (1 << 64) - 1


def splitmix(seed: int, index: np.ndarray) -> np.ndarray:
    """Output `index` of the splitmix64 generator started at `seed` (vectorized)."""
    z = np.uint64(seed & M64) + (index.astype(np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def bulk_floats(seed: int, n: int) -> np.ndarray:
    """n floats: a sum of four 17-bit uniforms (roughly normal), plus an offset
    in a quarter of the groups of 16, times 4..31 for 1 value in 128, never 0,
    times a per-group scale (8..15) * 2^(k-3) with k in [-20, 6]."""
    i = np.arange(n, dtype=np.uint64)
    draw = [splitmix(seed, i * np.uint64(5) + np.uint64(j)) for j in range(5)]
    total = sum(((d >> np.uint64(47)).astype(np.int64) - 65536) for d in draw[:4])
    g = splitmix(seed ^ GROUP_STREAM, i // np.uint64(16))
    exponent = (g % np.uint64(27)).astype(np.int64) - 20
    mantissa = ((g >> np.uint64(8)) % np.uint64(8)).astype(np.int64) + 8
    has_offset = ((g >> np.uint64(16)) % np.uint64(4)) == 0
    offset = np.where(has_offset, ((g >> np.uint64(20)) % np.uint64(1 << 19)).astype(np.int64) - (1 << 18), 0)
    outlier = (draw[4] % np.uint64(128)) == 0
    multiplier = np.where(outlier, ((draw[4] >> np.uint64(7)) % np.uint64(28)).astype(np.int64) + 4, 1)
    value = (total + offset) * multiplier
    value[value == 0] = 1
    scale = np.ldexp(mantissa.astype(np.float32), (exponent - 3).astype(np.int32)).astype(np.float32)
    return value.astype(np.float32) * scale


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & M64
    return h


def nan_aware_equal(a: np.ndarray, b: np.ndarray) -> bool:
    a_bits, b_bits = a.view(np.uint32), b.view(np.uint32)
    both_nan = np.isnan(a) & np.isnan(b)
    return bool(np.all((a_bits == b_bits) | both_nan))


def write_vector(path: pathlib.Path, t: int, direction: int, floats: np.ndarray, raw: np.ndarray) -> None:
    header = MAGIC + struct.pack("<IIQQ", int(t), direction, floats.size, raw.size)
    path.write_bytes(header + floats.astype("<f4").tobytes() + raw.astype(np.uint8).tobytes())


def gguf_quantize(t: int, x: np.ndarray) -> np.ndarray | None:
    try:
        with np.errstate(over="ignore"):  # F16: values past 65504 become inf, as intended
            return np.asarray(gguf.quants.quantize(x, t)).view(np.uint8).ravel()
    except NotImplementedError:
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    repo = pathlib.Path(__file__).resolve().parents[2]
    parser.add_argument("--out", type=pathlib.Path, default=repo / "test" / "golden" / "quant")
    parser.add_argument("--ggml-lib", default=None, help="path to libggml-base.so (default: llama_cpp's)")
    args = parser.parse_args()

    lib = args.ggml_lib
    if lib is None:
        import llama_cpp  # noqa: F401  (only to locate its bundled ggml)
        lib = str(pathlib.Path(llama_cpp.__file__).parent / "lib" / "libggml-base.so")
    ggml = Ggml(lib)
    args.out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)

    # Block geometry of every type ggml knows, for the ggml_type.cpp table test.
    lines = ["# ggml_type_id name block_elems block_bytes (from ggml_blck_size / ggml_type_size)"]
    for t in range(GGML_TYPE_COUNT):
        name = ggml.lib.ggml_type_name(t)
        blck, size = ggml.geometry(t)
        if size:
            lines.append(f"{t} {name.decode().upper()} {blck} {size}")
    (args.out / "type_sizes.txt").write_text("\n".join(lines) + "\n")

    for t, count in TYPES:
        blck, size = ggml.geometry(t)
        assert (blck, size) == tuple(gguf.GGML_QUANT_SIZES[t]), t
        n = count * blck
        name = t.name.lower()

        # (a) random quantized bytes -> reference floats
        raw = random_quantized(rng, t, count, size)
        ggml_floats = ggml.to_float(t, raw, n)
        if t == T.Q8_K:
            floats = ggml_floats
        else:
            floats = np.asarray(gguf.quants.dequantize(raw, t), dtype=np.float32).ravel()
            if not nan_aware_equal(floats, ggml_floats):
                sys.exit(f"{name}: gguf and ggml dequantize disagree")
        write_vector(args.out / f"{name}.dequant.bin", t, DEQUANTIZE, floats, raw)

        # (b) random floats -> ggml's reference bytes
        x = random_floats(rng, n)
        if blck == 1:
            x = np.concatenate([x, conversion_specials()])
        x = np.ascontiguousarray(x, dtype=np.float32)
        quantized = ggml.quantize(t, x)
        other = gguf_quantize(t, x)
        if other is not None:
            same = other == quantized
            if t == T.F16:  # numpy keeps NaN payloads, ggml writes 0x7E00: compare the rest
                same |= np.repeat(np.isnan(x), 2)
            if not np.all(same):
                sys.exit(f"{name}: gguf.quants.quantize and ggml disagree at bytes {np.flatnonzero(~same)[:8]}")
        write_vector(args.out / f"{name}.quant.bin", t, QUANTIZE, x, quantized)
        print(f"{name:5s} dequant {n} values, quant {x.size} values -> {quantized.size} bytes")

    digest_lines = ["# type blocks seed fnv1a64(quantized bytes) fnv1a64(dequantized float32 bytes)"]
    for t, blocks in BULK_BLOCKS.items():
        blck, _ = ggml.geometry(t)
        x = np.ascontiguousarray(bulk_floats(BULK_SEED, blocks * blck))
        assert np.all(np.isfinite(x)) and np.all(x != 0)
        quantized = ggml.quantize(t, x)
        floats = ggml.to_float(t, quantized, x.size)
        digest_lines.append(f"{t.name.lower()} {blocks} {BULK_SEED:#x} {fnv1a64(quantized.tobytes()):016x} "
                            f"{fnv1a64(floats.astype('<f4').tobytes()):016x}")
        print(f"{t.name.lower():5s} bulk {blocks} blocks")
    (args.out / "bulk_digests.txt").write_text("\n".join(digest_lines) + "\n")

    versions = {p: importlib.metadata.version(p) for p in ("numpy", "gguf", "llama_cpp_python")}
    print("versions:", versions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
