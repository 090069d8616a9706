#!/usr/bin/env bash
# run-integration.sh — run the integration tests (tests/integration/test_*.sh).
#
#   bash tests/run-integration.sh [NAME|GLOB ...]
#
# Filters match a test's file name with or without the "test_" prefix and ".sh"
# suffix: `stub`, `test_stub.sh`, `'*cluster*'`, tests/integration/test_stub.sh.
# Each test runs under `timeout` (INTEGRATION_TIMEOUT, default 300 s) with its output
# shown as it runs; its "NAME: N passed, N failed" line is summed into the final line
#   integration: N passed, N failed
# A test that exits non-zero without reporting a failure counts as one failure.
# Processes a test leaves behind (found through an environment tag they inherit) are
# reported as a failure and stopped. Exit status is non-zero if anything failed.

set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 2
limit=${INTEGRATION_TIMEOUT:-300}
run_id=$$-$RANDOM

tests=()
for t in tests/integration/test_*.sh; do
    [[ -f $t ]] || continue
    b=${t##*/}
    s=${b#test_}
    s=${s%.sh}
    if (($# > 0)); then
        hit=0
        for pat in "$@"; do
            pat=${pat##*/}
            # shellcheck disable=SC2053  # patterns are globs on purpose
            if [[ $b == $pat || $b == $pat.sh || $b == test_$pat || $b == test_$pat.sh || $s == $pat ]]; then
                hit=1
                break
            fi
        done
        ((hit)) || continue
    fi
    tests+=("$t")
done

if ((${#tests[@]} == 0)); then
    echo "integration: no tests match${*:+ ($*)}" >&2
    echo "integration: 0 passed, 0 failed"
    (($# > 0)) && exit 1
    exit 0
fi

# Processes still carrying this test's tag in their environment.
leftovers() {
    local tag=$1 f pid out=""
    for f in $(grep -lsxzF "EMON_TEST_RUN=$tag" /proc/[0-9]*/environ); do
        pid=${f#/proc/}
        pid=${pid%/environ}
        [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
        # Zombies have no environ left to match; skip anything already exiting.
        [[ $(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$pid/stat" 2>/dev/null) == Z ]] && continue
        out+="$pid "
    done
    echo "$out"
}

pass=0 fail=0 bad_scripts=0
out_dir=$(mktemp -d /tmp/etcd-monitor-integration.XXXXXX)
trap 'rm -rf "$out_dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for t in "${tests[@]}"; do
    name=${t##*/}
    name=${name%.sh}
    tag=$run_id-$name
    log=$out_dir/$name.log
    echo "=== $name"
    start=$SECONDS
    # Output goes to a file that is followed while the test runs (a pipe would keep us
    # waiting for any leftover process that still holds it open).
    : >"$log"
    EMON_TEST_RUN=$tag timeout -k 10 "$limit" bash "$t" </dev/null >"$log" 2>&1 &
    tpid=$!
    tail -n +1 -s 0.2 -f --pid="$tpid" "$log"
    wait "$tpid"
    rc=$?
    secs=$((SECONDS - start))
    line=$(grep -E '^[^ ]+: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
    p=0 f=0
    if [[ $line =~ :\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
    fi
    note=""
    if ((rc == 124 || rc == 137)); then
        note="TIMED OUT after ${limit}s"
    elif ((rc != 0)); then
        note="exit status $rc"
    fi
    if [[ -z $line ]]; then
        note+="${note:+, }no summary line"
    fi
    if ((rc != 0 && f == 0)); then
        f=1
    fi
    # Anything the test left running?
    sleep 0.2
    left=$(leftovers "$tag")
    if [[ -n $left ]]; then
        note+="${note:+, }left processes behind: "
        for pid in $left; do
            note+="[$pid $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-80)] "
        done
        f=$((f + 1))
        for pid in $left; do kill -TERM "$pid" 2>/dev/null; kill -CONT "$pid" 2>/dev/null; done
        sleep 2
        for pid in $(leftovers "$tag"); do kill -KILL "$pid" 2>/dev/null; done
    fi
    ((rc != 0)) && bad_scripts=$((bad_scripts + 1))
    pass=$((pass + p))
    fail=$((fail + f))
    echo "--- $name: $p passed, $f failed (${secs}s)${note:+ — $note}"
done

echo "integration: $pass passed, $fail failed"
((fail == 0 && bad_scripts == 0))
