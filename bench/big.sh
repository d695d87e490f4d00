#!/usr/bin/env bash
# Scale benchmark for bench/RESULTS.md: gaussian blur sigma 2, JPEG to JPEG, on ~12, ~100 and
# ~900-megapixel JPEGs made by tiling the sample photo (made here, never committed), with
# tileproc (streaming) and with `vips gaussblur` in the same run: wall time, peak RSS, and time
# per megapixel. The 900 MP input takes a few minutes and ~300 MB of disk to make.
# usage: bench/big.sh [SIZES...]      (default: 12 100 900)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
if [ $# -gt 0 ]; then sizes=("$@"); else sizes=(12 100 900); fi
bench_build

echo "| input | tool | wall (s) | peak RSS (MB) | s per 100 MP |"
echo "|---|---|---|---|---|"
for mp in "${sizes[@]}"; do
    side=$(echo "sqrt($mp * 1000000)" | bc)
    img=$(tiled_photo "$mp")
    for tool in tileproc vips; do
        if [ $tool = tileproc ]; then
            cmd=("$T" run --quiet --stream "$img" "$work/out-tp.jpg" gaussian:sigma=2)
        else
            cmd=(vips gaussblur "$img" "$work/out-vips.jpg[Q=90]" 2)
        fi
        timed "${cmd[@]}"
        printf '| %d x %d (%d MP) | %s | %.2f | %.0f | %.2f |\n' "$side" "$side" "$mp" "$tool" "$t" \
            "$rss" "$(echo "$t * 100 / $mp" | bc -l)"
    done
    rm -f "$work/out-tp.jpg" "$work/out-vips.jpg"
done
