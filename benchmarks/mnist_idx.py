"""Reads the MNIST IDX files (raw or .gz) that Numeral reads, so every framework trains on the same bytes.

Pixels are scaled to [0, 1] (ink = 1), as Numeral does; no mean/std normalisation.
"""
import gzip
import os
import struct

import numpy as np

IMAGES_MAGIC = 0x00000803  # unsigned byte, 3 dimensions
LABELS_MAGIC = 0x00000801  # unsigned byte, 1 dimension


class IDXError(Exception):
    pass


def _open(path):
    if os.path.exists(path):
        return gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")
    if os.path.exists(path + ".gz"):
        return gzip.open(path + ".gz", "rb")
    raise IDXError(f"{path}(.gz) not found: pass --data DIR holding the four MNIST IDX files")


def read_idx(path, magic):
    with _open(path) as f:
        data = f.read()
    if len(data) < 8:
        raise IDXError(f"{path}: truncated header ({len(data)} bytes)")
    (found,) = struct.unpack(">I", data[:4])
    if found != magic:
        raise IDXError(f"{path}: magic 0x{found:08x}, expected 0x{magic:08x}")
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims)
    if body.size != int(np.prod(shape)):
        raise IDXError(f"{path}: {body.size} bytes of data, header says {shape}")
    return body.reshape(shape)


def load(directory, split):
    """Returns (images float32 [N, 28, 28] in [0, 1], labels int64 [N]) for split 'train' or 't10k'."""
    images = read_idx(os.path.join(directory, f"{split}-images-idx3-ubyte"), IMAGES_MAGIC)
    labels = read_idx(os.path.join(directory, f"{split}-labels-idx1-ubyte"), LABELS_MAGIC)
    if images.shape[0] != labels.shape[0]:
        raise IDXError(f"{split}: {images.shape[0]} images but {labels.shape[0]} labels")
    return images.astype(np.float32) / 255.0, labels.astype(np.int64)
