#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Valgrind memcheck over the command-line tests: a Release build (no ASan, which valgrind cannot
# run under) of the tool, and tests/cli/cli_test.sh and tests/hostile/cli_hostile.sh given a
# wrapper that runs tileproc commands under
#     valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite,indirect
#              --error-exitcode=99
# so any memory error or definite/indirect leak turns the command's exit status into 99, which
# the scripts report as a failure. In cli_test.sh every MEMCHECK_EVERY-th command (default 3; 1
# for all) runs under valgrind and the others run the tool directly, to keep CI within its time
# budget (ASan+UBSan runs every command already); all of its checks run. cli_hostile.sh runs
# every command under valgrind, on a subset
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
# make_wrapper PATH EVERY: a tool whose n-th command runs under valgrind when n % EVERY == 0
# (a counter under flock, so the choice is the same on every run); the others run the tool
# directly, so every check of the scripts still runs.
make_wrapper() {
    local wrapper=$1 every=$2 count=$1.count
    echo 0 >"$count"
    cat >"$wrapper" <<EOF
#!/bin/sh
n=\$(flock "$count" sh -c 'n=\$((\$(cat "$count") + 1)); echo \$n >"$count"; echo \$n')
if [ \$((n % $every)) -eq 0 ]; then
    exec valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite,indirect \\
        --error-exitcode=99 --quiet "$tool" "\$@"
fi
exec "$tool" "\$@"
EOF
    chmod +x "$wrapper"
}
mkdir "$work/some" "$work/all"
make_wrapper "$work/some/tileproc" "${MEMCHECK_EVERY:-3}"
make_wrapper "$work/all/tileproc" 1

status=0
start=$(date +%s)
echo "== memcheck: tests/cli/cli_test.sh"
bash tests/cli/cli_test.sh "$work/some/tileproc" "$root/tests/data" "$(realpath "$build/tests/tileproc_cli_ref")" \
    "$(realpath "$build"/tests/libtileproc_test_posterize.so)" "$root/samples" || status=1
echo "memcheck: cli_test.sh took $(($(date +%s) - start)) s"
start=$(date +%s)
echo "== memcheck: tests/hostile/cli_hostile.sh"
HOSTILE_SCALE=${HOSTILE_SCALE:-1} HOSTILE_STRIDE=${HOSTILE_STRIDE:-3} HOSTILE_TIMEOUT=${HOSTILE_TIMEOUT:-600} \
    HOSTILE_HEAVY=0 bash tests/hostile/cli_hostile.sh "$work/all/tileproc" "$root/tests/data" \
    "$root/samples" || status=1
echo "memcheck: cli_hostile.sh took $(($(date +%s) - start)) s"
[ $status = 0 ] && echo "memcheck: no errors, no leaks"
exit $status
