#!/usr/bin/env python3
"""Golden outputs of the llama.cpp peer (llama-cpp-python) for a real GGUF model.

    make_model_goldens.py MODEL_GGUF OUT_DIR            # (re)write the goldens
    make_model_goldens.py MODEL_GGUF OUT_DIR --check    # recompute, compare

Writes into OUT_DIR:
  tensors.json       GGUF header, every metadata key, the tensor table (gguf-py)
  continuations.json greedy (argmax, ignore-EOS) 64-token continuations
  top_logits.json    top-20 (id, logit) at the first 16 greedy steps, 2 prompts
  perplexity.json    llama-perplexity's method on a text file at n_ctx=512 (or --ppl-ctx)

Needs the peer venv: scripts/goldens/peer-env.sh prints its path; run this
script with that venv's python. See test/golden/README.md for the method.
"""

import argparse
import datetime
import hashlib
import json
import math
import os
import sys
import tempfile

import numpy as np

import gguf
import llama_cpp

N_THREADS = 2
SEED = 1234
GEN_CTX = 512            # context for the continuations (prompt + 64 < 512)
N_GEN = 64               # greedy steps per prompt
TOP_STEPS = 16           # steps recorded in top_logits.json
TOP_K = 20
PPL_CTX = 512            # llama-perplexity -c 512
PPL_TEXT = "/usr/share/common-licenses/GPL-3"
# llama.cpp at its full attention precision: no flash attention (on CPU it converts Q to f16 and
# accumulates V in f16) and an f32 KV cache. The model is sensitive enough that those roundings
# move logits by up to ~1.0, so a reference meant to be matched token for token must avoid them.
FLASH_ATTN = False
KV_CACHE_TYPE = 0        # GGML_TYPE_F32 for type_k and type_v
INLINE_ARRAY_MAX = 16    # arrays longer than this are hashed, not inlined

# Tolerances used by --check (see test/golden/README.md for the reasoning).
LOGIT_ATOL = 1e-3
PPL_RTOL = 1e-4

PLAIN_PROMPTS = [
    ("facts", "The capital of France is"),
    ("code", 'def fibonacci(n):\n    """Return the n-th Fibonacci number."""\n'),
    ("list", "Here is a list of the planets in the solar system:\n1."),
    ("story", "Once upon a time, in a small village by the sea,"),
    ("math", "Question: A train travels at 60 miles per hour for 3 hours. "
             "How far does it travel?\nAnswer:"),
]
# (tag, system message or None for the template's default, user message)
CHAT_PROMPTS = [
    ("math", None, "What is 17 * 23? Show your steps."),
    ("code", None, "Write a Python function that checks whether a string is a palindrome."),
    ("list", None, "List three benefits of regular exercise."),
    ("facts", None, "Who wrote the novel Pride and Prejudice, and when was it published?"),
    ("story", "You are a creative storyteller.",
     "Begin a short story about a robot who learns to paint."),
]
# Which continuations also get top_logits: (is_chat, tag)
TOP_LOGIT_PROMPTS = [(False, "facts"), (True, "math")]


# --------------------------------------------------------------------------- utils

def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sha256_ids(ids):
    """sha256 of token ids as consecutive little-endian int32."""
    return hashlib.sha256(np.asarray(ids, dtype="<i4").tobytes()).hexdigest()


def f32(x):
    """A float32 value as the shortest decimal that round-trips to it."""
    return float(str(np.float32(x)))


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1, ensure_ascii=False)
        f.write("\n")


def provenance(model_path, model_sha):
    return {
        "generator": "scripts/goldens/make_model_goldens.py",
        "llama_cpp_version": llama_cpp.__version__,
        "gguf_py_version": _dist_version("gguf"),
        "numpy_version": np.__version__,
        "model_file": os.path.basename(model_path),
        "model_size": os.path.getsize(model_path),
        "model_sha256": model_sha,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "n_threads": N_THREADS,
        "seed": SEED,
        "flash_attn": FLASH_ATTN,
        "kv_cache_type": "f32",
        "system_info": llama_cpp.llama_print_system_info().decode("utf-8", "replace").strip(),
    }


def _dist_version(name):
    from importlib import metadata
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


# ---------------------------------------------------------------- (a) tensors.json

def _scalar(v):
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return f32(v) if isinstance(v, np.float32) else float(v)
    return v


def _array_sha256(field, elem_type, values):
    """Strings: UTF-8 elements joined with a NUL byte. Numbers: the elements as
    stored in the file (little-endian, element type width), concatenated."""
    h = hashlib.sha256()
    if elem_type == gguf.GGUFValueType.STRING:
        h.update(b"\x00".join(v.encode("utf-8") for v in values))
    else:
        for idx in field.data:
            h.update(np.ascontiguousarray(field.parts[idx]).astype(
                field.parts[idx].dtype.newbyteorder("<")).tobytes())
    return h.hexdigest()


def tensors_table(model_path):
    r = gguf.GGUFReader(model_path)
    header = {}
    kvs = []
    for name, field in r.fields.items():
        if name.startswith("GGUF."):
            header[name[len("GGUF."):]] = _scalar(field.contents())
            continue
        vtype = field.types[0]
        entry = {"key": name, "type": vtype.name}
        if vtype == gguf.GGUFValueType.ARRAY:
            etype = field.types[1] if len(field.types) > 1 else None
            values = field.contents()
            entry["element_type"] = etype.name if etype is not None else None
            entry["length"] = len(field.data)
            if len(values) <= INLINE_ARRAY_MAX:
                entry["value"] = [_scalar(v) for v in values]
            else:
                entry["sha256"] = _array_sha256(field, etype, values)
                entry["first"] = [_scalar(v) for v in values[:3]]
        else:
            entry["value"] = _scalar(field.contents())
        kvs.append(entry)
    header["alignment"] = int(r.alignment)
    header["data_offset"] = int(r.data_offset)

    tensors = []
    for t in r.tensors:
        rel = int(t.field.parts[-1][0])   # the offset as stored in the tensor info
        assert rel + r.data_offset == t.data_offset, t.name
        qt = gguf.GGMLQuantizationType(int(t.tensor_type))
        tensors.append({
            "name": t.name,
            "type": qt.name,
            "type_id": int(qt),
            "shape": [int(d) for d in t.shape],      # ggml order: ne0 first
            "n_elements": int(t.n_elements),
            "offset": rel,                           # relative to data_offset
            "file_offset": int(t.data_offset),       # absolute in the file
            "n_bytes": int(t.n_bytes),
        })
    return {"header": header, "metadata": kvs, "tensors": tensors}


# ------------------------------------------------------------------ llama helpers

class Peer:
    def __init__(self, model_path, n_ctx, n_batch):
        self.llm = llama_cpp.Llama(
            model_path=model_path, n_ctx=n_ctx, n_batch=n_batch, n_ubatch=n_batch,
            n_threads=N_THREADS, n_threads_batch=N_THREADS, seed=SEED,
            flash_attn=FLASH_ATTN, type_k=KV_CACHE_TYPE, type_v=KV_CACHE_TYPE,
            logits_all=False, verbose=False)
        self.ctx = self.llm._ctx.ctx
        self.vocab = llama_cpp.llama_model_get_vocab(self.llm._model.model)
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(self.vocab)
        self.batch = llama_cpp.llama_batch_init(n_batch, 0, 1)
        self.n_batch = n_batch

    def close(self):
        llama_cpp.llama_batch_free(self.batch)
        self.llm.close()

    def add_bos(self):
        return bool(llama_cpp.llama_vocab_get_add_bos(self.vocab))

    def tokenize(self, text, parse_special):
        # add_special=True: BOS is added iff the vocab says add_bos (the GGUF's
        # tokenizer.ggml.add_bos_token), exactly like common_tokenize(..., true).
        return self.llm.tokenize(text.encode("utf-8"), add_bos=True, special=parse_special)

    def detokenize(self, ids):
        return self.llm.detokenize(ids, special=True).decode("utf-8", "replace")

    def clear(self):
        llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(self.ctx), True)

    def decode(self, tokens, pos0, want):
        """One llama_decode of tokens at positions pos0.. (seq 0). want(i) says
        which rows get logits. Returns float32 [n_outputs, n_vocab] (a copy)."""
        assert 0 < len(tokens) <= self.n_batch
        b = self.batch
        n_out = 0
        for i, tok in enumerate(tokens):
            b.token[i] = tok
            b.pos[i] = pos0 + i
            b.n_seq_id[i] = 1
            b.seq_id[i][0] = 0
            w = bool(want(i))
            b.logits[i] = w
            n_out += w
        b.n_tokens = len(tokens)
        rc = llama_cpp.llama_decode(self.ctx, b)
        if rc != 0:
            raise RuntimeError(f"llama_decode returned {rc}")
        ptr = llama_cpp.llama_get_logits(self.ctx)
        return np.ctypeslib.as_array(ptr, shape=(n_out * self.n_vocab,)).reshape(
            n_out, self.n_vocab).copy()

    def greedy(self, prompt_ids, n_steps):
        """argmax of the raw logits each step, exactly n_steps, EOS not special.
        The prompt is one decode (logits for its last token only), then one
        decode per generated token. Returns (ids, [logits row per step])."""
        self.clear()
        rows = []
        logits = self.decode(prompt_ids, 0, lambda i: i == len(prompt_ids) - 1)[0]
        out = []
        pos = len(prompt_ids)
        for step in range(n_steps):
            rows.append(logits)
            tok = int(np.argmax(logits))      # first index on ties, like llama's greedy
            out.append(tok)
            if step + 1 < n_steps:
                logits = self.decode([tok], pos, lambda i: True)[0]
                pos += 1
        return out, rows


def render_chat(template, system, user, bos, eos):
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    messages = ([{"role": "system", "content": system}] if system is not None else [])
    messages.append({"role": "user", "content": user})
    return env.from_string(template).render(
        messages=messages, add_generation_prompt=True, bos_token=bos, eos_token=eos)


def top_k(row, k):
    order = np.lexsort((np.arange(row.shape[0]), -row.astype(np.float64)))[:k]
    return [[int(i), f32(row[i])] for i in order]


# ------------------------------------------------- (b) + (c) continuations, top logits

def continuations(model_path, meta):
    peer = Peer(model_path, GEN_CTX, GEN_CTX)
    template = meta.get("tokenizer.chat_template")  # base models (Gemma 3 270M) have none
    toks = meta["tokenizer.ggml.tokens"]
    bos = toks[meta["tokenizer.ggml.bos_token_id"]]
    eos_id = meta["tokenizer.ggml.eos_token_id"]
    eos = toks[eos_id]

    cases = []
    for tag, text in PLAIN_PROMPTS:
        cases.append({"tag": tag, "chat": False, "system": None, "user": None,
                      "prompt": text, "parse_special": False})
    for tag, system, user in CHAT_PROMPTS if template is not None else []:
        cases.append({"tag": tag, "chat": True, "system": system, "user": user,
                      "prompt": render_chat(template, system, user, bos, eos),
                      "parse_special": True})

    conts, tops = [], []
    for c in cases:
        ids = peer.tokenize(c["prompt"], c["parse_special"])
        gen, rows = peer.greedy(ids, N_GEN)
        rec = {"tag": c["tag"], "chat": c["chat"]}
        if c["chat"]:
            rec["system"] = c["system"]
            rec["user"] = c["user"]
        rec.update({
            "prompt": c["prompt"],
            "add_special": True,
            "parse_special": c["parse_special"],
            "prompt_ids": ids,
            "generated_ids": gen,
            "generated_text": peer.detokenize(gen),
            "eos_steps": [i for i, t in enumerate(gen) if t == eos_id],
            # top-1 minus top-2 logit at each step: a small margin marks a step
            # where another implementation may legitimately pick another id.
            "margins": [f32(np.partition(r, -2)[-1] - np.partition(r, -2)[-2]) for r in rows],
        })
        conts.append(rec)
        if (c["chat"], c["tag"]) in TOP_LOGIT_PROMPTS:
            tops.append({
                "tag": c["tag"], "chat": c["chat"], "prompt": c["prompt"],
                "prompt_ids": ids,
                "steps": [{"step": s, "chosen": gen[s], "top": top_k(rows[s], TOP_K)}
                          for s in range(TOP_STEPS)],
            })
    add_bos = peer.add_bos()
    peer.close()
    common = {
        "add_bos": add_bos,
        "n_ctx": GEN_CTX,
        "n_gen": N_GEN,
        "chat_template_sha256": (hashlib.sha256(template.encode("utf-8")).hexdigest()
                                 if template is not None else None),
        "eos_token_id": eos_id,
    }
    return common, conts, tops


# --------------------------------------------------------------- (d) perplexity.json

def perplexity(model_path, text_path, n_ctx=PPL_CTX):
    """llama.cpp tools/perplexity/perplexity.cpp, perplexity() with -c N_CTX -b N_CTX
    (one chunk per decode; 512 unless --ppl-ctx). See test/golden/README.md."""
    with open(text_path, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8")
    if text.endswith("\n"):      # common/arg.cpp -f strips ONE trailing newline
        text = text[:-1]

    peer = Peer(model_path, n_ctx, n_ctx)
    tokens = peer.tokenize(text, parse_special=False)   # common_tokenize(ctx, prompt, true)
    add_bos = peer.add_bos()
    bos_id = llama_cpp.llama_vocab_bos(peer.vocab)
    if len(tokens) < 2 * n_ctx:
        raise SystemExit(f"need at least {2 * n_ctx} tokens, have {len(tokens)}")
    n_chunk = len(tokens) // n_ctx
    first = n_ctx // 2

    nll = nll2 = 0.0
    count = 0
    chunks = []
    for i in range(n_chunk):
        start = i * n_ctx
        chunk = list(tokens[start:start + n_ctx])
        if add_bos:
            chunk[0] = bos_id          # replaced (not prepended) in every chunk
        peer.clear()
        logits = peer.decode(chunk, 0, lambda k: k >= first)   # rows = pos first..n_ctx-1
        c_nll = 0.0
        for r in range(n_ctx - 1 - first):                     # 255 scored tokens
            row = logits[r]
            tok = tokens[start + first + r + 1]
            mx = row.max()
            sum_exp = float(np.exp((row - mx).astype(np.float32), dtype=np.float32)
                            .astype(np.float64).sum())
            v = -(float(row[tok]) - float(mx) - math.log(sum_exp))
            nll += v
            nll2 += v * v
            c_nll += v
        count += n_ctx - 1 - first
        chunks.append({"chunk": i + 1, "mean_nll": c_nll / (n_ctx - 1 - first),
                       "running_ppl": math.exp(nll / count)})
    peer.close()

    mean = nll / count
    var = nll2 / count - mean * mean
    ppl = math.exp(mean)
    return {
        "text_file": text_path,
        "text_file_sha256": hashlib.sha256(raw).hexdigest(),
        "text_bytes_tokenized": len(text.encode("utf-8")),
        "trailing_newline_stripped": raw.endswith(b"\n"),
        "add_special": True,
        "parse_special": False,
        "add_bos": add_bos,
        "n_tokens": len(tokens),
        "tokens_sha256": sha256_ids(tokens),
        "tokens_head": tokens[:16],
        "tokens_tail": tokens[-16:],
        "n_ctx": n_ctx,
        "n_batch": n_ctx,
        "n_ubatch": n_ctx,
        "n_chunks": n_chunk,
        "first_scored_pos": first,
        "scored_per_chunk": n_ctx - 1 - first,
        "n_scored": count,
        "ppl": ppl,
        "ppl_stderr": (math.sqrt(var / (count - 1)) * ppl) if var > 0 else None,
        "mean_nll": mean,
        "chunks": chunks,
        "llama_perplexity_equivalent":
            f"llama-perplexity -m MODEL -f {text_path} -c {n_ctx} -b {n_ctx} "
            f"-t {N_THREADS} -fa off -ctk f32 -ctv f32",
    }


# ---------------------------------------------------------------------- generate

def generate(model_path, out_dir, ppl_ctx=PPL_CTX):
    os.makedirs(out_dir, exist_ok=True)
    model_sha = sha256_file(model_path)
    prov = provenance(model_path, model_sha)

    table = tensors_table(model_path)
    write_json(os.path.join(out_dir, "tensors.json"), {"provenance": prov, **table})

    meta = {kv["key"]: kv.get("value") for kv in table["metadata"]}
    r = gguf.GGUFReader(model_path)
    meta["tokenizer.ggml.tokens"] = r.fields["tokenizer.ggml.tokens"].contents()
    del r
    common, conts, tops = continuations(model_path, meta)
    write_json(os.path.join(out_dir, "continuations.json"),
               {"provenance": prov, **common, "continuations": conts})
    write_json(os.path.join(out_dir, "top_logits.json"),
               {"provenance": prov, "top_k": TOP_K, "n_steps": TOP_STEPS,
                "logits_dtype": "float32", "n_ctx": GEN_CTX, "prompts": tops})

    write_json(os.path.join(out_dir, "perplexity.json"),
               {"provenance": prov, **perplexity(model_path, PPL_TEXT, ppl_ctx)})


# ------------------------------------------------------------------------- check

IGNORED = {"date", "system_info", "generator"}
# Versions only warn (printed by check()); a different peer may still agree.
WARN_ONLY = {"llama_cpp_version", "gguf_py_version", "numpy_version"}


class Diff:
    def __init__(self):
        self.lines = []

    def __call__(self, path, msg):
        self.lines.append(f"{path}: {msg}")


def _close(a, b, atol=0.0, rtol=0.0):
    return abs(a - b) <= atol + rtol * abs(b)


def compare(path, want, got, diff, kind):
    """want = committed golden, got = live. kind picks float tolerances."""
    if isinstance(want, dict) and isinstance(got, dict):
        for k in sorted(set(want) | set(got)):
            p = f"{path}.{k}"
            if k in IGNORED or k in WARN_ONLY:
                continue
            if k not in got:
                diff(p, "missing in live output")
            elif k not in want:
                diff(p, "not in golden")
            elif k == "top" and kind == "logits":
                compare_top(p, want[k], got[k], diff)
            else:
                compare(p, want[k], got[k], diff, kind)
    elif isinstance(want, list) and isinstance(got, list):
        if len(want) != len(got):
            diff(path, f"length {len(want)} (golden) != {len(got)} (live)")
        for i, (a, b) in enumerate(zip(want, got)):
            compare(f"{path}[{i}]", a, b, diff, kind)
    elif isinstance(want, float) or isinstance(got, float):
        if not isinstance(want, (int, float)) or not isinstance(got, (int, float)):
            diff(path, f"- {want!r}\n{' ' * len(path)}  + {got!r}")
        elif kind == "logits":
            if not _close(got, want, atol=LOGIT_ATOL):
                diff(path, f"- {want!r} + {got!r} (|d|={abs(got - want):.3g} > {LOGIT_ATOL})")
        elif kind == "ppl":
            if not _close(got, want, rtol=PPL_RTOL):
                diff(path, f"- {want!r} + {got!r} (rel={abs(got - want) / abs(want):.3g} > {PPL_RTOL})")
        elif want != got:
            diff(path, f"- {want!r} + {got!r}")
    elif want != got:
        w, g = repr(want), repr(got)
        if len(w) > 200:
            w, g = w[:200] + "...", g[:200] + "..."
        diff(path, f"- {w} + {g}")


def compare_top(path, want, got, diff):
    """Top-k lists: common ids within LOGIT_ATOL; an id in only one list must
    sit within LOGIT_ATOL of the other list's cut-off (a near-tie swap)."""
    w = {i: v for i, v in want}
    g = {i: v for i, v in got}
    w_cut = min(w.values())
    g_cut = min(g.values())
    for i in sorted(set(w) | set(g)):
        if i in w and i in g:
            if not _close(g[i], w[i], atol=LOGIT_ATOL):
                diff(f"{path}[id {i}]", f"- {w[i]!r} + {g[i]!r} (|d|={abs(g[i] - w[i]):.3g})")
        elif i in w:
            if w[i] > g_cut + LOGIT_ATOL:
                diff(f"{path}[id {i}]", f"- {w[i]!r} missing in live top-{len(got)} (cut {g_cut!r})")
        else:
            if g[i] > w_cut + LOGIT_ATOL:
                diff(f"{path}[id {i}]", f"+ {g[i]!r} not in golden top-{len(want)} (cut {w_cut!r})")
    if want and got and want[0][0] != got[0][0] and abs(want[0][1] - got[0][1]) > LOGIT_ATOL:
        diff(path, f"argmax - {want[0][0]} + {got[0][0]}")


FILES = {"tensors.json": "exact", "continuations.json": "logits",
         "top_logits.json": "logits", "perplexity.json": "ppl"}


def check(model_path, out_dir):
    with open(os.path.join(out_dir, "perplexity.json"), encoding="utf-8") as f:
        ppl_ctx = json.load(f)["n_ctx"]  # the context the goldens were made with
    with tempfile.TemporaryDirectory(prefix="ingot-goldens-") as tmp:
        generate(model_path, tmp, ppl_ctx)
        diff = Diff()
        for name, kind in FILES.items():
            gp = os.path.join(out_dir, name)
            if not os.path.exists(gp):
                diff(name, f"golden file missing in {out_dir}")
                continue
            with open(gp, encoding="utf-8") as f:
                want = json.load(f)
            with open(os.path.join(tmp, name), encoding="utf-8") as f:
                got = json.load(f)
            wv = want.get("provenance", {}).get("llama_cpp_version")
            gv = got.get("provenance", {}).get("llama_cpp_version")
            if wv != gv:
                print(f"warning: {name}: golden made with llama_cpp {wv}, live is {gv}",
                      file=sys.stderr)
            compare(name[:-5], want, got, diff, kind)
    if diff.lines:
        print(f"MISMATCH: {len(diff.lines)} difference(s) between {out_dir} (-) and live (+):")
        for line in diff.lines[:200]:
            print("  " + line)
        if len(diff.lines) > 200:
            print(f"  ... {len(diff.lines) - 200} more")
        return 1
    print(f"OK: live llama_cpp {llama_cpp.__version__} matches {out_dir} "
          f"(ids exact, logits atol {LOGIT_ATOL}, ppl rtol {PPL_RTOL})")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("model")
    ap.add_argument("out_dir")
    ap.add_argument("--check", action="store_true",
                    help="recompute into a temp dir and compare with OUT_DIR")
    ap.add_argument("--ppl-ctx", type=int, default=PPL_CTX,
                    help="perplexity chunk size (default 512; Gemma's goldens take 1024, past "
                         "its 512-position sliding window)")
    args = ap.parse_args()
    if args.check:
        sys.exit(check(args.model, args.out_dir))
    generate(args.model, args.out_dir, args.ppl_ctx)
    print(f"wrote {', '.join(FILES)} to {args.out_dir}")


if __name__ == "__main__":
    main()
