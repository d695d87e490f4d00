#!/usr/bin/env bash
# The gallery: samples/rocket.jpg through every built-in filter, made by the built tileproc
# itself, into small JPEGs in docs/gallery/ with an index.html, and the grid in README.md's
# "Gallery" section (between its gallery markers). One example per filter, from the table
# below: a filter the tool lists that the table lacks fails the script, so a new filter cannot
# be left out. CI runs it, so the pictures never go stale.
# usage: scripts/gallery.sh [TILEPROC]          (default: build-release/tileproc)
#        scripts/gallery.sh --check [TILEPROC]  (only check that every filter has an entry and
#                                               a README cell; no images)
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
if [ "${1:-}" = --check ]; then
    check=1
    shift
fi
T=${1:-build-release/tileproc}
out=docs/gallery
photo=samples/rocket.jpg
small=resize:width=240 # every example starts from the photo shrunk to 240 pixels wide

# name|filters after $small: spaces separate filters, '~' stands for a space inside a value.
# A name is a filter's, or (a second example) a filter's with a suffix; bordered is the scan-like
# input trim's example crops back
examples=(
    "invert|invert"
    "grayscale|grayscale"
    "brightness|brightness:amount=0.2"
    "contrast|contrast:amount=1.6"
    "gamma|gamma:value=0.6"
    "levels|levels:in_black=0.2,in_white=0.8"
    "threshold|grayscale threshold:level=0.45"
    "crop|crop:x=60,y=20,width=120,height=120"
    "flip|flip:axis=horizontal"
    "rotate|rotate:angle=30,background=#2b2b2b"
    "affine|affine:matrix=1~0.35;0~0.8,interpolation=bicubic"
    "box|box:radius=4"
    "gaussian|gaussian:sigma=3"
    "sharpen|sharpen:sigma=1.5,amount=2"
    "sobel|grayscale sobel"
    "median|median:radius=3"
    "convolve|convolve:matrix=-2~-1~0;-1~1~1;0~1~2"
    "resize|resize:width=160,height=160,fit=cover,position=north"
    "resize_attention|resize:width=100,height=160,fit=cover,position=attention"
    "erode|erode:radius=3,shape=disk"
    "dilate|dilate:radius=3,shape=disk"
    "open|open:radius=5,shape=disk"
    "close|close:radius=5,shape=disk"
    "tophat|tophat:radius=6 levels:in_white=0.4"
    "gradient|gradient:radius=2,shape=cross"
    "extend|extend:top=16,right=16,bottom=16,left=16,border=reflect"
    "bordered|extend:top=24,right=40,bottom=10,left=14,background=#f3eee2"
    "trim|extend:top=24,right=40,bottom=10,left=14,background=#f3eee2 trim:threshold=0.1"
    "composite|composite:image=docs/gallery/watermark.png,gravity=southeast,opacity=0.8"
    "modulate|modulate:saturation=1.8,hue=-30"
    "saturate|saturate:amount=0.3"
)

# The built-in filters the tool knows: the first word of each line of `tileproc filters`.
mapfile -t filters < <("$T" filters | awk 'NF { print $1 }')
[ "${#filters[@]}" -gt 0 ] || { echo "gallery: $T lists no filters" >&2; exit 1; }
missing=()
for f in "${filters[@]}"; do
    found=0
    for e in "${examples[@]}"; do
        [ "${e%%|*}" = "$f" ] && found=1
    done
    [ "$found" = 1 ] || missing+=("$f")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "gallery: no example for: ${missing[*]} (add them to the table in $0)" >&2
    exit 1
fi

if [ "$check" = 1 ]; then # every filter also has its cell in README's grid
    for f in "${filters[@]}"; do
        grep -q "docs/gallery/$f.jpg" README.md ||
            { echo "gallery: README.md's grid lacks $f (run $0)" >&2; exit 1; }
    done
    echo "gallery: all ${#filters[@]} filters have an example and a README cell"
    exit 0
fi

mkdir -p "$out"
# The overlay composite draws: the photo as a round-cornered badge with a transparent frame.
"$T" run --quiet "$photo" "$out/watermark.png" resize:width=56,height=56,fit=cover \
    "extend:top=4,right=4,bottom=4,left=4,background=255 255 255 0"
"$T" run --quiet "$photo" "$out/original.jpg" "$small"

cells=()
for e in "${examples[@]}"; do
    name=${e%%|*}
    chain=${e#*|}
    read -ra specs <<<"$chain"
    specs=("${specs[@]//\~/ }") # "~" in the table stands for a space inside a value
    "$T" run --quiet "$photo" "$out/$name.jpg" "$small" "${specs[@]}"
    shown="$small"
    for s in "${specs[@]}"; do
        if [[ $s == *" "* ]]; then shown+=" '$s'"; else shown+=" $s"; fi
    done
    cells+=("$name|$shown")
done

html() { sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g'; }
{
    echo '<!DOCTYPE html>'
    echo '<html lang="en"><head><meta charset="utf-8"><title>tileproc gallery</title>'
    echo '<style>body{font-family:sans-serif;margin:2em}main{display:grid;'
    echo 'grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:1.5em}'
    echo 'figure{margin:0}img{max-width:100%}code{font-size:80%;word-break:break-all}</style>'
    echo '</head><body><h1>tileproc: samples/rocket.jpg through every filter</h1>'
    echo "<p>Each picture: <code>tileproc run $photo NAME.jpg FILTERS...</code></p><main>"
    echo '<figure><img src="original.jpg" alt="original"><figcaption><b>original</b><br>'
    echo "<code>$small</code></figcaption></figure>"
    for c in "${cells[@]}"; do
        name=${c%%|*}
        echo "<figure><img src=\"$name.jpg\" alt=\"$name\"><figcaption><b>$name</b><br>"
        echo "<code>$(printf '%s' "${c#*|}" | html)</code></figcaption></figure>"
    done
    echo '</main></body></html>'
} >"$out/index.html"

# README's grid: four pictures a row, the filters under each.
grid=$(mktemp)
{
    echo '<!-- gallery:start (made by scripts/gallery.sh; do not edit by hand) -->'
    echo '| | | | |'
    echo '|---|---|---|---|'
    row='|'
    n=0
    for c in "original|$small" "${cells[@]}"; do
        name=${c%%|*}
        cmd=$(printf '%s' "${c#*|}" | html | sed 's/|/\\|/g')
        row+=" ![$name]($out/$name.jpg)<br>**$name**<br><code>$cmd</code> |"
        n=$((n + 1))
        if [ $((n % 4)) = 0 ]; then
            echo "$row"
            row='|'
        fi
    done
    [ "$row" = '|' ] || echo "$row"
    echo '<!-- gallery:end -->'
} >"$grid"
if grep -q '<!-- gallery:start' README.md; then
    awk -v grid="$grid" '
        /<!-- gallery:start/ { while ((getline line < grid) > 0) print line; skip = 1; next }
        /<!-- gallery:end -->/ { skip = 0; next }
        !skip { print }' README.md >README.md.tmp && mv README.md.tmp README.md
else
    echo "gallery: README.md has no gallery markers; the grid is in $grid" >&2
    exit 1
fi
rm -f "$grid"
echo "gallery: ${#cells[@]} filters into $out/ and README.md"
