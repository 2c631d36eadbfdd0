#!/usr/bin/env python3
"""Golden values for Numeral's engine from an independent NumPy (float64) implementation.

Two tiny seeded networks, each with fixed weights and one batch: forward logits, softmax
cross-entropy, every parameter gradient, and the losses and parameters over the first 3 steps
of SGD (momentum, Nesterov), Adam, AdamW and RMSprop with the formulas of
Sources/NumeralNN/Optimizer.swift. Writes golden.json next to this script. Run:
python3 Tests/Fixtures/make_golden.py
"""
import json, os
import numpy as np

def f32(a): return np.asarray(a, dtype=np.float32).astype(np.float64)  # values Swift holds exactly

def forward(spec, params, x):
    """Returns the output and a closure mapping the output gradient to the input gradient."""
    kind, cfg = next(iter(spec.items()))
    if kind == "dense":
        w, b = params
        return x @ w.T + b, lambda dy: (dy @ w, [dy.T @ x, dy.sum(0)])
    if kind == "conv2D":
        w, b = params; s, p, k = cfg["stride"], cfg["padding"], cfg["kernelSize"]
        xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        oh, ow = (xp.shape[2] - k) // s + 1, (xp.shape[3] - k) // s + 1
        win = lambda ky, kx: (slice(None), slice(None), slice(ky, ky + s * oh, s), slice(kx, kx + s * ow, s))
        y = sum(np.einsum("nchw,oc->nohw", xp[win(ky, kx)], w[:, :, ky, kx]) for ky in range(k) for kx in range(k))
        def back(dy):
            dxp, dw = np.zeros_like(xp), np.zeros_like(w)
            for ky in range(k):
                for kx in range(k):
                    dw[:, :, ky, kx] = np.einsum("nohw,nchw->oc", dy, xp[win(ky, kx)])
                    dxp[win(ky, kx)] += np.einsum("nohw,oc->nchw", dy, w[:, :, ky, kx])
            return dxp[:, :, p:p + x.shape[2], p:p + x.shape[3]], [dw, dy.sum((0, 2, 3))]
        return y + b[None, :, None, None], back
    if kind == "maxPool2D":
        k, s = cfg["size"], cfg["stride"]
        n, c, h, w = x.shape; oh, ow = (h - k) // s + 1, (w - k) // s + 1
        y, where = np.zeros((n, c, oh, ow)), {}
        for oy in range(oh):
            for ox in range(ow):
                block = x[:, :, oy * s:oy * s + k, ox * s:ox * s + k].reshape(n, c, -1)
                where[oy, ox] = block.argmax(-1)  # first maximum, like Numeral
                y[:, :, oy, ox] = block.max(-1)
        def back(dy):
            dx = np.zeros_like(x)
            for (oy, ox), am in where.items():
                for i in range(n):
                    for j in range(c):
                        dx[i, j, oy * s + am[i, j] // k, ox * s + am[i, j] % k] += dy[i, j, oy, ox]
            return dx, []
        return y, back
    if kind == "flatten": return x.reshape(len(x), -1), lambda dy: (dy.reshape(x.shape), [])
    if kind == "relu": return np.maximum(x, 0), lambda dy: (dy * (x > 0), [])
    if kind == "tanh": y = np.tanh(x); return y, lambda dy: (dy * (1 - y * y), [])
    if kind == "sigmoid": y = 1 / (1 + np.exp(-x)); return y, lambda dy: (dy * y * (1 - y), [])
    raise ValueError(kind)

def loss_and_gradients(net, params, x, labels):
    backs = []
    for i, spec in enumerate(net["architecture"]["layers"]):
        x, back = forward(spec, [params[f"{i}.{n}"] for n in ("weight", "bias") if f"{i}.{n}" in params], x)
        backs.append((i, back))
    z = x - x.max(1, keepdims=True); p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    loss = -np.log(p[np.arange(len(labels)), labels]).mean()
    dy = p.copy(); dy[np.arange(len(labels)), labels] -= 1; dy /= len(labels)
    grads = {}
    for i, back in reversed(backs):
        dy, g = back(dy)
        grads.update({f"{i}.{n}": v for n, v in zip(("weight", "bias"), g)})
    return x, loss, grads

def train3(net, cfg, x, labels):
    params = {k: v.copy() for k, v in net["params"].items()}
    state, losses = {k: [np.zeros_like(v), np.zeros_like(v)] for k, v in params.items()}, []
    for t in (1, 2, 3):
        _, loss, grads = loss_and_gradients(net, params, x, labels); losses.append(loss)
        for k, w in params.items():
            decays, lr, wd = k.endswith("weight"), cfg["learningRate"], cfg["weightDecay"]
            g = grads[k] + (wd * w if decays and cfg["kind"] != "adamw" else 0)
            a, b = state[k]
            if cfg["kind"] == "sgd":
                a[:] = cfg["momentum"] * a + g
                w -= lr * (g + cfg["momentum"] * a if cfg["nesterov"] else a)
            elif cfg["kind"] in ("adam", "adamw"):
                a[:] = cfg["beta1"] * a + (1 - cfg["beta1"]) * g
                b[:] = cfg["beta2"] * b + (1 - cfg["beta2"]) * g * g
                if cfg["kind"] == "adamw" and decays: w -= lr * wd * w
                w -= lr * (a / (1 - cfg["beta1"] ** t)) / (np.sqrt(b / (1 - cfg["beta2"] ** t)) + cfg["epsilon"])
            else:
                a[:] = cfg["rho"] * a + (1 - cfg["rho"]) * g * g
                w -= lr * g / (np.sqrt(a) + cfg["epsilon"])
    return losses, params

def tensor(a): return {"shape": list(np.shape(a)), "values": np.ravel(a).tolist()}

rng = np.random.default_rng(20261125)
nets = [
    {"name": "cnn", "inputShape": [1, 6, 6], "batch": 4, "layers": [
        {"conv2D": {"inputChannels": 1, "outputChannels": 2, "kernelSize": 3, "stride": 1, "padding": 1}},
        {"relu": {}}, {"maxPool2D": {"size": 2, "stride": 2}}, {"flatten": {}},
        {"dense": {"inputSize": 18, "outputSize": 8}}, {"relu": {}}, {"dense": {"inputSize": 8, "outputSize": 10}}]},
    {"name": "mlp", "inputShape": [12], "batch": 5, "layers": [
        {"dense": {"inputSize": 12, "outputSize": 9}}, {"tanh": {}},
        {"dense": {"inputSize": 9, "outputSize": 6}}, {"sigmoid": {}}, {"dense": {"inputSize": 6, "outputSize": 10}}]},
]
base = {"weightDecay": 0.0, "momentum": 0.9, "nesterov": False, "beta1": 0.9, "beta2": 0.999, "rho": 0.9,
        "epsilon": 1e-7, "schedule": {"constant": {}}}
optimizers = [dict(base, kind="sgd", learningRate=0.1, weightDecay=0.01),
              dict(base, kind="sgd", learningRate=0.05, nesterov=True),
              dict(base, kind="adam", learningRate=0.01, weightDecay=0.01),
              dict(base, kind="adamw", learningRate=0.01, weightDecay=0.1),
              dict(base, kind="rmsprop", learningRate=0.01, weightDecay=0.01)]
out = {"generator": "Tests/Fixtures/make_golden.py", "numpy": np.__version__, "networks": []}
for spec in nets:
    net = {"architecture": {"name": spec["name"], "inputShape": spec["inputShape"], "layers": spec["layers"]}, "params": {}}
    for i, layer in enumerate(spec["layers"]):
        kind, c = next(iter(layer.items()))
        shape = {"dense": lambda: [c["outputSize"], c["inputSize"]],
                 "conv2D": lambda: [c["outputChannels"], c["inputChannels"], c["kernelSize"], c["kernelSize"]]}.get(kind)
        if shape:
            net["params"][f"{i}.weight"] = f32(rng.uniform(-0.6, 0.6, shape()))
            net["params"][f"{i}.bias"] = f32(rng.uniform(-0.2, 0.2, shape()[0]))
    x = f32(rng.uniform(0, 1, [spec["batch"]] + spec["inputShape"]))
    labels = rng.integers(0, 10, spec["batch"])
    logits, loss, grads = loss_and_gradients(net, net["params"], x, labels)
    runs = []
    for cfg in optimizers:
        losses, params = train3(net, cfg, x, labels)
        runs.append({"configuration": cfg, "losses": losses, "parameters": {k: tensor(v) for k, v in params.items()}})
    out["networks"].append({"architecture": net["architecture"], "input": tensor(x), "labels": labels.tolist(),
                            "parameters": {k: tensor(v) for k, v in net["params"].items()},
                            "logits": tensor(logits), "loss": loss,
                            "gradients": {k: tensor(v) for k, v in grads.items()}, "optimizers": runs})
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json"), "w") as f:
    json.dump(out, f, indent=1)
