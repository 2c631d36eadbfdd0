#!/usr/bin/env python3
"""Golden values for Numeral's LSTM from an independent NumPy (float64) implementation.

A tiny seeded network, LSTM(inputSize 3, hiddenSize 4) over 5 steps -> Dense(4 -> 10), one
batch of 2: logits, softmax cross-entropy, every parameter gradient, the input gradient, and
the losses of 3 plain SGD steps (lr 0.5). Gates in PyTorch's order i, f, g, o; one bias.
Writes golden_lstm.json next to this script. Run: python3 Tests/Fixtures/make_golden_lstm.py
"""
import json, os
import numpy as np

I, H, T, B, C = 3, 4, 5, 2, 10
rng = np.random.default_rng(6)
f32 = lambda a: np.asarray(a, dtype=np.float32).astype(np.float64)  # values Swift holds exactly
params = {
    "0.inputWeight": f32(rng.uniform(-0.7, 0.7, (4 * H, I))),
    "0.hiddenWeight": f32(rng.uniform(-0.7, 0.7, (4 * H, H))),
    "0.bias": f32(rng.uniform(-0.3, 0.3, 4 * H)),
    "1.weight": f32(rng.uniform(-0.8, 0.8, (C, H))),
    "1.bias": f32(rng.uniform(-0.1, 0.1, C)),
}
x = f32(rng.uniform(-1, 1, (B, T, I)))
labels = np.array([3, 7])
sig = lambda z: 1 / (1 + np.exp(-z))

def run(p):
    Wx, Wh, b = p["0.inputWeight"], p["0.hiddenWeight"], p["0.bias"]
    h, c, tape = np.zeros((B, H)), np.zeros((B, H)), []
    for t in range(T):
        z = x[:, t] @ Wx.T + h @ Wh.T + b
        i, f, g, o = sig(z[:, :H]), sig(z[:, H:2*H]), np.tanh(z[:, 2*H:3*H]), sig(z[:, 3*H:])
        tape.append((h, c, i, f, g, o))
        c = f * c + i * g
        h = o * np.tanh(c)
    logits = h @ p["1.weight"].T + p["1.bias"]
    zc = logits - logits.max(1, keepdims=True); prob = np.exp(zc) / np.exp(zc).sum(1, keepdims=True)
    loss = -np.log(prob[np.arange(B), labels]).mean()
    dlog = prob.copy(); dlog[np.arange(B), labels] -= 1; dlog /= B
    grads = {"1.weight": dlog.T @ h, "1.bias": dlog.sum(0)}
    dh, dc = dlog @ p["1.weight"], np.zeros((B, H))
    dWx, dWh, db, dx = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b), np.zeros_like(x)
    for t in reversed(range(T)):
        hp, cp, i, f, g, o = tape[t]
        cn = f * cp + i * g; tc = np.tanh(cn)
        dct = dc + dh * o * (1 - tc ** 2)
        dz = np.concatenate([dct * g * i * (1 - i), dct * cp * f * (1 - f), dct * i * (1 - g ** 2), dh * tc * o * (1 - o)], 1)
        dWx += dz.T @ x[:, t]; dWh += dz.T @ hp; db += dz.sum(0); dx[:, t] = dz @ Wx
        dh, dc = dz @ Wh, dct * f
    grads.update({"0.inputWeight": dWx, "0.hiddenWeight": dWh, "0.bias": db})
    return logits, loss, grads, dx

logits, loss, grads, dx = run(params)
p, sgd_losses = {k: v.copy() for k, v in params.items()}, []
for _ in range(3):
    _, l, g, _ = run(p); sgd_losses.append(l)
    p = {k: p[k] - 0.5 * g[k] for k in p}

flat = lambda a: [float(v) for v in np.asarray(a).ravel()]
out = {"inputSize": I, "hiddenSize": H, "steps": T, "batch": B, "labels": labels.tolist(),
       "input": flat(x), "params": {k: flat(v) for k, v in params.items()},
       "logits": flat(logits), "loss": float(loss), "gradients": {k: flat(v) for k, v in grads.items()},
       "inputGradient": flat(dx), "sgdLearningRate": 0.5, "sgdLosses": [float(l) for l in sgd_losses]}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden_lstm.json")
with open(path, "w") as fh: json.dump(out, fh, indent=1)
print(f"wrote {path}: loss {loss:.6f}, SGD losses {[round(float(l), 6) for l in sgd_losses]}")
