#!/bin/bash
# SPDX-License-Identifier: MIT
# bench/tiff.sh: TIFF (issue 13) against vips in the same run: decode and encode MP/s and peak
# RSS of a large tiled TIFF, and a one-pass pyramid's peak RSS as the image grows.
#   bench/tiff.sh [TILEPROC] [WORKDIR]     (TILEPROC: a release build's tool)
# Each command runs once under /usr/bin/time -v (wall seconds, maximum resident set size);
# figures go to bench/RESULTS.md by hand. Needs vips (libvips-tools).
set -euo pipefail
T=${1:-build-rel/tileproc}
W=${2:-/tmp/tileproc-bench-tiff}
SRC=${TILEPROC_BENCH_PHOTO:-$(dirname "$0")/../samples/rocket.jpg}
mkdir -p "$W"

measure() { # measure LABEL MP CMD...: "label  seconds  MP/s  peak MiB"
    local label=$1 mp=$2
    shift 2
    /usr/bin/time -v "$@" 2>"$W/time" >/dev/null
    local s rss
    s=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); v=0; for(i=1;i<=n;i++) v=v*60+t[i]; print v}' "$W/time")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$W/time")
    printf '| %s | %.2f | %.1f | %s |\n' "$label" "$s" "$(echo "$mp / $s" | bc -l)" "$rss"
}

make_source() { # make_source SCALE: a tiled deflate TIFF and a plain strip TIFF, by vips
    local scale=$1
    vips resize "$SRC" "$W/big_$scale.v" "$scale" --kernel nearest
    vips tiffsave "$W/big_$scale.v" "$W/tiled_$scale.tif" --tile --compression deflate
    vips tiffsave "$W/big_$scale.v" "$W/plain_$scale.tif"
    rm -f "$W/big_$scale.v"
}

scale=${TILEPROC_BENCH_SCALE:-12}
make_source "$scale"
w=$(vipsheader -f width "$W/plain_$scale.tif")
h=$(vipsheader -f height "$W/plain_$scale.tif")
mp=$(echo "$w * $h / 1000000" | bc -l)
printf '%sx%s RGB (%.1f MP)\n\n' "$w" "$h" "$mp"
echo "| command | s | MP/s | peak MiB |"
echo "|---|---|---|---|"
measure "decode tiled deflate -> plain strips: tileproc" "$mp" \
    "$T" run --compression none "$W/tiled_$scale.tif" "$W/o1.tif"
measure "decode tiled deflate -> plain strips: vips" "$mp" \
    vips copy "$W/tiled_$scale.tif" "$W/o2.tif"
measure "encode plain -> tiled deflate: tileproc" "$mp" \
    "$T" run --tiled --compression deflate "$W/plain_$scale.tif" "$W/o3.tif"
measure "encode plain -> tiled deflate: vips" "$mp" \
    vips tiffsave "$W/plain_$scale.tif" "$W/o4.tif" --tile --compression deflate
measure "pyramid jpeg: tileproc" "$mp" \
    "$T" run --pyramid --compression jpeg "$W/plain_$scale.tif" "$W/o5.tif"
measure "pyramid jpeg: vips" "$mp" \
    vips tiffsave "$W/plain_$scale.tif" "$W/o6.tif" --tile --pyramid --compression jpeg
rm -f "$W"/o*.tif

echo
echo "Pyramid (jpeg) peak RSS as the image grows:"
echo "| image | MP | tileproc s | tileproc peak MiB | vips s | vips peak MiB |"
echo "|---|---|---|---|---|---|"
for s in 4 8 16; do
    make_source "$s"
    m=$(echo "$(vipsheader -f width "$W/plain_$s.tif") * $(vipsheader -f height "$W/plain_$s.tif") / 1000000" | bc -l)
    a=$(measure x "$m" "$T" run --pyramid --compression jpeg "$W/plain_$s.tif" "$W/p1.tif")
    b=$(measure x "$m" vips tiffsave "$W/plain_$s.tif" "$W/p2.tif" --tile --pyramid --compression jpeg)
    printf '| %sx | %.1f | %s | %s | %s | %s |\n' "$s" "$m" "$(echo "$a" | cut -d'|' -f3)" \
        "$(echo "$a" | cut -d'|' -f5)" "$(echo "$b" | cut -d'|' -f3)" "$(echo "$b" | cut -d'|' -f5)"
    rm -f "$W"/p*.tif "$W/tiled_$s.tif" "$W/plain_$s.tif"
done
