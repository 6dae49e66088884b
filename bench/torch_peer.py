#!/usr/bin/env python3
"""The PyTorch peer of ingot-bench on a GPU (issue 7's speed table).

Builds the model shape of an ingot artifact (its hyper-parameters, as `ingot-inspect --json`
reports them) as transformers' LlamaForCausalLM in bfloat16 with SDPA attention and seeded random
weights, and times it the way ingot-bench times ingot: a prefill of --prompt-tokens seeded token
ids, then --decode-tokens greedy steps of one token each through the KV cache, medians of --reps
runs after a warm-up. Prints a Markdown table and the decode roofline: every weight read once a
token over the measured device-to-device copy bandwidth (bytes read plus written), the
convention ingot-bench --device cuda uses.

    python3 bench/torch_peer.py --artifact .gpu-bundle/artifacts/llama-3.1-8b-bf16.ingot \
        --inspect build-gpu/bin/ingot-inspect [--prompt-tokens 2048] [--decode-tokens 128]

Needs torch and transformers (the GPU machines have both); runs on the CPU too (--device cpu),
which is only good for checking the script on small shapes.
"""
import argparse
import json
import statistics
import subprocess
import sys
import time


def fail(message):
    print(f"torch_peer: error: {message}", file=sys.stderr)
    sys.exit(2)


def hyper_parameters(inspect, artifact):
    """The artifact's hyper-parameters, from ingot-inspect --json."""
    run = subprocess.run([inspect, "--json", artifact], capture_output=True, text=True)
    if run.returncode != 0:
        fail(run.stderr.strip() or f"{inspect} failed on {artifact}")
    described = json.loads(run.stdout)
    if described["architecture"] != "LlamaForCausalLM":
        fail(f"{artifact}: only LlamaForCausalLM artifacts have a peer")
    return described["hyper_parameters"]


def build_model(torch, hp, max_positions, device, seed):
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(
        vocab_size=hp["vocab_size"],
        hidden_size=hp["embedding_length"],
        intermediate_size=hp["feed_forward_length"],
        num_hidden_layers=hp["block_count"],
        num_attention_heads=hp["head_count"],
        num_key_value_heads=hp["head_count_kv"],
        head_dim=hp["head_dim"],
        rms_norm_eps=hp["rms_norm_eps"],
        rope_theta=hp["rope_freq_base"],
        tie_word_embeddings=hp["tied_embeddings"],
        max_position_embeddings=max_positions,
    )
    config._attn_implementation = "sdpa"
    torch.manual_seed(seed)
    with torch.device(device):  # transformers' random init, made where it runs: never zeros
        model = LlamaForCausalLM(config).to(torch.bfloat16)
    return model.eval()


def copy_bandwidth(torch, device):
    """Device-to-device copy bytes (read plus written) a second, best of 5 rounds of 10."""
    src = torch.empty(1 << 30, dtype=torch.uint8, device=device).random_()
    dst = torch.empty_like(src)
    best = 0.0
    for _ in range(5):
        sync(torch, device)
        start = time.perf_counter()
        for _ in range(10):
            dst.copy_(src)
        sync(torch, device)
        best = max(best, 2 * 10 * src.numel() / (time.perf_counter() - start))
    return best


def sync(torch, device):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def measure(torch, model, prompt, decode, reps, device):
    """Medians of prefill tok/s, decode tok/s and time to first token (ms)."""
    from transformers import DynamicCache

    prefill, dec, ttft = [], [], []
    for rep in range(reps + 1):  # the first round warms up
        cache = DynamicCache(config=model.config)
        sync(torch, device)
        start = time.perf_counter()
        out = model(input_ids=prompt, past_key_values=cache, use_cache=True, logits_to_keep=1)
        token = out.logits[:, -1:].argmax(-1)
        sync(torch, device)
        first = time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(decode):
            out = model(input_ids=token, past_key_values=cache, use_cache=True)
            token = out.logits[:, -1:].argmax(-1)
        sync(torch, device)
        decode_s = time.perf_counter() - start
        del cache, out
        if rep == 0:
            continue
        prefill.append(prompt.shape[1] / first)
        dec.append(decode / decode_s)
        ttft.append(first * 1000)
    return statistics.median(prefill), statistics.median(dec), statistics.median(ttft)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--artifact", required=True, help="the .ingot artifact whose shape to run")
    parser.add_argument("--inspect", default="build-gpu/bin/ingot-inspect", help="ingot-inspect")
    parser.add_argument("--device", default=None, help="cuda (default where there is one) or cpu")
    parser.add_argument("--prompt-tokens", type=int, default=2048)
    parser.add_argument("--decode-tokens", type=int, default=128)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="also write the numbers here")
    args = parser.parse_args()
    if args.prompt_tokens < 1 or args.decode_tokens < 1 or args.reps < 1:
        fail("--prompt-tokens, --decode-tokens and --reps must be positive")
    try:
        import torch
        import transformers
    except ImportError as e:
        fail(f"needs torch and transformers: {e}")

    hp = hyper_parameters(args.inspect, args.artifact)
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    model = build_model(torch, hp, args.prompt_tokens + args.decode_tokens + 16, device, args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    prompt = torch.randint(0, hp["vocab_size"], (1, args.prompt_tokens), generator=generator)
    with torch.inference_mode():
        prefill, decode, ttft = measure(torch, model, prompt.to(device), args.decode_tokens,
                                        args.reps, device)
    weight_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
    del model
    bandwidth = copy_bandwidth(torch, device)
    roofline = bandwidth / weight_bytes
    name = torch.cuda.get_device_name() if device.startswith("cuda") else "cpu"
    print(f"peer: PyTorch {torch.__version__}, transformers {transformers.__version__}, "
          f"bfloat16, SDPA, random weights, on {name}")
    print(f"| {args.artifact.split('/')[-1]} shape, PyTorch | |\n|---|---|")
    print(f"| prefill, {args.prompt_tokens} tokens | {prefill:.1f} tok/s |")
    print(f"| decode, {args.decode_tokens} tokens | {decode:.1f} tok/s |")
    print(f"| time to first token | {ttft:.1f} ms |")
    print(f"| decode roofline fraction | {100 * decode / roofline:.0f}% of {roofline:.0f} tok/s |")
    print(f"\ndecode roofline: {weight_bytes / 1e6:.1f} MB of weights per token / "
          f"{bandwidth / 1e9:.1f} GB/s measured device-to-device copy (read + write) = "
          f"{roofline:.0f} tok/s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"prefill_tok_s": prefill, "decode_tok_s": decode, "ttft_ms": ttft,
                       "weight_bytes": weight_bytes, "copy_bytes_s": bandwidth,
                       "device": name}, f)


if __name__ == "__main__":
    main()
