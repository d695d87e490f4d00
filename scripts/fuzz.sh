#!/usr/bin/env bash
# A libFuzzer campaign over the harnesses in tests/fuzz/ (see SECURITY.md). Builds them with
# clang, -fsanitize=fuzzer,address,undefined, in build-fuzz/ (the library with
# -fsanitize=fuzzer-no-link for coverage), then runs each harness for SECONDS under nice, on a
# working corpus in build-fuzz/corpus/<harness> seeded from tests/fuzz/corpus/<harness>,
# tests/fuzz/regressions/<harness> and (for the decoders) tests/data. Crashes land in
# build-fuzz/artifacts/<harness>/; copy each into tests/fuzz/regressions/<harness>/ once fixed.
#
# usage: scripts/fuzz.sh [SECONDS] [HARNESS...]     (default: 600 s; png jpeg tiff webp info params chain icc)
#   FUZZ_PARALLEL=N  harnesses run at once (default 1; each is one libFuzzer process)
#   FUZZ_MERGE=1     afterwards, minimise the working corpus, the committed one and the seeds into
#                    tests/fuzz/corpus/<harness> (libFuzzer -merge=1 -use_counters=0; check the
#                    size before committing: the whole committed corpus stays under 3 MB)
#   CC               the compiler (default clang; clang-14 from Debian works)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-600}
if [ $# -gt 0 ]; then shift; fi
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(png jpeg tiff webp info params chain icc)
parallel=${FUZZ_PARALLEL:-1}
build=build-fuzz
cc=${CC:-clang}

if ! command -v "$cc" >/dev/null; then
    echo "fuzz.sh: $cc not found (apt-get install clang)" >&2
    exit 2
fi

echo "== building the libFuzzer harnesses with $cc in $build/"
CC=$cc cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTILEPROC_SANITIZE=ON \
    -DTILEPROC_FUZZ=ON -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link" -DTILEPROC_BUILD_CLI=OFF \
    -DTILEPROC_BUILD_SAMPLES=OFF -DTILEPROC_WITH_OPENCV=OFF >/dev/null
targets=()
for h in "${harnesses[@]}"; do targets+=("fuzz_$h"); done
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"

# Extra read-only seed directories per harness.
seeds_for() {
    case $1 in
    png) echo tests/data/pngsuite tests/data/bad ;;
    jpeg) echo tests/data/jpeg tests/data/bad ;;
    info) echo tests/data/pngsuite tests/data/jpeg tests/data/bad ;;
    icc) echo tests/data/icc ;;
    tiff) echo tests/data/tiff tests/data/bad-tiff ;;
    webp) echo tests/data/webp ;;
    *) ;;
    esac
}

run_one() {
    local h=$1
    local corpus=$build/corpus/$h artifacts=$build/artifacts/$h log=$build/logs/$h.log
    mkdir -p "$corpus" "$artifacts" "$build/logs"
    # shellcheck disable=SC2046
    nice -n 10 "$build/tests/fuzz/fuzz_$h" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -max_len=262144 -print_final_stats=1 -artifact_prefix="$artifacts/" \
        "$corpus" "tests/fuzz/corpus/$h" "tests/fuzz/regressions/$h" $(seeds_for "$h") \
        >"$log" 2>&1 || true
}

start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
echo "== fuzzing ${harnesses[*]} for $seconds s each, $parallel at a time (logs in $build/logs/)"
running=0
for h in "${harnesses[@]}"; do
    run_one "$h" &
    running=$((running + 1))
    if [ "$running" -ge "$parallel" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait

status=0
echo "== results (started $start)"
printf '%-8s %12s %8s %10s %s\n' harness executions exec/s corpus findings
for h in "${harnesses[@]}"; do
    log=$build/logs/$h.log
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    files=$(find "$build/corpus/$h" -type f | wc -l)
    found=$(find "$build/artifacts/$h" -type f | wc -l)
    printf '%-8s %12s %8s %10s %s\n' "$h" "${execs:-?}" "${rate:-?}" "$files" "$found"
    [ "$found" -eq 0 ] || status=1
    if [ "${FUZZ_MERGE:-0}" = 1 ]; then
        merged=$build/merged/$h
        rm -rf "$merged" && mkdir -p "$merged"
        # Edges only (no hit counts): the smallest set that keeps the coverage, so the CI replay
        # stays fast and the committed corpus small.
        # shellcheck disable=SC2046
        "$build/tests/fuzz/fuzz_$h" -merge=1 -use_counters=0 -max_len=262144 "$merged" \
            "tests/fuzz/corpus/$h" "$build/corpus/$h" $(seeds_for "$h") \
            >"$build/logs/$h.merge.log" 2>&1
        find "tests/fuzz/corpus/$h" -type f -delete
        cp "$merged"/* "tests/fuzz/corpus/$h/" 2>/dev/null || true
        echo "   merged into tests/fuzz/corpus/$h: $(find "tests/fuzz/corpus/$h" -type f | wc -l) files, $(du -sh "tests/fuzz/corpus/$h" | cut -f1)"
    fi
done
exit $status
