#!/usr/bin/env bash
# Load benchmark for `numeral serve` (issue #5), against a release build on loopback, with wrk.
#
#   benchmarks/server-load.sh            # classify 30 s at 8 and at 32 connections, read 300 s; writes benchmarks/server-load.md
#   CLASSIFY_SECONDS=10 READ_SECONDS=30 benchmarks/server-load.sh   # a quick look
#   TITLE="What changed" benchmarks/server-load.sh   # the heading of this run's section
# Each run's section goes on top of server-load.md; earlier runs' sections are kept below it.
#
# Targets: POST /v1/classify >= 5,000 req/s with p99 <= 10 ms; POST /v1/read of a 1 MP photo
# >= 50 req/s with 0 errors and flat memory (RSS sampled every 5 s) over 5 minutes.
# The server logs every request (info level, JSON lines) to a file, as it would in production;
# SERVER_FLAGS overrides the flags (e.g. SERVER_FLAGS="--log-level warning").
set -euo pipefail
cd "$(dirname "$0")/.."

CLASSIFY_SECONDS=${CLASSIFY_SECONDS:-30}
READ_SECONDS=${READ_SECONDS:-300}
# wrk keeps every connection busy, so the latency it sees is mostly queueing (32 connections at
# 6,000 requests/s wait about 5 ms on average): classify is measured at two loads.
CLASSIFY_CONNECTIONS=${CLASSIFY_CONNECTIONS:-8 32}
READ_CONNECTIONS=${READ_CONNECTIONS:-8}
MNIST=${NUMERAL_DATA:-data/mnist}
OUT=${OUT:-benchmarks/server-load.md}
BIN=${BIN:-.build/release/numeral}

scripts/install-packages wrk
[ -x "$BIN" ] || swift build -c release --product numeral >&2
work=$(mktemp -d)
server_pid=""
sampler_pid=""
cleanup() {
    [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null || true
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# Inputs: one MNIST test digit as JSON, and a 1 MP JPEG photo of "31415926".
python3 - "$MNIST" "$work/classify.json" <<'PY'
import gzip, json, struct, sys
with gzip.open(sys.argv[1] + "/t10k-images-idx3-ubyte.gz") as f:
    assert struct.unpack(">IIII", f.read(16))[0] == 0x803
    pixels = list(f.read(784))
json.dump({"pixels": pixels}, open(sys.argv[2], "w"))
PY
expected=$(python3 benchmarks/make_photo.py "$MNIST" "$work/photo")
photo="$work/photo.jpg"; photo_type=image/jpeg
[ -f "$photo" ] || { photo="$work/photo.png"; photo_type=image/png; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
SERVER_FLAGS=${SERVER_FLAGS:---json-logs --log-level info}
# shellcheck disable=SC2086
"$BIN" serve --port "$port" --database "$work/feedback.sqlite" $SERVER_FLAGS 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$port"

cat > "$work/post.lua" <<LUA
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
wrk.headers["Content-Type"] = os.getenv("TYPE")
LUA

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$server_pid/status"; }
first_answer=$(curl -fs -H "Content-Type: $photo_type" --data-binary @"$photo" "$url/v1/read" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["text"])')

for c in $CLASSIFY_CONNECTIONS; do
    echo "== POST /v1/classify, ${CLASSIFY_SECONDS}s, $c connections" >&2
    BODY="$work/classify.json" TYPE=application/json wrk -t1 -c"$c" -d5s -s "$work/post.lua" "$url/v1/classify" >/dev/null
    BODY="$work/classify.json" TYPE=application/json \
        wrk -t1 -c"$c" -d"${CLASSIFY_SECONDS}s" --latency -s "$work/post.lua" "$url/v1/classify" | tee "$work/classify-$c.txt" >&2
done

echo "== POST /v1/read ($(basename "$photo"), $(stat -c %s "$photo") bytes), ${READ_SECONDS}s, $READ_CONNECTIONS connections" >&2
( while true; do echo "$(date +%s) $(rss_kb)"; sleep 5; done ) > "$work/rss.txt" &
sampler_pid=$!
BODY="$photo" TYPE=$photo_type \
    wrk -t1 -c"$READ_CONNECTIONS" -d"${READ_SECONDS}s" --timeout 10s --latency -s "$work/post.lua" "$url/v1/read" | tee "$work/read.txt" >&2
kill "$sampler_pid"; sampler_pid=""
healthy=$(curl -fs "$url/healthz" || echo "NOT HEALTHY")

field() { grep -E "$2" "$1" | head -1 | awk "{print \$$3}"; }
errors() {  # non-2xx responses + socket errors
    local non2xx socket
    non2xx=$(grep -Eo 'Non-2xx or 3xx responses: [0-9]+' "$1" | awk '{print $NF}'); non2xx=${non2xx:-0}
    socket=$(grep -Eo 'Socket errors: .*' "$1" | grep -Eo '[0-9]+' | awk '{s+=$1} END {print s+0}')
    echo $((non2xx + socket))
}
rss_summary=$(python3 - "$work/rss.txt" <<'PY'
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 2]
t0 = rows[0][0]
mb = [(t - t0, kb / 1024) for t, kb in rows]
first_min = [m for t, m in mb if t <= 60]
last_min = [m for t, m in mb if t >= mb[-1][0] - 60]
print(f"{len(mb)} samples; first minute max {max(first_min):.1f} MB, last minute max {max(last_min):.1f} MB, "
      f"overall min {min(m for _, m in mb):.1f} / max {max(m for _, m in mb):.1f} MB")
print("RSS_SERIES " + " ".join(f"{t}s:{m:.0f}" for t, m in mb[::max(1, len(mb) // 12)]))
PY
)

{
    echo "## ${TITLE:-Run at $(git rev-parse --short HEAD)}"
    echo
    echo "\`benchmarks/server-load.sh\` at commit $(git rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H:%MZ)."
    echo "Release build, server and \`wrk -t1\` on the same machine over loopback: $(nproc) cores"
    echo "($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "(the machine is shared with other builds, so these are lower bounds). Server flags: \`$SERVER_FLAGS\`."
    echo
    echo "| Route | Connections | Duration | Requests/s | p50 | p99 | Errors (non-2xx + socket) | Target |"
    echo "|---|---|---|---|---|---|---|---|"
    for c in $CLASSIFY_CONNECTIONS; do
        f="$work/classify-$c.txt"
        echo "| POST /v1/classify (JSON, 784 bytes) | $c | ${CLASSIFY_SECONDS}s | $(field "$f" 'Requests/sec' 2) | $(field "$f" '^ +50%' 2) | $(field "$f" '^ +99%' 2) | $(errors "$f") | >= 5,000/s, p99 <= 10 ms |"
    done
    echo "| POST /v1/read ($photo_type, 1152x864, $(stat -c %s "$photo") bytes) | $READ_CONNECTIONS | ${READ_SECONDS}s | $(field "$work/read.txt" 'Requests/sec' 2) | $(field "$work/read.txt" '^ +50%' 2) | $(field "$work/read.txt" '^ +99%' 2) | $(errors "$work/read.txt") | >= 50/s, 0 errors |"
    echo
    echo "The photo reads as \`$first_answer\` (written: \`$expected\`). /healthz after the run: \`$healthy\`."
    echo
    echo "Server memory (VmRSS) during the read run: $(echo "$rss_summary" | head -1)."
    echo
    echo "\`\`\`"
    echo "$rss_summary" | tail -1 | sed 's/^RSS_SERIES //'
    echo "\`\`\`"
    echo
    echo "<details><summary>wrk output</summary>"
    echo
    echo "\`\`\`"
    for c in $CLASSIFY_CONNECTIONS; do cat "$work/classify-$c.txt"; done
    cat "$work/read.txt"
    echo "\`\`\`"
    echo "</details>"
} > "$work/section.md"
# The new run goes on top; the sections of earlier runs (and what was written about them) stay below.
{
    echo "# Server load benchmark"
    echo
    cat "$work/section.md"
    if [ -f "$OUT" ]; then echo; sed -n '/^## /,$p' "$OUT"; fi
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "wrote $OUT" >&2
cat "$work/section.md"
