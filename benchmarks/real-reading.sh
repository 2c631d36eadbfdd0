#!/usr/bin/env bash
# Real reading: Numeral vs RapidOCR (PP-OCRv6) vs Tesseract on real handwriting, in one run.
#
# Sets (from ../shared/data, see its README): cvl-valid (CVL single digits, validation writers),
# parish-validation (parish-register row numbers with all-digit labels), mnist-test (the MNIST
# test set as PNGs), synth-pages (`numeral synth --count 300 --seed 5151`) and, when this build's
# `numeral synth` has `--preset field`, cheque-fields (`--preset field --count 500 --seed 5151`).
# Each is sampled to N images (every k-th file by name). Numeral reads each set twice
# (`read --json --threshold 0` and at the default threshold), RapidOCR recognises crops without
# detection and pages with it, Tesseract reads each image in its own process.
#
# Installs what it needs: Debian's tesseract-ocr (scripts/install-packages) and a Python venv
# benchmarks/.venv-ocr with benchmarks/requirements-ocr.txt (rapidocr, onnxruntime; the PP-OCRv6
# models ship in the rapidocr wheel). Builds numeral only when .build/release/numeral is missing.
# Usage:  benchmarks/real-reading.sh       (N (default 1000), SHARED (default ../shared/data),
#         JOBS (Tesseract processes at a time, default nproc) override; WORK=DIR keeps the sets
#         and the raw per-image outputs in DIR and reuses the sets on the next run)
# Writes: benchmarks/real-reading.md, then BENCHMARKS.md through benchmarks/collect.py.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000}
SHARED=${SHARED:-../shared/data}
JOBS=${JOBS:-$(nproc)}

scripts/install-packages tesseract-ocr

venv=benchmarks/.venv-ocr
if [ ! -x "$venv/bin/pip" ]; then
    # Debian's python3 makes no venv (no ensurepip) without python3-venv.
    if ! python3 -m venv "$venv" >&2; then
        rm -rf "$venv"
        scripts/install-packages python3-venv
        python3 -m venv "$venv"
    fi
fi
if ! cmp -s benchmarks/requirements-ocr.txt "$venv/requirements-ocr.txt"; then
    "$venv/bin/pip" install -q -r benchmarks/requirements-ocr.txt >&2
    cp benchmarks/requirements-ocr.txt "$venv/requirements-ocr.txt"
fi

if [ ! -x .build/release/numeral ]; then
    swift build -c release --product numeral >&2
fi

if [ -n "${WORK:-}" ]; then
    work=$WORK; mkdir -p "$work"
else
    work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fi

# One binary for the whole run, even if .build is rebuilt meanwhile: a copy of it with the
# resource bundles (the shipped models) that it finds beside itself.
numeral=$work/numeral-bin/numeral
rm -rf "$work/numeral-bin"; mkdir -p "$work/numeral-bin"
cp -p .build/release/numeral "$numeral"
for bundle in .build/release/*.resources; do cp -rL "$bundle" "$work/numeral-bin/"; done

python3 benchmarks/real_reading.py run --numeral "$numeral" --ocr-python "$venv/bin/python" \
    --shared "$SHARED" --work "$work" --n "$N" --jobs "$JOBS" --out benchmarks/real-reading.md
python3 benchmarks/collect.py
