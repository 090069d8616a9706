#!/usr/bin/env bash
# bench/notify_storm.sh — alert delivery under an alert storm (run by bench/run.sh;
# prints figures, asserts nothing). 25 scripted members (one build/http-stub, 25
# listeners) are stopped and started again every STORM_PERIOD seconds: each time
# 50 alerts fire (MemberUnreachable and EtcdMembersDown, for 0s) and then resolve.
# Two headless runs of BENCH_STORM_SECONDS each: without channels, and with 5
# webhook channels (local receivers, no grouping, no rate limit). Figures: poll
# time p50/p99 (metrics.csv poll_ms), CPU, alerts delivered, CPU per delivered
# notification (the difference of the two runs' CPU over the alerts delivered).
set -u
cd "$(dirname "$0")/.."
SECS=${BENCH_STORM_SECONDS:-30}
PERIOD=${STORM_PERIOD:-4}
N=25
T=$(mktemp -d /tmp/etcd-monitor-storm.XXXXXX)
pids=()
trap 'kill "${pids[@]}" ${stub:-} 2>/dev/null; wait 2>/dev/null; [[ -n ${KEEP:-} ]] || rm -rf "$T"' EXIT
stub=""
printf '{"header":{"cluster_id":"1","member_id":"{{port}}","raft_term":"2"},"version":"3.5.0","dbSize":"100000","leader":"{{port:0}}","raftIndex":"10","raftTerm":"2","raftAppliedIndex":"10","dbSizeInUse":"100000"}' >"$T/status.json"
routes=(--route 'GET /metrics text etcd_server_has_leader 1\netcd_server_leader_changes_seen_total 0\n'
        --route "POST /v3/maintenance/status template $T/status.json"
        --route 'GET /health text {"health":"true"}'
        --route "POST /v3/kv/range file tests/data/fixture/range-absent.json"
        --route 'POST /v3/maintenance/alarm text {"header":{}}')
start_stub() { # start the 25 listeners (on PORT[i] when known), 12 per stub (64 routes each)
    local args=() i
    rm -rf "$T/ports"; mkdir -p "$T/ports"
    stub=""
    for ((i = 0; i < N; i++)); do
        args+=(--port-file "$T/ports/$i" --port "${PORT[$i]:-0}" "${routes[@]}")
        if (((i + 1) % 12 == 0 || i == N - 1)); then
            build/http-stub --max-seconds 600 "${args[@]}" 2>>"$T/stub.log" &
            stub="$stub $!"
            args=()
        fi
    done
    for ((i = 0; i < 50; i++)); do [[ -s $T/ports/$((N - 1)) && -s $T/ports/0 ]] && break; sleep 0.1; done
}
declare -a PORT
start_stub
for ((i = 0; i < N; i++)); do PORT[$i]=$(cat "$T/ports/$i"); done
eps=$(for ((i = 0; i < N; i++)); do printf '127.0.0.1:%s,' "${PORT[$i]}"; done)
eps=${eps%,}
printf 'rules:\n  EtcdMembersDown:\n    for: 0s\n    keep_firing_for: 0s\n  MemberUnreachable:\n    keep_firing_for: 0s\n' >"$T/rules.yaml"

/usr/bin/python3 tests/lib/notify_receiver.py "$T/recv.port" "$T/recv.log" 2>/dev/null &
pids+=($!)
for ((i = 0; i < 50; i++)); do [[ -s $T/recv.port ]] && break; sleep 0.1; done
RP=$(cat "$T/recv.port")
{
    cat "$T/rules.yaml"
    echo "alerts:"
    for c in 1 2 3 4 5; do
        printf '  - type: webhook\n    url: http://127.0.0.1:%s/ok/ch%s\n    group_window: 0s\n    rate_limit: 0\n' "$RP" "$c"
    done
} >"$T/chan.yaml"

# One run: NAME CONFIG; the stub flaps meanwhile.
run() {
    local name=$1 cfg=$2
    /usr/bin/time -f '%U %S' -o "$T/$name.time" ./etcd-monitor --headless --no-discover \
        --endpoints "$eps" --interval 1 --duration "${SECS}s" --config "$cfg" \
        --workdir "$T/$name" >"$T/$name.out" 2>&1 &
    local em=$! t=0
    while kill -0 "$em" 2>/dev/null; do
        sleep "$PERIOD"; t=$((t + PERIOD))
        # shellcheck disable=SC2086
        if [[ -n $stub ]]; then kill $stub 2>/dev/null; wait $stub 2>/dev/null; stub=""
        else start_stub; fi
    done
    wait "$em"
    [[ -n $stub ]] || start_stub
}
pct() { # FILE COL Q: the Q quantile of a metrics.csv column
    awk -F, -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
        { print $c }' "$1" | sort -n | awk -v q="$3" '{ v[NR] = $1 } END {
        i = int(q * NR + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; print v[i] }'
}
echo "== alert storm: $N members flapping every ${PERIOD}s (50 alerts fire and resolve), ${SECS}s per run"
run plain "$T/rules.yaml"
: >"$T/recv.log"
run chan "$T/chan.yaml"
fired=$(grep -c ' FIRING ' "$T/chan/alerts.log")
resolved=$(grep -c ' RESOLVED ' "$T/chan/alerts.log")
msgs=$(wc -l <"$T/recv.log")
alerts=$(jq -c '.body.alerts[]' "$T/recv.log" | wc -l)
read -r u0 s0 < <(tail -n 1 "$T/plain.time")
read -r u1 s1 < <(tail -n 1 "$T/chan.time")
for name in plain chan; do
    printf '%-22s poll_ms p50 %s, p99 %s, max %s; transitions %s\n' \
        "$([[ $name == plain ]] && echo "no channels:" || echo "5 webhook channels:")" \
        "$(pct "$T/$name/metrics.csv" poll_ms 0.5)" "$(pct "$T/$name/metrics.csv" poll_ms 0.99)" \
        "$(pct "$T/$name/metrics.csv" poll_ms 1)" "$(grep -c -E ' (FIRING|RESOLVED) ' "$T/$name/alerts.log")"
done
awk -v u0="$u0" -v s0="$s0" -v u1="$u1" -v s1="$s1" -v m="$msgs" -v a="$alerts" -v f="$fired" -v r="$resolved" 'BEGIN {
    c0 = u0 + s0; c1 = u1 + s1
    printf "delivered: %d messages carrying %d alert notifications (%d FIRING + %d RESOLVED x 5 channels)\n", m, a, f, r
    printf "cpu: %.3f s without channels, %.3f s with 5 channels\n", c0, c1
    if (a > 0) printf "cpu per notification: %.1f us (per message: %.1f us)\n", (c1 - c0) * 1e6 / a, (c1 - c0) * 1e6 / (m > 0 ? m : 1)
}'
grep -h "notify: webhook" "$T/chan/monitoring.log" | grep -E "sent, .* retried" | sed 's/^[^ ]* /  /' | head -5
