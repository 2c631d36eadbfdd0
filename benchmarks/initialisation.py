#!/usr/bin/env python3
"""He against Glorot initialisation on the peer workloads, several seeds each.

Trains workload A (mlp, batch 32, 10 epochs), B (lenet, batch 64, 3 epochs) and
C (cnn, batch 128, 2 epochs) with `numeral train --init he` and `--init glorot` for the
same seeds, one thread per run, and writes the test accuracies to
benchmarks/initialisation.md. Keras starts dense and convolution layers with Glorot-uniform
weights, Numeral by default with He-normal ones; this shows what that difference is worth.

Usage: benchmarks/initialisation.py [--numeral BIN] [--seeds 0,1,2] [--workloads ABC]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORKLOADS = {"A": ("mlp", 32, 10), "B": ("lenet", 64, 3), "C": ("cnn", 128, 2)}


def train(numeral, data, model, batch, epochs, seed, init, output):
    cmd = [numeral, "train", "--model", model, "--epochs", str(epochs), "--batch-size", str(batch),
           "--seed", str(seed), "--init", init, "--threads", "1", "--data", data,
           "--output", output, "--json"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["test"]["accuracy"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--numeral", default=os.path.join(ROOT, ".build/release/numeral"))
    ap.add_argument("--data", default=os.environ.get("NUMERAL_DATA", os.path.join(ROOT, "../shared/data/mnist")))
    ap.add_argument("--seeds", default="0,1,2,3,4,5")
    ap.add_argument("--workloads", default="ABC")
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for w in args.workloads:
            model, batch, epochs = WORKLOADS[w]
            accs = {}
            for init in ("he", "glorot"):
                accs[init] = []
                for seed in seeds:
                    a = train(args.numeral, args.data, model, batch, epochs, seed, init,
                              os.path.join(work, "m.safetensors"))
                    accs[init].append(a)
                    print(f"{w} {model} {init} seed {seed}: {100 * a:.2f}%", file=sys.stderr, flush=True)
            rows.append((w, model, batch, epochs, accs))

    lines = ["# Weight initialisation: He against Glorot",
             "",
             f"Measured by `benchmarks/initialisation.py` on {started} UTC at {commit}"
             + (" + local changes" if dirty else "") + ", release build, one thread per run "
             "(`numeral train --init he|glorot --threads 1`), the full MNIST training set, test accuracy "
             "after the last epoch. Same seed = same shuffling and dropout; only the initial weights differ. "
             "He: normal, std √(2/fan-in), every dense and convolution layer. Glorot: uniform in "
             "±√(6/(fan-in+fan-out)), every layer (Keras's default).",
             "",
             "| workload | init | " + " | ".join(f"seed {s}" for s in seeds) + " | mean | median |",
             "|---|---|" + "---:|" * (len(seeds) + 2)]
    for w, model, batch, epochs, accs in rows:
        for init in ("he", "glorot"):
            a = accs[init]
            lines.append(f"| {w} {model} b{batch} ×{epochs} | {init} | "
                         + " | ".join(f"{100 * x:.2f}%" for x in a)
                         + f" | {100 * statistics.mean(a):.2f}% | {100 * statistics.median(a):.2f}% |")
    lines.append("")
    for w, model, batch, epochs, accs in rows:
        diffs = [g - h for g, h in zip(accs["glorot"], accs["he"])]
        better = sum(d > 0 for d in diffs)
        lines.append(f"- {w}: Glorot − He by seed {', '.join(f'{100 * d:+.2f}' for d in diffs)} points; "
                     f"Glorot better for {better} of {len(diffs)} seeds.")
    text = "\n".join(lines) + "\n"
    print(text)
    tmp = os.path.join(HERE, ".initialisation.md.tmp")
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, os.path.join(HERE, "initialisation.md"))


if __name__ == "__main__":
    main()
