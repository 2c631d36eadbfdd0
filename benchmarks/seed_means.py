"""Test accuracy seed by seed, and its mean, over several runs of benchmarks/bench.py.

One run of bench.py trains each workload once per seed; its raw file (results.json, or the
--raw of a later run with more seeds) keeps every seed's test accuracy. This puts the seeds of
several raw files side by side, per workload and framework, so a mean over more seeds than one
run had time for can be read. Only accuracies: the runs' timings are not comparable with each
other (different load), so speed stays with the run that measured it.

    python3 benchmarks/seed_means.py benchmarks/results.json benchmarks/results-c-seeds-3-9.json \\
        --output benchmarks/seed-means.md
"""
import argparse
import json
import statistics


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("raw", nargs="+", help="raw JSON files written by bench.py (--raw)")
    ap.add_argument("--workloads", default="C")
    ap.add_argument("--output", required=True)
    args = ap.parse_args()

    seeds = {}  # (workload, framework name) -> {seed: (accuracy, file)}
    for path in args.raw:
        results = json.load(open(path))["results"]
        for w in args.workloads:
            for run in results.get(w, {}).values():
                for s in run.get("seeds", []):
                    if "test_accuracy" in s:
                        seeds.setdefault((w, run["framework"]), {})[s["seed"]] = (s["test_accuracy"], path)

    out = ["# Test accuracy over more seeds", "",
           "Seed by seed test accuracy of the workloads below, gathered by `benchmarks/seed_means.py` from "
           + ", ".join(f"`{p}`" for p in args.raw) + " (each a `benchmarks/bench.py` run; same recipe, "
           "one training run per seed). Speed is not compared here: see the run that measured it.", ""]
    for w in args.workloads:
        names = [name for (wl, name) in seeds if wl == w]
        all_seeds = sorted({s for name in names for s in seeds[(w, name)]})
        out += [f"## Workload {w}", "",
                "| framework | " + " | ".join(f"seed {s}" for s in all_seeds) + " | seeds | mean | median |",
                "|---|" + "---:|" * (len(all_seeds) + 3)]
        for name in names:
            by_seed = seeds[(w, name)]
            values = [by_seed[s][0] for s in all_seeds if s in by_seed]
            cells = [f"{100 * by_seed[s][0]:.2f}%" if s in by_seed else "—" for s in all_seeds]
            out.append(f"| {name} | " + " | ".join(cells)
                       + f" | {len(values)} | {100 * statistics.mean(values):.3f}% | {100 * statistics.median(values):.2f}% |")
        out.append("")
    with open(args.output, "w") as f:
        f.write("\n".join(out))
    print("\n".join(out))


if __name__ == "__main__":
    main()
