#!/usr/bin/env bash
# Scale benchmark for bench/RESULTS.md: gaussian blur sigma 2, JPEG to JPEG, on ~12, ~100 and
# ~900-megapixel JPEGs made by tiling the sample photo (made here, never committed), with
# tileproc (streaming) and with `vips gaussblur` in the same run: wall time, peak RSS, and time
# per megapixel. The 900 MP input takes a few minutes and ~300 MB of disk to make.
# usage: bench/big.sh [SIZES...]      (default: 12 100 900)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then sizes=("$@"); else sizes=(12 100 900); fi
work=bench/work
mkdir -p "$work"
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DTILEPROC_BUILD_TESTS=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" --target tileproc_cli >/dev/null
T=$PWD/build-bench/tileproc

echo "| input | tool | wall (s) | peak RSS (MB) | s per 100 MP |"
echo "|---|---|---|---|---|"
for mp in "${sizes[@]}"; do
    side=$(echo "sqrt($mp * 1000000)" | bc)
    img=$work/tiled-${mp}mp.jpg
    if [ ! -s "$img" ]; then
        # The photo tiled to side x side (mirrored copies, so edges meet), saved as JPEG Q90.
        across=$(( (side + 639) / 640 )) down=$(( (side + 426) / 427 ))
        vips replicate samples/rocket.jpg "$work/rep.v" "$across" "$down"
        vips crop "$work/rep.v" "$img[Q=90]" 0 0 "$side" "$side"
        rm -f "$work/rep.v"
    fi
    for tool in tileproc vips; do
        if [ $tool = tileproc ]; then
            cmd=("$T" run --quiet --stream "$img" "$work/out-tp.jpg" gaussian:sigma=2)
        else
            cmd=(vips gaussblur "$img" "$work/out-vips.jpg[Q=90]" 2)
        fi
        /usr/bin/time -f '%e %M' -o "$work/time.txt" "${cmd[@]}" >/dev/null
        read -r t rss <"$work/time.txt"
        printf '| %d x %d (%d MP) | %s | %.2f | %.0f | %.2f |\n' "$side" "$side" "$mp" "$tool" "$t" \
            "$(echo "$rss / 1024" | bc -l)" "$(echo "$t * 100 / $mp" | bc -l)"
    done
    rm -f "$work/out-tp.jpg" "$work/out-vips.jpg"
done
