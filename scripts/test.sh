#!/usr/bin/env bash
# The full test suite, as README.md and CI run it:
#  1. a Debug build with AddressSanitizer and UndefinedBehaviorSanitizer, warnings as errors,
#     every Check suite, the CLI, C++, packaging and fuzz-replay tests through CTest;
#  2. a Release build with the Python module, whose tests run there (an ASan-instrumented
#     library cannot be loaded into Debian's uninstrumented /usr/bin/python3).
# usage: scripts/test.sh [ASAN_BUILD_DIR] [RELEASE_BUILD_DIR]   (default: build-asan build-release)
set -euo pipefail
cd "$(dirname "$0")/.."
asan=${1:-build-asan}
release=${2:-build-release}
jobs=$(nproc)

echo "== ASan+UBSan build and every suite"
cmake -S . -B "$asan" -DCMAKE_BUILD_TYPE=Debug -DTILEPROC_SANITIZE=ON -DTILEPROC_WERROR=ON >/dev/null
cmake --build "$asan" -j"$jobs"
# halt_on_error keeps a sanitizer report from scrolling past; leaks fail the test that made them.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
# Check's per-test timeouts are set for an idle machine; a shared or slower one (CI, a laptop
# on battery) gets three times as long, so a timeout means a hang, not a busy machine.
export CK_TIMEOUT_MULTIPLIER=${CK_TIMEOUT_MULTIPLIER:-3}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$asan" --output-on-failure -j"$jobs"

echo "== Release build with the Python module, and its tests"
cmake -S . -B "$release" -DCMAKE_BUILD_TYPE=Release -DTILEPROC_WERROR=ON \
      -DTILEPROC_BUILD_PYTHON=ON >/dev/null
cmake --build "$release" -j"$jobs"
ctest --test-dir "$release" -R python --output-on-failure -j"$jobs"
