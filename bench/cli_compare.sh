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
source "$(dirname "$0")/lib.sh"
repeats=${1:-3}
threads=${2:-$(nproc)}
bench_build
best() { best_of "$repeats" "$@"; } # CMD...: "seconds KB" of the fastest run
OLD=${OLD:+$(realpath "$OLD")}
IM=/usr/bin/convert   # /usr/local/bin may hold a stand-in; the real ImageMagick is here

# ~12 MP from the real photo: 640x427 enlarged 6.625 times = 4240x2829.
vips resize samples/rocket.jpg "$work/big.jpg[Q=90]" 6.625 --kernel cubic
W=$(vipsheader -f width "$work/big.jpg")
H=$(vipsheader -f height "$work/big.jpg")
CW=$((W - 200)) CH=$((H - 200))
printf '%s\n' "3 3 8" "-1 -1 -1" "-1 16 -1" "-1 -1 -1" >"$work/sharpen.mat"
export VIPS_CONCURRENCY=$threads OMP_NUM_THREADS=$threads MAGICK_THREAD_LIMIT=$threads


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
task() { # name, tileproc filters separated by '|', vips command, convert args
    local name=$1 vc=$3 im=$4 v t i o
    local -a tp
    IFS='|' read -ra tp <<<"$2"
    v=$(best bash -c "$vc")
    t=$(best "$T" run --threads "$threads" --quiet "$work/big.jpg" "$work/tileproc.jpg" "${tp[@]}")
    if [ -n "$OLD" ]; then
        o=$(best "$OLD" run --threads "$threads" --quiet "$work/big.jpg" "$work/old.jpg" "${tp[@]}")
        cmp -s "$work/tileproc.jpg" "$work/old.jpg" || echo "warning: $name: old and new outputs differ" >&2
    fi
    # shellcheck disable=SC2086
    i=$(best $IM "$work/big.jpg" $im "$work/im.jpg")
    ratio_row "$name" tileproc "$t" "$v"
    if [ -n "$OLD" ]; then ratio_row "$name" "tileproc (old)" "$o" "$v"; fi
    ratio_row "$name" vips "$v" "$v"
    ratio_row "$name" convert "$i" "$v"
}
task "gaussian blur, sigma 2" "gaussian:sigma=2" "vips gaussblur $work/big.jpg $work/v.jpg 2" "-gaussian-blur 0x2"
task "sharpen" "sharpen" "vips sharpen $work/big.jpg $work/v.jpg" "-unsharp 0x1+1+0"
task "resize to half" "resize:scale=0.5" "vips resize $work/big.jpg $work/v.jpg 0.5" "-resize 50%"
task "grayscale" "grayscale" "vips colourspace $work/big.jpg $work/v.jpg b-w" "-colorspace Gray"
task "crop 100, shrink 10% bilinear, sharpen 3x3" \
    "crop:x=100,y=100,width=$CW,height=$CH|resize:scale=0.9,kernel=bilinear|convolve:matrix=-1 -1 -1;-1 16 -1;-1 -1 -1,scale=0.125" \
    "vips_classic" \
    "-crop ${CW}x${CH}+100+100 +repage -filter Triangle -resize 90% -define convolve:scale=0.125 -morphology Convolve 3x3:-1,-1,-1,-1,16,-1,-1,-1,-1"
