#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ThreadSanitizer run of the engine: builds the library and the Check runner with
# -fsanitize=thread in their own build directory and runs the suites that start threads
# (pipeline, stream, write_behind, concurrency, colour, colour_io, random_access, pyramid,
# tiff_write and three filters_* suites; properties, filters_blur and filters_resize run the same executor for 6
# minutes more under TSan, so they run under ASan only, to keep CI in its budget). Any TSan
# report fails the run (halt_on_error=1; the suite's forked test then exits early and Check
# counts it as failed).
# usage: scripts/tsan.sh [BUILD_DIR]      (default: build-tsan; CC picks the compiler)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-tsan}
suites=(pipeline stream write_behind concurrency colour colour_io random_access pyramid tiff_write
        filters_point filters_geometry filters_area)

# No ASan here: TSan cannot be combined with it.
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTILEPROC_SANITIZE=OFF \
    -DTILEPROC_WERROR=ON -DTILEPROC_BUILD_SAMPLES=OFF \
    -DCMAKE_C_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
    -DCMAKE_CXX_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
    -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread \
    -DCMAKE_MODULE_LINKER_FLAGS=-fsanitize=thread >/dev/null
cmake --build "$build" -j"$(nproc)" --target tileproc_tests

export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
runner=("$build/tests/tileproc_tests")
# TSan's shadow memory needs the old address-space layout on kernels with high ASLR entropy.
if ! CK_RUN_SUITE=status "${runner[@]}" >/dev/null 2>&1; then
    runner=(setarch "$(uname -m)" -R "$build/tests/tileproc_tests")
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=()
for suite in "${suites[@]}"; do
    start=$(date +%s)
    if CK_RUN_SUITE=$suite "${runner[@]}" >"$log" 2>&1 && ! grep -q 'ThreadSanitizer' "$log"; then
        echo "tsan: $suite passed ($(($(date +%s) - start)) s)"
    else
        echo "tsan: $suite FAILED ($(($(date +%s) - start)) s)"
        grep -E -A30 'WARNING: ThreadSanitizer|ThreadSanitizer:|:[EF]:' "$log" | head -80 || true
        failed+=("$suite")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "tsan: FAILED: ${failed[*]}"
    exit 1
fi
echo "tsan: no reports in ${#suites[@]} suites"
