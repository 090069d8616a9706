# stubmember.sh — build/http-stub playing an etcd 3.4 member (source after testlib.sh).
#
#   sm_start NAME ID [--delay MS] [ROUTE...]
#       Starts a stub answering like etcd 3.4 (the captured bodies of tests/data):
#       /metrics, /health, maintenance status (member ID ID, leader SM_LEADER_ID),
#       the read probe (range) and the alarm list. ROUTEs ("METHOD PATH MODE ARG")
#       come first, so they replace the default of their path. --delay MS: every
#       default route answers after MS milliseconds (the stub's slow mode).
#       Sets SM_PORT (and T_STUB_PORT, T_STUB_LOG, T_STUB_PID); call it directly,
#       not in $(...). Returns non-zero when the stub does not start.
#   sm_count PORT "METHOD PATH"   requests the stub at PORT answered on that route
#   sm_member_list FILE CLUSTER_ID "ID NAME URL" ...   write a member-list answer

SM_LEADER_ID=${SM_LEADER_ID:-1001}

sm_start() {
    local name=$1 id=$2 delay="" d
    shift 2
    if [[ ${1:-} == --delay ]]; then
        delay=$2
        shift 2
    fi
    d=$(t_tmpdir)/sm-$name
    mkdir -p "$d"
    printf '{"header":{"cluster_id":"77","member_id":"%s","revision":"3","raft_term":"2"},"version":"3.4.23","dbSize":"20480","leader":"%s","raftIndex":"10","raftTerm":"2","raftAppliedIndex":"10","dbSizeInUse":"16384"}' \
        "$id" "$SM_LEADER_ID" >"$d/status.json"
    local mode=file
    [[ -n $delay ]] && mode="slow $delay"
    local args=() r
    for r in "$@"; do args+=(--route "$r"); done
    args+=(--route "GET /metrics $mode $T_ROOT/tests/data/etcd-3.4-follower.metrics"
           --route "POST /v3/maintenance/status $mode $d/status.json"
           --route "GET /health $mode $T_ROOT/tests/data/health-3.4.json"
           --route "POST /v3/kv/range $mode $T_ROOT/tests/data/fixture/range-absent.json"
           --route "POST /v3/maintenance/alarm $mode $T_ROOT/tests/data/alarm-none-3.4.json")
    t_stub_start "$name" --max-seconds 120 "${args[@]}" || return 1
    SM_PORT=$T_STUB_PORT
}

sm_count() {
    curl -s --noproxy '*' --max-time 2 "http://127.0.0.1:$1/__stub/counts" |
        awk -v r="$2" '{ n = $2; $1 = ""; $2 = ""; sub(/^  /, "") }
                       index($0, r " ") == 1 { s += n } END { print s + 0 }'
}

sm_member_list() {
    local file=$1 cid=$2 sep="" m id name url
    shift 2
    {
        printf '{"header":{"cluster_id":"%s","member_id":"1","raft_term":"2"},"members":[' "$cid"
        for m in "$@"; do
            read -r id name url <<<"$m"
            printf '%s{"ID":"%s","name":"%s","peerURLs":["http://127.0.0.1:1"],"clientURLs":["%s"]}' \
                "$sep" "$id" "$name" "$url"
            sep=,
        done
        printf ']}'
    } >"$file"
}
