#!/usr/bin/env python3
"""Compile-time benchmark: ingot-compile on the real SmolLM2 GGUF for each
encoding, median wall time and peak RSS over several runs, as a table.

Usage: bench/compile.py [--runs N] [--build DIR] [--model GGUF]
Goal (issue 5): under 3 s and a peak RSS under 1.5x the GGUF's size.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENCODINGS = ["(source)", "q4_0", "q4_1", "q8_0", "q4_k", "q6_k", "bfloat16", "f16", "float32"]


def measure(cmd, runs):
    """Median wall and peak RSS over `runs`, each in a fresh helper process."""
    walls, peaks = [], []
    for _ in range(runs):
        helper = [sys.executable, "-c",
                  "import resource,subprocess,sys,time;"
                  "t=time.perf_counter();r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,"
                  "stderr=subprocess.DEVNULL).returncode;w=time.perf_counter()-t;"
                  "print(r,w,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss*1024)"] + cmd
        out = subprocess.run(helper, capture_output=True, text=True, check=True).stdout.split()
        if out[0] != "0":
            sys.exit(f"{' '.join(cmd)} exited {out[0]}")
        walls.append(float(out[1]))
        peaks.append(int(out[2]))
    return statistics.median(walls), max(peaks)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--model", default=os.path.join(ROOT, "models", "SmolLM2-135M-Instruct.Q4_1.gguf"))
    args = parser.parse_args()
    compiler = os.path.join(args.build, "bin", "ingot-compile")
    gguf_bytes = os.path.getsize(args.model)
    print(f"model: {args.model} ({gguf_bytes / 1e6:.1f} MB), {args.runs} runs each, median wall, max peak RSS")
    print(f"{'encoding':<10} {'wall s':>8} {'peak RSS MB':>12} {'RSS/GGUF':>9} {'artifact MB':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "model.ingot")
        for encoding in ENCODINGS:
            cmd = [compiler, args.model, "-o", out]
            if encoding != "(source)":
                cmd += ["--encoding", encoding]
            wall, peak = measure(cmd, args.runs)
            size = os.path.getsize(out)
            print(f"{encoding:<10} {wall:>8.2f} {peak / 1e6:>12.1f} {peak / gguf_bytes:>9.2f} {size / 1e6:>12.1f}")


if __name__ == "__main__":
    main()
