#!/usr/bin/env bash
# etcd-monitor status against a real 3-member cluster: one row per member and
# exactly one leader; -w json parses and agrees with etcdctl on the leader's
# raft term; a killed member keeps its row, with its error, and the exit
# status is not 0. Command-line errors (an unknown command, an option of
# another command) exit 64; help status prints the status usage.
. "$(dirname "$0")/../lib/itest.sh"

usage_error() {   # DESC EXPECTED-LINE ARGS...
    local desc=$1 want=$2; shift 2
    "$EM" "$@" >"$T/o" 2>"$T/e"
    t_eq "$desc: exit 64" 64 "$?"
    t_eq "$desc: one line" "$want" "$(cat "$T/e")"
    t_eq "$desc: nothing on stdout" "" "$(cat "$T/o")"
}
usage_error "unknown command" "etcd-monitor: unknown command 'statuz' (see etcd-monitor help)" statuz
usage_error "help of an unknown command" \
    "etcd-monitor: unknown command 'statuz' (see etcd-monitor help)" help statuz
usage_error "a monitor option given to status" \
    'etcd-monitor: --theme does not apply to `status` (see etcd-monitor help status)' \
    status --endpoints 127.0.0.1:1 --theme mono
usage_error "--headless given to status" \
    'etcd-monitor: --headless does not apply to `status` (see etcd-monitor help status)' \
    status --headless
usage_error "a status option given to monitor" \
    'etcd-monitor: -w does not apply to `monitor` (see etcd-monitor help monitor)' \
    --headless -w json
usage_error "a bad --write-out" \
    'etcd-monitor: --write-out: "yaml" is not an output format (table or json)' status -w yaml

"$EM" help status >"$T/help" 2>"$T/e"
t_eq "help status: exit 0" 0 "$?"
t_eq "help status: the status usage first" "usage: etcd-monitor status [options]" "$(head -1 "$T/help")"
t_assert "help status: lists --write-out" grep -q -- '^  -w, --write-out FORMAT' "$T/help"
t_assert "help status: lists --endpoints" grep -q -- '^  --endpoints LIST' "$T/help"
t_eq "help status: no monitor-only option" "" "$(grep -oE -- '--(theme|headless|workdir|duration) ' "$T/help")"
"$EM" status --help >"$T/help2"
t_eq "status --help = help status" "" "$(diff "$T/help" "$T/help2")"
"$EM" help >"$T/o"
t_eq "help lists the commands" "$(sed -n 's/^    { "\([a-z-]*\)",$/\1/p' src/cmd/command.c | xargs)" \
    "$(sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p' "$T/o" | xargs)"
t_assert "help lists monitor, status and help" bash -c "grep -q '^  monitor ' '$T/o' && grep -q '^  status ' '$T/o' && grep -q '^  help ' '$T/o'"

it_cluster 3

# Healthy: a row per member (discovered from one endpoint), one leader, exit 0.
"$EM" status --endpoints "$M1_ENDPOINT" >"$T/table" 2>"$T/err"
t_eq "healthy: exit 0" 0 "$?"
t_eq "healthy: nothing on stderr" "" "$(cat "$T/err")"
t_eq "table heading as etcdctl's, then ours" \
    "ENDPOINT|ID|VERSION|DB SIZE|IS LEADER|IS LEARNER|RAFT TERM|RAFT INDEX|RAFT APPLIED INDEX|ERRORS|HEALTH|FRAGMENTATION|RAFT LAG" \
    "$(sed -n 2p "$T/table" | awk -F' *[|] *' '{ s = $2; for (i = 3; i < NF; i++) s = s "|" $i; print s }')"
t_eq "table: 3 rows" 3 "$(grep -c '^| http' "$T/table")"
t_eq "table: the cluster's endpoints" "$(tr ',' '\n' <<<"$CLUSTER_ENDPOINTS" | sort | xargs)" \
    "$(awk -F' *[|] *' '/^[|] http/ { print $2 }' "$T/table" | sort | xargs)"
t_eq "table: exactly one leader" 1 "$(awk -F' *[|] *' '/^[|] http/ && $6 == "true"' "$T/table" | wc -l)"
t_eq "table: every member healthy" "true" "$(awk -F' *[|] *' '/^[|] http/ { print $12 }' "$T/table" | sort -u)"
t_eq "table: no errors" "" "$(awk -F' *[|] *' '/^[|] http/ { print $11 }' "$T/table" | sort -u | xargs)"

"$EM" status --endpoints "$M1_ENDPOINT" -w json >"$T/json" 2>"$T/err"
t_eq "json: exit 0" 0 "$?"
t_assert "json: parses" jq -e . "$T/json"
t_eq "json: 3 members" 3 "$(jq length "$T/json")"
t_eq "json: one leader" 1 "$(jq '[.[] | select(.isLeader)] | length' "$T/json")"
leader_ep=$(jq -r '.[] | select(.isLeader) | .Endpoint' "$T/json")
mine=$(jq '.[] | select(.isLeader) | .raftTerm' "$T/json")
theirs=$(etcdctl --endpoints "$leader_ep" endpoint status -w json | jq '.[0].Status.raftTerm')
t_eq "json: the leader's raft term is etcdctl's" "$theirs" "$mine"
t_eq "json: etcdctl names the same leader" "$leader_ep" \
    "$(etcdctl --endpoints "$CLUSTER_ENDPOINTS" endpoint status -w json |
       jq -r '.[] | select(.Status.header.member_id == .Status.leader) | .Endpoint')"
t_eq "json: versions known" "false" "$(jq '[.[] | .version == null] | any' "$T/json")"
ETCDCTL_ENDPOINTS=$M2_ENDPOINT "$EM" status -w json >"$T/json2"
t_eq "ETCDCTL_ENDPOINTS is read" 3 "$(jq length "$T/json2")"

# A killed follower keeps its row, with its error; a warning fires: exit 1.
leader=$(cluster_leader)
k=2
[[ $leader == 2 ]] && k=3
cluster_kill "$k"
dead_ep=M${k}_ENDPOINT dead_ep=${!dead_ep}
"$EM" status --endpoints "$M1_ENDPOINT" >"$T/table" 2>"$T/err"
rc=$?
t_assert "killed member: exit status is not 0 (got $rc)" test "$rc" -ne 0
t_eq "killed member: a warning (exit 1)" 1 "$rc"
t_eq "killed member: still 3 rows" 3 "$(grep -c '^| http' "$T/table")"
t_eq "killed member: its row has the error" "connection refused" \
    "$(awk -F' *[|] *' -v ep="$dead_ep" '$2 == ep { print $11 }' "$T/table")"
t_eq "killed member: unknown raft term shown as -" "-" \
    "$(awk -F' *[|] *' -v ep="$dead_ep" '$2 == ep { print $8 }' "$T/table")"
t_assert "killed member: the firing alert is named on stderr" grep -q 'firing: MemberUnreachable@' "$T/err"
"$EM" status --endpoints "$M1_ENDPOINT" -w json >"$T/json" 2>"$T/err"
t_eq "killed member: json error" "connection refused" \
    "$(jq -r --arg ep "$dead_ep" '.[] | select(.Endpoint == $ep) | .errors[0]' "$T/json")"
t_eq "killed member: json raftTerm null" "null" \
    "$(jq -r --arg ep "$dead_ep" '.[] | select(.Endpoint == $ep) | .raftTerm' "$T/json")"
"$EM" status --endpoints "$dead_ep" --no-discover >"$T/table" 2>"$T/err"
t_eq "only the killed member: critical (exit 2)" 2 "$?"
t_eq "only the killed member: one row" 1 "$(grep -c '^| http' "$T/table")"
t_done
