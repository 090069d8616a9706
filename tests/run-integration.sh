#!/usr/bin/env bash
# run-integration.sh — run the integration tests (tests/integration/test_*.sh).
#
#   bash tests/run-integration.sh [NAME|GLOB ...]
#
# Filters match a test's file name with or without the "test_" prefix and ".sh"
# suffix: `stub`, `test_stub.sh`, `'*cluster*'`, tests/integration/test_stub.sh.
# Each test runs under `timeout` (INTEGRATION_TIMEOUT, default 300 s), INTEGRATION_JOBS
# (default 2) at a time; its "NAME: N passed, N failed" line is summed into the final line
#   integration: N passed, N failed
# A test that exits non-zero without reporting a failure counts as one failure.
# Processes a test leaves behind (found through an environment tag they inherit) are
# reported as a failure and stopped. Exit status is non-zero if anything failed.

set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 2
limit=${INTEGRATION_TIMEOUT:-300}
# Tests run this many at a time (they wait on clusters, durations and timeouts far
# more than they compute); their output is shown whole as each one ends. 1 = one
# after the other, output shown as it runs.
jobs_max=${INTEGRATION_JOBS:-2}
[[ $jobs_max =~ ^[1-9][0-9]*$ ]] || { echo "INTEGRATION_JOBS must be a positive number" >&2; exit 2; }
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

# The longest tests start first (measured: each waits on clusters, durations and
# timeouts for 25-60 s), so that two at a time end together instead of one long
# test running alone at the end.
long_first=(auth rules_noise tls rules_fixture ssh cluster_events ssh_members write_errors)
ordered=()
for l in "${long_first[@]}"; do
    for t in "${tests[@]}"; do
        [[ $t == */test_$l.sh ]] && ordered+=("$t")
    done
done
for t in "${tests[@]}"; do
    [[ " ${ordered[*]} " == *" $t "* ]] || ordered+=("$t")
done
tests=("${ordered[@]}")

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

declare -A pid_name=() pid_start=()

# Start test $1 in the background, its output in $out_dir/NAME.log.
start_test() {
    local t=$1 name pid
    name=${t##*/}
    name=${name%.sh}
    # Output goes to a file (a pipe would keep us waiting for any leftover process
    # that still holds it open).
    : >"$out_dir/$name.log"
    EMON_TEST_RUN=$run_id-$name timeout -k 10 "$limit" bash "$t" </dev/null \
        >"$out_dir/$name.log" 2>&1 &
    pid=$!
    pid_name[$pid]=$name
    pid_start[$pid]=$SECONDS
    if ((jobs_max == 1)); then
        echo "=== $name"
        tail -n +1 -s 0.2 -f --pid="$pid" "$out_dir/$name.log"
    else
        echo "=== $name (started)"
    fi
}

# Account for the finished test with pid $1 and exit status $2: its log (when
# not already followed), its summary, anything it left running.
finish_test() {
    local pid=$1 rc=$2 name log secs line p=0 f=0 note="" left lp
    name=${pid_name[$pid]}
    log=$out_dir/$name.log
    secs=$((SECONDS - pid_start[$pid]))
    unset "pid_name[$pid]" "pid_start[$pid]"
    ((jobs_max == 1)) || { echo "=== $name"; cat "$log"; }
    line=$(grep -E '^[^ ]+: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
    if [[ $line =~ :\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
    fi
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
    left=$(leftovers "$run_id-$name")
    if [[ -n $left ]]; then
        note+="${note:+, }left processes behind: "
        for lp in $left; do
            note+="[$lp $(tr '\0' ' ' <"/proc/$lp/cmdline" 2>/dev/null | cut -c1-80)] "
        done
        f=$((f + 1))
        for lp in $left; do kill -TERM "$lp" 2>/dev/null; kill -CONT "$lp" 2>/dev/null; done
        sleep 2
        for lp in $(leftovers "$run_id-$name"); do kill -KILL "$lp" 2>/dev/null; done
    fi
    ((rc != 0)) && bad_scripts=$((bad_scripts + 1))
    pass=$((pass + p))
    fail=$((fail + f))
    echo "--- $name: $p passed, $f failed (${secs}s)${note:+ — $note}"
}

# Wait for any running test and account for it.
reap_one() {
    local pid rc=0
    wait -n -p pid "${!pid_name[@]}" || rc=$?
    [[ -n ${pid:-} && -n ${pid_name[$pid]:-} ]] && finish_test "$pid" "$rc"
}

for t in "${tests[@]}"; do
    while ((${#pid_name[@]} >= jobs_max)); do reap_one; done
    start_test "$t"
done
while ((${#pid_name[@]} > 0)); do reap_one; done

echo "integration: $pass passed, $fail failed"
((fail == 0 && bad_scripts == 0))
