"""Trains one benchmark workload with PyTorch and prints one JSON object (see bench.py).

The models mirror Numeral's Zoo (Sources/NumeralNN/Zoo.swift); layout NCHW; Adam with
Keras' epsilon 1e-7 so all three frameworks run the same update rule.
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnist_idx  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def build(name):
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 50), nn.ReLU(), nn.Linear(50, 50), nn.ReLU(),
                             nn.Linear(50, 10))
    if name == "lenet":
        return nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    if name == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Dropout(0.25), nn.Flatten(), nn.Linear(64 * 12 * 12, 128), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(128, 10))
    raise SystemExit(f"unknown model {name}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--epochs", type=int, required=True)
    ap.add_argument("--batch-size", type=int, required=True)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--data", required=True)
    ap.add_argument("--inference", action="store_true", help="also time batch-1 latency and batch-1000 throughput")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    x_train, y_train = mnist_idx.load(args.data, "train")
    x_test, y_test = mnist_idx.load(args.data, "t10k")
    x_train = torch.from_numpy(x_train).unsqueeze(1)  # [N, 1, 28, 28]
    y_train = torch.from_numpy(y_train)
    x_test = torch.from_numpy(x_test).unsqueeze(1)
    y_test = torch.from_numpy(y_test)

    model = build(args.model)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, eps=1e-7)
    shuffle = torch.Generator().manual_seed(args.seed)
    n = x_train.shape[0]
    history = []
    for epoch in range(1, args.epochs + 1):
        model.train()
        started = time.perf_counter()
        order = torch.randperm(n, generator=shuffle)
        loss_sum, correct = 0.0, 0
        for start in range(0, n, args.batch_size):
            idx = order[start:start + args.batch_size]
            xb, yb = x_train[idx], y_train[idx]
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            # Running loss and accuracy, as Keras and Numeral report them.
            loss_sum += loss.item() * len(idx)
            correct += (logits.argmax(1) == yb).sum().item()
        seconds = time.perf_counter() - started
        history.append({"epoch": epoch, "seconds": seconds, "loss": loss_sum / n, "accuracy": correct / n})
        print(f"torch {args.model} epoch {epoch}: {seconds:.2f}s loss {loss_sum / n:.4f}", file=sys.stderr)

    model.eval()
    with torch.inference_mode():
        correct = sum((model(x_test[s:s + 1000]).argmax(1) == y_test[s:s + 1000]).sum().item()
                      for s in range(0, x_test.shape[0], 1000))
    result = {
        "framework": "PyTorch",
        "version": torch.__version__,
        "threads": f"intra-op {torch.get_num_threads()}, inter-op {torch.get_num_interop_threads()}",
        "history": history,
        "test_accuracy": correct / x_test.shape[0],
    }
    if args.inference:
        result["inference"] = time_inference(model, x_test)
    print(json.dumps(result))


def time_inference(model, x_test):
    """Batch-1 latency (median of 1,000 images after 50 warm-up calls) and batch-1000 throughput
    (the 10k test set, median of 3 passes after one warm-up pass); output brought to NumPy."""
    model.eval()
    singles = [x_test[i:i + 1] for i in range(1000)]
    with torch.inference_mode():
        for x in singles[:50]:
            model(x).numpy()
        latencies = []
        for x in singles:
            t = time.perf_counter()
            model(x).numpy()
            latencies.append(time.perf_counter() - t)
        passes = []
        for _ in range(4):
            t = time.perf_counter()
            for s in range(0, x_test.shape[0], 1000):
                model(x_test[s:s + 1000]).numpy()
            passes.append(time.perf_counter() - t)
    return {"latency_ms": statistics.median(latencies) * 1e3,
            "throughput": x_test.shape[0] / statistics.median(passes[1:])}


if __name__ == "__main__":
    main()
