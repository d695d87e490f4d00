#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cli_test.sh: tests of the tileproc command-line tool, run by CTest as the "cli" test.
#
#   bash cli_test.sh TILEPROC DATA_DIR CLI_REF [POSTERIZE_PLUGIN] [SAMPLES_DIR] [CHUNKED]
#
# Every command and option, the exit statuses (0 success, 1 failed run, 2 usage error), stdin
# and stdout, batch mode, refusal to overwrite the input, no partial output after failures,
# and the output of filter chains against cli_ref, which runs the same chains through the C API.
# Streamed runs must equal in-memory ones byte for byte; CHUNKED is the built samples/chunked
# (default: samples/chunked beside TILEPROC, skipped if absent).
# Each check prints what failed; the last line counts them; the exit status is 1 on any failure.
set -u

T=$(realpath "$1")
DATA=$(realpath "$2")
REF=$(realpath "$3")
PLUGIN=${4:+$(realpath "$4")}
SAMPLES=$(realpath "${5:-$DATA/../../samples}")
CHUNKED=${6:-$(dirname "$T")/samples/chunked}
ROCKET=$SAMPLES/rocket.jpg
PNG8=$DATA/pngsuite/basn2c08.png   # 32x32 RGB 8-bit
PNG16=$DATA/pngsuite/basn0g16.png  # 32x32 gray 16-bit
PNGA=$DATA/pngsuite/basn6a08.png   # 32x32 RGBA
PNGI=$DATA/pngsuite/basi0g01.png   # interlaced
EXIF6=$DATA/exif/Landscape_6.jpg   # stored 1200x1800, orientation 6
TRUNC=$DATA/bad/png_pillow_truncated_image.png

# In a sanitizer build, a leak or an error must not pass for an expected exit status of 1.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=86"

W=$(mktemp -d "${TMPDIR:-/tmp}/tileproc-cli.XXXXXX")
MNT=""
cleanup() {
    [ -n "$MNT" ] && umount "$MNT" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    echo "FAIL: $*"
}
show_err() { [ -s "$W/err" ] && sed 's/^/    stderr: /' "$W/err" | head -5; }

# t NAME RC CMD...: runs CMD (stdout to $W/out, stderr to $W/err) and checks its exit status.
t() {
    local name=$1 want=$2
    shift 2
    "$@" >"$W/out" 2>"$W/err"
    local rc=$?
    if grep -qE 'Sanitizer|runtime error:' "$W/err"; then
        fail "$name: sanitizer report"
        grep -E -m3 'Sanitizer|runtime error:|#[0-9] ' "$W/err" | sed 's/^/    /'
        return 1
    fi
    if [ "$rc" = "$want" ]; then
        pass
        return 0
    fi
    fail "$name: exit status $rc, expected $want"
    show_err
    return 1
}
# check NAME CMD...: passes when CMD succeeds.
check() {
    local name=$1
    shift
    if "$@"; then pass; else fail "$name"; fi
}
has() { grep -qF -- "$1" "$2"; }
lacks() { ! grep -qF -- "$1" "$2"; }
lines() { [ "$(wc -l <"$2")" -eq "$1" ]; }
is_empty() { [ ! -s "$1" ]; }
absent() { [ ! -e "$1" ]; }
differ() { ! cmp -s "$1" "$2"; }
no_temp() { ! ls -A "$1" | grep -q '\.tmp-'; }
sum() { sha256sum "$1" | cut -d' ' -f1; }
# One error line naming what: "tileproc: error: ...what...".
err_line() {
    lines 1 "$W/err" && grep -q '^tileproc: error: ' "$W/err" && has "$1" "$W/err"
}
usage_err() { err_line "$1" && has "tileproc filters" "$W/err"; }
field() { # field FILE KEY: a key of the first JSON line
    python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())[sys.argv[2]])' "$1" "$2"
}
magic() { head -c 4 "$1" | od -An -tx1 | tr -d ' \n'; }

cd "$W" || exit 1

# --- --help, --version, --man, no command --------------------------------------------------
t "help" 0 "$T" --help && {
    check "help: usage lines" has "tileproc run [OPTIONS] INPUT OUTPUT [FILTER]..." out
    check "help: batch usage" has "-o DIR INPUT... -- [FILTER]..." out
    for opt in output-dir tile threads border quality format memory-limit pixel-limit stream no-stream \
        shrink-on-load plugin no-orient progress quiet force json help version; do
        check "help: documents --$opt" has "--$opt" out
    done
    check "help: points to tileproc filters" has "tileproc filters" out
    check "help: names the plugin variable" has "TILEPROC_PLUGIN_PATH" out
    check "help: hides --man" lacks "--man" out
    check "help: when a run streams" has "Runs stream" out
    cp out help.txt
}
t "help -h" 0 "$T" -h && check "-h is --help" cmp -s out help.txt
t "run --help" 0 "$T" run --help && check "run --help is --help" cmp -s out help.txt
t "help command" 0 "$T" help && check "help command is --help" cmp -s out help.txt
t "version" 0 "$T" --version && check "version text" grep -qE '^tileproc [0-9]+\.[0-9]+\.[0-9]+' out
t "no command" 2 "$T" && check "no command: usage error" usage_err "no command"
t "unknown command" 2 "$T" frobnicate && check "unknown command named" usage_err "frobnicate"
t "top-level unknown option" 2 "$T" --frob && check "unknown option named" usage_err "--frob"

# --- filters ------------------------------------------------------------------------------------
t "filters" 0 "$T" filters && cp out filters.txt
check "filters: all built-ins" [ "$(wc -l <filters.txt)" -ge 17 ]
for name in invert grayscale brightness contrast gamma levels threshold crop flip rotate box \
    gaussian sharpen sobel median convolve resize; do
    check "filters lists $name" grep -q "^$name " filters.txt
done
# Every listed filter: its parameter table, and --help and --man list it with its summary.
"$T" --man >man.txt 2>"$W/err"
check "man: roff header" grep -q '^\.TH TILEPROC 1' man.txt
check "man: options section" grep -q '^\.SH OPTIONS' man.txt
while read -r name summary; do
    if "$T" filters "$name" >one.txt 2>"$W/err" && head -1 one.txt | grep -qF "$name: $summary"; then
        pass
    else
        fail "filters $name: no parameter table"
    fi
    check "help lists $name" grep -q "^  $name " help.txt
    check "help gives the summary of $name" has "$summary" help.txt
    check "man lists $name" grep -qx "\\.B $name" man.txt
done <filters.txt
MAN_BUILT=$(dirname "$T")/doc/tileproc.1
if [ -f "$MAN_BUILT" ]; then
    check "built man page is --man" cmp -s "$MAN_BUILT" man.txt
fi
t "filters gaussian" 0 "$T" filters gaussian && {
    check "gaussian: sigma" grep -qE '^  sigma +float +[0-9.]+ +\(0, 1000\]' out
    check "gaussian: usage line" has "gaussian:KEY=VALUE" out
}
t "filters resize" 0 "$T" filters resize &&
    check "resize: kernel choices" has "nearest|bilinear|bicubic|lanczos3|area" out
t "filters convolve" 0 "$T" filters convolve && check "convolve: matrix required" has "(required)" out
t "filters invert" 0 "$T" filters invert && check "invert: no parameters" has "parameters: none" out
t "filters two names" 0 "$T" filters flip rotate &&
    check "two tables" grep -q '^rotate: ' out
t "filters unknown" 2 "$T" filters gausian &&
    check "filters: did you mean" usage_err "unknown filter 'gausian' (did you mean 'gaussian'?)"
t "filters bad option" 2 "$T" filters --json

# --- info -----------------------------------------------------------------------------------
t "info plain" 0 "$T" info "$ROCKET" "$PNG16" "$PNGI" && {
    check "info: 3 lines" lines 3 out
    check "info: JPEG line" grep -q "rocket.jpg: JPEG 640x427, RGB, 8-bit" out
    check "info: 16-bit PNG line" grep -q "basn0g16.png: PNG 32x32, gray, 16-bit" out
    check "info: interlaced" grep -q "basi0g01.png: .*interlaced" out
}
t "info exif" 0 "$T" info "$EXIF6" && check "info: orientation" has "orientation 6" out
t "info json" 0 "$T" info --json "$ROCKET" "$PNG16" "$PNGI" "$EXIF6" && {
    check "json: 4 lines" lines 4 out
    check "json: fields and types" python3 - "$W/out" "$ROCKET" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
need = {"file": str, "format": str, "width": int, "height": int, "channels": int,
        "depth": int, "interlaced": bool, "orientation": int}
for r in rows:
    for k, ty in need.items():
        assert isinstance(r[k], ty), (k, r)
assert rows[0]["file"] == sys.argv[2]
assert (rows[0]["format"], rows[0]["width"], rows[0]["height"], rows[0]["channels"],
        rows[0]["depth"], rows[0]["orientation"]) == ("jpeg", 640, 427, 3, 8, 1), rows[0]
assert (rows[1]["format"], rows[1]["depth"], rows[1]["channels"]) == ("png", 16, 1), rows[1]
assert rows[2]["interlaced"] is True and rows[1]["interlaced"] is False
assert (rows[2]["depth"], rows[3]["orientation"]) == (1, 6), rows
EOF
}
weird=$'we"ird\\na\tme\001.png'
cp "$PNG8" "$weird"
cp "$PNG8" $'bad\xffutf8.png'
t "info json escaping" 0 "$T" info --json "$weird" $'bad\xffutf8.png' &&
    check "json: escaped names round-trip" python3 - "$W/out" "$weird" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert rows[0]["file"] == sys.argv[2], rows[0]
assert rows[1]["file"] == "bad\ufffdutf8.png", rows[1]
EOF
echo "not an image" >text.png
t "info bad among good" 1 "$T" info "$PNG8" text.png "$PNG16" && {
    check "info: good files still shown" lines 2 out
    check "info: bad file named" err_line "text.png: not a PNG, JPEG"
}
t "info json bad among good" 1 "$T" info --json text.png "$PNG8" && check "json: good line" lines 1 out
t "info missing file" 1 "$T" info nothere.png && check "info: missing named" err_line "nothere.png"
t "info stdin" 0 "$T" info - <"$ROCKET" && check "info -: JPEG" has "JPEG 640x427" out
t "info no file" 2 "$T" info
t "info run option" 2 "$T" info --tile 8 "$PNG8" && check "info: option not for info" usage_err "--tile"
"$T" info "$PNG8" >/dev/full 2>"$W/err"
rc=$?
if [ $rc = 1 ] && err_line "write failed"; then pass; else fail "info >/dev/full: exit $rc"; fi

# --- run: outputs against the C API ---------------------------------------------------------
# same_as_ref NAME [CLI_OPTS...] -- INPUT [FILTERS...]: the tool's PNG equals cli_ref's.
same_as_ref() {
    local name=$1
    shift
    local opts=()
    while [ "$1" != "--" ]; do
        opts+=("$1")
        shift
    done
    shift
    local input=$1
    shift
    rm -f cli.png ref.png
    if ! "$REF" run "${opts[@]}" "$input" ref.png "$@" 2>"$W/err"; then
        fail "$name: cli_ref failed"
        show_err
        return
    fi
    if t "$name" 0 "$T" run "${opts[@]}" "$input" cli.png "$@"; then
        check "$name: same bytes as the library" cmp -s cli.png ref.png
    fi
}
same_as_ref "chain gaussian sharpen resize" -- "$ROCKET" gaussian:sigma=2 sharpen:amount=1.5 \
    resize:scale=0.5
same_as_ref "no filter" -- "$ROCKET"
same_as_ref "invert grayscale" -- "$ROCKET" invert grayscale
same_as_ref "crop rotate flip" -- "$ROCKET" crop:x=10,y=20,width=300,height=200 rotate:angle=90 \
    flip:axis=vertical
same_as_ref "box levels" -- "$ROCKET" box:radius=2 levels:in_black=0.1,in_white=0.9
same_as_ref "median convolve" -- "$ROCKET" median:radius=1 "convolve:matrix=0 -1 0;-1 5 -1;0 -1 0"
same_as_ref "resize kernel" -- "$ROCKET" resize:width=101,kernel=bicubic sobel
same_as_ref "16-bit gray" -- "$PNG16" gaussian:sigma=1.5 contrast:amount=1.2
# A chain starting with crop reads only the rectangle (a JPEG's crop/skip/abort, a WebP's or
# an oriented file's cut rows): the same bytes as the library's whole load cropped.
same_as_ref "crop region odd offsets" -- "$ROCKET" crop:x=101,y=77,width=333,height=211 \
    gaussian:sigma=1
same_as_ref "crop region at the corner" -- "$ROCKET" crop:x=0,y=0,width=17,height=9
same_as_ref "crop region bottom right" -- "$ROCKET" crop:x=513,y=311,width=127,height=116
same_as_ref "crop region oriented" -- "$DATA/exif/Portrait_6.jpg" crop:x=3,y=17,width=100,height=80
same_as_ref "crop region webp" -- "$DATA/webp/libwebptd_lossy_alpha1.webp" \
    crop:x=99,y=13,width=301,height=200

# --- WebP out --------------------------------------------------------------------------------
if t "webp lossless save" 0 "$T" run --lossless --effort 1 "$ROCKET" ll.webp &&
    t "webp lossless back" 0 "$T" run ll.webp ll.png && t "jpeg to png" 0 "$T" run "$ROCKET" jp.png; then
    check "webp: RIFF magic" [ "$(magic ll.webp)" = 52494646 ]
    check "webp lossless: same pixels" cmp -s ll.png jp.png
fi
if t "webp lossy save" 0 "$T" run --quality 50 "$ROCKET" lossy.webp; then
    check "webp lossy smaller than lossless" [ "$(stat -c %s lossy.webp)" -lt "$(stat -c %s ll.webp)" ]
fi
t "webp past 16383" 1 "$T" run "$ROCKET" huge.webp resize:width=17000 &&
    check "webp past 16383: names the limit" has "16383x16383" "$W/err" &&
    check "webp past 16383: no file" absent huge.webp
t "effort out of range" 2 "$T" run --effort 7 "$ROCKET" e.webp &&
    check "effort: usage" has "--effort must be" "$W/err"
same_as_ref "rgba" -- "$PNGA" gaussian:sigma=3 gamma:value=2.2
same_as_ref "tiles and threads" --tile 17x5 --threads 3 -- "$ROCKET" gaussian:sigma=4 resize:scale=0.3
same_as_ref "square tile" --tile 40 --threads 1 -- "$ROCKET" sharpen:amount=2
for b in constant constant:200 replicate reflect reflect101 wrap; do
    same_as_ref "border $b" --border "$b" -- "$PNG8" gaussian:sigma=3
done
same_as_ref "orientation applied" -- "$EXIF6" resize:scale=0.1
same_as_ref "--no-orient" --no-orient -- "$EXIF6" resize:scale=0.1

"$T" run --tile 8x3 --threads 2 "$ROCKET" a.png gaussian:sigma=5 2>/dev/null
"$T" run --tile 512 --threads 1 "$ROCKET" b.png gaussian:sigma=5 2>/dev/null
check "tile size and threads do not change the output" cmp -s a.png b.png
"$T" run --border constant:0 "$PNG8" c0.png box:radius=3 2>/dev/null
"$T" run --border constant:255 "$PNG8" c255.png box:radius=3 2>/dev/null
check "--border constant:V has an effect" differ c0.png c255.png
"$T" run --border constant:255 "$PNG8" c3.png box:radius=3 2>/dev/null
"$T" run --border constant:255,255,255 "$PNG8" c4.png box:radius=3 2>/dev/null
check "--border constant: one value or one per channel" cmp -s c3.png c4.png

# --- run: options ---------------------------------------------------------------------------
t "--no-orient size" 0 "$T" run --no-orient "$EXIF6" o1.png resize:scale=0.1 &&
    "$T" info --json o1.png >j 2>/dev/null && check "--no-orient keeps 120x180" \
    [ "$(field j width)x$(field j height)" = 120x180 ]
t "orient size" 0 "$T" run "$EXIF6" o2.png resize:scale=0.1 &&
    "$T" info --json o2.png >j 2>/dev/null && check "orientation gives 180x120" \
    [ "$(field j width)x$(field j height)" = 180x120 ]
t "jpeg to jpeg" 0 "$T" run "$EXIF6" o3.jpg resize:scale=0.1 &&
    "$T" info --json o3.jpg >j 2>/dev/null && {
    check "jpeg keeps EXIF" [ "$(field j exif)" = True ]
    check "EXIF orientation reset" [ "$(field j orientation)" = 1 ]
}
t "icc kept" 0 "$T" run --colour keep "$ROCKET" o4.jpg invert &&
    "$T" info --json o4.jpg >j 2>/dev/null && check "jpeg keeps ICC" [ "$(field j icc)" = True ]
# Colour (issue 12): by default converted to sRGB, and the output carries no profile.
t "icc converted" 0 "$T" run "$ROCKET" o5.jpg invert && "$T" info --json o5.jpg >j 2>/dev/null &&
    check "sRGB output carries no profile" [ "$(field j icc)" = False ]
t "keep jpeg to png" 0 "$T" run --colour=keep "$ROCKET" o6.png &&
    "$T" info --json o6.png >j 2>/dev/null && check "keep: png carries the ICC" [ "$(field j icc)" = True ]
t "embed profile" 0 "$T" run --embed-profile "$ROCKET" o7.png &&
    "$T" info --json o7.png >j 2>/dev/null && check "--embed-profile: sRGB profile" [ "$(field j icc)" = True ]
t "output profile" 0 "$T" run --output-profile "$DATA/icc/AdobeRGB1998.icc" --intent perceptual \
    --black-point-compensation "$ROCKET" o8.png && "$T" info --json o8.png >j 2>/dev/null &&
    check "--output-profile: embedded" [ "$(field j icc)" = True ]
t "info shows the profile" 0 "$T" info "$ROCKET" && "$T" info --json "$ROCKET" >j 2>/dev/null &&
    check "info: profile space and description" [ "$(field j icc_space)/$(field j icc_description)" = "rgb/Adobe RGB (1998)" ]
t "flawed sRGB png" 0 "$T" run "$DATA/icc/flawed-srgb-chelsea.png" o9.png
t "flawed sRGB png kept" 0 "$T" run --colour keep "$DATA/icc/flawed-srgb-chelsea.png" o10.png
t "bad --colour" 2 "$T" run --colour sRGB "$ROCKET" o11.png
t "bad --intent" 2 "$T" run --intent vivid "$ROCKET" o11.png
t "--output-profile with keep" 2 "$T" run --colour keep --output-profile "$DATA/icc/Gray.icc" \
    "$ROCKET" o11.png
t "missing profile file" 1 "$T" run --input-profile /nonexistent.icc "$ROCKET" o11.png
t "quality low" 0 "$T" run --quality 5 "$ROCKET" q5.jpg
t "quality high" 0 "$T" run --quality=98 "$ROCKET" q98.jpg
check "--quality changes the size" [ "$(stat -c %s q5.jpg)" -lt "$(stat -c %s q98.jpg)" ]
t "quality 1" 0 "$T" run --quality 1 "$PNG8" q1.jpg
t "quality 100" 0 "$T" run --quality 100 "$PNG8" q100.jpg
for bad in 0 101 -3 abc 50x; do
    t "--quality $bad" 2 "$T" run --quality "$bad" "$PNG8" qbad.jpg &&
        check "--quality $bad: range named" usage_err "1-100"
done
check "no output after usage errors" absent qbad.jpg
t "--format png on .jpg name" 0 "$T" run --format png "$PNG8" fmt.jpg &&
    check "--format wins over the name" [ "$(magic fmt.jpg)" = 89504e47 ]
t "--format jpeg" 0 "$T" run --format jpeg "$PNG8" fmt.out &&
    check "--format jpeg writes JPEG" [ "$(magic fmt.out | cut -c1-6)" = ffd8ff ]
t "--format jpg alias" 0 "$T" run --format=jpg "$PNG8" fmt2.out
t "--format gif" 2 "$T" run --format gif "$PNG8" x.gif && check "--format: named" usage_err "gif"
t "unknown extension" 2 "$T" run "$PNG8" out.bmp && check "extension: named" usage_err "out.bmp"
check "no output for unknown extension" absent out.bmp
for good in 64 32x8 1x1 65536 17X5; do
    t "--tile $good" 0 "$T" run --tile "$good" "$PNG8" tile.png invert
done
t "--tile=WxH form" 0 "$T" run --tile=16x16 "$PNG8" tile.png invert
for bad in 0 65537 10x x10 10x0 -4 abc 3x3x3; do
    t "--tile $bad" 2 "$T" run --tile "$bad" "$PNG8" tile.png && check "--tile $bad: range" \
        usage_err "1-65536"
done
t "--tile missing value" 2 "$T" run "$PNG8" tile.png --tile
for good in 1 2 256; do
    t "--threads $good" 0 "$T" run --threads "$good" "$PNG8" thr.png gaussian
done
for bad in 0 -1 257 100000 abc 1.5 ""; do
    t "--threads '$bad'" 2 "$T" run --threads "$bad" "$PNG8" thr2.png &&
        check "--threads '$bad': range named" usage_err "1-256"
done
check "no output after --threads errors" absent thr2.png
for bad in mirror wrap:3 constant:x constant:1,2,3,4,5 "constant:"; do
    t "--border $bad" 2 "$T" run --border "$bad" "$PNG8" brd.png && check "--border $bad" \
        usage_err "--border"
done
t "--border reflect_101 alias" 0 "$T" run --border reflect_101 "$PNG8" brd.png box
for good in 512M 1.5G 64MiB 200000000 1g 100000K; do
    t "--memory-limit $good" 0 "$T" run --memory-limit "$good" "$PNG8" mem.png gaussian
done
for bad in 0 abc 12Q -5M 5MX ""; do
    t "--memory-limit '$bad'" 2 "$T" run --memory-limit "$bad" "$PNG8" mem2.png &&
        check "--memory-limit '$bad'" usage_err "--memory-limit"
done
t "--memory-limit too small" 1 "$T" run --memory-limit 64K "$ROCKET" mem3.png gaussian &&
    check "memory limit: one error naming the file and the limit" \
        eval 'err_line rocket.jpg && grep -qi limit "$W/err"'
check "no output after the memory limit" absent mem3.png
t "--memory-limit 1M on a run" 1 "$T" run --memory-limit 1M "$ROCKET" mem4.png resize:scale=4
# trim needs every pixel before its output size is known: a streamed file is decoded twice,
# never held, so a limit below the decoded image (914 KiB) still runs; held, it cannot.
t "trim: framed with extend" 0 "$T" run "$ROCKET" framed.png \
    "extend:top=20,right=30,bottom=10,left=5,background=250 250 250"
t "trim: reference" 0 "$T" run "$ROCKET" unframed.png
t "trim under a limit below the image" 0 "$T" run --memory-limit 600K framed.png trimmed.png \
    trim:threshold=0 && check "trim gives the unframed image" cmp -s trimmed.png unframed.png
t "trim held whole over the limit" 1 "$T" run --memory-limit 600K --no-stream framed.png \
    trimmed2.png trim && check "trim held: the limit named" grep -qi limit "$W/err"
check "no temp files" no_temp .

# --- pyramid: colour, page and level (issues 12, 13) -------------------------------------------
# rocket.jpg is an Adobe RGB JPEG. With one level as large as the image (--depth one, a tile
# bigger than it), the pyramid's only tile is the image: its pixels must be those of `run` with
# the same colour option (both re-encoded by one `run --colour keep`, which keeps pixels and
# profile, so the bytes compare), and it carries the profile `run`'s output does.
mkdir -p pc
for c in srgb keep ignore; do
    t "pyramid --colour $c" 0 "$T" pyramid --colour "$c" --suffix png --tile-size 1024 \
        --overlap 0 --depth one "$ROCKET" "pc/p-$c" || continue
    tile=$(find "pc/p-${c}_files" -name '*.png')
    check "pyramid --colour $c: one tile" [ "$(echo "$tile" | wc -l)" = 1 ]
    t "run --colour $c" 0 "$T" run --colour "$c" "$ROCKET" "pc/r-$c.png" &&
        "$T" run --colour keep "$tile" "pc/pn-$c.png" 2>/dev/null &&
        "$T" run --colour keep "pc/r-$c.png" "pc/rn-$c.png" 2>/dev/null &&
        check "pyramid --colour $c: the tile is run's image" cmp -s "pc/pn-$c.png" "pc/rn-$c.png"
    "$T" info --json "$tile" >j 2>/dev/null
    want=False
    [ "$c" = keep ] && want=True
    check "pyramid --colour $c: tile profile $want" [ "$(field j icc)" = "$want" ]
done
check "pyramid: keep and srgb tiles differ" differ pc/pn-keep.png pc/pn-srgb.png
t "pyramid --colour keep jpeg tiles" 0 "$T" pyramid --colour keep --tile-size 256 "$ROCKET" pc/pk &&
    "$T" info --json pc/pk_files/0/0_0.jpeg >j 2>/dev/null &&
    check "pyramid --colour keep: jpeg tiles carry the profile" [ "$(field j icc)" = True ]
t "pyramid --output-profile" 0 "$T" pyramid --output-profile "$DATA/icc/ProPhotoRGB.icc" \
    --intent perceptual --black-point-compensation --suffix png "$ROCKET" pc/pp &&
    "$T" info --json pc/pp_files/0/0_0.png >j 2>/dev/null &&
    check "pyramid --output-profile: tiles carry it" [ "$(field j icc_space)" = rgb ]
t "pyramid: bad --colour" 2 "$T" pyramid --colour sRGB "$ROCKET" pc/bad &&
    check "pyramid: bad --colour is one error line" lines 1 err &&
    check "pyramid: bad --colour names it" has "tileproc: error: --colour must be srgb, keep or ignore, got 'sRGB'" err &&
    check "pyramid: bad --colour writes nothing" absent pc/bad.dzi
t "pyramid: --output-profile with keep" 2 "$T" pyramid --colour keep \
    --output-profile "$DATA/icc/Gray.icc" "$ROCKET" pc/bad
t "pyramid: bad --intent" 2 "$T" pyramid --intent vivid "$ROCKET" pc/bad
# --effort for WebP tiles: the one-tile pyramid's tile decodes to run's WebP at that effort;
# another effort gives other bytes; out of range is a usage error.
for e in 0 4; do
    t "pyramid --effort $e" 0 "$T" pyramid --suffix webp --effort $e --tile-size 1024 \
        --depth one "$ROCKET" pc/we$e && {
        wtile=$(find pc/we${e}_files -name '*.webp' | head -1)
        "$T" run --colour ignore "$wtile" pc/we$e-tile.png 2>/dev/null
        "$T" run --quality 75 --effort $e "$ROCKET" pc/we$e-run.webp 2>/dev/null
        "$T" run --colour ignore pc/we$e-run.webp pc/we$e-run.png 2>/dev/null
        check "pyramid --effort $e: the tile is run's WebP" cmp -s pc/we$e-tile.png pc/we$e-run.png
    }
done
check "pyramid --effort: 0 and 4 differ" differ "$(find pc/we0_files -name '*.webp' | head -1)" \
    "$(find pc/we4_files -name '*.webp' | head -1)"
t "pyramid: bad --effort" 2 "$T" pyramid --suffix webp --effort 7 "$ROCKET" pc/we7
# --page and --level: a pyramid of a TIFF's reduced level.
if "$T" run --tiled=64 --pyramid "$ROCKET" pc/in.tif 2>/dev/null; then
    t "pyramid --level 1" 0 "$T" pyramid --level 1 --depth one --suffix png pc/in.tif pc/lv &&
        check "pyramid --level 1: 320x214" has 'Width="320"' pc/lv.dzi &&
        check "pyramid --level 1: 320x214" has 'Height="214"' pc/lv.dzi
    t "pyramid --page past the last" 1 "$T" pyramid --page 1 pc/in.tif pc/pg &&
        check "pyramid --page: one error line naming the file" has "tileproc: error: pc/in.tif" err
fi

# --- progress and quiet ---------------------------------------------------------------------
t "quiet by default off a terminal" 0 "$T" run "$ROCKET" p.png gaussian:sigma=2 &&
    check "no progress when stderr is not a terminal" is_empty err
t "--progress" 0 "$T" run --progress "$ROCKET" p.png gaussian:sigma=2 && {
    check "--progress: percent" grep -q '100%' err
    check "--progress: megapixels per second" has "MP/s" err
    check "--progress: stdout untouched" is_empty out
}
t "--quiet --progress" 0 "$T" run --quiet --progress "$ROCKET" p.png gaussian:sigma=2 &&
    check "--quiet silences progress" is_empty err
t "-q" 0 "$T" run -q "$PNG8" p.png && check "-q: nothing" is_empty err
t "--quiet keeps errors" 1 "$T" run --quiet text.png p2.png && check "--quiet: error shown" \
    err_line "text.png"
if command -v script >/dev/null && script -qec true /dev/null >/dev/null 2>&1 </dev/null; then
    # On a terminal the bar shows once a run has lasted ~0.5 s; a slow chain makes sure.
    # The bar normally waits ~0.5 s; the test makes it appear at once instead of relying on
    # the run being slow enough.
    script -qec "TILEPROC_PROGRESS_DELAY_MS=0 '$T' run --threads 1 '$ROCKET' tty.png resize:scale=2 median:radius=3" \
        /dev/null >tty.txt 2>&1 </dev/null
    check "terminal: progress bar drawn" grep -q '%' tty.txt
    check "terminal: time left" grep -q 'left' tty.txt
    check "terminal: bar erased (carriage return)" grep -q $'\r' tty.txt
    check "terminal: output written" [ -s tty.png ]
    script -qec "'$T' run '$PNG8' - --format png; echo \"rc=\$?\"" /dev/null >tty2.txt 2>&1 </dev/null
    check "terminal: no image data on a terminal" grep -q 'rc=2' tty2.txt
    check "terminal: refusal says why" grep -q 'terminal' tty2.txt
else
    echo "skip: no 'script' to test the progress bar on a terminal"
fi

# --- stdin and stdout -----------------------------------------------------------------------
"$T" run "$ROCKET" file.png gaussian:sigma=2 2>/dev/null
t "stdin" 0 "$T" run - in.png gaussian:sigma=2 <"$ROCKET" &&
    check "stdin gives the same output" cmp -s in.png file.png
t "stdin pipe" 0 bash -c "cat '$ROCKET' | '$T' run - pipe.png gaussian:sigma=2" &&
    check "piped stdin gives the same output" cmp -s pipe.png file.png
t "stdout" 0 "$T" run --progress "$ROCKET" - --format png gaussian:sigma=2 && {
    check "stdout holds the image and nothing else" cmp -s out file.png
    check "stdout: progress went to stderr" has "%" err
}
t "stdin to stdout" 0 bash -c "'$T' run --format png - - gaussian:sigma=2 <'$ROCKET'" &&
    check "stdin to stdout" cmp -s out file.png
t "stdout needs --format" 2 "$T" run "$ROCKET" - && check "stdout: --format named" \
    usage_err "--format"
t "stdin not an image" 1 bash -c "echo hello | '$T' run - x.png" &&
    check "stdin error named" err_line "<stdin>: not a PNG, JPEG"
check "no output from a bad stdin" absent x.png
"$T" run "$ROCKET" - --format png >/dev/full 2>"$W/err"
rc=$?
if [ $rc = 1 ] && err_line "No space left"; then pass; else
    fail "write error on stdout: exit $rc"
    show_err
fi
"$T" run "$ROCKET" - --format jpeg >/dev/full 2>"$W/err"
rc=$?
if [ $rc = 1 ] && err_line "<stdout>"; then pass; else fail "jpeg to /dev/full: exit $rc"; fi

# --- errors, exit statuses, no partial output -----------------------------------------------
t "unknown filter" 2 "$T" run "$PNG8" e.png gausian &&
    check "unknown filter: did you mean" usage_err "unknown filter 'gausian' (did you mean 'gaussian'?)"
t "bad value" 2 "$T" run "$PNG8" e.png gaussian:sigma=-1 &&
    check "bad value: range" usage_err "gaussian: sigma must be in (0, 1000], got -1"
t "bad key" 2 "$T" run "$PNG8" e.png gaussian:sigmaa=1 && check "bad key named" usage_err "sigmaa"
t "missing required" 2 "$T" run "$PNG8" e.png convolve && check "required named" usage_err "matrix"
t "unknown option" 2 "$T" run --frobnicate "$PNG8" e.png && check "unknown option named" \
    usage_err "--frobnicate"
t "flag with value" 2 "$T" run --force=yes "$PNG8" e.png
t "option for another command" 2 "$T" run --json "$PNG8" e.png
t "missing OUTPUT" 2 "$T" run "$PNG8" && check "missing OUTPUT named" usage_err "OUTPUT"
check "no output after usage errors" absent e.png
t "crop outside the image" 1 "$T" run "$PNG8" e.png crop:x=0,y=0,width=64,height=8 &&
    check "filter/image error names the file" err_line "basn2c08.png"
check "no output after a filter error" absent e.png
t "missing input" 1 "$T" run nothere.png e.png && check "missing input named" err_line "nothere.png"
t "directory input" 1 "$T" run . e.png
t "text named .png" 1 "$T" run text.png e.png && check "text file named" \
    err_line "text.png: not a PNG, JPEG"
t "truncated PNG" 1 "$T" run "$TRUNC" e.png && check "truncated PNG named" \
    err_line "png_pillow_truncated_image.png"
check "no partial output" absent e.png
check "no temp files" no_temp .
# An existing target stays as it was when a run fails.
printf 'precious' >keep.png
before=$(sum keep.png)
t "failure keeps the target (bad input)" 1 "$T" run "$TRUNC" keep.png
check "target untouched (bad input)" [ "$(sum keep.png)" = "$before" ]
t "failure keeps the target (bad filter)" 1 "$T" run "$PNG8" keep.png crop:x=40,y=0,width=1,height=1
check "target untouched (bad filter)" [ "$(sum keep.png)" = "$before" ]
t "failure keeps the target (memory)" 1 "$T" run --memory-limit 64K "$ROCKET" keep.png
check "target untouched (memory)" [ "$(sum keep.png)" = "$before" ]
t "success replaces the target" 0 "$T" run "$PNG8" keep.png
check "target replaced" [ "$(sum keep.png)" != "$before" ]
# Unwritable places.
t "missing directory" 1 "$T" run "$PNG8" nodir/sub/e.png && check "missing directory named" \
    err_line "nodir/sub/e.png"
check "missing directory not created" absent nodir
printf 'x' >afile
t "file in place of a directory" 1 "$T" run "$PNG8" afile/e.png && check "afile named" \
    err_line "afile/e.png"
t "/proc" 1 "$T" run "$PNG8" /proc/tileproc-e.png
mkdir -p adir
t "directory as output" 1 "$T" run --format png "$PNG8" adir && check "directory output named" \
    err_line "adir: is a directory"
check "directory untouched" [ -d adir ]
# A full disk: a 64 KiB tmpfs cannot hold the photo as PNG.
MNT=$W/full
mkdir -p "$MNT"
if mount -t tmpfs -o size=64k tmpfs "$MNT" 2>/dev/null; then
    printf 'precious' >"$MNT/keep.png"
    t "full disk" 1 "$T" run "$ROCKET" "$MNT/big.png" &&
        check "full disk: one error" err_line "No space left on device"
    check "full disk: no partial file" absent "$MNT/big.png"
    t "full disk over a target" 1 "$T" run "$ROCKET" "$MNT/keep.png"
    check "full disk: target untouched" [ "$(cat "$MNT/keep.png")" = precious ]
    check "full disk: no temp files" [ "$(ls -A "$MNT")" = keep.png ]
    umount "$MNT" && MNT=""
else
    MNT=""
    echo "skip: cannot mount a tmpfs to test a full disk"
fi

# --- overwriting the input ------------------------------------------------------------------
cp "$PNG8" self.png
before=$(sum self.png)
t "refuse to overwrite the input" 1 "$T" run self.png self.png invert &&
    check "refusal names the file and --force" eval 'err_line self.png && has --force "$W/err"'
check "input untouched" [ "$(sum self.png)" = "$before" ]
t "refuse through another path" 1 "$T" run self.png ./././self.png invert
mkdir -p sub
t "refuse through a relative path" 1 "$T" run self.png sub/../self.png invert
ln -f self.png hard.png
t "refuse through a hard link" 1 "$T" run self.png hard.png invert
ln -sf self.png link.png
t "refuse through a symlink" 1 "$T" run link.png self.png invert
check "input still untouched" [ "$(sum self.png)" = "$before" ]
t "--force overwrites the input" 0 "$T" run --force self.png self.png invert
check "--force changed the input" [ "$(sum self.png)" != "$before" ]
"$T" run "$PNG8" inv.png invert 2>/dev/null
check "--force wrote the right pixels" "$REF" same self.png inv.png
t "-f" 0 "$T" run -f self.png self.png invert
check "twice inverted is the original" "$REF" same self.png "$PNG8"

# --- batch mode -----------------------------------------------------------------------------
mkdir -p batch in
cp "$PNG8" in/one.png
cp "$ROCKET" in/two.jpg
cp text.png in/bad.png
t "batch with a bad file" 1 "$T" run -o batch in/one.png in/bad.png in/two.jpg -- invert && {
    check "batch: error names the bad file" has "in/bad.png" err
    check "batch: one error line" [ "$(grep -c '^tileproc: error:' err)" = 1 ]
    check "batch: summary" has "1 of 3" err
}
check "batch: first output" [ -s batch/one.png ]
check "batch: output after the bad one" [ -s batch/two.jpg ]
check "batch: no output for the bad file" absent batch/bad.png
check "batch: no temp files" no_temp batch
check "batch: ext of the input" [ "$(magic batch/two.jpg | cut -c1-6)" = ffd8ff ]
"$T" run in/one.png single.png invert 2>/dev/null
check "batch output equals a single run" cmp -s batch/one.png single.png
t "batch --format" 0 "$T" run --format png --output-dir=batch in/one.png in/two.jpg -- \
    resize:scale=0.5 && check "batch --format png names" [ -s batch/two.png ]
check "batch --format png content" [ "$(magic batch/two.png)" = 89504e47 ]
t "batch without filters" 0 "$T" run -o batch in/one.png
t "batch progress" 0 "$T" run --progress -o batch in/one.png in/two.jpg -- gaussian &&
    check "batch progress: which file of how many" eval 'has "[1/2]" err && has "[2/2]" err'
t "batch missing dir" 1 "$T" run -o nodir in/one.png -- invert && check "batch dir named" \
    err_line nodir
t "batch dir is a file" 1 "$T" run -o afile in/one.png -- invert
t "batch filter without --" 2 "$T" run -o batch in/one.png invert && check "batch: hint --" \
    usage_err "after --"
t "batch no inputs" 2 "$T" run -o batch -- invert
t "batch stdin" 2 "$T" run -o batch - -- invert
t "batch to stdout" 2 "$T" run -o - in/one.png -- invert
mkdir -p in2
cp "$PNG16" in2/one.png
t "batch same output twice" 1 "$T" run -o batch in/one.png in2/one.png -- invert &&
    check "batch: clash named" has "in2/one.png" err
t "batch refuses the input" 1 "$T" run -o in in/one.png -- invert
check "batch: input untouched" cmp -s in/one.png "$PNG8"
t "batch bad filter is usage" 2 "$T" run -o batch in/one.png -- gausian
t "batch unknown ext" 1 "$T" run -o batch "$DATA/jpeg/testorig.ppm" in/one.png -- invert

# --- plugins --------------------------------------------------------------------------------
if [ -n "$PLUGIN" ] && [ -f "$PLUGIN" ]; then
    t "plugin filter unknown without the plugin" 2 "$T" run "$PNG8" pz.png posterize
    t "filters --plugin" 0 "$T" filters --plugin "$PLUGIN" && check "plugin filter listed" \
        grep -q '^posterize ' out
    t "filters NAME --plugin" 0 "$T" filters --plugin "$PLUGIN" posterize &&
        check "plugin parameters" grep -q '^  levels ' out
    if "$REF" run --plugin "$PLUGIN" "$ROCKET" ref.png posterize:levels=3 2>/dev/null; then
        t "run --plugin" 0 "$T" run --plugin "$PLUGIN" "$ROCKET" pz.png posterize:levels=3 &&
            check "plugin output equals the library's" cmp -s pz.png ref.png
    else
        fail "cli_ref with the plugin"
    fi
    t "TILEPROC_PLUGIN_PATH" 0 env TILEPROC_PLUGIN_PATH="/nonexistent/skipped::$PLUGIN" \
        "$T" filters && check "TILEPROC_PLUGIN_PATH: posterize listed" grep -q '^posterize ' out
    mkdir -p plugdir
    cp "$PLUGIN" plugdir/libposterize.so
    t "TILEPROC_PLUGIN_PATH directory" 0 env TILEPROC_PLUGIN_PATH="plugdir" "$T" run "$PNG8" \
        pz2.png posterize:levels=2
    t "TILEPROC_PLUGIN_PATH file and --plugin" 0 env TILEPROC_PLUGIN_PATH="$PLUGIN" "$T" run \
        --plugin "$PLUGIN" "$PNG8" pz3.png posterize
    t "help lists plugin filters" 0 env TILEPROC_PLUGIN_PATH="$PLUGIN" "$T" --help &&
        check "help: posterize" grep -q '^  posterize ' out
    t "bad plugin" 1 "$T" run --plugin ./nothere.so "$PNG8" pz4.png && check "bad plugin named" \
        err_line "nothere.so"
    t "not a plugin" 1 "$T" run --plugin text.png "$PNG8" pz4.png
    check "no output after plugin errors" absent pz4.png
else
    echo "skip: no plugin given"
fi

# --- streaming --------------------------------------------------------------------------------
# tall.png is 160x2400 RGB: 1.1 MiB decoded, over a 1 MiB --memory-limit (and over half of it),
# while a strip of it is small, so only a streamed run fits that limit. strip.png (120x700, a
# dozen strips of rows) keeps the comparisons quick.
"$T" run "$ROCKET" tall.png resize:width=160,height=2400 2>/dev/null
"$T" run "$ROCKET" strip.png resize:width=120,height=700 2>/dev/null
check "streaming: tall.png made" [ -s tall.png ]
check "streaming: strip.png made" [ -s strip.png ]
# same_streamed NAME [OPTS...] -- INPUT [FILTERS...]: --stream equals --no-stream, byte for byte.
same_streamed() {
    local name=$1
    shift
    local opts=()
    while [ "$1" != "--" ]; do
        opts+=("$1")
        shift
    done
    shift
    local input=$1
    shift
    rm -f st.png nst.png
    t "$name (--no-stream)" 0 "$T" run --no-stream "${opts[@]}" "$input" nst.png "$@" || return
    t "$name (--stream)" 0 "$T" run --stream "${opts[@]}" "$input" st.png "$@" &&
        check "$name: streamed output equals in-memory" cmp -s st.png nst.png
}
same_streamed "stream gaussian" -- strip.png gaussian:sigma=2
same_streamed "stream point filters" -- strip.png invert grayscale levels:in_black=0.1
same_streamed "stream box resize" -- strip.png box:radius=3 resize:scale=0.5
same_streamed "stream median sharpen" -- strip.png median:radius=2 sharpen:amount=1.5
same_streamed "stream crop blur" -- strip.png crop:x=10,y=100,width=100,height=560 gaussian:sigma=1.5
same_streamed "stream mirror sobel" -- strip.png flip:axis=horizontal sobel
same_streamed "stream upscale" -- strip.png resize:scale=1.7,kernel=lanczos3
same_streamed "stream tiles and threads" --tile 37x5 --threads 3 -- strip.png gaussian:sigma=3 \
    resize:scale=0.6
same_streamed "stream border" --border constant:200 -- strip.png box:radius=4
same_streamed "stream 16-bit" -- "$PNG16" gaussian:sigma=1.5 contrast:amount=1.2
same_streamed "stream rgba" -- "$PNGA" gaussian:sigma=3
same_streamed "stream jpeg input" -- "$ROCKET" gaussian:sigma=2 resize:scale=0.5
# Chains and inputs that cannot stream fall back to the whole input, with the same result.
same_streamed "stream fallback rotate" -- strip.png rotate:angle=90
same_streamed "stream fallback flip" -- strip.png gaussian flip:axis=vertical
same_streamed "stream fallback interlaced" -- "$PNGI" gaussian
same_streamed "stream fallback EXIF orientation" -- "$EXIF6" resize:scale=0.1
t "--stream jpeg to jpeg" 0 "$T" run --stream "$EXIF6" so.jpg resize:scale=0.1 &&
    "$T" info --json so.jpg >j 2>/dev/null && {
    check "streamed: upright 180x120" [ "$(field j width)x$(field j height)" = 180x120 ]
    check "streamed: EXIF kept" [ "$(field j exif)" = True ]
    check "streamed: EXIF orientation reset" [ "$(field j orientation)" = 1 ]
}
t "--stream keeps ICC" 0 "$T" run --stream --colour keep "$ROCKET" si.jpg invert &&
    "$T" info --json si.jpg \
    >j 2>/dev/null && check "streamed: ICC kept" [ "$(field j icc)" = True ]
t "--stream and --no-stream" 2 "$T" run --stream --no-stream tall.png x.png &&
    check "--stream --no-stream: both named" usage_err "--no-stream"
check "no output after a usage error" absent x.png

# --memory-limit: a chain that needs the whole image fails before any work (no progress shown);
# a chain that streams runs, streamed because the image is over half the limit.
"$T" run --no-stream tall.png rot.png rotate:angle=90 2>/dev/null
"$T" run --no-stream tall.png gau.png gaussian:sigma=2 2>/dev/null
printf 'precious' >keep.png
before=$(sum keep.png)
t "rotate over --memory-limit" 1 "$T" run --progress --memory-limit 1M tall.png keep.png \
    rotate:angle=90 && {
    check "whole image: one error line, before any progress" err_line "needs the whole image"
    check "whole image: names the file, the filter and the option" \
        grep -q '^tileproc: error: tall.png: rotate:angle=90[^ ]* needs the whole image (.*) but --memory-limit is ' err
}
check "whole image: target untouched" [ "$(sum keep.png)" = "$before" ]
t "--stream rotate over --memory-limit" 1 "$T" run --stream --memory-limit 1M tall.png new.png \
    rotate:angle=90 && check "--stream: same error" err_line "needs the whole image"
check "whole image: no output" absent new.png
t "stdin rotate over --memory-limit" 1 bash -c "cat tall.png | '$T' run --memory-limit 1M - new.png rotate:angle=90" &&
    check "stdin: error names <stdin>" err_line "<stdin>: rotate:angle=90"
check "whole image: no output from stdin" absent new.png
check "whole image: no temp files" no_temp .
t "rotate within the default limit" 0 "$T" run tall.png rot2.png rotate:angle=90 &&
    check "rotate in memory: same output" cmp -s rot2.png rot.png
# A tiled TIFF is read in any order: a vertical flip reads its tiles from the bottom up instead
# of holding the image, so it runs under a limit the image does not fit (a strip TIFF cannot).
"$T" run tall.png tall-tiles.tif --tiled=16x16 2>/dev/null
"$T" run tall.png tall-strips.tif 2>/dev/null
"$T" run --no-stream tall.png flip.png flip:axis=vertical 2>/dev/null
t "tiled TIFF flip under --memory-limit" 0 "$T" run --memory-limit 1M tall-tiles.tif flipt.png \
    flip:axis=vertical && check "tiled TIFF flip: same output" cmp -s flipt.png flip.png
t "strip TIFF flip over --memory-limit" 1 "$T" run --memory-limit 1M tall-strips.tif flips.png \
    flip:axis=vertical && check "strip TIFF flip: holds the image" err_line "needs the whole image"
t "tiled TIFF rotate" 0 "$T" run tall-tiles.tif rott.png rotate:angle=90 &&
    check "tiled TIFF rotate: same output" cmp -s rott.png rot.png
t "gaussian within --memory-limit" 0 "$T" run --progress --memory-limit 1M tall.png lim.png \
    gaussian:sigma=2 && {
    check "memory limit: streamed automatically" has "rows 2400/2400" err
    check "memory limit: same output" cmp -s lim.png gau.png
}
t "gaussian --no-stream over --memory-limit" 1 "$T" run --no-stream --memory-limit 1M tall.png \
    lim2.png gaussian:sigma=2 && check "in memory: the limit named" has "--memory-limit" err
check "in memory over the limit: no output" absent lim2.png

# Progress counts rows in streamed runs only.
t "--progress streamed" 0 "$T" run --stream --progress tall.png p.png gaussian:sigma=2 && {
    check "streamed progress: rows" grep -qE '^rows [0-9]+/2400 ' err
    check "streamed progress: all rows at the end" grep -qE '^rows 2400/2400 +100%.*done in' err
}
t "--progress by default" 0 "$T" run --progress tall.png p.png gaussian:sigma=2 &&
    check "a streamable chain streams by default: rows" grep -qE '^rows 2400/2400 +100%' err
t "--progress in memory" 0 "$T" run --no-stream --progress tall.png p.png gaussian:sigma=2 &&
    check "--no-stream: in memory, no rows" eval 'lacks "rows" "$W/err" && has "100%" "$W/err"'

# Standard input and output.
t "--stream stdin to stdout" 0 bash -c "'$T' run --stream --format png - - gaussian:sigma=2 <tall.png" &&
    check "--stream stdin to stdout: same output" cmp -s out gau.png
t "--stream piped stdin" 0 bash -c "cat tall.png | '$T' run --stream - sp.png gaussian:sigma=2" &&
    check "--stream piped stdin: same output" cmp -s sp.png gau.png
t "auto-streamed piped stdin" 0 bash -c "cat tall.png | '$T' run --memory-limit 1M --progress - sp2.png gaussian:sigma=2" && {
    check "piped stdin: streamed" has "rows 2400/2400" err
    check "piped stdin: same output" cmp -s sp2.png gau.png
}
t "piped stdin, rotate in memory" 0 bash -c "cat tall.png | '$T' run - sp3.png rotate:angle=90" &&
    check "piped stdin in memory: same output" cmp -s sp3.png rot.png
"$T" run --stream tall.png - --format png gaussian >/dev/full 2>"$W/err"
rc=$?
if [ $rc = 1 ] && err_line "<stdout>"; then pass; else
    fail "--stream to /dev/full: exit $rc, expected 1"
    show_err
fi

# --shrink-on-load: DCT-scaled JPEG decoding, same size, close to (not equal to) the full path.
t "--shrink-on-load" 0 "$T" run --shrink-on-load "$ROCKET" shr.png resize:scale=0.25 &&
    "$T" run --no-stream "$ROCKET" full.png resize:scale=0.25 2>/dev/null &&
    "$T" info --json shr.png >j 2>/dev/null && {
    check "--shrink-on-load: 160x107" [ "$(field j width)x$(field j height)" = 160x107 ]
    check "--shrink-on-load: decoded smaller, so not the full result" differ shr.png full.png
}
t "--shrink-on-load jpeg" 0 "$T" run --stream --shrink-on-load --colour keep "$ROCKET" shr.jpg \
    resize:scale=0.25 && "$T" info --json shr.jpg >j 2>/dev/null && {
    check "--shrink-on-load jpeg: 160x107" [ "$(field j width)x$(field j height)" = 160x107 ]
    check "--shrink-on-load jpeg: ICC kept" [ "$(field j icc)" = True ]
}
t "--shrink-on-load, no resize first" 0 "$T" run --shrink-on-load "$ROCKET" shr2.png invert \
    resize:scale=0.25 && "$T" run "$ROCKET" full2.png invert resize:scale=0.25 2>/dev/null &&
    check "--shrink-on-load without a leading resize: no change" cmp -s shr2.png full2.png
t "--shrink-on-load --no-stream" 2 "$T" run --shrink-on-load --no-stream "$ROCKET" x.png \
    resize:scale=0.25 && check "--shrink-on-load --no-stream: usage" usage_err "--shrink-on-load"

# samples/chunked: a generated image streamed through a callback source into a JPEG sink.
if [ -x "$CHUNKED" ]; then
    t "sample chunked" 0 "$CHUNKED" chunked.jpg 200 3000 && {
        check "chunked: reports the peak" has "peak memory" out
        "$T" info --json chunked.jpg >j 2>/dev/null
        check "chunked: 100x1500 JPEG" [ "$(field j width)x$(field j height)" = 100x1500 ]
    }
    t "sample chunked, bad output" 1 "$CHUNKED" chunked.gif 300 500 &&
        check "chunked: error, no file" absent chunked.gif
else
    echo "skip: no samples/chunked"
fi

# samples/region: a region of a tiled pyramidal TIFF equals the tool's crop of it; the overview
# is the pyramid level it names.
REGION=$(dirname "$CHUNKED")/region
if [ -x "$REGION" ]; then
    "$T" run --tiled --pyramid "$ROCKET" reg.tif resize:scale=4 2>/dev/null
    t "sample region" 0 "$REGION" reg.tif reg.png 1001 603 300 200 && {
        check "region: reports the peak" has "peak memory" out
        "$T" run reg.tif regcrop.png crop:x=1001,y=603,width=300,height=200 2>/dev/null
        check "region: the crop's bytes" cmp -s reg.png regcrop.png
        "$T" run --level 3 reg.tif reglevel.png 2>/dev/null
        check "region: the overview is level 3" cmp -s reg-overview.png reglevel.png
    }
    t "sample region, outside" 1 "$REGION" reg.tif reg2.png 2500 0 100 100 &&
        check "region: error, no file" absent reg2.png
else
    echo "skip: no samples/region"
fi

# --- interruption ---------------------------------------------------------------------------
# interrupt NAME [OPTS...]: a long run (tens of seconds) interrupted as soon as its progress
# shows it working exits 130 with one error line and leaves no output or temp file.
interrupt() {
    local name=$1
    shift
    mkdir -p int
    "$T" run --threads 1 --progress "$@" "$ROCKET" int/out.png resize:scale=8 median:radius=3 \
        median:radius=3 median:radius=3 2>"$W/err" &
    local pid=$!
    for _ in $(seq 200); do
        grep -q '%' "$W/err" 2>/dev/null && break
        sleep 0.05
    done
    kill -TERM "$pid" 2>/dev/null
    wait "$pid"
    local rc=$?
    # With --progress, stderr holds progress lines too; the error is the one line after them.
    if [ $rc = 130 ] && [ "$(grep -c '^tileproc: error: ' "$W/err")" = 1 ] &&
        tail -n 1 "$W/err" | grep -q '^tileproc: error: .*interrupted'; then pass; else
        fail "$name: exit $rc, expected 130"
        show_err
    fi
    check "$name: no output or temp file" [ -z "$(ls -A int)" ]
}
interrupt "SIGTERM"
interrupt "SIGTERM --stream" --stream

echo "cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
