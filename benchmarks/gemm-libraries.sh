#!/usr/bin/env bash
# OpenBLAS's cblas_sgemm against oneDNN's dnnl_sgemm on the GEMM shapes Numeral's models use,
# one thread each (Numeral splits work across cores itself). Writes benchmarks/gemm-libraries.md.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-packages gcc libopenblas-dev
out=$(mktemp -d)
gcc -O2 benchmarks/gemm/gemm_libraries.c -o "$out/gemm" -I/usr/include/x86_64-linux-gnu/openblas-pthread -lopenblas -ldnnl
{
    echo "## GEMM library choice (issue 2)"
    echo
    echo "Single-thread sgemm, best of 5 repetitions, $(date -u +%Y-%m-%d). OpenBLAS $(dpkg-query -W -f='${Version}' libopenblas-dev), oneDNN $(dpkg-query -W -f='${Version}' libdnnl-dev). OpenBLAS reports core \`$(OPENBLAS_VERBOSE=2 "$out/gemm" 8 8 8 1 2>&1 | grep -o 'Core: [A-Za-z]*' | head -1)\`."
    echo
    echo "| m×n×k (where) | OpenBLAS GFLOP/s | oneDNN GFLOP/s |"
    echo "|---|---:|---:|"
    for shape in "32 50 784 2000 mlp dense 1, batch 32" "50 784 32 2000 mlp dense 1 weight gradient" "64 576 288 50 cnn conv 2 forward, one image" "128 128 9216 10 cnn dense 1 weight gradient" "6 784 25 2000 lenet conv 1 forward, one image"; do
        set -- $shape
        line=$(OMP_NUM_THREADS=1 "$out/gemm" "$1" "$2" "$3" "$4")
        ob=$(echo "$line" | sed -E 's/.*openblas ([0-9.]+).*/\1/'); dn=$(echo "$line" | sed -E 's/.*dnnl ([0-9.]+).*/\1/')
        shift 4
        echo "| $(echo "$line" | cut -d' ' -f1) ($*) | $ob | $dn |"
    done
    echo
    echo "Numeral's kernels call oneDNN's \`dnnl_sgemm\` (Sources/NumeralCore/Kernels/GEMM.swift)."
} | tee benchmarks/gemm-libraries.md
python3 benchmarks/collect.py
