#!/usr/bin/env python3
"""Writes BENCHMARKS.md from the result files each benchmark script leaves under benchmarks/.

Every script prints its table and writes its own Markdown file; this puts them together in a
fixed order so one script's run never overwrites another's numbers.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

SECTIONS = [
    ("peers.md", "benchmarks/run-peers.sh"),
    ("seed-means.md", "benchmarks/seed_means.py"),
    ("initialisation.md", "benchmarks/initialisation.py"),
    ("gemm-libraries.md", "benchmarks/gemm-libraries.sh"),
    ("evaluate-speed.md", "benchmarks/evaluate-speed.sh"),
    ("read-speed.md", "benchmarks/read-speed.sh"),
    ("mnist-png-check.md", "benchmarks/mnist-png-check.sh"),
    ("synth-accuracy.md", "benchmarks/synth-accuracy.sh"),
    ("real-reading.md", "benchmarks/real-reading.sh"),
    ("server-load.md", "benchmarks/server-load.sh"),
    ("accuracy/RESULTS.md", "benchmarks/accuracy/run.sh"),
]


def main():
    parts = ["# Benchmarks\n",
             "Each section below is written by the script named under it; `benchmarks/collect.py` "
             "puts them together. Build with `-c release` for anything timed. The machine is 2 cores "
             "(AMD EPYC; sessions ran on different ones, some with AVX-512, some with AVX2 only), shared: "
             "compare speeds as ratios within one run.\n"]
    for name, script in SECTIONS:
        path = os.path.join(HERE, name)
        if not os.path.exists(path):
            parts.append(f"\n## `{script}`\n\nNot run yet.\n")
            continue
        text = open(path).read().strip()
        # Demote the file's own headings one level under this document's title.
        lines = [("#" + line) if line.startswith("#") else line for line in text.splitlines()]
        parts.append("\n" + "\n".join(lines) + f"\n\n*Written by `{script}`.*\n")
    tmp = os.path.join(ROOT, ".BENCHMARKS.md.tmp")
    with open(tmp, "w") as f:
        f.write("\n".join(parts))
    os.replace(tmp, os.path.join(ROOT, "BENCHMARKS.md"))
    print("wrote BENCHMARKS.md")


if __name__ == "__main__":
    main()
