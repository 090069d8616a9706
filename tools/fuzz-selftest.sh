#!/bin/sh
# fuzz-selftest.sh — prove that a failing fuzzer fails tools/fuzz-run.sh (and so
# `make fuzz` / `make fuzz-smoke`, which stop on its status).
#
#   tools/fuzz-selftest.sh BIN      (BIN: build/fuzz_selftest, from fuzz/selftest_fail.c)
#
# BIN fails on four exact inputs; each is given as the only seed and the run must
# fail with the matching report: a heap overflow, a UBSan report, a leak and a
# timeout. A harmless seed must pass. Takes a few seconds.
set -u
bin=${1:?usage: $0 BIN}
here=$(dirname "$0")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-selftest.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
export FUZZ_ARTIFACTS="$tmp/artifacts"
bad=0

# expect KIND INPUT WANT PATTERN: run 1 s with INPUT as the only seed; WANT is
# fail or pass, PATTERN must be in the runner's output
expect() {
    kind=$1 input=$2 want=$3 pattern=$4
    mkdir -p "$tmp/$kind"
    printf '%s' "$input" >"$tmp/$kind/seed"
    rc=0
    FUZZ_TIMEOUT=1 sh "$here/fuzz-run.sh" "$bin" 1 "$tmp/$kind" >"$tmp/$kind.out" 2>&1 || rc=$?
    if [ "$want" = fail ] && [ "$rc" -ne 0 ] && grep -q -- "$pattern" "$tmp/$kind.out"; then
        echo "fuzz-selftest: $kind: fails (status $rc) as it must"
    elif [ "$want" = pass ] && [ "$rc" -eq 0 ] && grep -q -- "$pattern" "$tmp/$kind.out"; then
        echo "fuzz-selftest: $kind: passes as it must"
    else
        echo "fuzz-selftest: $kind: FAILED — status $rc, expected to $want with \"$pattern\":"
        sed 's/^/    /' "$tmp/$kind.out" | head -n 40
        bad=1
    fi
}

expect overflow "selftest: overflow" fail "heap-buffer-overflow"
expect ubsan "selftest: ubsan" fail "runtime error: signed integer overflow"
expect leak "selftest: leak" fail "detected memory leaks"
expect hang "selftest: hang" fail "ERROR: libFuzzer: timeout"
expect harmless "hello" pass " ok: "
[ "$bad" -eq 0 ] || { echo "fuzz-selftest: the fuzz runner does not fail on a failing fuzzer"; exit 1; }
