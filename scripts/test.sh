#!/usr/bin/env bash
# The full test suite, as README.md and CI run it: a Debug build with AddressSanitizer and
# UndefinedBehaviorSanitizer, warnings as errors, every Check suite through CTest.
# usage: scripts/test.sh [BUILD_DIR]      (default: build-asan)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-asan}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DTILEPROC_SANITIZE=ON -DTILEPROC_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
# halt_on_error keeps a sanitizer report from scrolling past; leaks fail the test that made them.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$build" --output-on-failure -j"$(nproc)"
