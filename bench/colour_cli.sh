#!/usr/bin/env bash
# Colour conversion end to end (issue 12): a ~12 MP Adobe RGB JPEG (samples/rocket.jpg, which
# carries Adobe RGB (1998), upscaled by vips, which keeps the profile) through gaussian:sigma=2
# to JPEG, converted to sRGB (the default) against --colour ignore on the same file, and
# against `vips icc_transform in.jpg out.jpg srgb` alone, in one hyperfine run, 2 threads each.
# Needs libvips-tools and hyperfine.
# usage: bench/colour_cli.sh [RUNS] [THREADS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-5}
threads=${2:-2}
bench_build
vips resize samples/rocket.jpg "$work/adobe12.jpg[Q=90]" 6.625 --kernel cubic
"$T" info "$work/adobe12.jpg"
export VIPS_CONCURRENCY=$threads
hyperfine --warmup 1 --runs "$runs" --export-markdown "$work/colour_cli.md" \
    -n "tileproc srgb (default)" \
    "$T run --quiet --threads $threads $work/adobe12.jpg $work/c_srgb.jpg gaussian:sigma=2" \
    -n "tileproc --colour ignore" \
    "$T run --quiet --threads $threads --colour ignore $work/adobe12.jpg $work/c_ignore.jpg gaussian:sigma=2" \
    -n "vips icc_transform srgb" \
    "vips icc_transform $work/adobe12.jpg $work/c_vips.jpg[Q=90] srgb"
cat "$work/colour_cli.md"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
