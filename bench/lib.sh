# shellcheck shell=bash
# bench/lib.sh: what every benchmark script shares, sourced after `set -euo pipefail`:
# the Release build of the CLI (and any bench programs), the big test photos, and one way of
# timing a command (wall time and peak RSS from /usr/bin/time, the figures bench/RESULTS.md
# gives). Sourcing it moves to the repository's root and sets work=bench/work.

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit
work=bench/work
mkdir -p "$work"

# bench_build [TARGET...]: a Release build in build-bench of tileproc_cli and the targets
# named (bench programs turn TILEPROC_BUILD_BENCH on); sets T to the CLI.
bench_build() {
    local bench=OFF
    [ $# -gt 0 ] && bench=ON
    cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DTILEPROC_BUILD_TESTS=OFF \
        -DTILEPROC_BUILD_BENCH=$bench >/dev/null
    cmake --build build-bench -j2 --target tileproc_cli "$@" >/dev/null
    T=$PWD/build-bench/tileproc
}

# tiled_photo MP: the path of a ~MP-megapixel square JPEG (Q90) made by tiling the sample photo
# with vips (mirrored copies, so edges meet); made once into bench/work, never committed.
# The 900 MP one takes a few minutes and ~300 MB of disk.
tiled_photo() {
    local mp=$1 side across down img
    img=$work/tiled-${mp}mp.jpg
    if [ ! -s "$img" ]; then
        side=$(echo "sqrt($mp * 1000000)" | bc)
        across=$(((side + 639) / 640)) down=$(((side + 426) / 427))
        vips replicate samples/rocket.jpg "$work/rep.v" "$across" "$down" >&2
        vips crop "$work/rep.v" "${img}[Q=90]" 0 0 "$side" "$side" >&2
        rm -f "$work/rep.v"
    fi
    echo "$img"
}

# timed CMD...: runs the command (output discarded) and sets t (wall s), cpu (user + system s:
# the figure to trust on a shared machine) and rss (peak MB).
timed() {
    local user sys kb
    /usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" "$@" >/dev/null
    read -r t user sys kb <"$work/time.txt"
    cpu=$(echo "$user + $sys" | bc -l)
    rss=$(echo "$kb / 1024" | bc -l)
}

# measure LABEL CMD...: one table row "| LABEL | wall (s) | peak RSS (MB) |"
# (MEASURE_DIGITS decimals of seconds, default 2).
measure() {
    local label=$1
    shift
    timed "$@"
    printf "| %s | %.${MEASURE_DIGITS:-2}f | %.0f |\n" "$label" "$t" "$rss"
}

# best_of REPEATS CMD...: prints "seconds KB" of the fastest of REPEATS runs and that run's
# peak RSS; a failing command ends the script with its error output.
best_of() {
    local repeats=$1 best=999 kb=0 s r
    shift
    for _ in $(seq "$repeats"); do
        /usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" ||
            { echo "failed: $*" >&2; cat "$work/err.txt" >&2; exit 1; }
        read -r s r <"$work/time.txt"
        if (($(echo "$s < $best" | bc -l))); then best=$s; kb=$r; fi
    done
    echo "$best $kb"
}

# ratio_row TASK TOOL "SECONDS KB" "VIPS_SECONDS VIPS_KB": a row of the tables that compare
# against vips: "| TASK | TOOL | wall (s) | peak RSS (MB) | time / vips | RSS / vips |".
ratio_row() {
    local s kb vs vkb
    read -r s kb <<<"$3"
    read -r vs vkb <<<"$4"
    printf '| %s | %s | %.3f | %.0f | %.2f | %.2f |\n' "$1" "$2" "$s" "$(echo "$kb / 1024" | bc -l)" \
        "$(echo "$s / $vs" | bc -l)" "$(echo "$kb / $vkb" | bc -l)"
}
