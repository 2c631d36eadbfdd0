#!/usr/bin/env bash
# Trains workloads A, B, C with Numeral, TensorFlow/Keras and PyTorch in one run and writes
# BENCHMARKS.md (tables also printed). Installs what is missing first, so it runs on a fresh machine:
#   benchmarks/run-peers.sh            # the full run: seeds 0, 1 and 2 (about 25 minutes on 2 quiet cores)
#   benchmarks/run-peers.sh --quick    # 1 epoch per workload; leaves BENCHMARKS.md alone
# Other flags go to bench.py (--workloads AB, --frameworks numeral,torch, --seeds 0,1, --threads N, --data DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=benchmarks/.venv

# Numeral's own dependencies and its release CLI (scripts/setup is idempotent), then the inference timer.
scripts/setup >&2

# The peers, in their own venv (gitignored), pinned in benchmarks/requirements.txt.
if ! "$venv/bin/python" -c "import tensorflow, torch" 2>/dev/null; then
    echo "installing TensorFlow and PyTorch into $venv (several GB, a few minutes)" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip >&2
    "$venv/bin/pip" install -q -r benchmarks/requirements.txt >&2
fi

"$venv/bin/python" benchmarks/bench.py --python "$venv/bin/python" "$@"
python3 benchmarks/collect.py
