#!/usr/bin/env python3
"""Writes (or checks) the tokenizer goldens in test/golden/tokenizer/.

The corpus comes from tokenizer_corpus.py (seeded, deterministic). The ids come
from the peer, llama.cpp through llama-cpp-python, on the real SmolLM2 GGUF:

  corpus.jsonl          {"id", "category", "text"}, or "hex" instead of "text"
                        when the line is not valid UTF-8
  smollm2_ids.jsonl     {"id", "plain", "special", "detok_plain", "detok_special"}:
                        llama_tokenize(add_special=True, parse_special=False/True)
                        and llama_detokenize(ids, remove_special=False,
                        unparse_special=False/True) as hex; or {"id", "peer": "aborts"}
                        for lines on which llama.cpp throws and the process dies
  pretokenizers.jsonl   {"pre", "id", "ids"}: the same vocabulary with
                        tokenizer.ggml.pre replaced, parse_special=True, on a
                        subset of the lines, for the other pre-tokenizers; a row
                        without "ids" has the same ids as smollm2_ids "special"
  manifest.json         peer version, GGUF sha256, counts

Usage (needs llama_cpp and gguf, e.g. in /tmp/peervenv):
  python scripts/goldens/make_tokenizer_goldens.py            # regenerate
  python scripts/goldens/make_tokenizer_goldens.py --check    # recompute, compare
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tokenizer_corpus  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL = ROOT / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_OUT = ROOT / "test" / "golden" / "tokenizer"

# Pre-tokenizers checked on the SmolLM2 vocabulary with tokenizer.ggml.pre swapped.
OTHER_PRES = ["default", "gpt-2", "llama-bpe", "qwen2", "qwen35", "stablelm2", "dbrx", "jais-2",
              "deepseek-llm", "deepseek-coder", "deepseek-v3", "spark2_5", "youtu", "falcon",
              "starcoder", "bloom", "poro-chat", "viking", "tekken", "chameleon", "gpt-4o",
              "granite-embed-multi-97m", "bailingmoe", "seed-coder", "ufakzeka", "laguna",
              "exaone-moe", "minicpm5", "glm4", "trillion"]
PRE_LINE_STRIDE = 7  # every 7th corpus line (plus all hand-written special cases below)
PRE_EXTRA_CATEGORIES = {"contractions", "whitespace", "numbers", "combining"}


def peer_would_abort(data: bytes) -> bool:
    """True when llama.cpp's lenient UTF-8 decoder meets a 4-byte form above U+10FFFF."""
    i = 0
    n = len(data)
    while i < n:
        b = data[i]
        length = 1 if b < 0xC0 else 2 if b < 0xE0 else 3 if b < 0xF0 else 4 if b < 0xF8 else 0
        if length >= 2 and i + length <= n and all(0x80 <= c < 0xC0 for c in data[i + 1:i + length]):
            if length == 4:
                value = ((b & 7) << 18) | ((data[i + 1] & 63) << 12) | ((data[i + 2] & 63) << 6) | (data[i + 3] & 63)
                if value > 0x10FFFF:
                    return True
            i += length
        else:
            i += 1
    return False


def corpus_records() -> list[dict]:
    records = []
    for index, (category, data) in enumerate(tokenizer_corpus.corpus()):
        record = {"id": index, "category": category}
        try:
            record["text"] = data.decode("utf-8")
        except UnicodeDecodeError:
            record["hex"] = data.hex()
        records.append(record)
    return records


def record_bytes(record: dict) -> bytes:
    return record["text"].encode("utf-8") if "text" in record else bytes.fromhex(record["hex"])


class Peer:
    """llama.cpp through llama-cpp-python, vocabulary only."""

    def __init__(self, model_path: Path):
        import llama_cpp
        self.llama_cpp = llama_cpp
        self.llm = llama_cpp.Llama(str(model_path), vocab_only=True, verbose=False)
        self.vocab = self.llm._model.vocab

    def tokenize(self, data: bytes, special: bool) -> list[int]:
        return self.llm.tokenize(data, add_bos=True, special=special)

    def detokenize(self, ids: list[int], special: bool) -> bytes:
        array = (self.llama_cpp.llama_token * max(1, len(ids)))(*ids)
        size = 64 + 8 * len(ids)
        while True:
            buffer = ctypes.create_string_buffer(size)
            n = self.llama_cpp.llama_detokenize(self.vocab, array, len(ids), buffer, size, False, special)
            if n >= 0:
                return buffer.raw[:n]
            size = -n


def peer_ids(peer: Peer, records: list[dict]) -> list[dict]:
    rows = []
    for record in records:
        data = record_bytes(record)
        if peer_would_abort(data):
            rows.append({"id": record["id"], "peer": "aborts"})
            continue
        plain = peer.tokenize(data, special=False)
        special = peer.tokenize(data, special=True)
        rows.append({"id": record["id"], "plain": plain, "special": special,
                     "detok_plain": peer.detokenize(plain, False).hex(),
                     "detok_special": peer.detokenize(special, True).hex()})
    return rows


def pre_subset(records: list[dict]) -> list[dict]:
    return [r for r in records
            if (r["id"] % PRE_LINE_STRIDE == 0 or r["category"] in PRE_EXTRA_CATEGORIES)
            and not peer_would_abort(record_bytes(r))]


def write_vocab_with_pre(model_path: Path, pre: str, out_path: Path) -> None:
    """Copies the GGUF's metadata (no tensors) with tokenizer.ggml.pre replaced."""
    import gguf
    reader = gguf.GGUFReader(str(model_path))
    arch = reader.fields["general.architecture"].contents()
    writer = gguf.GGUFWriter(str(out_path), arch)
    for name, field in reader.fields.items():
        if name.startswith("GGUF.") or name == "general.architecture":
            continue
        value = pre if name == "tokenizer.ggml.pre" else field.contents()
        vtype = field.types[0]
        if vtype == gguf.GGUFValueType.ARRAY:
            writer.add_key_value(name, value, vtype, sub_type=field.types[-1])
        else:
            writer.add_key_value(name, value, vtype)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def pretokenizer_rows(model_path: Path, records: list[dict], smollm2_rows: list[dict]) -> list[dict]:
    """Rows without "ids" mean: the same ids as smollm2_ids.jsonl's "special"."""
    same = {row["id"]: row.get("special") for row in smollm2_rows}
    rows = []
    subset = pre_subset(records)
    with tempfile.TemporaryDirectory() as tmp:
        for pre in OTHER_PRES:
            path = Path(tmp) / f"vocab-{pre}.gguf"
            write_vocab_with_pre(model_path, pre, path)
            peer = Peer(path)
            for record in subset:
                ids = peer.tokenize(record_bytes(record), True)
                row = {"pre": pre, "id": record["id"]}
                if ids != same[record["id"]]:
                    row["ids"] = ids
                rows.append(row)
            del peer
    return rows


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _escape_line_breakers(text: str) -> str:
    """Escapes the code points that some tools treat as line ends (C1 controls, U+2028, U+2029)."""
    return "".join(f"\\u{ord(c):04x}" if 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029" else c for c in text)


def jsonl(rows: list[dict]) -> str:
    return "".join(_escape_line_breakers(json.dumps(row, ensure_ascii=False, separators=(",", ":"))) + "\n"
                   for row in rows)


def write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="recompute with the peer and compare")
    args = parser.parse_args()

    import llama_cpp
    records = corpus_records()
    peer = Peer(args.model)
    smollm2_rows = peer_ids(peer, records)
    outputs = {
        "corpus.jsonl": jsonl(records),
        "smollm2_ids.jsonl": jsonl(smollm2_rows),
        "pretokenizers.jsonl": jsonl(pretokenizer_rows(args.model, records, smollm2_rows)),
    }
    manifest = {
        "peer": "llama-cpp-python " + llama_cpp.__version__,
        "llama_cpp_commit": "0c1e57098bba43ac29e6e3b677cdceebdd22334f (vendored by llama-cpp-python 0.3.36)",
        "model": args.model.name,
        "model_sha256": sha256(args.model),
        "corpus_lines": len(records),
        "pretokenizers": OTHER_PRES,
        "pretokenizer_lines": len(pre_subset(records)),
    }
    outputs["manifest.json"] = json.dumps(manifest, indent=2) + "\n"

    if args.check:
        failures = 0
        for name, text in outputs.items():
            committed = (args.out / name).read_text(encoding="utf-8")
            if name == "manifest.json":
                committed_manifest = json.loads(committed)
                for key in ("model_sha256", "corpus_lines"):
                    if committed_manifest.get(key) != manifest[key]:
                        print(f"{name}: {key} differs: {committed_manifest.get(key)} vs {manifest[key]}")
                        failures += 1
                continue
            if committed != text:
                old, new = committed.split("\n"), text.split("\n")
                bad = [i for i in range(max(len(old), len(new)))
                       if i >= len(old) or i >= len(new) or old[i] != new[i]]
                print(f"{name}: {len(bad)} lines differ (first: line {bad[0] + 1})")
                failures += 1
            else:
                print(f"{name}: identical ({text.count(chr(10))} lines)")
        return 1 if failures else 0

    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in outputs.items():
        write_atomic(args.out / name, text)
        print(f"wrote {args.out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
