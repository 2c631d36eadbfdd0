"""Writes a 1-megapixel "photo" of an 8-digit number for the server load benchmark.

MNIST *test* digits (never training digits), scaled to about 90 px, dark ink on slightly
uneven, noisy paper, 1152x864 pixels (~1.0 MP); saved as PNG and, through libjpeg-turbo's `cjpeg` (Debian
libjpeg-turbo-progs), as a quality-85 JPEG like a phone's.

python3 benchmarks/make_photo.py MNIST_DIR OUT_PREFIX  ->  OUT_PREFIX.png, OUT_PREFIX.jpg
"""
import gzip, struct, subprocess, sys, zlib, shutil
import numpy as np

mnist, prefix = sys.argv[1], sys.argv[2]
with gzip.open(f"{mnist}/t10k-images-idx3-ubyte.gz") as f:
    magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
    assert magic == 0x803
    images = np.frombuffer(f.read(), dtype=np.uint8).reshape(n, 28, 28)
with gzip.open(f"{mnist}/t10k-labels-idx1-ubyte.gz") as f:
    assert struct.unpack(">II", f.read(8))[0] == 0x801
    labels = np.frombuffer(f.read(), dtype=np.uint8)

rng = np.random.default_rng(7)
width, height = 1152, 864
yy, xx = np.mgrid[0:height, 0:width]
paper = 225 + 20 * (xx / width) - 15 * (yy / height) + rng.normal(0, 4, (height, width))
picks = [int(np.flatnonzero(labels == d)[k]) for k, d in enumerate([3, 1, 4, 1, 5, 9, 2, 6])]
scale = 4                                   # 28 px -> 112 px, digit body about 80 px
x = 120
for index in picks:
    digit = np.kron(images[index].astype(float) / 255, np.ones((scale, scale)))
    h, w = digit.shape
    top = 380 + int(rng.integers(-12, 12))
    region = paper[top:top + h, x:x + w]
    paper[top:top + h, x:x + w] = region * (1 - digit) + 40 * digit
    x += w - 8
image = np.clip(paper, 0, 255).astype(np.uint8)

def png(pixels):
    h, w = pixels.shape
    raw = b"".join(b"\0" + pixels[y].tobytes() for y in range(h))
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))

open(prefix + ".png", "wb").write(png(image))
if shutil.which("cjpeg"):
    h, w = image.shape
    pgm = f"P5 {w} {h} 255\n".encode() + image.tobytes()
    jpeg = subprocess.run(["cjpeg", "-quality", "85"], input=pgm, capture_output=True, check=True).stdout
    open(prefix + ".jpg", "wb").write(jpeg)
print("".join(str(labels[i]) for i in picks))
