"""Trains one benchmark workload with TensorFlow/Keras and prints one JSON object (see bench.py).

The models mirror Numeral's Zoo (Sources/NumeralNN/Zoo.swift); layout NHWC (TensorFlow's CPU
convolutions need it); Adam 1e-3 with Keras' default epsilon 1e-7; `model.fit` with its defaults
(Keras 3 turns XLA off on CPU-only machines).
"""
import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnist_idx  # noqa: E402


def build(keras, name):
    L = keras.layers
    if name == "mlp":
        layers = [L.Flatten(), L.Dense(50, activation="relu"), L.Dense(50, activation="relu"), L.Dense(10)]
    elif name == "lenet":
        layers = [L.Conv2D(6, 5, padding="same", activation="relu"), L.MaxPooling2D(2),
                  L.Conv2D(16, 5, activation="relu"), L.MaxPooling2D(2), L.Flatten(),
                  L.Dense(120, activation="relu"), L.Dense(84, activation="relu"), L.Dense(10)]
    elif name == "cnn":
        layers = [L.Conv2D(32, 3, activation="relu"), L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(2),
                  L.Dropout(0.25), L.Flatten(), L.Dense(128, activation="relu"), L.Dropout(0.5), L.Dense(10)]
    else:
        raise SystemExit(f"unknown model {name}")
    return keras.Sequential([keras.Input((28, 28, 1))] + layers)


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

    import tensorflow as tf
    import keras

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    keras.utils.set_random_seed(args.seed)

    x_train, y_train = mnist_idx.load(args.data, "train")
    x_test, y_test = mnist_idx.load(args.data, "t10k")
    x_train, x_test = x_train[..., None], x_test[..., None]  # [N, 28, 28, 1]

    model = build(keras, args.model)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=args.lr, epsilon=1e-7),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.started = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            seconds.append(time.perf_counter() - self.started)
            print(f"keras {args.model} epoch {epoch + 1}: {seconds[-1]:.2f}s loss {logs['loss']:.4f}", file=sys.stderr)

    seconds = []
    fit = model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs, shuffle=True, verbose=0,
                    callbacks=[EpochTimer()])
    history = [{"epoch": i + 1, "seconds": s, "loss": float(fit.history["loss"][i]),
                "accuracy": float(fit.history["accuracy"][i])} for i, s in enumerate(seconds)]
    _, test_accuracy = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)
    result = {
        "framework": "TensorFlow/Keras",
        "version": f"tensorflow-cpu {tf.__version__}, keras {keras.__version__}",
        "threads": f"intra-op {tf.config.threading.get_intra_op_parallelism_threads()}, "
                   f"inter-op {tf.config.threading.get_inter_op_parallelism_threads()}",
        "history": history,
        "test_accuracy": float(test_accuracy),
    }
    if args.inference:
        result["inference"] = time_inference(tf, model, x_test)
    print(json.dumps(result))


def time_inference(tf, model, x_test):
    """Batch-1 latency (median of 1,000 images after 50 warm-up calls) and batch-1000 throughput
    (the 10k test set, median of 3 passes after one warm-up pass); output brought to NumPy.
    The forward pass is a tf.function: the fastest of Keras' own paths (`model(x)` eager and
    `model.predict` both add milliseconds of Python per call)."""
    forward = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
    singles = [tf.constant(x_test[i:i + 1]) for i in range(1000)]
    batches = [tf.constant(x_test[s:s + 1000]) for s in range(0, x_test.shape[0], 1000)]
    for x in singles[:50]:
        forward(x).numpy()
    latencies = []
    for x in singles:
        t = time.perf_counter()
        forward(x).numpy()
        latencies.append(time.perf_counter() - t)
    passes = []
    for _ in range(4):
        t = time.perf_counter()
        for x in batches:
            forward(x).numpy()
        passes.append(time.perf_counter() - t)
    return {"latency_ms": statistics.median(latencies) * 1e3,
            "throughput": x_test.shape[0] / statistics.median(passes[1:])}


if __name__ == "__main__":
    main()
