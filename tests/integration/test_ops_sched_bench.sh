#!/usr/bin/env bash
# The scheduled benchmark in monitor mode against a real 3-member cluster:
# benchmark: {enabled: true, interval: 3s, ops: 100} over about 8 s runs it
# 3 times (at 0, 3 and 6 s) on its worker thread: a monitoring.log line per run
# with ops/s and p99, bench_ops_per_s and bench_p99_ms in metrics.csv only in
# the rows of the polls after a run ended (empty elsewhere), no key left under
# its prefix, polls kept on schedule (one a second), and the latest run in
# /api/v1/metrics/current's benchmark {opsPerSec, p99Ms, at}.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/serve.sh

it_cluster 3
cat > "$T/bench.yaml" <<'YAML'
benchmark:
  enabled: true
  interval: 3s
  ops: 100
YAML

sv_start M --headless --workdir "$T/ws" --interval 1 --duration 8s --api-port 0 \
    --config "$T/bench.yaml" --endpoints "$CLUSTER_ENDPOINTS" || t_done
t_wait_for "API: metrics/current carries the latest benchmark" 6 bash -c \
    "curl -s http://127.0.0.1:$SV_PORT_M/api/v1/metrics/current |
     jq -e '.benchmark.opsPerSec > 0 and .benchmark.p99Ms > 0 and
            (.benchmark.at | test(\"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$\"))' >/dev/null"
wait "$SV_PID_M"
rc=$?
t_assert "exit 0 or 1 (healthy or warning: $rc)" test "$rc" -le 1
t_eq "nothing said about a benchmark not built" 0 "$(grep -c 'not built yet' "$T/M.err")"

log="$T/ws/monitoring.log"
t_assert "start-up line names the schedule" \
    grep -q 'scheduled benchmark: 100 writes every 3s under /etcd-monitor/benchmark/scheduled/' "$log"
runs=$(grep -c 'benchmark: 100 writes in [0-9.]* s: [0-9.]* ops/s, p99 [0-9.]* ms, avg [0-9.]* ms, 0 failed$' "$log")
t_assert "a monitoring.log line per run, with ops/s and p99 (2 to 3 in 8 s: $runs)" \
    test "$runs" -ge 2 -a "$runs" -le 3
t_eq "no failed run" 0 "$(grep -c 'benchmark failed\|keys left under' "$log")"

rows=$(($(wc -l < "$T/ws/metrics.csv") - 1))
t_assert "polls on schedule: 8 or 9 rows in 8 s ($rows)" test "$rows" -ge 8 -a "$rows" -le 9
mapfile -t ops < <(csv_col "$T/ws/metrics.csv" bench_ops_per_s)
mapfile -t p99 < <(csv_col "$T/ws/metrics.csv" bench_p99_ms)
filled=0 empty=0 bad=0
for i in "${!ops[@]}"; do
    if [ -n "${ops[$i]}" ]; then
        filled=$((filled + 1))
        awk -v o="${ops[$i]}" -v p="${p99[$i]}" 'BEGIN { exit !(o > 0 && p > 0) }' || bad=$((bad + 1))
    else
        empty=$((empty + 1))
        [ -z "${p99[$i]}" ] || bad=$((bad + 1))
    fi
done
t_assert "bench_ops_per_s filled in at least one row ($filled)" test "$filled" -ge 1
t_eq "... one row per logged run at most, and never with zero ops/s or p99" "0 0" \
    "$(( filled > runs ? 1 : 0 )) $bad"
t_assert "... empty in the other rows ($empty)" test "$empty" -ge $((rows - runs))
t_eq "the benchmark's keys are gone" "" \
    "$(etcdctl --endpoints "$M1_ENDPOINT" get --prefix /etcd-monitor/benchmark/ --keys-only)"
t_done
