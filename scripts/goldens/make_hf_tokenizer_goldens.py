#!/usr/bin/env python3
"""Writes (or checks) test/golden/tokenizer/hf_sentencepiece.jsonl: how Hugging Face's
tokenizers library encodes text with SentencePiece-style tokenizer.json files.

The files are made from llama.cpp's Llama 2 test vocabulary
(models/vocab/ggml-vocab-llama-spm.gguf, from scripts/fetch-vocabs.sh) by
test/fixtures/gguf_to_hf.py --tokenizer-only, once for each way transformers writes
SentencePiece spaces (--spaces): "prepend" (the Prepend + Replace normalizer of Llama 2 and
TinyLlama on the Hub), "first" and "always" (a Metaspace pre-tokenizer with that
prepend_scheme), and "legacy-metaspace" (the Metaspace of tokenizers before 0.14, which splits
words at spaces). The texts are llama.cpp's own test inputs for that vocabulary, the valid UTF-8
lines of corpus.jsonl, and a few lines with special tokens and leading spaces.

Each line is {"spaces", "source", "id", "ids"} ("extra" lines also carry their "text"):
`Tokenizer.encode(text).ids` with the post-processor's BOS (add_special_tokens=True; special
tokens in the text are split off, as transformers does). For the forms other than "prepend",
only the lines whose ids differ from "prepend"'s are written. The first line is
{"provenance": {...}} with the versions and each tokenizer.json's sha256, which --check compares
too.

Usage (needs tokenizers, gguf and numpy: scripts/goldens/peer-env.sh installs them):
  python scripts/goldens/make_hf_tokenizer_goldens.py            # regenerate
  python scripts/goldens/make_hf_tokenizer_goldens.py --check    # recompute, compare
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from tokenizers import Tokenizer

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_VOCAB = ROOT / "models" / "vocab" / "ggml-vocab-llama-spm.gguf"
DEFAULT_OUT = ROOT / "test" / "golden" / "tokenizer" / "hf_sentencepiece.jsonl"
CORPUS = ROOT / "test" / "golden" / "tokenizer" / "corpus.jsonl"
CONVERTER = ROOT / "test" / "fixtures" / "gguf_to_hf.py"
SPACES = ("prepend", "first", "always", "legacy-metaspace")

# Where the forms differ: leading spaces, runs of spaces, and text around special tokens.
EXTRA_TEXTS = [
    "Hello", " Hello", "  Hello", "\u2581Hello", "Hello world", "<s>Hello", "<s> Hello",
    "Hello</s> world", "</s>", "<s></s>", "a<s>b</s>c", "<unk>", " <s> x ", "\n<s>\nx",
    "\u2581\u2581x", "<s>\u2581x", "end </s>",
]


def texts(vocab: Path) -> list[tuple[str, int, str]]:
    """(source, id, text) of every text, in order."""
    out = []
    inp = Path(str(vocab) + ".inp").read_text(encoding="utf-8")
    for i, text in enumerate(inp.split("\n__ggml_vocab_test__\n")[:-1]):
        out.append(("llama.cpp", i, text))
    with CORPUS.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if "text" in row:  # "hex" lines are not valid UTF-8, which a str cannot hold
                out.append(("corpus", row["id"], row["text"]))
    out.extend(("extra", i, text) for i, text in enumerate(EXTRA_TEXTS))
    return out


def make(vocab: Path, work: Path) -> list[dict]:
    rows, tokenizer_sha = [], {}
    by_spaces = {}
    for spaces in SPACES:
        folder = work / spaces
        subprocess.run([sys.executable, str(CONVERTER), "--tokenizer-only", "--spaces", spaces,
                        str(vocab), str(folder)], check=True)
        path = folder / "tokenizer.json"
        tokenizer_sha[spaces] = hashlib.sha256(path.read_bytes()).hexdigest()
        tokenizer = Tokenizer.from_file(str(path))
        by_spaces[spaces] = [(source, i, text, tokenizer.encode(text).ids)
                             for source, i, text in texts(vocab)]
    for spaces in SPACES:
        for (source, i, text, ids), base in zip(by_spaces[spaces], by_spaces["prepend"]):
            if spaces == "prepend" or ids != base[3]:
                row = {"spaces": spaces, "source": source, "id": i, "ids": ids}
                if source == "extra":
                    row["text"] = text
                rows.append(row)
    provenance = {
        "tokenizers_version": metadata.version("tokenizers"),
        "gguf_py_version": metadata.version("gguf"),
        "vocab_file": vocab.name,
        "vocab_sha256": hashlib.sha256(vocab.read_bytes()).hexdigest(),
        "tokenizer_json_sha256": tokenizer_sha,
    }
    return [{"provenance": provenance}] + rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vocab", type=Path, default=DEFAULT_VOCAB)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="compare with --out, write nothing")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        rows = make(args.vocab, Path(work))
    lines = [json.dumps(row, ensure_ascii=False, separators=(",", ":")) for row in rows]
    if not args.check:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {len(lines) - 1} rows to {args.out}")
        return 0
    committed = args.out.read_text(encoding="utf-8").splitlines()
    if committed[0] != lines[0]:
        print(f"provenance differs:\n  committed {committed[0]}\n  live      {lines[0]}")
    mismatches = [(a, b) for a, b in zip(committed[1:], lines[1:]) if a != b]
    for a, b in mismatches[:10]:
        print(f"mismatch:\n  committed {a}\n  live      {b}")
    if mismatches or len(committed) != len(lines):
        print(f"{len(mismatches)} mismatched rows; {len(committed)} committed, {len(lines)} live")
        return 1
    print(f"hf_sentencepiece: {len(lines) - 1} rows agree with tokenizers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
