# testlib.sh — tiny assertion library for the bash integration tests (source it).
#
#   source "$(dirname "$0")/../lib/testlib.sh"
#   t_ok "desc" / t_fail "desc" [detail...]
#   t_assert "desc" cmd args...        ok if cmd exits 0 (its output is shown on failure)
#   t_eq "desc" expected actual
#   t_wait_for "desc" timeout_s cmd... poll cmd every 0.2 s until it exits 0 (bounded)
#   t_tmpdir                           prints a per-test temp dir, removed at exit
#   t_cleanup_add "cmd"                run at exit, in reverse order of registration
#   (CSV columns: see tests/lib/csv.sh)
#   t_stub_start NAME ARGS...          start build/http-stub (ARGS: --route ... etc.) in the
#                                      background; sets T_STUB_PORT, T_STUB_PID, T_STUB_LOG;
#                                      stopped at exit. Call directly, not in $(...).
#   t_done                             prints "NAME: N passed, N failed"; exits 1 if any failed
#
# The EXIT trap runs the cleanups even when the test dies early (set -e, a signal, or
# `timeout`), and a test that exits without t_done is reported as failed.
# Assertions return 1 when they fail (so `t_eq ... || cat "$log"` works); under set -e
# that ends the test at the first failure, which is then reported as such.
# Lines are TAP-like: "ok N - desc" / "not ok N - desc".

T_NAME=${T_NAME:-$(basename "${0%.sh}")}
T_PASS=0
T_FAIL=0
T_DONE=0
T_CLEANUPS=()
T_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/etcd-monitor-test.XXXXXX")

t_tmpdir() { echo "$T_TMPDIR"; }

t_cleanup_add() { T_CLEANUPS+=("$1"); }

_t_run_cleanups() {
    local i
    for ((i = ${#T_CLEANUPS[@]} - 1; i >= 0; i--)); do
        eval "${T_CLEANUPS[i]}" || echo "# cleanup failed: ${T_CLEANUPS[i]}" >&2
    done
    T_CLEANUPS=()
    [[ -n $T_TMPDIR && -d $T_TMPDIR ]] && rm -rf -- "$T_TMPDIR"
}

_t_on_exit() {
    local rc=$?
    trap - EXIT INT TERM HUP
    if ((T_DONE == 0)); then
        T_FAIL=$((T_FAIL + 1))
        echo "not ok $((T_PASS + T_FAIL)) - $T_NAME exited early (status $rc) without t_done"
        _t_run_cleanups
        echo "$T_NAME: $T_PASS passed, $T_FAIL failed"
        ((rc == 0)) && rc=1
    else
        _t_run_cleanups
    fi
    exit "$rc"
}
trap _t_on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

t_ok() {
    T_PASS=$((T_PASS + 1))
    echo "ok $((T_PASS + T_FAIL)) - $1"
    return 0
}

# t_fail "desc" [detail lines...]
t_fail() {
    local d=$1
    shift
    T_FAIL=$((T_FAIL + 1))
    echo "not ok $((T_PASS + T_FAIL)) - $d"
    local l
    for l in "$@"; do printf '%s\n' "$l" | head -n 30 | sed 's/^/#   /'; done
    return 1
}

t_assert() {
    local d=$1 out rc
    shift
    rc=0
    out=$("$@" 2>&1) || rc=$?
    if ((rc == 0)); then
        t_ok "$d"
    else
        t_fail "$d" "command: $*" "exit status: $rc" "$out"
    fi
}

t_eq() {
    if [[ "$2" == "$3" ]]; then
        t_ok "$1"
    else
        t_fail "$1" "expected: '$2'" "actual:   '$3'"
    fi
}

_t_now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# t_wait_for "desc" timeout_s cmd...   (timeout may be fractional, e.g. 2.5)
t_wait_for() {
    local d=$1 to=$2 out="" rc=1 start deadline i max
    shift 2
    start=$(_t_now_ms)
    # (mawk's printf %d is 32-bit: keep the epoch arithmetic in bash)
    deadline=$((start + $(awk -v t="$to" 'BEGIN { printf "%d", t * 1000 }')))
    max=$(awk -v t="$to" 'BEGIN { printf "%d", t * 5 + 2 }')
    for ((i = 0; i < max; i++)); do
        out=$("$@" 2>&1) && { rc=0; break; }
        (($(_t_now_ms) >= deadline)) && break
        sleep 0.2
    done
    if ((rc == 0)); then
        t_ok "$d ($(($(_t_now_ms) - start)) ms)"
    else
        t_fail "$d (timed out after ${to}s)" "command: $*" "last output: $out"
    fi
}


# t_stub_start NAME [http-stub args...] — port file and log in the test's tmpdir.
t_stub_start() {
    local name=$1 bin=${T_STUB_BIN:-$T_ROOT/build/http-stub} pf i
    shift
    if [[ ! -x $bin ]]; then
        echo "# t_stub_start: $bin missing (make build/http-stub)" >&2
        return 1
    fi
    pf=$T_TMPDIR/stub-$name.port
    T_STUB_LOG=$T_TMPDIR/stub-$name.log
    rm -f "$pf"
    "$bin" --port-file "$pf" "$@" </dev/null >/dev/null 2>>"$T_STUB_LOG" &
    T_STUB_PID=$!
    t_cleanup_add "kill -TERM $T_STUB_PID 2>/dev/null; wait $T_STUB_PID 2>/dev/null"
    for ((i = 0; i < 50; i++)); do
        [[ -s $pf ]] && break
        kill -0 "$T_STUB_PID" 2>/dev/null || break
        sleep 0.1
    done
    if [[ ! -s $pf ]]; then
        echo "# t_stub_start: stub $name did not start:" >&2
        sed 's/^/#   /' "$T_STUB_LOG" >&2
        return 1
    fi
    T_STUB_PORT=$(<"$pf")
    return 0
}

t_done() {
    T_DONE=1
    echo "$T_NAME: $T_PASS passed, $T_FAIL failed"
    if ((T_FAIL > 0)); then exit 1; fi
    exit 0
}
