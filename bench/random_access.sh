#!/bin/bash
# SPDX-License-Identifier: MIT
# bench/random_access.sh: a quarter turn of a large tiled TIFF into a tiled TIFF (issue 13,
# random-access sources): tileproc reading the tiles in the order the output needs them,
# tileproc holding the whole image (--no-stream, as every build before random access did, or
# an older tool given as HOLDING), and vips rot d90, in the same run.
#   bench/random_access.sh [TILEPROC] [WORKDIR] [HOLDING]   (TILEPROC: a release build's tool)
# The input is TILEPROC_BENCH_PHOTO (default bench/work/tiled-100mp.jpg, 10000x10000) scaled by
# TILEPROC_BENCH_SCALE (default 2: 20000x20000 RGB, 1.2 GB of pixels) into a 256x256-tiled
# deflate TIFF. Each command runs once under /usr/bin/time -v (wall seconds, maximum resident
# set size); figures go to bench/RESULTS.md by hand.
set -euo pipefail
T=${1:-build-release/tileproc}
W=${2:-/tmp/tileproc-bench-random}
HOLDING=${3:-}
SRC=${TILEPROC_BENCH_PHOTO:-$(dirname "$0")/work/tiled-100mp.jpg}
SCALE=${TILEPROC_BENCH_SCALE:-2}
mkdir -p "$W"

measure() { # measure LABEL CMD...: "| label | wall s | CPU s (user + system) | peak MiB |"
    local label=$1
    shift
    /usr/bin/time -v "$@" 2>"$W/time" >/dev/null
    local s cpu rss
    s=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); v=0; for(i=1;i<=n;i++) v=v*60+t[i]; print v}' "$W/time")
    cpu=$(awk -F': ' '/(User|System) time/ {v+=$2} END {print v}' "$W/time")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$W/time")
    printf '| %s | %.2f | %.2f | %s |\n' "$label" "$s" "$cpu" "$rss"
}

IN=$W/tiled_x$SCALE.tif
[ -s "$IN" ] || "$T" run --tiled --compression deflate "$SRC" "$IN" "resize:scale=$SCALE"
"$T" info "$IN"
echo
echo "| rotate 90, tiled deflate TIFF -> tiled deflate TIFF | wall s | CPU s | peak MiB |"
echo "|---|---|---|---|"
measure "tileproc (tiles read in output order)" \
    "$T" run --tiled --compression deflate "$IN" "$W/o1.tif" rotate:angle=90
measure "tileproc --no-stream (the image held)" \
    "$T" run --no-stream --memory-limit 8G --tiled --compression deflate "$IN" "$W/o2.tif" \
    rotate:angle=90
if [ -n "$HOLDING" ]; then
    measure "$HOLDING (holds the image)" \
        "$HOLDING" run --memory-limit 8G --tiled --compression deflate "$IN" "$W/o3.tif" \
        rotate:angle=90
fi
measure "vips rot d90" vips rot "$IN" "$W/o4.tif[tile,compression=deflate]" d90
cmp "$W/o1.tif" "$W/o2.tif" && echo "tileproc: streamed == held, byte for byte"
rm -f "$W"/o*.tif
