#!/usr/bin/env bash
# demo.sh — what `make demo` runs: a throw-away 3-member etcd cluster on loopback with a
# light write load, watched by ./etcd-monitor in the foreground.
#
#   bash tests/lib/demo.sh [etcd-monitor args...]      (also: DEMO_ARGS="--interval 1 ...")
#
# When the monitor exits (q, Ctrl-C, or an error), the load and the cluster are stopped
# and the cluster's data is removed; the same happens if this script is interrupted.
# Knobs: DEMO_MEMBERS (default 3), DEMO_LOAD_SECONDS (default 3600), DEMO_LOAD=0 for no
# load, CLUSTER_DIR (default: a new /tmp/etcd-monitor-cluster.XXXXXX), CLUSTER_ETCD_ARGS.

set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 1
monitor=${DEMO_MONITOR:-./etcd-monitor}
if [[ ! -x $monitor ]]; then
    echo "demo: $monitor not found; run 'make demo' (or 'make' first)" >&2
    exit 1
fi

# shellcheck source=tests/lib/cluster.sh
source "$root/tests/lib/cluster.sh"

load_pid=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    if [[ -n $load_pid ]]; then
        kill -TERM "$load_pid" 2>/dev/null
        wait "$load_pid" 2>/dev/null
    fi
    if [[ -n ${CLUSTER_DIR:-} && -d $CLUSTER_DIR ]]; then
        echo "demo: stopping the cluster and removing $CLUSTER_DIR" >&2
        cluster_stop
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

n=${DEMO_MEMBERS:-3}
# Member logs would garble the monitor's screen: cluster.sh logs to stderr only during
# start, members log to files in the cluster dir.
# Members get their own session so Ctrl-C in the monitor does not hit them (an etcd
# leader on SIGINT spends seconds trying to hand over leadership); we stop them ourselves.
CLUSTER_SETSID=1 cluster_start "$n" >/dev/null || { echo "demo: could not start the etcd cluster" >&2; exit 1; }
eps=$CLUSTER_ENDPOINTS
echo "demo: $n-member etcd cluster in $CLUSTER_DIR (endpoints $eps; member logs m*.log there); removed when the monitor exits" >&2

if [[ ${DEMO_LOAD:-1} != 0 ]]; then
    LOAD_PARENT_PID=$$ bash "$root/tests/lib/load.sh" "$eps" "${DEMO_LOAD_SECONDS:-3600}" \
        </dev/null >/dev/null 2>>"$CLUSTER_DIR/load.log" &
    load_pid=$!
fi

extra=()
[[ -n ${DEMO_ARGS:-} ]] && read -r -a extra <<<"$DEMO_ARGS"
"$monitor" --endpoints="$eps" "${extra[@]}" "$@"
