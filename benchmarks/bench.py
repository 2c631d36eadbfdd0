"""Trains the three benchmark workloads with Numeral, TensorFlow/Keras and PyTorch in one run and
writes BENCHMARKS.md (and prints its tables). Run it through benchmarks/run-peers.sh, which builds
Numeral and installs the peers first.

Every framework trains in its own process on the same IDX files, with the same hyper-parameters,
seeds and thread count; the frameworks take turns within each workload and seed, so a change in
the machine's load falls on all of them alike. Each workload is trained once per seed: one seed's
test accuracy moves by about a tenth of a point, so accuracies are compared as means over the seeds.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# name: (model, batch size, epochs, Numeral's target: its seconds/epoch ≤ target × fastest peer's)
WORKLOADS = {
    "A": ("mlp", 32, 10, 1 / 5),
    "B": ("lenet", 64, 3, 1 / 3),
    "C": ("cnn", 128, 2, 2 / 3),
}
LEARNING_RATE = 1e-3
PEAK_GFLOPS_PER_CORE = 115.0
FRAMEWORKS = ["numeral", "keras", "torch"]

# Layers as (kind, input channels/size, output channels/size, output height·width, kernel²) for FLOP counting.
LAYERS = {
    "mlp": [("dense", 784, 50, 1, 1), ("dense", 50, 50, 1, 1), ("dense", 50, 10, 1, 1)],
    "lenet": [("conv", 1, 6, 28 * 28, 25), ("conv", 6, 16, 10 * 10, 25), ("dense", 400, 120, 1, 1),
              ("dense", 120, 84, 1, 1), ("dense", 84, 10, 1, 1)],
    "cnn": [("conv", 1, 32, 26 * 26, 9), ("conv", 32, 64, 24 * 24, 9), ("dense", 9216, 128, 1, 1),
            ("dense", 128, 10, 1, 1)],
}


def training_flops_per_sample(model):
    """Multiply-adds × 2 of the convolutions and dense layers: forward, weight gradient and input
    gradient (none for the first layer, whose input is the image). ReLU, pooling, softmax and
    the optimizer are left out (under 1% here)."""
    total = 0
    for i, (_, cin, cout, hw, k2) in enumerate(LAYERS[model]):
        forward = 2 * cin * cout * hw * k2
        total += forward * (2 if i == 0 else 3)
    return total


def loadavg():
    return os.getloadavg()[0]


def run_json(cmd, env):
    """Runs cmd, passing its stderr through, and returns the JSON object on the last line of its stdout."""
    print("$ " + " ".join(cmd), file=sys.stderr, flush=True)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, env=env)
    lines = [l for l in proc.stdout.splitlines() if l.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{cmd[0]} exited {proc.returncode}; stdout: {proc.stdout[-500:]}")
    return json.loads(lines[-1])


def numeral_version():
    # The last commit that changed the engine, not HEAD (benchmark-only commits change nothing measured).
    commit = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%h", "--", "Sources", "Package.swift"],
                            capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "Sources", "Package.swift"],
                           capture_output=True, text=True)
    rev = commit.stdout.strip() or "unknown"
    return f"commit {rev}" + (" + local changes" if dirty.stdout.strip() else "")


def run_numeral(args, model, batch, epochs, seed, env, workdir, inference):
    output = os.path.join(workdir, f"numeral-{model}.safetensors")
    out = run_json([args.numeral, "train", "--model", model, "--epochs", str(epochs), "--batch-size", str(batch),
                    "--optimizer", "adam", "--lr", str(LEARNING_RATE), "--init", "glorot", "--seed", str(seed),
                    "--threads", str(args.threads), "--data", args.data, "--output", output, "--json"], env)
    result = {
        "framework": "Numeral",
        "version": numeral_version(),
        "threads": f"--threads {args.threads}",
        "history": [{"epoch": h["epoch"], "seconds": h["seconds"], "loss": h["loss"], "accuracy": h["accuracy"]}
                    for h in out["history"]],
        "test_accuracy": out["test"]["accuracy"],
    }
    if inference:
        # `numeral evaluate` times the 10k test set (throughput)
        # and `numeral bench` the batch-1 forward pass of the same architecture (latency).
        secs = [run_json([args.numeral, "evaluate", "--model", output, "--data", args.data, "--json"], env)["seconds"]
                for _ in range(3)]
        bench = run_json([args.numeral, "bench", "--model", model, "--repeats", "1000",
                          "--threads", str(args.threads), "--json"], env)
        result["inference"] = {"latency_ms": bench["latencyMilliseconds"], "throughput": 10000 / statistics.median(secs),
                               "method": "numeral evaluate --json (median of 3) and numeral bench (median of 1000)"}
    return result


def run_peer(args, framework, model, batch, epochs, seed, env, inference):
    script = os.path.join(HERE, f"peer_{framework}.py")
    cmd = [args.python, script, "--model", model, "--epochs", str(epochs), "--batch-size", str(batch),
           "--lr", str(LEARNING_RATE), "--seed", str(seed), "--threads", str(args.threads), "--data", args.data]
    return run_json(cmd + (["--inference"] if inference else []), env)


def median_seconds(result):
    return statistics.median(h["seconds"] for h in result["history"])


def merge(runs):
    """One framework's runs of one workload, one per seed: their epochs pooled (for the median
    s/epoch), the test accuracy averaged, and each seed's numbers kept."""
    done = [r for r in runs if "error" not in r]
    if not done:
        return runs[0]
    first = done[0]
    merged = {k: first[k] for k in ("framework", "version", "threads")}
    merged["history"] = [h for r in done for h in r["history"]]
    merged["seeds"] = [{"seed": r["seed"], "test_accuracy": r["test_accuracy"], "final_loss": r["history"][-1]["loss"],
                        "seconds": [h["seconds"] for h in r["history"]]} for r in done]
    merged["failed_seeds"] = [r["seed"] for r in runs if "error" in r]
    merged["test_accuracy"] = statistics.mean(r["test_accuracy"] for r in done)
    if "inference" in first:
        merged["inference"] = first["inference"]
    return merged


def fmt_acc(a):
    return f"{100 * a:.2f}%"


def render(results, meta):
    """BENCHMARKS.md: tables first, then how they were measured."""
    lines = [
        "# Benchmarks",
        "",
        f"Numeral against TensorFlow/Keras and PyTorch on this machine, one run of `{meta['command']}` "
        f"({meta['started']} → {meta['finished']} UTC{', QUICK: 1 epoch per workload' if meta['quick'] else ''}).",
        f"Machine: {meta['cpu']}, {meta['cores']} cores, {meta['memory']}; {meta['os']}. "
        f"Load average (1 min) during the run: {meta['load_min']:.1f}–{meta['load_max']:.1f} "
        f"(other work was running on the machine: timings are noisy, ratios within one workload are the fairer read).",
        "",
        "## Training",
        "",
        "| Workload | Framework | Version | Threads | s/epoch (median) | every epoch (s), seed by seed | final train loss (mean) | test accuracy by seed | mean |",
        "|---|---|---|---|---:|---|---:|---|---:|",
    ]
    for w, by_fw in results.items():
        model, batch, epochs, _ = WORKLOADS[w]
        for fw in by_fw.values():
            if "error" in fw:
                lines.append(f"| {w} | {fw['framework']} | | | failed: {fw['error']} | | | | |")
                continue
            every = "; ".join(", ".join(f"{t:.1f}" for t in r["seconds"]) for r in fw["seeds"])
            by_seed = ", ".join(f"{fmt_acc(r['test_accuracy'])} (seed {r['seed']})" for r in fw["seeds"])
            if fw["failed_seeds"]:
                by_seed += f"; failed: seed {', '.join(map(str, fw['failed_seeds']))}"
            loss = statistics.mean(r["final_loss"] for r in fw["seeds"])
            lines.append(f"| {w} {model} b{batch} ×{len(fw['history']) // len(fw['seeds'])} | {fw['framework']} | "
                         f"{fw['version']} | {fw['threads']} | {median_seconds(fw):.2f} | {every} | {loss:.4f} | "
                         f"{by_seed} | {fmt_acc(fw['test_accuracy'])} |")

    lines += ["", "## Numeral against the fastest peer", "",
              "| Workload | Numeral s/epoch | fastest peer | peer s/epoch | Numeral/peer | target | time target | "
              "mean accuracy Numeral vs peer | met |",
              "|---|---:|---|---:|---:|---:|---|---|---|"]
    for w, by_fw in results.items():
        target = WORKLOADS[w][3]
        n = by_fw.get("numeral")
        peers = [r for k, r in by_fw.items() if k != "numeral" and "error" not in r]
        if not n or "error" in n or not peers:
            lines.append(f"| {w} | | | | | ≤ {target:.2f} | not measured | | no |")
            continue
        fastest = min(peers, key=median_seconds)
        ratio = median_seconds(n) / median_seconds(fastest)
        time_ok = ratio <= target
        acc_ok = n["test_accuracy"] >= fastest["test_accuracy"]
        delta = 100 * (n["test_accuracy"] - fastest["test_accuracy"])
        lines.append(f"| {w} | {median_seconds(n):.2f} | {fastest['framework']} | {median_seconds(fastest):.2f} | "
                     f"{ratio:.2f} | ≤ {target:.2f} | {'met' if time_ok else 'missed'} | "
                     f"{fmt_acc(n['test_accuracy'])} vs {fmt_acc(fastest['test_accuracy'])} ({delta:+.2f} pp) | "
                     f"{'yes' if time_ok and acc_ok else 'no'} |")

    b = results.get("B", {})
    lines += ["", "## Inference on B (lenet, the model trained with the first seed)", "",
              "| Framework | latency, batch 1 (median, ms) | throughput, batch 1000 (images/s) | how |",
              "|---|---:|---:|---|"]
    for fw in b.values():
        inf = fw.get("inference")
        if not inf:
            continue
        latency = f"{inf['latency_ms']:.3f}" if inf.get("latency_ms") is not None else "missing"
        how = inf.get("method", {"PyTorch": "`torch.inference_mode()`, eager", "TensorFlow/Keras":
                                 "`tf.function(model(x, training=False))`"}.get(fw["framework"], ""))
        lines.append(f"| {fw['framework']} | {latency} | {inf['throughput']:.0f} | {how} |")

    c = results.get("C", {})
    flops = training_flops_per_sample("cnn") * 60000
    peak = PEAK_GFLOPS_PER_CORE * meta["cores"]
    lines += ["", "## Achieved GFLOP/s on C (cnn training)", "",
              f"Training FLOPs per epoch: {flops / 1e12:.3f} TFLOP (60,000 × {training_flops_per_sample('cnn') / 1e6:.2f} "
              f"MFLOP: convolutions and dense layers, forward + both gradients, multiply-add = 2). "
              f"Peak: {PEAK_GFLOPS_PER_CORE:.0f} GFLOP/s per core × {meta['cores']} = {peak:.0f} GFLOP/s.", "",
              "| Framework | s/epoch (median) | GFLOP/s | % of peak |", "|---|---:|---:|---:|"]
    for fw in c.values():
        if "error" in fw:
            continue
        g = flops / median_seconds(fw) / 1e9
        lines.append(f"| {fw['framework']} | {median_seconds(fw):.2f} | {g:.1f} | {100 * g / peak:.1f}% |")
    lines += ["", "The rate is nominal: the FLOPs of direct convolution over the measured time. Numeral's second "
              "convolution (and oneDNN inside TensorFlow, where it chooses so) runs as Winograd F(4×4, 3×3), which "
              "does about a quarter of those multiplications, so a nominal rate can exceed the peak. The issue's "
              "115 GFLOP/s per core is also below what one core of this AVX-512 EPYC sustains in `dnnl_sgemm` "
              "(about 250 GFLOP/s, benchmarks/gemm-libraries.md)."]

    lines += ["", "## How this was measured", ""] + [f"- {n}" for n in meta["notes"]] + [""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1 epoch per workload (smoke test)")
    ap.add_argument("--workloads", default="ABC")
    ap.add_argument("--frameworks", default=",".join(FRAMEWORKS))
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--seeds", default="0,1,2", help="comma-separated; each workload is trained once per seed")
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "mnist"))
    ap.add_argument("--numeral", default=os.path.join(ROOT, ".build", "release", "numeral"))
    ap.add_argument("--python", default=sys.executable, help="interpreter with tensorflow-cpu and torch")
    ap.add_argument("--output", default=os.path.join(HERE, "peers.md"))
    ap.add_argument("--raw", default=os.path.join(HERE, "results.json"))
    ap.add_argument("--command", default="benchmarks/run-peers.sh")
    args = ap.parse_args()
    args.data = os.path.abspath(args.data)
    seeds = [int(x) for x in args.seeds.split(",") if x]

    env = dict(os.environ)
    # OpenMP threads sleep instead of spinning while they wait: on a machine shared with other work,
    # a spinning thread steals the core its partner needs (PyTorch went from ~20 to ~200 ms per lenet
    # step at load 9). It matters for PyTorch's OpenMP team; Numeral keeps oneDNN's OpenMP at one
    # thread per Dispatch worker and TensorFlow uses its own (Eigen) pool. Set for every process alike.
    env["OMP_WAIT_POLICY"] = "PASSIVE"
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"

    started = datetime.datetime.now(datetime.timezone.utc)
    loads = [loadavg()]
    frameworks = [f for f in args.frameworks.split(",") if f]
    results = {}
    with tempfile.TemporaryDirectory() as workdir:
        for w in args.workloads:
            model, batch, epochs, _ = WORKLOADS[w]
            epochs = 1 if args.quick else epochs
            runs = {fw: [] for fw in frameworks}
            for seed in seeds:
                for fw in frameworks:
                    # Inference is timed once, on the first seed's LeNet.
                    inference = w == "B" and seed == seeds[0]
                    try:
                        if fw == "numeral":
                            r = run_numeral(args, model, batch, epochs, seed, env, workdir, inference)
                        else:
                            r = run_peer(args, fw, model, batch, epochs, seed, env, inference)
                    except Exception as e:  # one framework failing must not lose the others' numbers
                        print(f"{fw} on {w} seed {seed} failed: {e}", file=sys.stderr)
                        r = {"framework": fw, "error": str(e)[:200]}
                    r["seed"] = seed
                    runs[fw].append(r)
                    loads.append(loadavg())
                    if "error" not in r:
                        print(f"{w} {model} seed {seed} {r['framework']}: {median_seconds(r):.2f} s/epoch, "
                              f"test {fmt_acc(r['test_accuracy'])}, load {loads[-1]:.1f}", file=sys.stderr, flush=True)
            results[w] = {fw: merge(rs) for fw, rs in runs.items()}
    finished = datetime.datetime.now(datetime.timezone.utc)

    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    mem_kb = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
    meta = {
        "command": args.command + (" --quick" if args.quick else ""),
        "started": started.strftime("%Y-%m-%d %H:%M"), "finished": finished.strftime("%H:%M"),
        "quick": args.quick, "cpu": cpu, "cores": os.cpu_count(), "memory": f"{mem_kb / 2**20:.0f} GiB",
        "os": platform.platform(), "load_min": min(loads), "load_max": max(loads),
        "notes": [
            f"Same data for all: the four MNIST IDX files in `{os.path.relpath(args.data, ROOT)}`, read by Numeral's "
            "IDX reader and by `benchmarks/mnist_idx.py` (magic, dimensions and counts checked); pixels scaled to [0, 1], "
            "no other normalisation; no validation split.",
            f"Same recipe for all: Adam, learning rate {LEARNING_RATE}, epsilon 1e-7 (Keras' default; PyTorch set to it), "
            f"softmax cross-entropy, seeds {', '.join(map(str, seeds))} for initialisation, shuffling and dropout (one "
            "training run per seed; each framework's own generator, so the same seed does not mean the same numbers), "
            "reshuffled every epoch, last partial batch kept. "
            "Initialisers: Numeral runs with `--init glorot`, Glorot-uniform like Keras's default (benchmarks/initialisation.md: "
            "Glorot averaged 0.04-0.11 points above Numeral's He default over six seeds); PyTorch keeps its own default "
            "(Kaiming-uniform with a = sqrt(5), biases uniform in ±1/sqrt(fan-in)).",
            "Seconds per epoch: wall time of one pass over the 60,000 training images (forward, backward, update, and the "
            "running loss/accuracy that each framework reports), read from Numeral's `--json` history, a Keras callback "
            "(`on_epoch_begin`→`on_epoch_end`) and a `time.perf_counter` around the PyTorch epoch loop. The median is over "
            "all epochs of all seeds, the first epoch of each run included for every framework.",
            "Test accuracy: the 10,000 test images after the last epoch, dropout off; one number per seed, and their mean.",
            f"Threads: {args.threads} for every framework (`numeral train --threads`, "
            "`tf.config.threading.set_intra/inter_op_parallelism_threads`, `torch.set_num_threads`); "
            "`OMP_WAIT_POLICY=PASSIVE` in every process's environment: PyTorch's 2-thread OpenMP team otherwise "
            "spin-waits and collapses when the machine is shared (about 10× slower per step at load 9); Numeral "
            "(Dispatch workers, oneDNN's OpenMP held at 1 thread) and TensorFlow (Eigen pool) run no OpenMP team.",
            "Keras runs `model.fit` with defaults (graph mode via tf.function; Keras 3 leaves XLA off on CPU-only machines), "
            "TensorFlow's oneDNN ops on (its default on x86). PyTorch runs eagerly (no `torch.compile`).",
            "Inference on B uses the model trained with the first seed: batch-1 latency is the median over 1,000 single test images after "
            "50 warm-up calls; throughput is the 10k test set in batches of 1,000, median of 3 passes after a warm-up pass; "
            "inputs are prepared beforehand and each call's output is brought back to host memory (NumPy / Swift array).",
            "Targets (issue 2): Numeral's s/epoch ≤ 1/5 of the fastest peer's on A, ≤ 1/3 on B, ≤ 2/3 on C, at equal or "
            "better test accuracy, read here as: Numeral's mean test accuracy over the seeds ≥ the fastest peer's mean "
            "(the fastest peer is the one with the lowest median s/epoch).",
            f"Raw per-epoch numbers: `{os.path.relpath(args.raw, ROOT)}`.",
        ],
    }
    markdown = render(results, meta)
    if not args.quick or args.output != os.path.join(HERE, "peers.md"):
        with open(args.output, "w") as f:
            f.write(markdown)
        with open(args.raw, "w") as f:
            json.dump({"meta": meta, "results": results}, f, indent=1)
            f.write("\n")
    else:
        print("(--quick: BENCHMARKS.md and results.json left as they were)", file=sys.stderr)
    print(markdown)


if __name__ == "__main__":
    main()
