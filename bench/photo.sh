#!/usr/bin/env bash
# Photo operations (issue 15) against libvips on the same ~12-megapixel JPEG, in one run: rotate
# by 30 degrees (bilinear), dilate with radius 5 (vips morph with an 11x11 mask, its binary
# morphology), a 400x400 RGBA watermark composited over the middle (vips composite2), and an
# 800x800 cover thumbnail (vipsthumbnail --smartcrop centre, which shrinks on load; tileproc with
# and without --shrink-on-load). Best wall time of N runs and that run's peak RSS
# (/usr/bin/time), JPEG quality 90 for both, and the load average around the run (the machine
# may be shared). trim: the photo framed by a light border (vips embed), cropped back by
# tileproc's trim, by vips find_trim then crop (two commands, as a script would run them), and
# by ImageMagick's -trim. Needs libvips-tools, imagemagick, time and bc.
# usage: bench/photo.sh [REPEATS] [THREADS] [trim]   (trim: only the trim rows)
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-5}
threads=${2:-2}
only=${3:-}
work=bench/work
mkdir -p "$work"
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DTILEPROC_BUILD_TESTS=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" --target tileproc_cli >/dev/null
T=$PWD/build-bench/tileproc

# ~12 MP from the real photo (as cli_compare.sh), an 11x11 mask, a 400x400 RGBA watermark.
vips resize samples/rocket.jpg "$work/big.jpg[Q=90]" 6.625 --kernel cubic
W=$(vipsheader -f width "$work/big.jpg")
H=$(vipsheader -f height "$work/big.jpg")
{
    echo "11 11"
    for _ in $(seq 11); do printf '255 %.0s' $(seq 11); echo; done
} >"$work/mask11.mat"
"$T" run --quiet samples/rocket.jpg "$work/wm.png" resize:width=380,height=380,fit=cover \
    "extend:top=10,right=10,bottom=10,left=10,background=255 255 255 0"
WX=$(((W - 400 + 1) / 2)) WY=$(((H - 400 + 1) / 2))
export VIPS_CONCURRENCY=$threads

measure() { # CMD...: best wall time and the peak RSS of that run
    local best=999 rss=0 t r
    for _ in $(seq "$repeats"); do
        /usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" ||
            { echo "failed: $*" >&2; cat "$work/err.txt" >&2; exit 1; }
        read -r t r <"$work/time.txt"
        if (($(echo "$t < $best" | bc -l))); then best=$t; rss=$r; fi
    done
    echo "$best $rss"
}
row() { # task tool "t rss" "vips t rss"
    read -r t r <<<"$3"
    read -r vt vr <<<"$4"
    printf '| %s | %s | %.3f | %.0f | %.2f | %.2f |\n' "$1" "$2" "$t" "$(echo "$r / 1024" | bc -l)" \
        "$(echo "$t / $vt" | bc -l)" "$(echo "$r / $vr" | bc -l)"
}
tp() { measure "$T" run --threads "$threads" --quiet "$@"; }

echo "Input: $W x $H RGB JPEG, $threads threads, best of $repeats; $(nproc) cores, $(vips --version)."
echo "Load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| task | tool | wall (s) | peak RSS (MB) | time / vips | RSS / vips |"
echo "|---|---|---|---|---|---|"
if [ "$only" != trim ]; then
v=$(measure vips rotate "$work/big.jpg" "$work/v.jpg[Q=90]" 30 --interpolate bilinear)
t=$(tp "$work/big.jpg" "$work/t.jpg" rotate:angle=30,interpolation=bilinear)
row "rotate 30 degrees, bilinear" tileproc "$t" "$v"
row "rotate 30 degrees, bilinear" vips "$v" "$v"
v=$(measure vips morph "$work/big.jpg" "$work/v.jpg[Q=90]" "$work/mask11.mat" dilate)
t=$(tp "$work/big.jpg" "$work/t.jpg" dilate:radius=5)
row "dilate radius 5 (11x11 square)" tileproc "$t" "$v"
row "dilate radius 5 (11x11 square)" vips "$v" "$v"
v=$(measure vips composite2 "$work/big.jpg" "$work/wm.png" "$work/v.jpg[Q=90]" over --x "$WX" --y "$WY")
t=$(tp "$work/big.jpg" "$work/t.jpg" "composite:image=$work/wm.png")
row "composite a 400x400 RGBA watermark" tileproc "$t" "$v"
row "composite a 400x400 RGBA watermark" vips "$v" "$v"
v=$(measure vipsthumbnail "$work/big.jpg" --size 800x800 --smartcrop centre -o "$PWD/$work/v.jpg[Q=90]")
t=$(tp --shrink-on-load "$work/big.jpg" "$work/t.jpg" resize:width=800,height=800,fit=cover)
row "cover 800x800" "tileproc --shrink-on-load" "$t" "$v"
t=$(tp "$work/big.jpg" "$work/t.jpg" resize:width=800,height=800,fit=cover)
row "cover 800x800" "tileproc (full decode)" "$t" "$v"
row "cover 800x800" "vipsthumbnail --smartcrop centre" "$v" "$v"
fi

# trim: a frame of 250 gray, 300 pixels wide on the left and right and 200 on top and bottom,
# around the photo; threshold 0.1 of the range (vips 25.5 levels, ImageMagick -fuzz 10%), which
# JPEG's ringing along the frame needs.
vips embed "$work/big.jpg" "$work/framed.jpg[Q=90]" 300 200 $((W + 600)) $((H + 400)) \
    --extend background --background "250 250 250"
vips_trim() {
    local box
    box=$(vips find_trim "$work/framed.jpg" --threshold 25.5 --background "250 250 250" | tr '\n' ' ')
    # shellcheck disable=SC2086
    vips crop "$work/framed.jpg" "$work/v.jpg[Q=90]" $box
}
export -f vips_trim
export work
v=$(measure bash -c vips_trim)
t=$(tp "$work/framed.jpg" "$work/t.jpg" trim:threshold=0.1)
m=$(measure convert "$work/framed.jpg" -fuzz 10% -trim +repage -quality 90 "$work/m.jpg")
row "trim a $((W + 600))x$((H + 400)) framed photo" tileproc "$t" "$v"
row "trim a $((W + 600))x$((H + 400)) framed photo" "vips find_trim + crop" "$v" "$v"
row "trim a $((W + 600))x$((H + 400)) framed photo" "ImageMagick -trim" "$m" "$v"
echo "trim boxes: tileproc $(vipsheader -f width "$work/t.jpg")x$(vipsheader -f height "$work/t.jpg"), \
vips $(vipsheader -f width "$work/v.jpg")x$(vipsheader -f height "$work/v.jpg"), \
ImageMagick $(vipsheader -f width "$work/m.jpg")x$(vipsheader -f height "$work/m.jpg")"
echo
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
