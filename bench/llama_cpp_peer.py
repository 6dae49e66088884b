#!/usr/bin/env python3
"""The llama.cpp side of ingot-bench: time prefill and decode of given token ids with
llama-cpp-python (run it with the peer venv's python, scripts/goldens/peer-env.sh).

Prints one JSON object: prefill_tok_s, decode_tok_s, ttft_ms (medians over --reps) and
peak_rss_bytes. With --quantize-to TYPE it first requantizes --model to TYPE (llama.cpp's own
quantizer, allow_requantize) into --out and benchmarks that.
"""
import argparse
import json
import resource
import statistics
import time

import llama_cpp
import numpy as np

GGML_TYPES = {"q4_0": 2, "q4_1": 3, "q8_0": 7, "f16": 1, "f32": 0, "bf16": 30}
FTYPES = {"q4_0": 2, "q4_1": 3, "q8_0": 7, "f16": 1, "f32": 0, "bf16": 32}


def quantize(src, dst, kind):
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = FTYPES[kind]
    params.allow_requantize = True
    params.nthread = 2
    if llama_cpp.llama_model_quantize(src.encode(), dst.encode(), params) != 0:
        raise SystemExit(f"llama_model_quantize {src} -> {dst} ({kind}) failed")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--tokens", required=True, help="JSON file with the prompt ids")
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--decode", type=int, default=128)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--quantize-to")
    ap.add_argument("--out")
    a = ap.parse_args()
    model = a.model
    if a.quantize_to:
        quantize(a.model, a.out, a.quantize_to)
        model = a.out
    prompt = json.load(open(a.tokens))
    n_ctx = len(prompt) + a.decode + 16
    llm = llama_cpp.Llama(model_path=model, n_ctx=n_ctx, n_batch=len(prompt),
                          n_ubatch=len(prompt), n_threads=a.threads, n_threads_batch=a.threads,
                          logits_all=False, verbose=False)
    ctx = llm._ctx.ctx
    mem = llama_cpp.llama_get_memory(ctx)
    batch = llama_cpp.llama_batch_init(len(prompt), 0, 1)

    def decode(ids, pos0, want_last):
        batch.n_tokens = len(ids)
        for i, t in enumerate(ids):
            batch.token[i] = t
            batch.pos[i] = pos0 + i
            batch.n_seq_id[i] = 1
            batch.seq_id[i][0] = 0
            batch.logits[i] = want_last and i == len(ids) - 1
        if llama_cpp.llama_decode(ctx, batch) != 0:
            raise SystemExit("llama_decode failed")

    n_vocab = llama_cpp.llama_vocab_n_tokens(llama_cpp.llama_model_get_vocab(llm._model.model))
    prefill, ttft, dec = [], [], []
    for _ in range(a.reps + 1):  # the first round warms up
        llama_cpp.llama_memory_clear(mem, True)
        t0 = time.perf_counter()
        decode(prompt, 0, True)
        logits = llama_cpp.llama_get_logits_ith(ctx, -1)
        nxt = int(np.ctypeslib.as_array(logits, shape=(n_vocab,)).argmax())
        t1 = time.perf_counter()
        for step in range(a.decode):
            decode([nxt], len(prompt) + step, True)
            nxt = 1 + (step % 1000)  # the decode cost does not depend on the token
        t2 = time.perf_counter()
        prefill.append(len(prompt) / (t1 - t0))
        ttft.append((t1 - t0) * 1000)
        dec.append(a.decode / (t2 - t1))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"prefill_tok_s": statistics.median(prefill[1:]),
                      "decode_tok_s": statistics.median(dec[1:]),
                      "ttft_ms": statistics.median(ttft[1:]), "peak_rss_bytes": rss,
                      "system_info": llama_cpp.llama_print_system_info().decode()}))


if __name__ == "__main__":
    main()
