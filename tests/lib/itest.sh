# itest.sh — common set-up for integration tests (source it first).
# Gives: testlib (t_*), csv helpers (csv_*), the cluster library (cluster_*),
# EM (the binary), T (temp dir), it_cluster N (start a cluster, stopped at exit),
# it_rfc3339 (regex), it_wait_rows FILE N TIMEOUT, it_em_start OUT ERR ARGS... (EM_PID).
set -u
_it_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$_it_root" || exit 1
# shellcheck source=/dev/null
. tests/lib/testlib.sh
. tests/lib/csv.sh
. tests/lib/cluster.sh
EM=${EM_BIN:-$_it_root/etcd-monitor}   # EM_BIN: e.g. a sanitizer build
T=$(t_tmpdir)
it_rfc3339='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$'

# Start an N-member cluster under $T/cluster; it is stopped when the test exits.
it_cluster() {
    export CLUSTER_DIR=$T/cluster
    t_cleanup_add cluster_stop
    if ! cluster_start "${1:-3}" >/dev/null; then
        t_fail "cluster of ${1:-3} starts"
        t_done
    fi
    # shellcheck source=/dev/null
    . "$CLUSTER_DIR/env"
}

# Wait until FILE has at least N data rows (bounded by TIMEOUT seconds).
it_wait_rows() {
    t_wait_for "$1 has $2 rows" "$3" bash -c "[ -f '$1' ] && [ \$((\$(wc -l < '$1') - 1)) -ge $2 ]"
}

# it_em_start OUT ERR ARGS... — start "$EM" ARGS in the background, its stdout in OUT
# and its stderr in ERR ("-": into OUT as well); its pid in EM_PID, killed at exit if
# still running. Call it directly, not in $(...), so that `wait "$EM_PID"` works.
it_em_start() {
    local out=$1 err=$2
    shift 2
    if [[ $err == - ]]; then
        "$EM" "$@" >"$out" 2>&1 &
    else
        "$EM" "$@" >"$out" 2>"$err" &
    fi
    EM_PID=$!
    t_cleanup_add "kill $EM_PID 2>/dev/null || true"
}
