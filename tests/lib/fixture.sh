# shellcheck shell=bash
# fixture.sh — scripted etcd answers for stub-driven integration tests (source it
# after itest.sh or testlib.sh). A "member dir" holds what one fake member serves:
#
#   DIR/metrics/NNN.prom  GET /metrics, one file per poll (stub `seq`), or DIR/metrics.prom
#   DIR/status/NNN.json   POST /v3/maintenance/status, likewise, or DIR/status.json
#   DIR/health.json       GET /health
#   DIR/members.json      POST /v3/cluster/member/list
#   DIR/alarms.json       POST /v3/maintenance/alarm
#   DIR/range.json        POST /v3/kv/range (the read probe)
#
# Writers (every file is written whole: tmp + rename, so a `file` route never serves
# half of one):
#   fixture_metrics OUT [opts]     a /metrics body in etcd 3.4's shape. Counters and
#                                  histograms are totals so far (the caller adds up):
#     --wal "LE=N ..."             WAL fsync observations per bucket bound (seconds),
#                                  e.g. "0.001=50 0.002=40 2.048=10"; bounds not named
#                                  get 0; written cumulative, with _sum and _count
#     --commit "LE=N ..."          backend commit, same bounds as the WAL
#     --rtt "LE=N ..."             peer round trip (bounds 0.0001 .. 3.2768), To=$2 peer
#     --grpc "Code=N ..."          grpc_server_handled_total per code (Range method)
#     --leader-changes N --proposals-failed N --proposals-committed N
#     --has-leader 0|1 --is-leader 0|1 --db-size B --db-in-use B --quota B
#   fixture_status OUT --id ID [--leader ID|absent] [--db-size B] [--db-in-use B]
#                  [--term N] [--index N] [--learner]     (int64 as strings, like etcd)
#   fixture_member_list OUT "NAME ID URL [learner]"...
#   fixture_alarms OUT [ID:ALARM ...]
#   fixture_health OUT true|false
#   fixture_member_dir DIR         health, alarms (none), range answer; no metrics/status
#   fixture_stub NAME DIR [--port P] [--probe-ms MS] [--down503]
#                                  start build/http-stub for DIR (t_stub_start: sets
#                                  T_STUB_PORT, T_STUB_PID; stopped at exit). --down503
#                                  answers /metrics and status with HTTP 503.
#   fixture_free_ports N           N free ports outside the ephemeral range (so a stub or
#                                  an etcd can be stopped and started again on one)

FIXTURE_CLUSTER_ID=14841639068965178418
FIXTURE_LE_DISK="0.001 0.002 0.004 0.008 0.016 0.032 0.064 0.128 0.256 0.512 1.024 2.048 4.096 8.192"
FIXTURE_LE_RTT="0.0001 0.0002 0.0004 0.0008 0.0016 0.0032 0.0064 0.0128 0.0256 0.0512 0.1024 0.2048 0.4096 0.8192 1.6384 3.2768"

_fx_put() { # OUT: stdin -> OUT, atomically
    cat >"$1.tmp.$$" && mv -f "$1.tmp.$$" "$1"
}

# _fx_hist NAME LABELS "LES" "LE=N ..." — bucket lines (cumulative), _sum, _count.
_fx_hist() {
    awk -v name="$1" -v labels="$2" -v les="$3" -v obs="$4" 'BEGIN {
        nb = split(les, le, " "); no = split(obs, o, " ")
        for (i = 1; i <= no; i++) {
            split(o[i], kv, "=")
            for (j = 1; j <= nb; j++) if (le[j] + 0 == kv[1] + 0) break
            if (j > nb) { print "fixture: bound " kv[1] " is not one of " name > "/dev/stderr"; exit 1 }
            n[j] += kv[2]; sum += kv[2] * kv[1] * 0.75
        }
        sep = labels == "" ? "" : ","
        printf "# TYPE %s histogram\n", name
        for (j = 1; j <= nb; j++) {
            cum += n[j]
            printf "%s_bucket{%s%sle=\"%s\"} %.0f\n", name, labels, sep, le[j], cum
        }
        printf "%s_bucket{%s%sle=\"+Inf\"} %.0f\n", name, labels, sep, cum
        lb = labels == "" ? "" : "{" labels "}"
        printf "%s_sum%s %.9g\n%s_count%s %.0f\n", name, lb, sum, name, lb, cum
    }'
}

fixture_metrics() {
    local out=$1 wal="" commit="" rtt="" rtt_to=6fe1bb8af9d7775d grpc="OK=0" lc=1 pf=0 pc=100
    local hl=1 il=1 db=20480 inuse=16384 quota=2147483648
    shift
    while (($#)); do
        case $1 in
        --wal) wal=$2 ;;
        --commit) commit=$2 ;;
        --rtt) rtt=$2 ;;
        --rtt-to) rtt_to=$2 ;;
        --grpc) grpc=$2 ;;
        --leader-changes) lc=$2 ;;
        --proposals-failed) pf=$2 ;;
        --proposals-committed) pc=$2 ;;
        --has-leader) hl=$2 ;;
        --is-leader) il=$2 ;;
        --db-size) db=$2 ;;
        --db-in-use) inuse=$2 ;;
        --quota) quota=$2 ;;
        *) echo "fixture_metrics: unknown option $1" >&2; return 1 ;;
        esac
        shift 2
    done
    {
        echo '# HELP etcd_server_version Which version is running. 1 for '"'"'server_version'"'"' label with current version.'
        echo '# TYPE etcd_server_version gauge'
        echo 'etcd_server_version{server_version="3.4.23"} 1'
        printf 'etcd_server_has_leader %s\netcd_server_is_leader %s\netcd_server_is_learner 0\n' "$hl" "$il"
        printf '# TYPE etcd_server_leader_changes_seen_total counter\n'
        printf 'etcd_server_leader_changes_seen_total %s\n' "$lc"
        printf 'etcd_server_proposals_applied_total %s\netcd_server_proposals_committed_total %s\n' "$pc" "$pc"
        printf 'etcd_server_proposals_failed_total %s\netcd_server_proposals_pending 0\n' "$pf"
        printf 'etcd_server_quota_backend_bytes %s\n' "$(awk -v q="$quota" 'BEGIN { printf "%.9e", q }')"
        printf 'etcd_mvcc_db_total_size_in_bytes %s\netcd_mvcc_db_total_size_in_use_in_bytes %s\n' "$db" "$inuse"
        printf 'etcd_debugging_mvcc_db_total_size_in_bytes %s\n' "$db"
        _fx_hist etcd_disk_wal_fsync_duration_seconds "" "$FIXTURE_LE_DISK" "$wal" || return 1
        _fx_hist etcd_disk_backend_commit_duration_seconds "" "$FIXTURE_LE_DISK" "$commit" || return 1
        _fx_hist etcd_network_peer_round_trip_time_seconds "To=\"$rtt_to\"" "$FIXTURE_LE_RTT" "$rtt" || return 1
        local kv
        for kv in $grpc; do
            printf 'grpc_server_handled_total{grpc_code="%s",grpc_method="Range",grpc_service="etcdserverpb.KV",grpc_type="unary"} %s\n' \
                "${kv%%=*}" "${kv#*=}"
        done
        echo 'process_open_fds 42'
        echo 'process_resident_memory_bytes 3.3783808e+07'
    } | _fx_put "$out"
}

fixture_status() {
    local out=$1 id="" leader="" db=20480 inuse=16384 term=2 index=10 learner=""
    shift
    while (($#)); do
        case $1 in
        --id) id=$2 ;;
        --leader) leader=$2 ;;
        --db-size) db=$2 ;;
        --db-in-use) inuse=$2 ;;
        --term) term=$2 ;;
        --index) index=$2 ;;
        --learner) learner=',"isLearner":true'; shift; continue ;;
        *) echo "fixture_status: unknown option $1" >&2; return 1 ;;
        esac
        shift 2
    done
    [[ -z $leader ]] && leader=$id
    local lf=',"leader":"'$leader'"'
    [[ $leader == absent ]] && lf=""
    printf '{"header":{"cluster_id":"%s","member_id":"%s","revision":"3","raft_term":"%s"},"version":"3.4.23","dbSize":"%s"%s,"raftIndex":"%s","raftTerm":"%s","raftAppliedIndex":"%s","dbSizeInUse":"%s"%s}' \
        "$FIXTURE_CLUSTER_ID" "$id" "$term" "$db" "$lf" "$index" "$term" "$index" "$inuse" "$learner" |
        _fx_put "$out"
}

fixture_member_list() {
    local out=$1 m name id url flag sep="" body=""
    shift
    for m in "$@"; do
        read -r name id url flag <<<"$m"
        body+="$sep{\"ID\":\"$id\",\"name\":\"$name\",\"peerURLs\":[\"http://127.0.0.1:1\"],\"clientURLs\":[\"$url\"]"
        [[ $flag == learner ]] && body+=',"isLearner":true'
        body+="}"
        sep=,
    done
    printf '{"header":{"cluster_id":"%s","member_id":"%s","raft_term":"2"},"members":[%s]}' \
        "$FIXTURE_CLUSTER_ID" "$id" "$body" | _fx_put "$out"
}

fixture_alarms() {
    local out=$1 a sep="" body=""
    shift
    for a in "$@"; do
        body+="$sep{\"memberID\":\"${a%%:*}\",\"alarm\":\"${a#*:}\"}"
        sep=,
    done
    if [[ -n $body ]]; then
        printf '{"header":{"cluster_id":"%s","raft_term":"2"},"alarms":[%s]}' "$FIXTURE_CLUSTER_ID" "$body"
    else
        printf '{"header":{"cluster_id":"%s","raft_term":"2"}}' "$FIXTURE_CLUSTER_ID"
    fi | _fx_put "$out"
}

fixture_health() {
    printf '{"health":"%s"}' "$2" | _fx_put "$1"
}

fixture_member_dir() {
    mkdir -p "$1"
    fixture_health "$1/health.json" true
    fixture_alarms "$1/alarms.json"
    cp "$T_ROOT/tests/data/fixture/range-absent.json" "$1/range.json"
}

fixture_stub() {
    local name=$1 dir=$2 port=() probe_ms="" down=0 metrics status
    shift 2
    while (($#)); do
        case $1 in
        --port) port=(--port "$2"); shift 2 ;;
        --probe-ms) probe_ms=$2; shift 2 ;;
        --down503) down=1; shift ;;
        *) echo "fixture_stub: unknown option $1" >&2; return 1 ;;
        esac
    done
    if [[ -d $dir/metrics ]]; then metrics="seq $dir/metrics"; else metrics="file $dir/metrics.prom"; fi
    if [[ -d $dir/status ]]; then status="seq $dir/status"; else status="file $dir/status.json"; fi
    if ((down)); then metrics="status 503" status="status 503"; fi
    local probe="file $dir/range.json"
    [[ -n $probe_ms ]] && probe="slow $probe_ms $dir/range.json"
    t_stub_start "$name" "${port[@]}" --max-seconds 240 \
        --route "GET /metrics $metrics" \
        --route "POST /v3/maintenance/status $status" \
        --route "GET /health file $dir/health.json" \
        --route "POST /v3/kv/range $probe" \
        --route "POST /v3/cluster/member/list file $dir/members.json" \
        --route "POST /v3/maintenance/alarm file $dir/alarms.json"
}

fixture_free_ports() { # N: N distinct free ports outside the kernel's ephemeral range
    local n=$1 lo=20000 hi=32767 elo=32768 ehi=60999 used p try out=()
    { read -r elo ehi </proc/sys/net/ipv4/ip_local_port_range; } 2>/dev/null
    if ((elo <= 21000)); then lo=$((ehi + 1)) hi=65000; else hi=$((elo - 1)); fi
    used=" $(awk 'FNR > 1 && $4 != "06" { n = split($2, a, ":"); print a[n] }' \
        /proc/net/tcp /proc/net/tcp6 2>/dev/null | sort -u | tr '\n' ' ') "
    for ((try = 0; try < 1000 && ${#out[@]} < n; try++)); do
        p=$(((RANDOM * 32768 + RANDOM) % (hi - lo + 1) + lo))
        [[ $used == *" $(printf '%04X' "$p") "* || " ${out[*]} " == *" $p "* ]] && continue
        out+=("$p")
    done
    ((${#out[@]} == n)) || return 1
    echo "${out[*]}"
}
