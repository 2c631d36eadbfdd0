#!/usr/bin/env python3
"""Writes mnist-digits.png: the first three MNIST *test* images of every digit, as a
gray sheet of 3 rows x 10 columns of 28x28 cells (column = digit, white ink on black,
exactly MNIST's pixels). The reader tests cut it up to compose their images.

Usage: Tests/Fixtures/make_mnist_digits.py [MNIST_DIR]   (default ../shared/data/mnist)
"""
import gzip, os, struct, sys, zlib

src = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/mnist"
with gzip.open(os.path.join(src, "t10k-images-idx3-ubyte.gz")) as f:
    magic, n, h, w = struct.unpack(">IIII", f.read(16)); assert magic == 0x803
    pixels = f.read(n * h * w)
with gzip.open(os.path.join(src, "t10k-labels-idx1-ubyte.gz")) as f:
    magic, m = struct.unpack(">II", f.read(8)); assert magic == 0x801
    labels = f.read(m)

rows, cols = 3, 10
sheet = bytearray(rows * 28 * cols * 28)
for digit in range(cols):
    found = [i for i in range(n) if labels[i] == digit][:rows]
    for r, i in enumerate(found):
        for y in range(28):
            start = ((r * 28 + y) * cols + digit) * 28
            sheet[start:start + 28] = pixels[i * 784 + y * 28:i * 784 + y * 28 + 28]

def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
W, H = cols * 28, rows * 28
raw = b"".join(b"\x00" + bytes(sheet[y * W:(y + 1) * W]) for y in range(H))
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mnist-digits.png")
with open(out, "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
print("wrote", out)
