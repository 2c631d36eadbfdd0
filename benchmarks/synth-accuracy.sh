#!/usr/bin/env bash
# Numeral vs Tesseract on 2,000 synthetic handwritten numbers from `numeral synth` (seed fixed).
#
# Installs Debian's tesseract-ocr when it is missing (scripts/install-packages; not part of CI).
# Usage:  benchmarks/synth-accuracy.sh            (COUNT, SEED, NUMERAL_DATA, JOBS override the defaults;
#         WORK=DIR keeps the images and Tesseract's answers in DIR and reuses them on the next run)
# Writes: benchmarks/synth-accuracy.md — overall and per-category string accuracy, digit accuracy
#         (1 - character error rate on the digits) and rejection rate for both readers.
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT=${COUNT:-2000}
SEED=${SEED:-2026}
DATA=${NUMERAL_DATA:-data/mnist}
JOBS=${JOBS:-$(nproc)}

scripts/install-packages tesseract-ocr
swift build -c release --product numeral >&2
numeral="$(swift build -c release --show-bin-path)/numeral"
if [ -n "${WORK:-}" ]; then
    work=$WORK; mkdir -p "$work"
else
    work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fi
set_dir="$work/set"

if [ -f "$set_dir/labels.csv" ]; then
    echo "reusing the images in $set_dir" >&2
else
    echo "generating $COUNT images (seed $SEED)..." >&2
    "$numeral" synth --count "$COUNT" --seed "$SEED" --data "$DATA" --output "$set_dir" >&2
fi

# The per-image texts of a `numeral evaluate --json` report, as JSON lines {"file", "text"}.
texts() {
    python3 -c 'import json, sys
for item in json.load(open(sys.argv[1]))["images"]["items"]:
    print(json.dumps({"file": item["file"], "text": item["text"] or ""}))' "$1"
}

readers=()
headline=""
if "$numeral" evaluate --help 2>/dev/null | grep -q -- "--images"; then
    echo "numeral evaluate --images..." >&2
    start=$(date +%s.%N)
    "$numeral" evaluate --images "$set_dir" --json > "$work/evaluate.json"
    numeral_seconds=$(echo "$(date +%s.%N) - $start" | bc)
    # The per-image texts for the per-category table, and the headline as evaluate prints it.
    texts "$work/evaluate.json" > "$work/numeral.jsonl"
    headline=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); i=r["images"]; print("string accuracy %.2f%%, digit accuracy %.2f%%, rejection rate %.2f%%, %d unreadable (digit model %s, line model %s)" % (100*i["stringAccuracy"], 100*i["digitAccuracy"], 100*i["rejectionRate"], len(i["unreadable"]), r["model"]["name"], (r.get("lineModel") or {}).get("name", "none")))' "$work/evaluate.json")
    readers+=("Numeral=$work/numeral.jsonl")
    # What the digits allow: the same numbers' MNIST test digits, clean and perfectly cut,
    # read by the shipped digit model and by the ensemble in models/.
    echo "the set's digits, clean and alone..." >&2
    "$numeral" evaluate --images "$set_dir" --threshold 0 --json > "$work/evaluate-0.json"
    texts "$work/evaluate-0.json" > "$work/numeral-0.jsonl"
    [ -d "$work/mnist-png" ] || python3 benchmarks/mnist-png.py "$DATA" "$work/mnist-png"
    "$numeral" read --threshold 0 "$work/mnist-png" > "$work/mnist-default.tsv"
    "$numeral" read --threshold 0 --model models/numeral-ensemble.safetensors "$work/mnist-png" > "$work/mnist-ensemble.tsv"
    ceiling=$(python3 benchmarks/synth_ceiling.py --set "$set_dir" \
        --reads "the shipped digit model ($(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["model"]["name"])' "$work/evaluate.json"))=$work/mnist-default.tsv" \
        --reads "the ensemble (models/numeral-ensemble.safetensors)=$work/mnist-ensemble.tsv" \
        --pipeline "Numeral, default threshold=$work/numeral.jsonl" --pipeline "Numeral, threshold 0=$work/numeral-0.jsonl")
    # Pages photographed lying on a desk: 500 images of their own (seed 2027), and the same
    # numbers on the page alone.
    echo "pages on a desk..." >&2
    desk_rows=""
    for kind in desk page; do
        dir="$work/$kind-2027"
        fraction=$([ "$kind" = desk ] && echo 1 || echo 0)
        [ -f "$dir/labels.csv" ] || "$numeral" synth --count 500 --seed 2027 --desk-fraction "$fraction" --data "$DATA" --output "$dir" >&2
        row="| $([ "$kind" = desk ] && echo "on a desk (\`--desk-fraction 1\`)" || echo "the page alone") |"
        for threshold in 0.65 0; do
            "$numeral" evaluate --images "$dir" --threshold "$threshold" --json > "$work/$kind-$threshold.json"
            row="$row $(python3 -c 'import json,sys; i=json.load(open(sys.argv[1]))["images"]; print("%.1f%% | %.2f%% |" % (100*i["stringAccuracy"], 100*i["digitAccuracy"]) + (" %.1f%% |" % (100*i["rejectionRate"]) if sys.argv[2] != "0" else ""))' "$work/$kind-$threshold.json" "$threshold")"
        done
        desk_rows="$desk_rows$row"$'\n'
    done
elif "$numeral" --help | grep -qE '^ +read( |$)'; then
    echo "numeral read..." >&2
    start=$(date +%s.%N)
    (cd "$set_dir" && "$numeral" read --json synth-*.*) > "$work/numeral.jsonl" || true
    numeral_seconds=$(echo "$(date +%s.%N) - $start" | bc)
    readers+=("Numeral=$work/numeral.jsonl")
else
    echo "numeral has neither evaluate --images nor read yet: scoring Tesseract only" >&2
fi

echo "tesseract..." >&2
mkdir -p "$work/tesseract"
reused=$(ls "$work/tesseract" | wc -l)
start=$(date +%s.%N)
(cd "$set_dir" && ls synth-*.* | OMP_THREAD_LIMIT=1 xargs -P "$JOBS" -I{} sh -c \
    '[ -f "$2/$1.txt" ] || tesseract "$1" stdout --psm 7 -c tessedit_char_whitelist=0123456789.,- 2>/dev/null > "$2/$1.txt" || true' _ {} "$work/tesseract")
tesseract_seconds=$(echo "$(date +%s.%N) - $start" | bc)
readers+=("Tesseract=$work/tesseract")

args=()
for r in "${readers[@]}"; do args+=(--reader "$r"); done
{
    echo "## Synthetic handwritten numbers: Numeral vs Tesseract"
    echo
    echo "$COUNT images from \`numeral synth --count $COUNT --seed $SEED\` (MNIST test digits only; defaults in docs/synth.md),"
    echo "made $(date -u +%Y-%m-%d) at $(git rev-parse --short HEAD) by \`benchmarks/synth-accuracy.sh\`."
    echo "Tesseract $(tesseract --version 2>&1 | head -n 1 | cut -d' ' -f2) (Debian tesseract-ocr, eng) runs with"
    echo "\`--psm 7 -c tessedit_char_whitelist=0123456789.,-\` on the same files."
    echo "String = exact text; digit = max(0, 1 - character error rate on the digits), extra digits counted as"
    echo "insertions without limit, as \`numeral evaluate --images\` does; rejected = text containing \"?\""
    echo "(Tesseract never marks a digit uncertain, so its rejection is always 0). \"Digit, capped\" counts at most"
    echo "an image's own number of digits as its errors: a diagnostic, so images read as hundreds of digits do not hide the rest."
    echo
    if [ -n "$headline" ]; then
        echo "\`numeral evaluate --images\`: $headline."
        echo
    fi
    if [ -n "${numeral_seconds:-}" ]; then
        printf 'Wall time on %s shared cores: Numeral %.1f s' "$(nproc)" "$numeral_seconds"
    else
        printf 'Wall time on %s shared cores:' "$(nproc)"
    fi
    if [ "$reused" -gt 0 ]; then
        printf ', Tesseract answers for %s images reused from an earlier run in %s.\n\n' "$reused" "$work"
    else
        printf ', Tesseract %.1f s (%s jobs).\n\n' "$tesseract_seconds" "$JOBS"
    fi
    if [ -n "${ceiling:-}" ]; then
        echo "### What the digits allow"
        echo
        echo "Each number scored as if its MNIST test digits had been cut out perfectly and shown clean and alone"
        echo "to a digit model (\`benchmarks/synth_ceiling.py\`; the test images as 28x28 PNGs, read by"
        echo "\`numeral read --threshold 0\`), beside what the whole pipeline reads from the images."
        echo
        echo "$ceiling"
        echo
    fi
    if [ -n "${desk_rows:-}" ]; then
        echo "### Pages photographed on a desk"
        echo
        echo "500 images from \`numeral synth --count 500 --seed 2027 --desk-fraction 1\`: the page 30-85% of the picture's"
        echo "width, turned up to 10 degrees, on a surface of grey level 0.05-0.45, half of them seen at an angle (the far"
        echo "edge 5-20% shorter) and a third close-ups (the desk along one or two sides only); beside them the same numbers on"
        echo "the page alone (\`--desk-fraction 0\`, otherwise the same draws up to the desk). \`numeral evaluate --images\`:"
        echo
        echo "| images | string | digit | unsure | string, threshold 0 | digit, threshold 0 |"
        echo "|---|---:|---:|---:|---:|---:|"
        printf '%s' "$desk_rows"
        echo
    fi
    python3 benchmarks/synth_accuracy.py --set "$set_dir" "${args[@]}" --title "Per category" --errors 25
} > benchmarks/synth-accuracy.md
cat benchmarks/synth-accuracy.md
