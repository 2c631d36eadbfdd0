#!/usr/bin/env bash
# How long `numeral evaluate` takes on the 10,000-image MNIST test set (issue 3: under 2 s for
# the shipped model). Release build; prints a Markdown table.
#
#   benchmarks/evaluate-speed.sh [MODEL ...]     (default: the shipped model)
#
# Environment: NUMERAL_DATA (default ../shared/data/mnist, else data/mnist), RUNS (default 5).
#
# Columns: "evaluate" is the in-process time of the forward passes (the `seconds` field of
# --json: batches of 1000, loading excluded); "process" is the whole command, wall clock, from
# start to exit (loading the model and the gzipped test set, metrics, printing); "CPU" is that
# process's user + system time: on a shared machine the wall times grow with the other load,
# the CPU time much less, and CPU / cores is what the wall time would be on an idle machine
# with perfect parallel scaling. "with --report" also draws and writes report.html and the
# pictures. Medians of RUNS runs.
set -euo pipefail
cd "$(dirname "$0")/.."

data="${NUMERAL_DATA:-}"
if [[ -z "$data" ]]; then
    if [[ -d ../shared/data/mnist ]]; then data=../shared/data/mnist; else data=data/mnist; fi
fi
runs="${RUNS:-5}"
models=("$@")
[[ ${#models[@]} -eq 0 ]] && models=(default)

swift build -c release --product numeral >&2
bin="$(swift build -c release --show-bin-path)/numeral"
report_dir="$(mktemp -d)"
trap 'rm -rf "$report_dir"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
now() { date +%s.%N; }

echo "| model | parameters | accuracy | evaluate (s) | images/s | process (s) | CPU (s) | with --report (s) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for model in "${models[@]}"; do
    model_flag=()
    [[ "$model" != default ]] && model_flag=(--model "$model")
    evaluate_times=() process_times=() cpu_times=() report_times=()
    json=""
    for ((i = 0; i < runs; i++)); do
        start=$(now)
        json=$(/usr/bin/time -f "%U %S" -o "$report_dir/cpu" "$bin" evaluate "${model_flag[@]}" --data "$data" --json)
        end=$(now)
        process_times+=("$(echo "$end - $start" | bc -l)")
        cpu_times+=("$(awk '{ print $1 + $2 }' "$report_dir/cpu")")
        evaluate_times+=("$(python3 -c 'import json,sys; print(json.load(sys.stdin)["seconds"])' <<<"$json")")
        start=$(now)
        "$bin" evaluate "${model_flag[@]}" --data "$data" --report "$report_dir" >/dev/null
        end=$(now)
        report_times+=("$(echo "$end - $start" | bc -l)")
    done
    read -r name parameters accuracy <<<"$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["model"]["name"], d["model"]["parameters"], d["accuracy"])' <<<"$json")"
    evaluate=$(printf '%s\n' "${evaluate_times[@]}" | median)
    process=$(printf '%s\n' "${process_times[@]}" | median)
    cpu=$(printf '%s\n' "${cpu_times[@]}" | median)
    with_report=$(printf '%s\n' "${report_times[@]}" | median)
    printf '| %s (%s) | %s | %.4f | %.3f | %.0f | %.3f | %.2f | %.3f |\n' "$name" "$model" "$parameters" "$accuracy" \
        "$evaluate" "$(echo "10000 / $evaluate" | bc -l)" "$process" "$cpu" "$with_report"
done
echo
echo "$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(swift --version 2>&1 | head -1); ${runs} runs, median; $(date -u '+%Y-%m-%d %H:%M UTC'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
