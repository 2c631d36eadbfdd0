#!/usr/bin/env python3
"""Reads a Numeral model with PyPI safetensors + NumPy only and prints its logits as JSON.

usage: check_safetensors.py MODEL.safetensors INPUT.f32
INPUT.f32 holds little-endian float32 images in NCHW order; the architecture (and so the
input shape) comes from the file's __metadata__, as any outside reader would find it.
Prints {"networks": [{"name": ..., "logits": [[...], ...]}, ...]}, one entry per ensemble member.
"""
import json, sys
import numpy as np
from safetensors import safe_open

def run(layers, tensors, prefix, x):
    for i, layer in enumerate(layers):
        (kind, c), = layer.items()
        get = lambda name: tensors[f"{prefix}{i}.{name}"]
        if kind == "dense":
            x = x @ get("weight").T + get("bias")
        elif kind == "conv2D":
            w, s, p, k = get("weight"), c["stride"], c["padding"], c["kernelSize"]
            xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
            oh, ow = (xp.shape[2] - k) // s + 1, (xp.shape[3] - k) // s + 1
            x = sum(np.einsum("nchw,oc->nohw", xp[:, :, ky:ky + s * oh:s, kx:kx + s * ow:s], w[:, :, ky, kx])
                    for ky in range(k) for kx in range(k)) + get("bias")[None, :, None, None]
        elif kind == "maxPool2D":
            k, s = c["size"], c["stride"]
            oh, ow = (x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1
            x = np.stack([np.stack([x[:, :, oy * s:oy * s + k, ox * s:ox * s + k].max(axis=(2, 3))
                                    for ox in range(ow)], -1) for oy in range(oh)], -2)
        elif kind == "batchNorm":
            shape = (1, -1) + (1,) * (x.ndim - 2)
            x = ((x - get("runningMean").reshape(shape)) / np.sqrt(get("runningVariance").reshape(shape) + 1e-5)
                 * get("scale").reshape(shape) + get("shift").reshape(shape))
        elif kind == "flatten": x = x.reshape(len(x), -1)
        elif kind == "relu": x = np.maximum(x, 0)
        elif kind == "sigmoid": x = 1 / (1 + np.exp(-x))
        elif kind == "tanh": x = np.tanh(x)
        elif kind == "dropout": pass  # identity at inference
        else: sys.exit(f"unknown layer {kind}")
    return x

model_path, input_path = sys.argv[1], sys.argv[2]
with safe_open(model_path, framework="np") as f:
    metadata = f.metadata()
    tensors = {name: f.get_tensor(name).astype(np.float64) for name in f.keys()}
if metadata.get("numeral.format") != "numeral-model-1":
    sys.exit(f"{model_path}: no numeral metadata")
architectures = json.loads(metadata["architecture"])
images = np.fromfile(input_path, dtype="<f4").astype(np.float64)
networks = []
for k, arch in enumerate(architectures):
    prefix = "" if len(architectures) == 1 else f"members.{k}."
    x = images.reshape([-1] + arch["inputShape"])
    networks.append({"name": arch["name"], "logits": run(arch["layers"], tensors, prefix, x).tolist()})
print(json.dumps({"networks": networks}))
