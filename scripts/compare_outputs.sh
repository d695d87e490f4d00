#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the same `tileproc run` commands through two builds of the tool and compares what they
# write, byte for byte, and how they end (exit status and stderr). For refactorings that must not
# change any output: run it with the tool built from main before the change as OLD.
#
#   scripts/compare_outputs.sh OLD NEW [DATA_DIR] [SAMPLES_DIR]
#
# The commands: photos and PngSuite files (RGB, RGBA, gray 16-bit, palette, Adam7, progressive
# JPEG, every EXIF orientation, an ICC profile, truncated files) through chains of gaussian,
# resize (with and without --shrink-on-load), rotate, flip, crop, sharpen and point filters,
# into PNG and JPEG, with default options, --no-stream, --stream, --no-orient, --quality and odd
# tiles and threads, from files and from stdin, to files and to stdout. Prints one line per
# difference and a summary; exits 1 if anything differs.
set -u
OLD=$(realpath "$1")
NEW=$(realpath "$2")
root=$(cd "$(dirname "$0")/.." && pwd)
DATA=$(realpath "${3:-$root/tests/data}")
SAMPLES=$(realpath "${4:-$root/samples}")
W=$(mktemp -d "${TMPDIR:-/tmp}/tileproc-compare.XXXXXX")
trap 'rm -rf "$W"' EXIT

runs=0
diffs=0
# compare NAME: compares how the two tools ended ($W/{old,new}.{rc,stderr,stdout,out}).
compare() {
    runs=$((runs + 1))
    local what=""
    cmp -s "$W/old.rc" "$W/new.rc" || what="exit $(cat "$W/old.rc") -> $(cat "$W/new.rc")"
    cmp -s "$W/old.stderr" "$W/new.stderr" || what="$what stderr"
    cmp -s "$W/old.stdout" "$W/new.stdout" || what="$what stdout"
    if [ -e "$W/old.out" ] || [ -e "$W/new.out" ]; then
        cmp -s "$W/old.out" "$W/new.out" 2>/dev/null || what="$what output"
    fi
    if [ -n "$what" ]; then
        diffs=$((diffs + 1))
        echo "DIFF $1:$what"
        if ! cmp -s "$W/old.stderr" "$W/new.stderr"; then
            sed 's/^/    old: /' "$W/old.stderr" | head -2
            sed 's/^/    new: /' "$W/new.stderr" | head -2
        fi
    fi
    rm -f "$W/old.out" "$W/new.out"
}
# one NAME ARGS...: runs `tileproc run ARGS` (or `tileproc $SUB ARGS`) with both tools (OUT in
# ARGS is the output file) and compares everything.
one() {
    local name=$1
    shift
    for tool in old new; do
        local exe=$OLD
        [ $tool = new ] && exe=$NEW
        local args=("${@//OUT/$W/$tool.out}")
        local sub=(run --quiet)
        [ -n "${SUB:-}" ] && sub=("$SUB")
        "$exe" "${sub[@]}" "${args[@]}" >"$W/$tool.stdout" 2>"$W/$tool.stderr" </dev/null
        echo $? >"$W/$tool.rc"
        sed -i "s|$W/$tool.out|OUT|g" "$W/$tool.stderr"
    done
    compare "$name"
}
# piped NAME INPUT ARGS...: the same with INPUT piped to stdin (ARGS name "-" for it).
piped() {
    local name=$1 input=$2
    shift 2
    for tool in old new; do
        local exe=$OLD
        [ $tool = new ] && exe=$NEW
        cat "$input" | "$exe" run --quiet "$@" >"$W/$tool.stdout" 2>"$W/$tool.stderr"
        echo $? >"$W/$tool.rc"
    done
    compare "$name"
}

inputs=(
    "$SAMPLES/rocket.jpg" "$DATA/jpeg/testorig.jpg" "$DATA/jpeg/testimgint.jpg"
    "$DATA/pngsuite/basn2c08.png" "$DATA/pngsuite/basn0g16.png" "$DATA/pngsuite/basn6a08.png"
    "$DATA/pngsuite/basn3p02.png" "$DATA/pngsuite/basi0g01.png" "$DATA/pngsuite/basn6a16.png"
    "$DATA/pngsuite/exif2c08.png"
)
for o in 1 2 3 4 5 6 7 8; do
    inputs+=("$DATA/exif/Landscape_$o.jpg")
done
chains=(
    ""
    "gaussian:sigma=2"
    "resize:scale=0.5"
    "resize:width=101,kernel=bicubic"
    "rotate:angle=90"
    "rotate:angle=180 invert"
    "flip:axis=vertical"
    "flip:axis=horizontal sobel"
    "crop:x=3,y=2,width=20,height=25"
    "sharpen:amount=1.5"
    "grayscale levels:in_black=0.1"
    "crop:x=10,y=5,width=30,height=20 rotate:angle=270 gaussian:sigma=1"
)
for input in "${inputs[@]}"; do
    base=$(basename "$input")
    for chain in "${chains[@]}"; do
        # shellcheck disable=SC2206
        filters=($chain)
        for ext in png jpg; do
            one "$base [$chain] .$ext" "$input" "OUT.$ext" "${filters[@]}"
            one "$base [$chain] .$ext --no-stream" --no-stream "$input" "OUT.$ext" "${filters[@]}"
        done
        one "$base [$chain] --stream" --stream "$input" OUT.png "${filters[@]}"
        one "$base [$chain] --no-orient" --no-orient "$input" OUT.jpg "${filters[@]}"
    done
    one "$base resize --shrink-on-load" --shrink-on-load "$input" OUT.png resize:scale=0.2
    one "$base resize --shrink-on-load .jpg" --shrink-on-load "$input" OUT.jpg resize:scale=0.45
    one "$base --quality 75 tiles" --quality 75 --tile 17x5 --threads 3 "$input" OUT.jpg \
        gaussian:sigma=3 resize:scale=0.6
    one "$base --format png on .jpg" --format png "$input" OUT.jpg invert
    piped "$base stdin -> stdout png" "$input" --format png - - gaussian:sigma=2
    piped "$base stdin -> stdout jpeg rotate" "$input" --format jpeg - - rotate:angle=90
    piped "$base stdin --no-stream" "$input" --no-stream --format png - - resize:scale=0.5
done
# Broken and odd inputs: the same failures (or successes) with the same words.
for bad in "$DATA"/bad/*.jpg "$DATA"/bad/*.png; do
    base=$(basename "$bad")
    one "bad $base" "$bad" OUT.png invert
    one "bad $base --no-stream" --no-stream "$bad" OUT.png invert
    one "bad $base rotate" "$bad" OUT.png rotate:angle=90
done
for input in "${inputs[@]}" "$DATA"/bad/*.jpg "$DATA"/bad/*.png; do
    SUB=info one "info $(basename "$input")" "$input"
    SUB=info one "info --json $(basename "$input")" --json "$input"
done
# Usage errors and their words (the format lists come from the codec table now).
one "unknown extension" "$SAMPLES/rocket.jpg" OUT.gif
one "--format gif" --format gif "$SAMPLES/rocket.jpg" OUT.png
one "--format JPG" --format JPG "$SAMPLES/rocket.jpg" OUT.png
one "stdout without --format" "$SAMPLES/rocket.jpg" -
one "no OUTPUT" "$SAMPLES/rocket.jpg"
one "unknown filter" "$SAMPLES/rocket.jpg" OUT.png gausian
one "bad value" "$SAMPLES/rocket.jpg" OUT.png gaussian:sigma=-1
one "batch unknown extension" -o "$W" "$DATA/jpeg/testorig.ppm" -- invert
one "missing input" "$W/nothere.png" OUT.png
one "directory input" "$DATA" OUT.png
one "memory limit gaussian" --memory-limit 64K "$SAMPLES/rocket.jpg" OUT.png gaussian
one "memory limit rotate" --memory-limit 600K "$SAMPLES/rocket.jpg" OUT.png rotate:angle=90
one "memory limit --no-stream" --no-stream --memory-limit 600K "$SAMPLES/rocket.jpg" OUT.png \
    gaussian
one "crop outside" "$DATA/pngsuite/basn2c08.png" OUT.png crop:x=0,y=0,width=64,height=8
one "pixel limit" --pixel-limit 1000 "$SAMPLES/rocket.jpg" OUT.png
echo "compare_outputs: $runs commands, $diffs differ"
[ "$diffs" = 0 ]
