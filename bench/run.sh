#!/usr/bin/env bash
# make bench: parse throughput on captured etcd bodies, then the CPU time and peak
# RSS of a real headless run against a local 3-member cluster under write load, then
# alert delivery under a 50-alert storm (bench/notify_storm.sh). Prints figures; asserts nothing (performance is measured, not asserted).
set -u
cd "$(dirname "$0")/.."
echo "== parser (captured etcd 3.4 /metrics bodies)"
./build/bench-parse || exit 1

SECS=${BENCH_SECONDS:-30}
INTERVAL=${BENCH_INTERVAL:-1}
T=$(mktemp -d /tmp/etcd-monitor-bench.XXXXXX)
export CLUSTER_DIR=$T/cluster
. tests/lib/cluster.sh
trap 'kill $load 2>/dev/null; cluster_stop; rm -rf "$T"' EXIT
cluster_start 3 >/dev/null || exit 1
tests/lib/load.sh "$CLUSTER_ENDPOINTS" $((SECS + 10)) >/dev/null 2>&1 &
load=$!

echo "== headless run: 3 members, interval ${INTERVAL}s, ${SECS}s, under write load"
/usr/bin/time -f '%U %S %M' -o "$T/time" ./etcd-monitor --headless --endpoints "$CLUSTER_ENDPOINTS" \
    --interval "$INTERVAL" --duration "${SECS}s" --workdir "$T/ws" >/dev/null 2>&1
read -r user sys rss_kb < "$T/time"
polls=$(( $(wc -l < "$T/ws/metrics.csv") - 1 ))
member_polls=$(( $(wc -l < "$T/ws/members.csv") - 1 ))
conn=$(sed -n 's/.*(\([0-9]*\) transfers over \([0-9]*\) connections).*/\1 transfers over \2 connections/p' "$T/ws/monitoring.log")
awk -v u="$user" -v s="$sys" -v p="$polls" -v mp="$member_polls" -v rss="$rss_kb" -v c="$conn" 'BEGIN {
    cpu = u + s
    printf "polls: %d, member-polls: %d (%s)\n", p, mp, c
    printf "cpu: %.3f s user + %.3f s sys = %.3f s\n", u, s, cpu
    if (mp > 0) printf "cpu per member-poll: %.3f ms\n", cpu * 1000 / mp
    printf "peak rss: %.1f MiB\n", rss / 1024
}'

# Alert delivery under an alert storm: poll time p99 with and without 5 channels,
# CPU per notification (the cluster and its load are stopped first).
kill $load 2>/dev/null
cluster_stop >/dev/null 2>&1
bash bench/notify_storm.sh
