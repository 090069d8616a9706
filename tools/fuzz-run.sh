#!/bin/sh
# fuzz-run.sh — run one libFuzzer binary for a while; its exit status is the verdict.
#
#   tools/fuzz-run.sh BIN SECONDS SEEDS [CORPUS]
#
# The seeds (a directory, read only) are replayed first, then the fuzzer mutates
# for SECONDS; new inputs go to CORPUS (default: a temporary directory, removed
# afterwards). A crash, leak, sanitizer report, timeout (FUZZ_TIMEOUT seconds for
# one input, default 10) or out-of-memory fails the run: the report is shown
# (without libFuzzer's progress lines), the input is kept under FUZZ_ARTIFACTS
# (default build/fuzz_artifacts) and the status is 1. A passing run prints one line.
# `make fuzz`, `make fuzz-smoke` and tools/fuzz-selftest.sh all run fuzzers through here.
set -u
if [ $# -lt 3 ] || [ $# -gt 4 ]; then
    echo "usage: $0 BIN SECONDS SEEDS [CORPUS]" >&2
    exit 2
fi
bin=$1 secs=$2 seeds=$3
name=$(basename "$bin")
name=${name#fuzz_}
artifacts=${FUZZ_ARTIFACTS:-build/fuzz_artifacts}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-run.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
corpus=${4:-$tmp/corpus}
mkdir -p "$corpus" "$artifacts" || exit 2
if [ ! -d "$seeds" ]; then
    echo "fuzz: $name: no seed directory $seeds" >&2
    exit 1
fi

log=$tmp/log
rc=0
"$bin" -max_total_time="$secs" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 \
    -max_len="${FUZZ_MAX_LEN:-262144}" -print_final_stats=1 \
    -artifact_prefix="$artifacts/$name-" "$corpus" "$seeds" >"$log" 2>&1 </dev/null || rc=$?

if [ "$rc" -eq 0 ] && grep -q '^Done [0-9]* runs' "$log"; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
    echo "fuzz: $name ok: ${runs:-?} runs in ${secs}s, ${cov:-cov: ?}, $(find "$corpus" -type f | wc -l) corpus inputs"
    exit 0
fi
# The report: no progress or INFO lines, no ASan shadow map; at most 80 lines.
echo "fuzz: $name FAILED (exit status $rc) — report:"
grep -v -E '^#[0-9]+[[:space:]]|^INFO: |^stat::' "$log" |
    awk '/^Shadow bytes around the buggy address:/ { skip = 1 } /==ABORTING/ { skip = 0 } !skip' |
    head -n 80 | sed 's/^/    /'
found=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -n 1)
if [ -n "$found" ]; then
    echo "fuzz: $name: the failing input is $found — replay: $bin $found"
fi
exit 1
