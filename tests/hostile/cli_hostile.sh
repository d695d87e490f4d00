#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cli_hostile.sh: the tileproc tool against hostile input, run by CTest as "cli_hostile".
#
#   bash cli_hostile.sh TILEPROC DATA_DIR [SAMPLES_DIR]
#
# Broken files are made here from the real images in tests/data and samples/ (a seeded
# generator, so a failure reproduces): truncations, bit flips, IHDR/SOF sizes patched to zero or
# absurd values (CRCs recomputed), a 64 MiB zTXt bomb, empty files, text behind an image
# extension, directories and unreadable files. `info` and `run` must exit 0 or 1 (never a
# signal, 2 or anything else), print one error line naming the file on failure, and leave no
# output or temporary file behind and an existing target untouched. Absurd parameters are
# refused with their range (exit 2) or fail fast on the memory limit (exit 1), and a batch of a
# few hundred good and bad files reports every bad one and writes every good one.
# TILEPROC may be a wrapper script (scripts/memcheck.sh passes one that runs valgrind).
set -u

T=$(realpath "$1")
DATA=$(realpath "$2")
SAMPLES=$(realpath "${3:-$DATA/../../samples}")
# Fewer variants when the tool is slow to start (valgrind): HOSTILE_SCALE=1..4 (default 3) makes
# fewer, HOSTILE_STRIDE=N runs info/run on every Nth of them only (default 1).
SCALE=${HOSTILE_SCALE:-3}
STRIDE=${HOSTILE_STRIDE:-1}
# Every command's hang guard (no speed check: a command stopped by it fails by its exit status,
# 130 after SIGINT); memcheck.sh gives valgrind more.
LIMIT_S=${HOSTILE_TIMEOUT:-60}

# In a sanitizer build, a leak or an error must not pass for an expected exit status of 1.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=86"

W=$(mktemp -d "${TMPDIR:-/tmp}/tileproc-hostile.XXXXXX")
trap 'chmod -R u+rwx "$W" 2>/dev/null; rm -rf "$W"' EXIT
cd "$W" || exit 1

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    echo "FAIL: $*"
}
show_err() { [ -s "$W/err" ] && sed 's/^/    stderr: /' "$W/err" | head -5; }
# A sanitizer or valgrind report in stderr.
reported() { grep -qE 'Sanitizer|runtime error:|^==[0-9]+== [A-Z]' "$W/err"; }
# One error line, "tileproc: error: ", naming $1.
err_line() {
    [ "$(wc -l <"$W/err")" -eq 1 ] && grep -q '^tileproc: error: ' "$W/err" &&
        grep -qF -- "$1" "$W/err"
}
no_temp() { ! ls -A "$1" | grep -q '\.tmp-'; }

# --- the variants -----------------------------------------------------------------------------
mkdir -p v
python3 - "$DATA" "$SAMPLES" v "$SCALE" <<'EOF' || { echo "FAIL: cannot generate variants"; exit 1; }
import os, random, struct, sys, zlib
data, samples, out, scale = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
rng = random.Random(20240611)
def read(p): return open(p, "rb").read()
def write(name, b):
    with open(os.path.join(out, name), "wb") as f: f.write(b)
def chunks(png):
    off, res = 8, []
    while off + 12 <= len(png):
        n = struct.unpack(">I", png[off:off + 4])[0]
        res.append((off, n)); off += 12 + n
    return res
def fix_crc(b, off):
    n = struct.unpack(">I", b[off:off + 4])[0]
    if off + 12 + n <= len(b):
        b[off + 8 + n:off + 12 + n] = struct.pack(">I", zlib.crc32(bytes(b[off + 4:off + 8 + n])))
def chunk(t, payload):
    c = t + payload
    return struct.pack(">I", len(payload)) + c + struct.pack(">I", zlib.crc32(c))
png = read(os.path.join(data, "pngsuite/basn2c08.png"))
pngi = read(os.path.join(data, "pngsuite/basi3p08.png"))
jpg = read(os.path.join(data, "jpeg/testorig.jpg"))
rocket = read(os.path.join(samples, "rocket.jpg"))
# Truncations: spread over each file (every position of the 145-byte PNG at full scale).
for n in range(0, len(png), max(1, 4 // scale)):
    write("trunc_png_%04d.png" % n, png[:n])
for n in sorted(rng.sample(range(len(jpg)), 20 * scale)):
    write("trunc_jpg_%05d.jpg" % n, jpg[:n])
for n in sorted(rng.sample(range(len(rocket)), 5 * scale)):
    write("trunc_rocket_%06d.jpg" % n, rocket[:n])
# Bit flips, PNG with the damaged chunk's CRC recomputed so the decoder sees the damage.
for name, src, ext, fix in (("flip_png", png, ".png", True), ("flip_pngi", pngi, ".png", True),
                            ("flip_jpg", jpg, ".jpg", False), ("flip_rocket", rocket, ".jpg", False)):
    for i in range(8 * scale):
        b = bytearray(src)
        span = 1024 if len(b) > 1024 and rng.random() < 0.5 else len(b)
        for _ in range(rng.randint(1, 6)):
            pos = rng.randrange(span); b[pos] ^= 1 << rng.randrange(8)
            if fix:
                for off, n in chunks(b):
                    if off <= pos < off + 12 + n: fix_crc(b, off); break
        write("%s_%03d%s" % (name, i, ext), bytes(b))
# Absurd and zero sizes.
for w, h in ((0, 32), (32, 0), (0, 0), (65535, 65535), (1000000, 1000000), (0x7fffffff, 1),
             (0xffffffff, 0xffffffff), (100000, 100000), (1, 1)):
    b = bytearray(png); b[16:24] = struct.pack(">II", w, h); fix_crc(b, 8)
    write("ihdr_%dx%d.png" % (w, h), bytes(b))
sof = 2
while not (jpg[sof + 1] in range(0xc0, 0xd0) and jpg[sof + 1] not in (0xc4, 0xc8, 0xcc)):
    sof += 2 + struct.unpack(">H", jpg[sof + 2:sof + 4])[0]
for w, h in ((0, 149), (227, 0), (0, 0), (65535, 65535), (20000, 20000), (1, 1)):
    b = bytearray(jpg); b[sof + 5:sof + 9] = struct.pack(">HH", h, w)
    write("sof_%dx%d.jpg" % (w, h), bytes(b))
# A zTXt chunk inflating to 64 MiB, and an iCCP one.
bomb = zlib.compress(b"A" * (64 << 20), 9)
write("ztxt_bomb.png", png[:33] + chunk(b"zTXt", b"Comment\0\0" + bomb) + png[33:])
write("iccp_bomb.png", png[:33] + chunk(b"iCCP", b"icc\0\0" + bomb) + png[33:])
# Not images.
write("empty.png", b""); write("empty.jpg", b"")
write("text.png", b"hello, world\n"); write("text.jpg", b"hello, world\n")
write("gif.png", b"GIF89a\1\0\1\0\0\0\0;"); write("sig_only.png", png[:8])
write("soi_only.jpg", b"\xff\xd8"); write("png_as.jpg", png); write("jpg_as.png", jpg)
EOF
mkdir -p v/dir.png
variants=(v/*)
echo "cli_hostile: ${#variants[@]} variants"

# --- info and run on every variant ------------------------------------------------------------
mkdir -p out
n=0
for f in "${variants[@]}"; do
    n=$((n + 1))
    [ $((n % STRIDE)) = 0 ] || continue
    base=$(basename "$f")
    # A few KiB must not keep the tool busy: more than HOSTILE_TIMEOUT seconds is a failure.
    timeout -k 5 -s INT "$LIMIT_S" "$T" info "$f" >out.txt 2>"$W/err"
    rc=$?
    if reported; then
        fail "info $base: sanitizer/valgrind report"
        show_err
    elif [ $rc = 0 ]; then
        pass
    elif [ $rc = 1 ] && err_line "$f"; then
        pass
    else
        fail "info $base: exit $rc, expected 0 or 1 with one error line naming the file"
        show_err
    fi
    target=out/$base.png
    # Every third variant runs over an existing target, which a failure must leave alone.
    [ $((n % 3)) = 0 ] && printf 'precious' >"$target"
    timeout -k 5 -s INT "$LIMIT_S" "$T" run "$f" "$target" invert >out.txt 2>"$W/err"
    rc=$?
    if reported; then
        fail "run $base: sanitizer/valgrind report"
        show_err
    elif [ $rc = 0 ]; then
        if [ -s "$target" ] && [ "$(head -c 8 "$target" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
            pass
        else
            fail "run $base: exit 0 but no PNG written"
        fi
    elif [ $rc = 1 ] && err_line "$f"; then
        if [ $((n % 3)) = 0 ]; then
            if [ "$(cat "$target")" = precious ]; then pass; else fail "run $base: target changed"; fi
        elif [ -e "$target" ]; then
            fail "run $base: output left after a failure"
        else
            pass
        fi
    else
        fail "run $base: exit $rc, expected 0 or 1 with one error line naming the file"
        show_err
    fi
    # A run stopped by the timeout could not clean up; finished ones are checked below.
    [ $rc -ge 124 ] && rm -f "out/.$base.png.tmp-"*
    rm -f "$target"
done
if no_temp out; then pass; else fail "temporary files left in out/"; fi
if [ -z "$(ls -A out)" ]; then pass; else fail "files left in out/: $(ls out | head -3)"; fi

# Truncated PNGs and empty or non-image files must fail (not just not crash).
for f in v/trunc_png_* v/empty.* v/text.* v/gif.png v/sig_only.png v/soi_only.jpg v/ihdr_0x* \
    v/ihdr_32x0.png v/ihdr_1000000x1000000.png v/sof_0x* v/sof_227x0.jpg v/dir.png; do
    "$T" run "$f" out/x.png >/dev/null 2>"$W/err"
    rc=$?
    if [ $rc = 1 ] && err_line "$f"; then pass; else
        fail "run $(basename "$f"): exit $rc, expected 1"
        show_err
    fi
done
rm -f out/x.png
# The wrong extension with the right magic works: the magic decides.
for f in v/png_as.jpg v/jpg_as.png; do
    "$T" run "$f" out/ok.png >/dev/null 2>"$W/err"
    rc=$?
    if [ $rc = 0 ] && [ -s out/ok.png ]; then pass; else fail "run $(basename "$f"): exit $rc"; fi
done
rm -f out/ok.png
# An unreadable file: /proc/self/mem opens but cannot be read at offset 0 (even for root).
"$T" run /proc/self/mem out/mem.png >/dev/null 2>"$W/err"
rc=$?
if [ $rc = 1 ] && err_line /proc/self/mem; then pass; else fail "unreadable input: exit $rc"; show_err; fi
if [ "$(id -u)" != 0 ]; then
    cp "$DATA/pngsuite/basn2c08.png" locked.png && chmod 000 locked.png
    "$T" run locked.png out/locked.png >/dev/null 2>"$W/err"
    rc=$?
    if [ $rc = 1 ] && err_line locked.png; then pass; else fail "mode 000 input: exit $rc"; fi
fi

# --- absurd parameters ------------------------------------------------------------------------
SMALL=$DATA/pngsuite/basn2c08.png
# usage NAME WANT ARGS...: exit 2, one error line containing WANT, nothing written.
usage() {
    local name=$1 want=$2
    shift 2
    "$T" "$@" >/dev/null 2>"$W/err"
    local rc=$?
    if [ $rc = 2 ] && [ "$(grep -c '^tileproc: error: ' "$W/err")" = 1 ] && grep -qF -- "$want" "$W/err" &&
        [ ! -e out/p.png ]; then
        pass
    else
        fail "$name: exit $rc, expected 2 naming '$want'"
        show_err
    fi
}
usage "sigma=1e9" "(0, 1000]" run "$SMALL" out/p.png gaussian:sigma=1e9
usage "sigma=nan" "(0, 1000]" run "$SMALL" out/p.png gaussian:sigma=nan
usage "sigma=inf" "(0, 1000]" run "$SMALL" out/p.png gaussian:sigma=inf
usage "radius=-3" "[1, 1000]" run "$SMALL" out/p.png box:radius=-3
usage "median radius=100" "[1, 3]" run "$SMALL" out/p.png median:radius=100
usage "resize width=1e9" "[1, 1000000]" run "$SMALL" out/p.png resize:width=1000000000
usage "resize scale=1e9" "(0, 100]" run "$SMALL" out/p.png resize:scale=1e9
usage "tile 0x0" "1-65536" run --tile 0x0 "$SMALL" out/p.png
usage "tile 1e9" "1-65536" run --tile 1000000000 "$SMALL" out/p.png
usage "threads 100000" "1-256" run --threads 100000 "$SMALL" out/p.png
usage "threads nan" "1-256" run --threads nan "$SMALL" out/p.png
usage "quality nan" "1-100" run --quality nan "$SMALL" out/p.jpg
# In range, but the output would be 1e12 pixels: a limit error at once, nothing allocated, not
# hours of streaming a terapixel file (which the hang guard would stop with SIGINT: exit 130).
for spec in resize:width=1000000,height=1000000 resize:width=1000000 "resize:scale=100 resize:scale=100"; do
    # shellcheck disable=SC2086
    timeout -k 5 -s INT "$LIMIT_S" "$T" run "$SMALL" out/p.png $spec >/dev/null 2>"$W/err"
    rc=$?
    if [ $rc = 1 ] && err_line basn2c08.png && grep -qi 'limit' "$W/err" && [ ! -e out/p.png ]; then
        pass
    else
        fail "$spec: exit $rc, expected 1 with a limit error"
        show_err
    fi
    # (A run killed by the timeout cannot clean up: only a finished one is held to it.)
    if [ $rc != 1 ] || no_temp out; then pass; else fail "$spec: temporary file left"; fi
    rm -f out/p.png out/.p.png.tmp-*
done
timeout -k 5 -s INT "$LIMIT_S" "$T" run --memory-limit 1M "$SMALL" out/p.png resize:width=5000,height=5000 >/dev/null 2>"$W/err"
rc=$?
if [ $rc = 1 ] && grep -q 'limit' "$W/err" && [ ! -e out/p.png ]; then pass; else
    fail "--memory-limit 1M with a 75 MB output: exit $rc"
    show_err
fi
# Big kernels on a small image finish (the timeout only catches a hang). Billions of
# multiply-adds: HOSTILE_HEAVY=0 (memcheck.sh, under valgrind) leaves it to the ASan run.
if [ "${HOSTILE_HEAVY:-1}" = 1 ]; then
    timeout -k 5 -s INT "$LIMIT_S" "$T" run "$SMALL" out/p.png gaussian:sigma=1000 box:radius=1000 >/dev/null 2>"$W/err"
    rc=$?
    if [ $rc = 0 ] || [ $rc = 1 ]; then pass; else fail "sigma 1000 chain: exit $rc"; show_err; fi
    rm -f out/p.png out/.p.png.tmp-*
fi

# A 4.8 KiB JPEG declaring 64250x64250: it must end quickly, not stream gigapixels of made-up
# rows for minutes (its lenient decode is bounded by pixels per byte of file; the hang guard's
# SIGINT would make it exit 130).
LOTTA=$DATA/bad/jpg_fuzzdb_lottapixel.jpg
if [ -f "$LOTTA" ]; then
    timeout -k 5 -s INT "$LIMIT_S" "$T" run "$LOTTA" out/lotta.png >/dev/null 2>"$W/err"
    rc=$?
    if [ $rc = 1 ] && err_line jpg_fuzzdb_lottapixel.jpg; then pass; else
        fail "lottapixel (64250x64250 in 4856 bytes): exit $rc, expected a quick exit 1"
        show_err
    fi
    if [ $rc != 1 ] || { [ ! -e out/lotta.png ] && no_temp out; }; then pass; else
        fail "lottapixel: output left"
    fi
    rm -f out/lotta.png out/.lotta.png.tmp-*
fi

# --- batch: a few hundred files, good and bad ---------------------------------------------------
mkdir -p batch/in batch/out
python3 - "$DATA" batch/in "$SCALE" <<'EOF'
import os, random, sys
data, out, scale = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(7)
good = [open(os.path.join(data, p), "rb").read() for p in
        ("pngsuite/basn2c08.png", "pngsuite/basn6a08.png", "pngsuite/basn0g16.png")]
jpg = open(os.path.join(data, "jpeg/testorig.jpg"), "rb").read()
for i in range(75 * scale):
    kind = rng.randrange(10)
    if kind < 5:
        name, b = "good_%03d.png" % i, rng.choice(good)
    elif kind == 5:
        name, b = "good_%03d.jpg" % i, jpg
    elif kind == 6:
        src = rng.choice(good); name, b = "bad_%03d.png" % i, src[:rng.randrange(len(src))]
    elif kind == 7:
        name, b = "bad_%03d.png" % i, b"not an image %d\n" % i
    elif kind == 8:
        name, b = "bad_%03d.jpg" % i, b""
    else:
        name, b = "bad_%03d.jpg" % i, jpg[:rng.randrange(2, 300)]
    open(os.path.join(out, name), "wb").write(b)
EOF
inputs=(batch/in/*)
bad=(batch/in/bad_*)
good=(batch/in/good_*)
"$T" run -o batch/out "${inputs[@]}" -- invert >/dev/null 2>"$W/err"
rc=$?
if reported; then fail "batch: sanitizer/valgrind report"; show_err; fi
if [ $rc = 1 ]; then pass; else fail "batch of ${#inputs[@]}: exit $rc, expected 1"; show_err; fi
errors=$(grep -c '^tileproc: error: ' "$W/err")
if [ "$errors" = "${#bad[@]}" ]; then pass; else
    fail "batch: $errors error lines for ${#bad[@]} bad files"
fi
missing=0
for f in "${bad[@]}"; do
    grep -qF "error: $f:" "$W/err" || missing=$((missing + 1))
    b=$(basename "$f")
    [ -e "batch/out/${b%.*}.${b##*.}" ] && missing=$((missing + 1))
done
if [ $missing = 0 ]; then pass; else fail "batch: $missing bad files not reported or with output"; fi
written=0
for f in "${good[@]}"; do
    b=$(basename "$f")
    [ -s "batch/out/$b" ] && written=$((written + 1))
done
if [ $written = ${#good[@]} ]; then pass; else fail "batch: $written of ${#good[@]} good outputs"; fi
if grep -qF "${#bad[@]} of ${#inputs[@]} files failed" "$W/err"; then pass; else
    fail "batch: no '${#bad[@]} of ${#inputs[@]} files failed' summary"
fi
if no_temp batch/out; then pass; else fail "batch: temporary files left"; fi
echo "cli_hostile: batch of ${#inputs[@]} files (${#bad[@]} bad)"

echo "cli_hostile: $passed passed, $failed failed"
[ "$failed" = 0 ]
