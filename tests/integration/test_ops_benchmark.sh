#!/usr/bin/env bash
# etcd-monitor benchmark on a real 3-member cluster: refused off a terminal
# without --yes (exit 64, nothing written); a write load's successful writes
# equal the revision delta (plus the one delete at the end); the keys are
# deleted unless --keep; the seed's "=== Benchmark Results ===" layout; the
# seed's --run-benchmark spelling; a mixed load reads and writes.
. "$(dirname "$0")/../lib/itest.sh"

it_cluster 3
rev() { etcdctl --endpoints "$M1_ENDPOINT" endpoint status -w json | jq '.[0].Status.header.revision'; }

r0=$(rev)
"$EM" benchmark --endpoints "$CLUSTER_ENDPOINTS" --ops 100 </dev/null >"$T/o" 2>"$T/e"
t_eq "no --yes off a terminal: exit 64" 64 "$?"
t_eq "no --yes: one line" 1 "$(wc -l <"$T/e")"
t_assert "no --yes: says to give --yes" grep -q 'give --yes' "$T/e"
t_eq "no --yes: nothing written" "$r0" "$(rev)"
"$EM" --run-benchmark --endpoints "$CLUSTER_ENDPOINTS" </dev/null >"$T/o" 2>"$T/e"
t_eq "--run-benchmark without --yes: exit 64" 64 "$?"

r0=$(rev)
"$EM" benchmark --endpoints "$CLUSTER_ENDPOINTS" --type write --ops 1500 --clients 8 --conns 4 \
    --yes -w json >"$T/w.json" 2>"$T/e"
t_eq "write: exit 0" 0 "$?"
t_eq "write: nothing on stderr" "" "$(cat "$T/e")"
ok=$(jq .writesOk "$T/w.json")
t_eq "write: all 1500 succeeded" 1500 "$ok"
t_eq "write: successful writes = the revision delta (+1 for the clean-up delete)" \
    "$((ok + 1))" "$(($(rev) - r0))"
t_eq "write: its own revision delta" "$ok" "$(jq '.revisionAfter - .revisionBefore' "$T/w.json")"
t_eq "write: the keys are deleted" "" "$(etcdctl --endpoints "$M1_ENDPOINT" get --prefix /etcd-monitor/benchmark/ --keys-only)"

"$EM" --run-benchmark --benchmark-type=mixed --benchmark-ops=1000 --endpoints "$M2_ENDPOINT" \
    --key-space 50 --keep --yes >"$T/table" 2>"$T/e"
t_eq "seed spelling, mixed: exit 0" 0 "$?"
t_eq "report layout" "=== Benchmark Results ===|Type:             mixed|Total Operations: 1000|Successful:       1000|Failed:           0|Latency:|Latency Distribution:" \
    "$(grep -E '^(===|Type|Total|Successful|Failed|Latency)' "$T/table" | paste -sd'|')"
t_assert "report: throughput line" grep -qE '^Throughput:       [0-9]+\.[0-9]{2} ops/sec$' "$T/table"
for l in Average P50 P95 P99 Min Max; do
    t_assert "report: $l" grep -qE "^  $l: +[0-9]+\.[0-9]{2} ms$" "$T/table"
done
t_eq "report: the seven distribution rows" "<1ms 1-5ms 5-10ms 10-50ms 50-100ms 100-500ms >500ms" \
    "$(sed -n '/^Latency Distribution:/,$p' "$T/table" | sed -n 's/^  \([^ ]*\) *: *[0-9]* ([0-9.]*%)$/\1/p' | xargs)"
t_eq "report: the rows add up" 1000 \
    "$(sed -n '/^Latency Distribution:/,$p' "$T/table" | awk -F'[:(]' 'NF > 2 { s += $2 } END { print s }')"
t_eq "--keep: the keys stay (key space 50)" 50 \
    "$(etcdctl --endpoints "$M1_ENDPOINT" get --prefix /etcd-monitor/benchmark/ --keys-only | grep -c .)"
t_done
