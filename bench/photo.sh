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
source "$(dirname "$0")/lib.sh"
repeats=${1:-5}
threads=${2:-2}
only=${3:-}
bench_build
best() { best_of "$repeats" "$@"; } # CMD...: "seconds KB" of the fastest run

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

tp() { best "$T" run --threads "$threads" --quiet "$@"; }

echo "Input: $W x $H RGB JPEG, $threads threads, best of $repeats; $(nproc) cores, $(vips --version)."
echo "Load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| task | tool | wall (s) | peak RSS (MB) | time / vips | RSS / vips |"
echo "|---|---|---|---|---|---|"
if [ "$only" != trim ]; then
v=$(best vips rotate "$work/big.jpg" "$work/v.jpg[Q=90]" 30 --interpolate bilinear)
t=$(tp "$work/big.jpg" "$work/t.jpg" rotate:angle=30,interpolation=bilinear)
ratio_row "rotate 30 degrees, bilinear" tileproc "$t" "$v"
ratio_row "rotate 30 degrees, bilinear" vips "$v" "$v"
v=$(best vips morph "$work/big.jpg" "$work/v.jpg[Q=90]" "$work/mask11.mat" dilate)
t=$(tp "$work/big.jpg" "$work/t.jpg" dilate:radius=5)
ratio_row "dilate radius 5 (11x11 square)" tileproc "$t" "$v"
ratio_row "dilate radius 5 (11x11 square)" vips "$v" "$v"
v=$(best vips composite2 "$work/big.jpg" "$work/wm.png" "$work/v.jpg[Q=90]" over --x "$WX" --y "$WY")
t=$(tp "$work/big.jpg" "$work/t.jpg" "composite:image=$work/wm.png")
ratio_row "composite a 400x400 RGBA watermark" tileproc "$t" "$v"
ratio_row "composite a 400x400 RGBA watermark" vips "$v" "$v"
v=$(best vipsthumbnail "$work/big.jpg" --size 800x800 --smartcrop centre -o "$PWD/$work/v.jpg[Q=90]")
t=$(tp --shrink-on-load "$work/big.jpg" "$work/t.jpg" resize:width=800,height=800,fit=cover)
ratio_row "cover 800x800" "tileproc --shrink-on-load" "$t" "$v"
t=$(tp "$work/big.jpg" "$work/t.jpg" resize:width=800,height=800,fit=cover)
ratio_row "cover 800x800" "tileproc (full decode)" "$t" "$v"
ratio_row "cover 800x800" "vipsthumbnail --smartcrop centre" "$v" "$v"
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
v=$(best bash -c vips_trim)
t=$(tp "$work/framed.jpg" "$work/t.jpg" trim:threshold=0.1)
m=$(best convert "$work/framed.jpg" -fuzz 10% -trim +repage -quality 90 "$work/m.jpg")
ratio_row "trim a $((W + 600))x$((H + 400)) framed photo" tileproc "$t" "$v"
ratio_row "trim a $((W + 600))x$((H + 400)) framed photo" "vips find_trim + crop" "$v" "$v"
ratio_row "trim a $((W + 600))x$((H + 400)) framed photo" "ImageMagick -trim" "$m" "$v"
echo "trim boxes: tileproc $(vipsheader -f width "$work/t.jpg")x$(vipsheader -f height "$work/t.jpg"), \
vips $(vipsheader -f width "$work/v.jpg")x$(vipsheader -f height "$work/v.jpg"), \
ImageMagick $(vipsheader -f width "$work/m.jpg")x$(vipsheader -f height "$work/m.jpg")"
echo
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
