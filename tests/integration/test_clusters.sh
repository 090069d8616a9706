#!/usr/bin/env bash
# Many clusters from one monitor (the config file's clusters: list), headless,
# against two real 3-member etcd clusters: one workspace subdirectory per
# cluster with its own CSVs, "[name]" lines, a summary each; quorum lost in one
# cluster makes its status ALERT and the exit status the worst cluster's (2);
# both clusters keep their 1 s interval on the one loop.
. "$(dirname "$0")/../lib/itest.sh"

# Two clusters in their own directories (cluster.sh picks free ports for each).
start_cluster() { # NAME -> sets ${NAME}_EPS; stopped at exit
    local dir=$T/$1
    t_cleanup_add "CLUSTER_DIR='$dir' cluster_stop"
    if ! CLUSTER_DIR=$dir cluster_start 3 >/dev/null; then
        t_fail "cluster $1 starts"
        t_done
    fi
    printf -v "${1}_EPS" '%s' "$(. "$dir/env"; echo "$CLUSTER_ENDPOINTS")"
}
start_cluster blue
start_cluster green
t_assert "the clusters have different endpoints" test "$blue_EPS" != "$green_EPS"

cat >"$T/clusters.yaml" <<YAML
interval: 1
clusters:
  - name: blue
    endpoints: [$(echo "$blue_EPS" | sed 's/,/, /g')]
  - name: green
    members:
$(echo "$green_EPS" | tr ',' '\n' | sed 's/^/      - endpoint: /')
YAML

W=$T/ws
it_em_start "$T/out" "$T/err" --headless --config "$T/clusters.yaml" --duration 14s --workdir "$W"
it_wait_rows "$W/green/metrics.csv" 4 20
# green loses its quorum: two of its three members killed
CLUSTER_DIR=$T/green cluster_kill 1
CLUSTER_DIR=$T/green cluster_kill 2
wait "$EM_PID"
rc=$?
t_eq "exit status 2: the worst cluster's (green lost its quorum)" 2 "$rc"
t_eq "two subdirectories, one per cluster" "blue green" "$(cd "$W" && ls -d */ | tr -d / | xargs)"
for c in blue green; do
    for f in metrics.csv members.csv alerts.log monitoring.log; do
        t_assert "$c/$f exists" test -f "$W/$c/$f"
    done
    t_assert "$c's metrics.csv has rows" test "$(csv_rows "$W/$c/metrics.csv")" -ge 10
    t_eq "$c: 3 members in every members.csv poll" "m1 m2 m3" \
        "$(csv_col "$W/$c/members.csv" member | sort -u | xargs)"
    t_assert "$c's log names it" grep -q "started: cluster $c " "$W/$c/monitoring.log"
    t_assert "its summary is printed" grep -q "^Cluster $c ($W/$c):" "$T/out"
    t_assert "its lines start [$c]" grep -q "^\[$c\] .* #3 " "$T/out"
done
# Each CSV holds its own cluster: blue's endpoints in blue's members.csv only.
b1=${blue_EPS%%,*}
t_assert "blue's members.csv polls blue's endpoints" grep -q "${b1#http://}" "$W/blue/members.csv"
t_assert "green's members.csv never has blue's endpoints" bash -c "! grep -q '${b1#http://}' '$W/green/members.csv'"
# (a warning on blue is possible on a loaded machine, e.g. a slow fsync; never critical)
t_eq "blue never in ALERT" "" "$(csv_col "$W/blue/metrics.csv" status | grep -x ALERT | sort -u)"
t_eq "green ends in ALERT" "ALERT" "$(csv_col "$W/green/metrics.csv" status | tail -1)"
t_eq "green ends with 1 of 3 members up" "1" "$(csv_col "$W/green/metrics.csv" members_up | tail -1)"
t_assert "green's alerts.log has a critical FIRING" grep -q "FIRING critical" "$W/green/alerts.log"
t_assert "blue's alerts.log has no critical alert" bash -c "! grep -q 'FIRING critical' '$W/blue/alerts.log'"
sed 's/^/# blue: /' "$W/blue/alerts.log"
t_assert "the closing line names each cluster's state and the exit status" \
    grep -Eq "^Clusters: blue (HEALTHY \(0\)|WARNING \(1\)), green ALERT \(2\); exit status 2, the worst" "$T/out"
# Both clusters kept their interval on the one loop: consecutive polls ~1 s apart.
for c in blue green; do
    gaps=$(csv_col "$W/$c/metrics.csv" timestamp | while read -r ts; do date -d "$ts" +%s.%N; done |
           awk 'NR > 1 { d = $1 - p; if (d > 1.5 || d < 0.5) bad++ } { p = $1 } END { print bad + 0 }')
    t_eq "$c: no poll late or doubled" 0 "$gaps"
done
t_eq "nothing on stderr but the members' warnings" "" \
    "$(grep -v '^etcd-monitor: \[green\]' "$T/err")"

# A bad clusters: entry is refused before anything is created, with file:line.
printf 'clusters:\n  - name: a/b\n    endpoints: 127.0.0.1:1\n' >"$T/bad.yaml"
"$EM" --headless --config "$T/bad.yaml" --workdir "$T/bad-ws" >"$T/bad.out" 2>&1
t_eq "bad name: exit 64" 64 "$?"
t_assert "bad name: file:line in the message" grep -q "bad.yaml:2: clusters\[0\].name: \"a/b\" is not a valid name" "$T/bad.out"
t_assert "bad name: no workspace created" test ! -e "$T/bad-ws"
t_done
