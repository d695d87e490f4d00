#!/usr/bin/env bash
# Pyramid benchmark for bench/RESULTS.md ("Pyramids (issue 14)"): tileproc pyramid against
# `vips dzsave` in the same run, on JPEGs made by tiling the sample photo as bench/big.sh
# makes them (never committed): DeepZoom with JPEG tiles (vips' defaults: 254 + 1 overlap,
# Q75), the same into a zip, PNG tiles, WebP tiles (webp: the pyramid's default tile effort;
# webp4: --effort 4, vips' libwebp method). Wall time, CPU time (user + system: the figure to
# trust on a shared machine) and peak RSS from /usr/bin/time.
# usage: [JOBS="dz zip png webp webp4"] bench/pyramid.sh [SIZES...]   (megapixels; default: 12 100)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
if [ $# -gt 0 ]; then sizes=("$@"); else sizes=(12 100); fi
bench_build

echo "| input | job | tool | wall (s) | CPU (s) | peak RSS (MB) | files |"
echo "|---|---|---|---|---|---|---|"
for mp in "${sizes[@]}"; do
    side=$(echo "sqrt($mp * 1000000)" | bc)
    img=$(tiled_photo "$mp")
    for job in ${JOBS:-dz zip png}; do
        for tool in tileproc vips; do
            out=$work/pyr-$tool
            rm -rf "$out" "$out".dzi "$out"_files "$out".zip
            case $job/$tool in
                dz/tileproc) cmd=("$T" pyramid -q "$img" "$out.dzi") ;;
                dz/vips) cmd=(vips dzsave "$img" "$out") ;;
                zip/tileproc) cmd=("$T" pyramid -q "$img" "$out.zip") ;;
                zip/vips) cmd=(vips dzsave "$img" "$out.zip") ;;
                png/tileproc) cmd=("$T" pyramid -q --suffix png "$img" "$out.dzi") ;;
                png/vips) cmd=(vips dzsave "$img" "$out" --suffix .png) ;;
                webp/tileproc) cmd=("$T" pyramid -q --suffix webp "$img" "$out.dzi") ;;
                webp/vips) cmd=(vips dzsave "$img" "$out" --suffix .webp) ;;
                webp4/tileproc) cmd=("$T" pyramid -q --suffix webp --effort 4 "$img" "$out.dzi") ;;
                webp4/vips) cmd=(vips dzsave "$img" "$out" --suffix .webp) ;;
            esac
            timed "${cmd[@]}"
            if [ "$job" = zip ]; then
                files=$(unzip -l "$out.zip" | tail -1 | awk '{print $2}')
            else
                files=$(find "$out"_files -type f | wc -l)
            fi
            printf '| %d x %d (%d MP) | %s | %s | %.2f | %.2f | %.0f | %s |\n' "$side" "$side" \
                "$mp" "$job" "$tool" "$t" "$cpu" "$rss" "$files"
            rm -rf "$out" "$out".dzi "$out"_files "$out".zip
        done
    done
done
