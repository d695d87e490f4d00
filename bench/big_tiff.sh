#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Large TIFFs (issue 13's speed targets) for bench/RESULTS.md, vips in the same run:
#  1. the ~900 MP JPEG (bench/big.sh's tiled photo) -> JPEG-compressed tiled pyramidal TIFF:
#     `tileproc run --pyramid --compression jpeg` (its defaults, and the same work as vips'
#     defaults) against `vips tiffsave --tile --pyramid --compression jpeg` (target: 0.7x the
#     time, 0.5x the RSS);
#  2. a 1000x1000 crop from deep inside that pyramid's full-resolution level (target: < 50 ms),
#     tileproc and `vips crop`;
#  3. the same image as a strip TIFF (uncompressed, made by vips) -> gaussian:sigma=2 -> tiled
#     TIFF (target: peak RSS under 64 MB), tileproc and vips, uncompressed tiles as vips writes
#     them by default, and tileproc's default (deflate).
# Wall time and peak RSS from /usr/bin/time, one run each (the machine is noisy: compare the
# rows of one run). The inputs take a few minutes and ~3.5 GB of disk in bench/work/.
# usage: bench/big_tiff.sh [SIZE_MP]      (default 900)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
mp=${1:-900}
img=$(tiled_photo "$mp")
bench_build
MEASURE_DIGITS=3

w=$(vipsheader -f width "$img")
h=$(vipsheader -f height "$img")
echo "$img: ${w}x${h}"
echo
echo "| command | wall (s) | peak RSS (MB) |"
echo "|---|---|---|"
measure "JPEG -> tiled pyramid TIFF (jpeg): tileproc" \
    "$T" run --quiet --pyramid --compression jpeg "$img" "$work/pyr-tp.tif"
# The same work as vips' defaults: vips leaves the JPEG's Adobe RGB pixels (and profile) as they
# are and writes quality 75 (4:2:0); tileproc converts to sRGB and writes quality 90 (4:2:0) by
# default. (vips' --Q 90 would also drop the chroma subsampling: 2.5x the bytes, not comparable.)
measure "JPEG -> tiled pyramid TIFF (jpeg), --colour keep --quality 75: tileproc" \
    "$T" run --quiet --colour keep --quality 75 --pyramid --compression jpeg "$img" \
    "$work/pyr-tp2.tif"
measure "JPEG -> tiled pyramid TIFF (jpeg), --colour keep: tileproc" \
    "$T" run --quiet --colour keep --pyramid --compression jpeg "$img" "$work/pyr-tp2.tif"
measure "JPEG -> tiled pyramid TIFF (jpeg), one thread: tileproc" \
    "$T" run --quiet --threads 1 --pyramid --compression jpeg "$img" "$work/pyr-tp1.tif"
cmp "$work/pyr-tp.tif" "$work/pyr-tp1.tif" # the same bytes on any number of threads
measure "JPEG -> tiled pyramid TIFF (jpeg): vips tiffsave" \
    vips tiffsave "$img" "$work/pyr-vips.tif" --tile --pyramid --compression jpeg
x=$((w - 3001)) y=$((h - 3003)) # deep inside, odd offsets
for i in 1 2 3; do
    measure "1000x1000 crop of the pyramid TIFF (run $i): tileproc" \
        "$T" run --quiet "$work/pyr-tp.tif" "$work/crop-tp.png" \
        "crop:x=$x,y=$y,width=1000,height=1000"
done
measure "1000x1000 crop of the pyramid TIFF: vips crop" \
    vips crop "$work/pyr-tp.tif" "$work/crop-vips.png" "$x" "$y" 1000 1000
strip=$work/strip-${mp}mp.tif
[ -s "$strip" ] || vips copy "$img" "$strip"
# Uncompressed tiles, as vips writes them by default (tileproc's default, deflate, is the last
# row: tiles deflated on every thread, libdeflate at level 6).
measure "strip TIFF -> gaussian:sigma=2 -> tiled TIFF (none): tileproc" \
    "$T" run --quiet --tiled --compression none "$strip" "$work/blur-tp.tif" gaussian:sigma=2
measure "strip TIFF -> gaussblur 2 -> tiled TIFF (none): vips" \
    vips gaussblur "$strip" "$work/blur-vips.tif[tile]" 2
measure "strip TIFF -> gaussian:sigma=2 -> tiled TIFF (deflate): tileproc" \
    "$T" run --quiet --tiled "$strip" "$work/blur-tp.tif" gaussian:sigma=2
rm -f "$work"/pyr-*.tif "$work"/crop-*.png "$work"/blur-*.tif "$work/time.txt"
