#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Valgrind memcheck over the command-line tests: a Release build (no ASan, which valgrind cannot
# run under) of the tool, and tests/cli/cli_test.sh and tests/hostile/cli_hostile.sh given a
# wrapper that runs every tileproc command under
#     valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite,indirect
#              --error-exitcode=99
# so any memory error or definite/indirect leak turns the command's exit status into 99, which
# the scripts report as a failure. cli_test.sh runs in full; cli_hostile.sh runs a subset
# (HOSTILE_SCALE=1 HOSTILE_STRIDE=3: every third of a quarter of its variants, all of its
# parameter, unreadable-file and batch checks), since valgrind costs about a second a command.
# usage: scripts/memcheck.sh [BUILD_DIR]      (default: build-memcheck)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${1:-build-memcheck}
command -v valgrind >/dev/null || { echo "memcheck: valgrind is not installed"; exit 1; }

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DTILEPROC_SANITIZE=OFF -DTILEPROC_WERROR=ON \
    -DTILEPROC_BUILD_SAMPLES=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target tileproc_cli tileproc_cli_ref tileproc_test_posterize

tool=$(realpath "$build/tileproc")
work=$(mktemp -d "${TMPDIR:-/tmp}/tileproc-memcheck.XXXXXX")
trap 'rm -rf "$work"' EXIT
wrapper=$work/tileproc
cat >"$wrapper" <<EOF
#!/bin/sh
exec valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite,indirect \\
    --error-exitcode=99 --quiet "$tool" "\$@"
EOF
chmod +x "$wrapper"

status=0
start=$(date +%s)
echo "== memcheck: tests/cli/cli_test.sh"
bash tests/cli/cli_test.sh "$wrapper" "$root/tests/data" "$(realpath "$build/tests/tileproc_cli_ref")" \
    "$(realpath "$build"/tests/libtileproc_test_posterize.so)" "$root/samples" || status=1
echo "memcheck: cli_test.sh took $(($(date +%s) - start)) s"
start=$(date +%s)
echo "== memcheck: tests/hostile/cli_hostile.sh"
HOSTILE_SCALE=${HOSTILE_SCALE:-1} HOSTILE_STRIDE=${HOSTILE_STRIDE:-3} bash tests/hostile/cli_hostile.sh "$wrapper" "$root/tests/data" \
    "$root/samples" || status=1
echo "memcheck: cli_hostile.sh took $(($(date +%s) - start)) s"
[ $status = 0 ] && echo "memcheck: no errors, no leaks"
exit $status
