#!/usr/bin/env bash
# bench/clusters.sh — many clusters from one process: N clusters (default 20) of M
# stub members (default 5) polled every second by ONE etcd-monitor (the
# config file's clusters: list, headless) for BENCH_SECONDS (default 60).
# Each member is a listener of one tests/stub/http_stub.c process answering the
# captured etcd 3.4 bodies of tests/data (/metrics, status, /health, the read
# probe, alarms). Prints the monitor's CPU (user + sys, % of one core), its peak
# RSS, and whether every poll stayed inside its interval: polls per cluster,
# the longest poll_ms, gaps between polls outside 0.5..1.5 s, "poll skipped"
# lines. Measures, asserts nothing (timing on a shared machine is noisy).
#   bash bench/clusters.sh            BENCH_CLUSTERS=20 BENCH_MEMBERS=5 BENCH_SECONDS=60
set -u
cd "$(dirname "$0")/.." || exit 1
NC=${BENCH_CLUSTERS:-20}
NM=${BENCH_MEMBERS:-5}
SECS=${BENCH_SECONDS:-60}
[[ -x build/http-stub ]] || make -s build/http-stub >/dev/null || exit 1
[[ -x etcd-monitor ]] || make -s etcd-monitor >/dev/null || exit 1
T=$(mktemp -d /tmp/etcd-monitor-clusters.XXXXXX)
stubs=()
trap 'for p in "${stubs[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

# Stub processes of 12 listeners each (the stub takes 16 listeners and 64 routes),
# one listener per member; each member its own status.json (its member ID; the
# cluster's first member leads).
stubs=()
args=()
start_stub() {
    build/http-stub --max-seconds $((SECS + 60)) "${args[@]}" 2>/dev/null &
    stubs+=($!)
    args=()
}
for ((c = 1; c <= NC; c++)); do
    for ((m = 1; m <= NM; m++)); do
        id=$((c * 100 + m))
        printf '{"header":{"cluster_id":"%d","member_id":"%d","revision":"3","raft_term":"2"},"version":"3.4.23","dbSize":"20480","leader":"%d","raftIndex":"10","raftTerm":"2","raftAppliedIndex":"10","dbSizeInUse":"16384"}' \
            "$c" "$id" "$((c * 100 + 1))" >"$T/status-$id.json"
        args+=(--port-file "$T/port-$id"
               --route "GET /metrics file tests/data/etcd-3.4-follower.metrics"
               --route "POST /v3/maintenance/status file $T/status-$id.json"
               --route "GET /health file tests/data/health-3.4.json"
               --route "POST /v3/kv/range file tests/data/fixture/range-absent.json"
               --route "POST /v3/maintenance/alarm file tests/data/alarm-none-3.4.json")
        (( ${#args[@]} >= 12 * 12 )) && start_stub
    done
done
(( ${#args[@]} )) && start_stub
for ((c = 1; c <= NC; c++)); do
    for ((m = 1; m <= NM; m++)); do
        for ((i = 0; i < 100; i++)); do
            [[ -s $T/port-$((c * 100 + m)) ]] && break
            sleep 0.1
        done
    done
done
{
    echo "interval: 1"
    echo "no_discover: true"
    echo "clusters:"
    for ((c = 1; c <= NC; c++)); do
        eps=""
        for ((m = 1; m <= NM; m++)); do eps+="${eps:+, }127.0.0.1:$(cat "$T/port-$((c * 100 + m))")"; done
        echo "  - name: c$c"
        echo "    endpoints: [$eps]"
    done
} >"$T/clusters.yaml"

echo "== $NC clusters x $NM stub members, interval 1s, ${SECS}s, one process"
/usr/bin/time -f '%U %S %M %e' -o "$T/time" ./etcd-monitor --headless --config "$T/clusters.yaml" \
    --duration "${SECS}s" --workdir "$T/ws" >"$T/out" 2>"$T/err"
rc=$?
read -r user sys rss_kb wall < <(tail -1 "$T/time")   # after "Command exited with ..."
awk -v u="$user" -v s="$sys" -v w="$wall" -v rss="$rss_kb" -v rc="$rc" 'BEGIN {
    printf "exit status %d; cpu %.2f s user + %.2f s sys over %.1f s = %.1f%% of one core; peak rss %.1f MiB\n",
           rc, u, s, w, (u + s) * 100 / w, rss / 1024 }'
# Per cluster: polls, longest poll, gaps outside 0.5..1.5 s.
for ((c = 1; c <= NC; c++)); do
    f=$T/ws/c$c/metrics.csv
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "poll_ms") pc = i; next }
             { print $1, $pc }' "$f" |
        while read -r ts pm; do echo "$(date -d "$ts" +%s.%N) $pm"; done |
        awk -v c="c$c" 'NR > 1 { d = $1 - p; if (d > 1.5 || d < 0.5) bad++ }
                        { p = $1; n++; if ($2 + 0 > mx) mx = $2 + 0 }
                        END { printf "%s %d %.1f %d\n", c, n, mx, bad + 0 }'
done >"$T/per-cluster"
up=0
for ((c = 1; c <= NC; c++)); do
    up=$((up + $(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "members_up") u = i; next }
                          { v = $u } END { print v + 0 }' "$T/ws/c$c/metrics.csv")))
done
echo "members up at the last poll: $up of $((NC * NM)); statuses: $(cat "$T"/ws/c*/metrics.csv |
     awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "status") s = i } $s != "status" { n[$s]++ }
              END { for (k in n) printf "%s %d ", k, n[k] }')"
echo "firing alerts seen (the stub's bodies never change): $(cat "$T"/ws/c*/alerts.log |
     awk '$2 == "FIRING" { print $4 }' | sort | uniq -c | xargs)"
skipped=$(cat "$T"/ws/c*/monitoring.log | grep -c "poll skipped")
awk -v sk="$skipped" '{ n += $2; if ($2 < minp || NR == 1) minp = $2; if ($2 > maxp) maxp = $2
                        if ($3 > mx) mx = $3; bad += $4 }
     END { printf "polls per cluster: %d to %d (%d in all); longest poll_ms %.1f; gaps outside 0.5..1.5 s: %d; poll skipped: %d\n",
           minp, maxp, n, mx, bad, sk
           printf "every poll inside its interval: %s\n", (mx < 1000 && bad == 0 && sk == 0) ? "yes" : "NO" }' "$T/per-cluster"
