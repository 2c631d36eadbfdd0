"""Writes the server tests' fixtures from the MNIST test set (never the training set).

python3 Tests/NumeralServerTests/Fixtures/make_fixtures.py /work/shared/data/mnist
  mnist-test-10.json: the first ten test digits, {"label", "pixels": [784 bytes]}
  digit-7.png:        test digit 0 (a 7) as a 28x28 gray PNG, white ink on black (MNIST)
  digit-7-paper.png:  the same digit inverted: dark ink on white paper
"""
import gzip, json, struct, sys, zlib
from pathlib import Path

mnist = Path(sys.argv[1])
out = Path(__file__).parent
with gzip.open(mnist / "t10k-images-idx3-ubyte.gz") as f:
    magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
    assert magic == 0x803 and rows == cols == 28
    images = [f.read(784) for _ in range(10)]
with gzip.open(mnist / "t10k-labels-idx1-ubyte.gz") as f:
    magic, n = struct.unpack(">II", f.read(8))
    assert magic == 0x801
    labels = list(f.read(10))
json.dump([{"label": l, "pixels": list(p)} for l, p in zip(labels, images)], open(out / "mnist-test-10.json", "w"))

def png(pixels, width, height):
    raw = b"".join(b"\0" + bytes(pixels[y * width:(y + 1) * width]) for y in range(height))
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

(out / "digit-7.png").write_bytes(png(images[0], 28, 28))
(out / "digit-7-paper.png").write_bytes(png([255 - v for v in images[0]], 28, 28))
