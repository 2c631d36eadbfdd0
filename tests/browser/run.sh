#!/usr/bin/env bash
# Real-browser test of the web page: needs Debian's chromium and chromium-driver, and
# python selenium (scripts/setup-browser installs them). Builds numeral if needed.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v chromium >/dev/null && command -v chromedriver >/dev/null \
    || { echo "needs chromium and chromium-driver: apt-get install chromium chromium-driver" >&2; exit 1; }
python3 -c "import selenium" 2>/dev/null || { echo "needs selenium: python3 -m pip install selenium" >&2; exit 1; }
export NUMERAL_BIN=${NUMERAL_BIN:-.build/release/numeral}
[ -x "$NUMERAL_BIN" ] || swift build -c release --product numeral >&2
exec python3 tests/browser/test_draw.py "$@"
