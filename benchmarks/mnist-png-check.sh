#!/usr/bin/env bash
# Every MNIST test image saved as a 28x28 PNG and read through `numeral read` must keep
# the model's MNIST accuracy within 0.2 points: single centred digits have to pass the
# whole pipeline (threshold, segmentation, normalisation) nearly unchanged.
#
# Digits are compared by the top class (--threshold 0), as the model accuracy is.
# Usage: benchmarks/mnist-png-check.sh [MODEL]   (MNIST from $NUMERAL_DATA or ../shared/data/mnist)
set -euo pipefail
cd "$(dirname "$0")/.."
data="${NUMERAL_DATA:-../shared/data/mnist}"
model_args=(); [ $# -ge 1 ] && model_args=(--model "$1")
swift build -c release --product numeral >&2
bin=.build/release/numeral
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
python3 benchmarks/mnist-png.py "$data" "$work/png"

"$bin" evaluate "${model_args[@]}" --data "$data" --json > "$work/evaluate.json"
model_accuracy=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["accuracy"])' "$work/evaluate.json")
model_name=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["model"]; print("%s, %d parameters (%s)" % (m["name"], m["parameters"], m["file"]))' "$work/evaluate.json")
start=$(date +%s.%N)
"$bin" read "${model_args[@]}" --threshold 0 "$work/png" > "$work/read.tsv"
seconds=$(echo "$(date +%s.%N) - $start" | bc)
table=$(python3 - "$work/read.tsv" "$model_accuracy" "$seconds" <<'PY'
import os, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
model = float(sys.argv[2])
right = sum(1 for path, text in rows if text == os.path.basename(path).split("_")[1][0])
empty = sum(1 for _, text in rows if text == "")
multi = sum(1 for _, text in rows if len(text) > 1)
uncertain = sum(1 for _, text in rows if "?" in text)
read = right / len(rows)
print(f"images                {len(rows)}")
print(f"model accuracy        {100 * model:.2f}%   (numeral evaluate: tensors straight from the IDX file)")
print(f"read accuracy         {100 * read:.2f}%   (numeral read on the PNGs: text == label)")
print(f"difference            {100 * (read - model):+.2f} points (target: within 0.2)")
print(f"  nothing read        {empty}")
print(f"  more than one digit {multi}")
print(f"  uncertain (?)       {uncertain}")
print(f"time                  {float(sys.argv[3]):.1f} s for {len(rows)} images")
PY
)
echo "$table"
{
    echo "# MNIST test set as PNG files through \`numeral read\`"
    echo
    echo "Measured by \`benchmarks/mnist-png-check.sh\` on $(date -u +%Y-%m-%d) at $(git rev-parse --short HEAD), release build, model: $model_name."
    echo "Every MNIST test image is written as an 8-bit gray 28x28 PNG by an independent Python writer"
    echo "(benchmarks/mnist-png.py) and read by \`numeral read --threshold 0\` (top class, as the model accuracy"
    echo "counts it); the text must equal the label."
    echo
    echo '```'
    echo "$table"
    echo '```'
} > benchmarks/mnist-png-check.md.tmp
mv benchmarks/mnist-png-check.md.tmp benchmarks/mnist-png-check.md
