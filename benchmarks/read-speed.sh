#!/usr/bin/env bash
# Speed of `numeral read` (issue 4 targets, release build):
#   1. a 1-megapixel photo with 8 digits, in process, median        (target <= 20 ms)
#   2. `numeral read photo.jpg` as a whole process, wall, median    (target <= 150 ms)
#   3. 100 images in one call: both cores used (CPU% and speed-up over --threads 1)
#   and, inside 1, a 200x50 field crop read whole by the field reader (target <= 5 ms, issue 31)
# Writes benchmarks/read-speed.md. Needs MNIST (test digits compose the images) from
# $NUMERAL_DATA or ../shared/data/mnist, and hyperfine for step 2 (installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
data="${NUMERAL_DATA:-../shared/data/mnist}"
model_args=(); [ $# -ge 1 ] && model_args=(--model "$1")
scripts/install-packages hyperfine
swift build -c release --product numeral >&2
bin=.build/release/numeral
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
out=benchmarks/read-speed.md

inprocess=$("$bin" bench-read "${model_args[@]}" --data "$data" --runs 100 --write-images "$work")
echo "$inprocess" >&2

hyperfine -N --warmup 3 --runs 30 --export-json "$work/hf.json" "$bin read ${model_args[*]} $work/photo.jpg" >&2
wall=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f ms median wall (mean %.1f ± %.1f, min %.1f); CPU per run: user %.1f ms + system %.1f ms" % (1e3*r["median"], 1e3*r["mean"], 1e3*r["stddev"], 1e3*r["min"], 1e3*r["user"], 1e3*r["system"]))' "$work/hf.json")

measure() {  # $1 = extra flags; prints "seconds cpu% cpu-seconds"
    /usr/bin/time -f "%e %P %U %S" -o "$work/time" "$bin" read "${model_args[@]}" $1 "$work/many" > "$work/many.tsv"
    read -r e p u s < "$work/time"; echo "$e $p $(echo "$u + $s" | bc)"
}
read -r one_s one_cpu one_cs < <(measure "--threads 1")
read -r all_s all_cpu all_cs < <(measure "")
accuracy=$(python3 - "$work/many.tsv" "$work/many-labels.csv" <<'PY'
import csv, os, sys
truth = {r["file"]: r["label"] for r in csv.DictReader(open(sys.argv[2]))}
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
right = sum(1 for p, t in rows if truth[os.path.basename(p)] == t)
print(f"{right}/{len(rows)}")
PY
)
speedup=$(python3 -c "print('%.2f' % ($one_s / $all_s))")

{
    echo "# numeral read: speed"
    echo
    echo "Measured by \`benchmarks/read-speed.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) when it started), release build, model: $("$bin" info "${model_args[@]}" | head -1); line model: $("$bin" info --lines | head -1)."
    echo
    echo "## 1. One 1-megapixel photo with 8 digits, in process (target ≤ 20 ms median)"
    echo
    echo '```'
    echo "$inprocess" | grep -v '^wrote'
    echo '```'
    echo
    echo "## 2. \`numeral read photo.jpg\`, whole process (target ≤ 150 ms)"
    echo
    echo "hyperfine, 30 runs after 3 warm-ups: $wall"
    echo
    echo "## 3. 100 images (JPEG, 3–8 digits, 40–120 px high) in one call (target: both cores used)"
    echo
    echo "| | wall s | CPU s (user+sys) | CPU / wall |"
    echo "|---|---|---|---|"
    echo "| \`--threads 1\` | $one_s | $one_cs | $one_cpu |"
    echo "| default (all $(nproc) cores) | $all_s | $all_cs | $all_cpu |"
    echo
    echo "Speed-up $speedup×; strings read right: $accuracy."
} > "$out"
cat "$out"
