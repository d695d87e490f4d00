#!/usr/bin/env bash
# Regions and WebP (issue 13) for bench/RESULTS.md, peers in the same run:
#  1. a 1000x1000 crop from deep inside a big baseline JPEG (bench/big.sh's tiled photo,
#     default the ~900 MP one): tileproc's region path, tileproc decoding every row
#     (TILEPROC_NO_REGION=1, the path before issue 13), `vips crop`, and libjpeg-turbo's own
#     floor (bench/jpeg_crop_floor.c: crop_scanline + skip_scanlines + abort). Wall time and
#     peak RSS (/usr/bin/time), and the outputs compared.
#  2. the same crop from a JPEG-compressed tiled pyramidal TIFF of that image (written once by
#     tileproc --tiled --compression jpeg --pyramid into bench/work): tileproc, which reads only
#     the tiles the region meets, to PNG and to an uncompressed TIFF (the PNG encoder's time
#     apart), and `vips crop` to both.
#  3. WebP decode+encode of the 12 MP photo: tileproc, `vips copy`, dwebp+cwebp.
# usage: bench/region.sh [JPEG]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
img=${1:-$(tiled_photo 900)}
bench_build jpeg_crop_floor
F=$PWD/build-bench/bench/jpeg_crop_floor
w=$(vipsheader -f width "$img"); h=$(vipsheader -f height "$img")
x=$((w - 3001)) y=$((h - 3003)) # deep inside: near the bottom right, odd offsets

echo "1000x1000 at ($x, $y) of $img (${w}x${h})"
echo "| tool | wall (s) | peak RSS (MB) |"
echo "|---|---|---|"
measure "tileproc run crop (region)" "$T" run --quiet "$img" "$work/r-tp.png" \
    "crop:x=$x,y=$y,width=1000,height=1000"
measure "tileproc run crop (every row, TILEPROC_NO_REGION=1)" env TILEPROC_NO_REGION=1 "$T" run \
    --quiet "$img" "$work/r-tp-full.png" "crop:x=$x,y=$y,width=1000,height=1000"
measure "vips crop" vips crop "$img" "$work/r-vips.png" "$x" "$y" 1000 1000
measure "libjpeg-turbo floor (crop+skip+abort)" "$F" "$img" "$x" "$y" 1000 1000
cmp "$work/r-tp.png" "$work/r-tp-full.png" && echo "region == every-row output: same bytes"
rm -f "$work"/r-*.png

pyr=$work/$(basename "$img" .jpg)-pyramid.tif
[ -s "$pyr" ] || "$T" run --quiet --tiled --compression jpeg --pyramid "$img" "$pyr"
echo
echo "1000x1000 at ($x, $y) of $pyr (tiled 256x256, JPEG, pyramid)"
echo "| tool | wall (s) | peak RSS (MB) |"
echo "|---|---|---|"
crop="crop:x=$x,y=$y,width=1000,height=1000"
measure "tileproc run crop -> PNG" "$T" run --quiet "$pyr" "$work/t-tp.png" "$crop"
measure "tileproc run crop -> TIFF (uncompressed)" "$T" run --quiet --compression none "$pyr" \
    "$work/t-tp.tif" "$crop"
measure "vips crop -> PNG" vips crop "$pyr" "$work/t-vips.png" "$x" "$y" 1000 1000
measure "vips crop -> TIFF (uncompressed)" vips crop "$pyr" "$work/t-vips.tif" "$x" "$y" 1000 1000
/usr/bin/python3 -c 'import sys, numpy, tifffile
a, b = (tifffile.imread(p) for p in sys.argv[1:])
print("tileproc == vips, pixel for pixel" if numpy.array_equal(a, b) else "tileproc and vips DIFFER")' \
    "$work/t-tp.tif" "$work/t-vips.tif"
rm -f "$work"/t-*.png "$work"/t-*.tif

photo=$(tiled_photo 12)
webp=$work/photo12.webp
[ -s "$webp" ] || vips copy "$photo" "$webp[Q=90]"
echo
echo "WebP decode+encode of $webp ($(vipsheader -f width "$webp")x$(vipsheader -f height "$webp"), Q 90, effort 4)"
echo "| tool | wall (s) | peak RSS (MB) |"
echo "|---|---|---|"
measure "tileproc run in.webp out.webp" "$T" run --quiet "$webp" "$work/w-tp.webp"
measure "vips copy in.webp out.webp" vips copy "$webp" "$work/w-vips.webp[Q=90]"
measure "dwebp -pam (decode only)" dwebp -quiet "$webp" -pam -o "$work/w.pam"
measure "cwebp -q 90 -m 4 (encode only)" cwebp -quiet -q 90 -m 4 "$work/w.pam" -o "$work/w-cwebp.webp"
rm -f "$work"/w-*.webp "$work/w.pam"
