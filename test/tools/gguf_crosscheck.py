#!/usr/bin/env python3
"""Cross-checks ingot's GGUF reader against the `gguf` package, an independent
writer and reader: writes a GGUF with every metadata value type, nested and
string arrays and tensors of several ggml types using gguf.GGUFWriter, then
requires `ingot-inspect --json` to report exactly what gguf.GGUFReader reads.

Usage: gguf_crosscheck.py INGOT_INSPECT WORK_DIR [EXTRA_GGUF ...]
"""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import gguf


def write_fixture(path: Path) -> None:
    rng = np.random.default_rng(20261123)
    w = gguf.GGUFWriter(str(path), arch="llama")
    w.add_uint8("x.u8", 250)
    w.add_int8("x.i8", -7)
    w.add_uint16("x.u16", 65000)
    w.add_int16("x.i16", -32000)
    w.add_uint32("x.u32", 4000000000)
    w.add_int32("x.i32", -123456789)
    w.add_float32("x.f32", 3.25)
    w.add_uint64("x.u64", 2**63 + 5)
    w.add_int64("x.i64", -(2**62))
    w.add_float64("x.f64", 1.0e-300)
    w.add_bool("x.bool", True)
    w.add_string("x.str", "h\u00e9llo \u4e16\u754c \U0001F600")
    w.add_array("x.strs", ["a b", "", "\u0120the"])
    w.add_array("x.ints", [1, -2, 3])
    w.add_array("x.floats", [0.5, -1.25])
    w.add_array("x.nested", [[1, 2], [3]])
    w.add_tensor("f32", rng.standard_normal((3, 5)).astype(np.float32))
    w.add_tensor("f16", rng.standard_normal((2, 7)).astype(np.float16))
    q = rng.integers(0, 256, size=(4, 34), dtype=np.uint8)
    w.add_tensor("q8_0", q, raw_dtype=gguf.GGMLQuantizationType.Q8_0)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def expected(path: Path) -> dict:
    r = gguf.GGUFReader(str(path))
    tensors = [
        {
            "name": t.name,
            "type": t.tensor_type.name,
            "shape": [int(d) for d in t.shape],
            "file_offset": int(t.data_offset),
            "bytes": int(t.n_bytes),
        }
        for t in r.tensors
    ]
    metadata = {}
    for key, field in r.fields.items():
        if key.startswith("GGUF."):
            continue
        metadata[key] = field.contents()
    return {"tensors": tensors, "metadata": metadata}


def flatten(value):
    """gguf-py's ReaderField.contents() flattens nested arrays; compare likewise."""
    if isinstance(value, list) and any(isinstance(v, list) for v in value):
        return [x for v in value for x in (flatten(v) if isinstance(v, list) else [v])]
    return value


def same(a, b) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        return float(a) == float(b) or (np.float32(a) == np.float32(b))
    return a == b


def check(inspect: str, path: Path) -> list:
    ours = json.loads(subprocess.run([inspect, "--json", str(path)], check=True,
                                     capture_output=True).stdout)
    theirs = expected(path)
    problems = []
    if len(ours["tensors"]) != len(theirs["tensors"]):
        problems.append(f"tensor count {len(ours['tensors'])} != {len(theirs['tensors'])}")
    for o, t in zip(ours["tensors"], theirs["tensors"]):
        mine = {"name": o["name"], "type": o["type"], "shape": o["shape"],
                "file_offset": o["file_offset"], "bytes": o["bytes"]}
        if mine != t:
            problems.append(f"tensor {t['name']}: ingot {mine} != gguf {t}")
    ours_meta = {m["key"]: m["value"] for m in ours["metadata"]}
    if set(ours_meta) != set(theirs["metadata"]):
        problems.append(f"keys differ: {sorted(set(ours_meta) ^ set(theirs['metadata']))}")
    for key, value in theirs["metadata"].items():
        if key in ours_meta and not same(flatten(ours_meta[key]), value):
            problems.append(f"metadata {key}: ingot {ours_meta[key]!r} != gguf {value!r}")
    return problems


def main() -> int:
    inspect, work = sys.argv[1], Path(sys.argv[2])
    work.mkdir(parents=True, exist_ok=True)
    fixture = work / "crosscheck.gguf"
    write_fixture(fixture)
    files = [fixture] + [Path(p) for p in sys.argv[3:] if Path(p).exists()]
    failed = False
    for path in files:
        problems = check(inspect, path)
        for p in problems[:20]:
            print(f"{path}: {p}")
        failed |= bool(problems)
        print(f"{path}: {'MISMATCH' if problems else 'ingot-inspect agrees with gguf-py'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
