#!/usr/bin/env bash
# CLI benchmark for bench/RESULTS.md: tileproc against libvips's `vips` and ImageMagick's
# `convert` on the same ~12-megapixel JPEG (the sample photo enlarged), the same tasks, in one
# run. Reports the best wall time of N runs and the peak RSS (/usr/bin/time -v) of each, and the
# ratio to vips. Needs libvips-tools, imagemagick, time and bc.
# With OLD set to another build of the tool (OLD=/path/to/tileproc, say one built from main
# before a change), each task also times it, in the same run, as the row "tileproc (old)", and
# checks that both builds wrote the same bytes.
# usage: [OLD=TILEPROC] bench/cli_compare.sh [REPEATS] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3}
threads=${2:-$(nproc)}
work=bench/work
mkdir -p "$work"
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DTILEPROC_BUILD_TESTS=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" --target tileproc_cli >/dev/null
T=$PWD/build-bench/tileproc
OLD=${OLD:+$(realpath "$OLD")}
IM=/usr/bin/convert   # /usr/local/bin may hold a stand-in; the real ImageMagick is here

# ~12 MP from the real photo: 640x427 enlarged 6.625 times = 4240x2829.
vips resize samples/rocket.jpg "$work/big.jpg[Q=90]" 6.625 --kernel cubic
W=$(vipsheader -f width "$work/big.jpg")
H=$(vipsheader -f height "$work/big.jpg")
CW=$((W - 200)) CH=$((H - 200))
printf '%s\n' "3 3 8" "-1 -1 -1" "-1 16 -1" "-1 -1 -1" >"$work/sharpen.mat"
export VIPS_CONCURRENCY=$threads OMP_NUM_THREADS=$threads MAGICK_THREAD_LIMIT=$threads

# measure NAME CMD...: best wall time and the peak RSS of that run.
measure() {
    local best=999 rss=0 t r
    for _ in $(seq "$repeats"); do
        /usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" ||
            { echo "failed: $*" >&2; cat "$work/err.txt" >&2; exit 1; }
        read -r t r <"$work/time.txt"
        if (($(echo "$t < $best" | bc -l))); then best=$t; rss=$r; fi
    done
    echo "$best $rss"
}

# The classic libvips benchmark as one process each where the tool allows it; vips's CLI runs
# one operation per command, so it goes through .v files (memory-mapped, cheap).
vips_classic() {
    vips crop "$work/big.jpg" "$work/c1.v" 100 100 "$CW" "$CH"
    vips resize "$work/c1.v" "$work/c2.v" 0.9 --kernel linear
    vips conv "$work/c2.v" "$work/vips-classic.jpg" "$work/sharpen.mat"
}
export -f vips_classic
export work CW CH

echo "Input: $W x $H RGB JPEG ($(echo "scale=1; $W * $H / 1000000" | bc) MP), $threads threads, best of $repeats."
echo "tileproc $($T --version | head -1 | awk '{print $2}'), $(vips --version), $($IM -version | head -1 | cut -d' ' -f2-3)."
if [ -n "$OLD" ]; then echo "tileproc (old): $OLD."; fi
echo
echo "| task | tool | wall (s) | peak RSS (MB) | time / vips | RSS / vips |"
echo "|---|---|---|---|---|---|"
row() { # task tool "t rss" "vips t rss"
    read -r t r <<<"$3"
    read -r vt vr <<<"$4"
    printf '| %s | %s | %.3f | %.0f | %.2f | %.2f |\n' "$1" "$2" "$t" "$(echo "$r / 1024" | bc -l)" \
        "$(echo "$t / $vt" | bc -l)" "$(echo "$r / $vr" | bc -l)"
}
task() { # name, tileproc filters separated by '|', vips command, convert args
    local name=$1 vc=$3 im=$4 v t i o
    local -a tp
    IFS='|' read -ra tp <<<"$2"
    v=$(measure bash -c "$vc")
    t=$(measure "$T" run --threads "$threads" --quiet "$work/big.jpg" "$work/tileproc.jpg" "${tp[@]}")
    if [ -n "$OLD" ]; then
        o=$(measure "$OLD" run --threads "$threads" --quiet "$work/big.jpg" "$work/old.jpg" "${tp[@]}")
        cmp -s "$work/tileproc.jpg" "$work/old.jpg" || echo "warning: $name: old and new outputs differ" >&2
    fi
    # shellcheck disable=SC2086
    i=$(measure $IM "$work/big.jpg" $im "$work/im.jpg")
    row "$name" tileproc "$t" "$v"
    if [ -n "$OLD" ]; then row "$name" "tileproc (old)" "$o" "$v"; fi
    row "$name" vips "$v" "$v"
    row "$name" convert "$i" "$v"
}
task "gaussian blur, sigma 2" "gaussian:sigma=2" "vips gaussblur $work/big.jpg $work/v.jpg 2" "-gaussian-blur 0x2"
task "sharpen" "sharpen" "vips sharpen $work/big.jpg $work/v.jpg" "-unsharp 0x1+1+0"
task "resize to half" "resize:scale=0.5" "vips resize $work/big.jpg $work/v.jpg 0.5" "-resize 50%"
task "grayscale" "grayscale" "vips colourspace $work/big.jpg $work/v.jpg b-w" "-colorspace Gray"
task "crop 100, shrink 10% bilinear, sharpen 3x3" \
    "crop:x=100,y=100,width=$CW,height=$CH|resize:scale=0.9,kernel=bilinear|convolve:matrix=-1 -1 -1;-1 16 -1;-1 -1 -1,scale=0.125" \
    "vips_classic" \
    "-crop ${CW}x${CH}+100+100 +repage -filter Triangle -resize 90% -define convolve:scale=0.125 -morphology Convolve 3x3:-1,-1,-1,-1,16,-1,-1,-1,-1"
