#!/usr/bin/env python3
"""Writes every MNIST test image as an 8-bit gray 28x28 PNG named <index>_<label>.png.

Independent of Numeral's own code (numpy + zlib only), so the check reads files made
by someone else. Usage: mnist-png.py MNIST_DIR OUT_DIR
"""
import gzip, os, struct, sys, zlib

def png(width, height, rows):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))

def main(src, out):
    with gzip.open(os.path.join(src, "t10k-images-idx3-ubyte.gz")) as f:
        magic, n, h, w = struct.unpack(">IIII", f.read(16)); assert magic == 0x803
        pixels = f.read(n * h * w)
    with gzip.open(os.path.join(src, "t10k-labels-idx1-ubyte.gz")) as f:
        magic, m = struct.unpack(">II", f.read(8)); assert magic == 0x801 and m == n
        labels = f.read(m)
    os.makedirs(out, exist_ok=True)
    for i in range(n):
        img = pixels[i * h * w:(i + 1) * h * w]
        with open(os.path.join(out, f"{i:05d}_{labels[i]}.png"), "wb") as f:
            f.write(png(w, h, [img[r * w:(r + 1) * w] for r in range(h)]))
    print(f"wrote {n} PNGs to {out}", file=sys.stderr)

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
