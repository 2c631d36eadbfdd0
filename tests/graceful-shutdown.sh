#!/usr/bin/env bash
# SIGTERM while a slow request is in flight: the listener closes at once, the request
# still gets its 200, and numeral serve exits 0.
#   tests/graceful-shutdown.sh [BINARY]     (default .build/release/numeral)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build/release/numeral}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
python3 benchmarks/make_photo.py "${NUMERAL_DATA:-data/mnist}" "$work/photo" >/dev/null
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
photo = open(f"{work}/photo.png", "rb").read()
body = b"".join(b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p%d.png\"\r\n\r\n" % i + photo + b"\r\n"
                for i in range(12)) + b"--b--\r\n"
open(f"{work}/batch", "wb").write(body)
PY
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --port "$port" 2>"$work/log" &
server=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
curl -s -o "$work/answer" -w '%{http_code}' -H 'Content-Type: multipart/form-data; boundary=b' \
    --data-binary @"$work/batch" "http://127.0.0.1:$port/v1/read" > "$work/status" &
client=$!
sleep 0.3
kill -TERM "$server"
sleep 0.2
if curl -s -m 2 "http://127.0.0.1:$port/healthz" >/dev/null; then echo "FAIL: still accepting after SIGTERM"; exit 1; fi
wait "$client"
set +e; wait "$server"; code=$?; set -e
read_count=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['results']))" "$work/answer")
echo "in-flight request: HTTP $(cat "$work/status") with $read_count results; server exit code $code"
[ "$(cat "$work/status")" = 200 ] && [ "$read_count" = 12 ] && [ "$code" = 0 ] && echo PASS || { echo FAIL; cat "$work/log"; exit 1; }
