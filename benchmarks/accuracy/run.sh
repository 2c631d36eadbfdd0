#!/usr/bin/env bash
# Issue 6 accuracy benchmarks: every recipe whose numbers are in benchmarks/accuracy/RESULTS.md.
#
#   benchmarks/accuracy/run.sh [RECIPE...]     (default: all, in priority order)
#
# Recipes: mlp-plain mlp-tuned lstm fast99 cnn3-aug cnn3-elastic fast-aug cnn3-long cnnbn-long ensemble
# cnnbn-sN (cnnbn-long's recipe with seed N), ensemble-bnN (the mean of cnnbn-s0 ... cnnbn-sN-1),
# ensemble-all (those six and the shipped default), ensemble-all-half and ensemble-bn6-half (float16 weights)
# Each run logs to benchmarks/accuracy/logs/RECIPE.log with its wall and CPU time
# (/usr/bin/time) and writes its model to benchmarks/accuracy/models/ (kept out of git).
# Data: $NUMERAL_DATA, else ../shared/data/mnist. Long: run it under nohup.
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${NUMERAL_DATA:-../shared/data/mnist}
OUT=benchmarks/accuracy
mkdir -p "$OUT/logs" "$OUT/models"
# NUMERAL_BIN: a prebuilt binary (e.g. a copy, so that long queues survive rebuilds of the tree)
if [ -n "${NUMERAL_BIN:-}" ]; then BIN=$NUMERAL_BIN; else swift build -c release >/dev/null; BIN=.build/release/numeral; fi

timed() {  # timed NAME COMMAND... : runs COMMAND, line-buffered, into logs/NAME.log
    local name=$1; shift
    echo "\$ $*" | tee "$OUT/logs/$name.log"
    /usr/bin/time -f "wall %e s, user %U s, sys %S s" stdbuf -oL "$@" 2>&1 | tee -a "$OUT/logs/$name.log"
}

recipe() {
    case $1 in
    mlp-plain)   # the reference paper's recipe
        timed mlp-plain $BIN train --model mlp --epochs 10 --batch-size 32 --lr 1e-3 --seed 0 --threads 1 \
            --data "$DATA" --output $OUT/models/mlp-plain.safetensors ;;
    mlp-tuned)   # the same MLP, tuned on the validation split with augmentation, then tested once
        timed mlp-tuned $BIN tune --model mlp --trials 6 --search random \
            --space "lr=5e-4..5e-3 log, batch-size=32|64|128, dropout=0..0.2" \
            --epochs 15 --early-stopping 3 --validation-split 0.1 --schedule cosine \
            --augment rotate=8,shift=1.5,scale=0.08 --seed 0 --threads 1 \
            --data "$DATA" --output $OUT/models/mlp-tuned.safetensors
        timed mlp-tuned-test $BIN evaluate --model $OUT/models/mlp-tuned.safetensors --data "$DATA" ;;
    lstm)        # 28 steps of 28 pixels, 128 units
        timed lstm $BIN train --model lstm --epochs 12 --batch-size 64 --lr 2e-3 --schedule cosine --seed 0 \
            --data "$DATA" --output $OUT/models/lstm.safetensors ;;
    fast99)      # time to 99% test accuracy from scratch: 2 epochs, both cores, wall time of the whole process
        for seed in 0 1 2; do
            timed fast99-s$seed $BIN train --model cnn-fast --epochs 2 --batch-size 64 --lr 5e-3 --schedule onecycle --seed $seed \
                --data "$DATA" --output $OUT/models/fast99-s$seed.safetensors
        done ;;
    cnn3-long)   # the best single model: cnn3 with augmentation, 25 epochs (seed 0) and 40 epochs (seed 1)
        timed cnn3-long $BIN train --model cnn3 --epochs 25 --batch-size 128 --lr 2e-3 --schedule onecycle \
            --augment rotate=10,shift=2,scale=0.1 --seed 0 --threads 1 \
            --data "$DATA" --output $OUT/models/cnn3-long.safetensors
        timed cnn3-40-s1 $BIN train --model cnn3 --epochs 40 --batch-size 128 --lr 2e-3 --schedule onecycle \
            --augment rotate=10,shift=2,scale=0.1 --seed 1 --threads 1 \
            --data "$DATA" --output $OUT/models/cnn3-40-s1.safetensors ;;
    cnnbn-long)  # the VGG-style batch-norm CNN, 20 epochs with augmentation
        timed cnnbn-long $BIN train --model cnn-bn --epochs 20 --batch-size 128 --lr 2e-3 --schedule onecycle \
            --augment rotate=10,shift=2,scale=0.1 --seed 0 --threads 1 \
            --data "$DATA" --output $OUT/models/cnnbn-long.safetensors ;;
    cnnbn-s[0-9]*)  # the same cnn-bn recipe with another seed: members for the 99.75% ensemble
        local seed=${1#cnnbn-s}
        timed "$1" $BIN train --model cnn-bn --epochs 20 --batch-size 128 --lr 2e-3 --schedule onecycle \
            --augment rotate=10,shift=2,scale=0.1 --seed "$seed" --threads 1 \
            --data "$DATA" --output "$OUT/models/$1.safetensors" ;;
    cnn3-aug)    # best single model candidate
        timed cnn3-aug $BIN train --model cnn3 --epochs 6 --batch-size 128 --lr 2e-3 --schedule onecycle \
            --augment rotate=10,shift=2,scale=0.1 --seed 0 --threads 1 \
            --data "$DATA" --output $OUT/models/cnn3-aug.safetensors ;;
    cnn3-elastic)
        timed cnn3-elastic $BIN train --model cnn3 --epochs 6 --batch-size 128 --lr 2e-3 --schedule onecycle \
            --augment rotate=10,shift=2,scale=0.1,elastic=20:4 --seed 1 --threads 1 \
            --data "$DATA" --output $OUT/models/cnn3-elastic.safetensors ;;
    fast-aug)
        timed fast-aug $BIN train --model cnn-fast --epochs 4 --batch-size 64 --lr 3e-3 --schedule onecycle \
            --augment rotate=8,shift=2,scale=0.08 --seed 2 --threads 1 \
            --data "$DATA" --output $OUT/models/fast-aug.safetensors ;;
    ensemble)    # probabilities averaged: the shipped default (two cnn3) and the best three
        timed ensemble-cnn3x2 $BIN ensemble $OUT/models/cnn3-long.safetensors $OUT/models/cnn3-40-s1.safetensors \
            --data "$DATA" --output $OUT/models/ensemble-cnn3x2.safetensors
        timed ensemble-best3 $BIN ensemble $OUT/models/cnnbn-long.safetensors $OUT/models/cnn3-long.safetensors \
            $OUT/models/cnn3-40-s1.safetensors --data "$DATA" --output $OUT/models/ensemble-best3.safetensors ;;
    ensemble-bn6-half)  # ensemble-bn6 with float16 weights (10.5 MB); before ensemble-bnN, whose pattern it also matches
        timed ensemble-bn6-half $BIN ensemble "$OUT"/models/cnnbn-s{0,1,2,3,4,5}.safetensors --half \
            --data "$DATA" --output "$OUT/models/ensemble-bn6-half.safetensors" ;;
    ensemble-bn[0-9]*)  # mean of the cnn-bn seeds 0..N-1 (cnnbn-s0 ... cnnbn-sN-1, trained first)
        local n=${1#ensemble-bn} members=() s
        for ((s = 0; s < n; s++)); do members+=("$OUT/models/cnnbn-s$s.safetensors"); done
        timed "$1" $BIN ensemble "${members[@]}" --data "$DATA" --output "$OUT/models/$1.safetensors" ;;
    ensemble-all)  # the six cnn-bn seeds and the shipped model's two cnn3: 8 networks, 24 MB
        timed ensemble-all $BIN ensemble "$OUT"/models/cnnbn-s{0,1,2,3,4,5}.safetensors \
            Sources/Numeral/Resources/numeral-default.safetensors \
            --data "$DATA" --output "$OUT/models/ensemble-all.safetensors" ;;
    ensemble-all-half)  # ensemble-all with float16 weights (12 MB): shipped as models/numeral-ensemble.safetensors
        timed ensemble-all-half $BIN ensemble "$OUT"/models/cnnbn-s{0,1,2,3,4,5}.safetensors \
            Sources/Numeral/Resources/numeral-default.safetensors --half \
            --data "$DATA" --output "$OUT/models/ensemble-all-half.safetensors" ;;
    *) echo "unknown recipe $1" >&2; exit 2 ;;
    esac
}

for r in "${@:-fast99 cnn3-long cnnbn-long ensemble lstm mlp-plain mlp-tuned cnn3-aug cnn3-elastic fast-aug}"; do
    for name in $r; do recipe "$name"; done
done
