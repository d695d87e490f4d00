#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# new_filter.sh: a filter that exists only in a plugin built by the tests (tests/plugins/
# new_filter.c, "tu_extremum") shows up everywhere the tool lists filters, with no change to the
# tool: `tileproc filters`, `tileproc filters NAME`, --help and the man page; and it runs, with
# the library's bytes. (test_plugin.c checks the limits suite and the chain fuzzer pick it up.)
#
#   bash new_filter.sh TILEPROC CLI_REF NEW_FILTER_PLUGIN SAMPLES_DIR
set -u
T=$(realpath "$1")
REF=$(realpath "$2")
PLUGIN=$(realpath "$3")
ROCKET=$(realpath "$4")/rocket.jpg
NAME=tu_extremum

export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}exitcode=86"
W=$(mktemp -d "${TMPDIR:-/tmp}/tileproc-newfilter.XXXXXX")
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1

failed=0
fail() {
    failed=$((failed + 1))
    echo "FAIL: $*"
}
# ok NAME CMD...: CMD must succeed.
ok() {
    local name=$1
    shift
    "$@" >out 2>err || { fail "$name (exit $?)"; sed 's/^/    stderr: /' err | head -5; }
}

"$T" filters >out 2>err && grep -q "^$NAME " out && fail "listed before the plugin is loaded"
ok "filters --plugin" "$T" filters --plugin "$PLUGIN"
grep -q "^$NAME " out || fail "tileproc filters --plugin does not list $NAME"
ok "filters --plugin NAME" "$T" filters --plugin "$PLUGIN" "$NAME"
grep -q '^  mode ' out && grep -q '^  radius ' out || fail "tileproc filters $NAME: no parameters"
ok "--help" env TILEPROC_PLUGIN_PATH="$PLUGIN" "$T" --help
grep -q "^  $NAME " out || fail "--help does not list $NAME"
ok "--man" env TILEPROC_PLUGIN_PATH="$PLUGIN" "$T" --man
grep -qx ".B $NAME" out || fail "the man page has no entry for $NAME"
grep -q '^\\fBradius\\fR=' out || fail "the man page lacks $NAME's parameters"
ok "--man without plugins" "$T" --man
grep -qx ".B $NAME" out && fail "the man page lists $NAME without the plugin"

spec="$NAME:mode=max,radius=2"
ok "run --plugin" "$T" run --plugin "$PLUGIN" "$ROCKET" got.png "$spec" gaussian:sigma=1
ok "cli_ref --plugin" "$REF" run --plugin "$PLUGIN" "$ROCKET" want.png "$spec" gaussian:sigma=1
cmp -s got.png want.png || fail "run --plugin: output differs from the library's"

echo "new_filter: $failed failed"
[ "$failed" -eq 0 ]
