#!/usr/bin/env bash
# Filter benchmark for bench/RESULTS.md: tileproc's per-filter throughput on a 12-megapixel RGB
# photo, and libvips's gaussblur on the same pixels in the same run; then the area filters
# (issue 16) with their kernels capped at each instruction set (TILEPROC_SIMD).
# usage: bench/run.sh [REPEATS] [area]   (needs libvips-tools for the comparison; "area": only the
#        area filters by instruction set)
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-5}
only=${2:-}
work=bench/work
mkdir -p "$work"
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DTILEPROC_BUILD_BENCH=ON \
      -DTILEPROC_BUILD_TESTS=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" --target bench_filters >/dev/null

photo=samples/rocket.jpg
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "Date: $(date -u +%Y-%m-%d)"
echo

# A 4000x3000 RGB image from the real photo, in vips's own format and as PNG.
if command -v vips >/dev/null; then
    vips resize "$photo" "$work/up.v" 6.25 --kernel cubic
    vips crop "$work/up.v" "$work/big.v" 0 0 4000 2668
    vips embed "$work/big.v" "$work/big12.v" 0 0 4000 3000 --extend mirror
    vips copy "$work/big12.v" "$work/big.png"
    input="$work/big.png"
else
    input=$photo
fi
echo "Load before the run: $(uptime | sed 's/.*load average/load average/')"
area_specs=("box:radius=2" "box:radius=25" "convolve:matrix=-1 -1 -1;-1 16 -1;-1 -1 -1,scale=0.125"
            "sobel" "sharpen:sigma=1,amount=1" "median:radius=1" "median:radius=3")
if [ "$only" = area ]; then
    for simd in avx512 avx2 portable; do
        echo
        echo "Area filters, TILEPROC_SIMD=$simd:"
        echo
        TILEPROC_SIMD=$simd ./build-bench/bench/bench_filters "$input" "$repeats" "${area_specs[@]}"
    done
    exit 0
fi
./build-bench/bench/bench_filters "$input" "$repeats"

best() { # best wall time of $repeats runs of a command, in seconds
    local b=999 t0 t1 t
    for _ in $(seq "$repeats"); do
        t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
        t=$(echo "$t1 - $t0" | bc -l)
        b=$(echo "if ($t < $b) $t else $b" | bc -l)
    done
    printf '%.4f' "$b"
}

if command -v vips >/dev/null; then
    echo
    echo "libvips $(vips --version | head -1 | cut -d- -f2), one thread, same 12 MP image in .v format:"
    export VIPS_CONCURRENCY=1
    g=$(best vips gaussblur "$work/big12.v" "$work/out.v" 2)
    c=$(best vips copy "$work/big12.v" "$work/out.v")
    net=$(echo "$g - $c" | bc -l)
    printf '| vips gaussblur 2 | %s s | vips copy | %s s | net | %.4f s | %.0f MP/s |\n' \
        "$g" "$c" "$net" "$(echo "12 / $net" | bc -l)"
fi
