#!/usr/bin/env bash
# Every built-in rule that /metrics, the status answer, the alarms, /health or an
# unreachable member can drive, proven against scripted members (build/http-stub):
# each alert starts at the poll its condition starts (PENDING, or FIRING when its
# `for` is 0), fires `for` seconds later (within one interval), resolves once when
# the condition clears, with the right member, value, threshold and unit in
# alerts.log, and metrics.csv lists it with the status of its severity while it
# fires. Nothing else fires, and the last polls are HEALTHY again.
#
# Four scenarios run side by side (about 40 s in all), each its own etcd-monitor:
#   disk   seq bodies: WAL fsync, backend commit and peer round trip slow in polls 4-10
#          SeedWalFsyncSlow SeedBackendCommitSlow EtcdHighFsyncDurations(+Critical)
#          EtcdHighCommitDurations EtcdMemberCommunicationSlow
#   raft   seq bodies: gRPC failures, failed proposals and elections in polls 2-9, no
#          leader in polls 12-17
#          ErrorRateHigh EtcdHighNumberOfFailedGRPCRequests(+Critical)
#          EtcdHighNumberOfFailedProposals SeedLeaderInstability
#          EtcdHighNumberOfLeaderChanges EtcdNoLeader
#   db     seq status: the db grows near its quota, fragmented, in polls 4-11; a NOSPACE
#          (and a CORRUPT of an unknown member) alarm while /health says false
#          SeedHighFragmentation DatabaseSizeHigh QuotaSpaceLow EtcdDatabaseQuotaLowSpace
#          EtcdExcessiveDatabaseGrowth EtcdDatabaseHighFragmentationRatio EtcdAlarm
#   down   three members driven live: a slow read probe, a member killed, a split view,
#          a member answering 503 and one killed at once (quorum lost)
#          RequestLatencyHigh MemberUnreachable EtcdMembersDown EtcdSplitView QuorumLost
#          EtcdInsufficientMembers AvailableMembersLow
# Alerts resolve keep_firing_for (2 polls) after their condition ends (KEEP below).
# Seed 004's production rules are off here (driven by test_rules_noise and the unit tests).
# Not driven here: LeaderChangesPerHourHigh (only evaluated with a window of 15m or
# more, which could not clear within a test; checked absent with 20s windows).
# shellcheck source=tests/lib/itest.sh
. "$(dirname "$0")/../lib/itest.sh"
# shellcheck source=tests/lib/fixture.sh
. tests/lib/fixture.sh

MiB=1048576
CRITICAL="SeedWalFsyncSlow SeedBackendCommitSlow AvailableMembersLow QuorumLost EtcdMembersDown
EtcdInsufficientMembers EtcdNoLeader EtcdHighNumberOfFailedGRPCRequestsCritical
EtcdHighFsyncDurationsCritical EtcdDatabaseQuotaLowSpace EtcdAlarm"
ID1=10501334649042878790 HEX1=91bc3c398fb3c146
ID2=2512698864566819725 HEX2=22dee64df2085b8d
ID3=1311094930227446630

# em NAME ARGS... — etcd-monitor in the background, headless, polling every second;
# its workdir is $T/NAME, its pid in EM_PID_NAME.
em() {
    local name=$1
    shift
    it_em_start "$T/$name.out" - --headless --no-discover --interval 1 --health-check-interval 1s \
        --workdir "$T/$name" "$@"
    printf -v "EM_PID_$name" '%s' "$EM_PID"
}

rows() { # data rows of WS/metrics.csv so far
    local n
    n=$(wc -l 2>/dev/null <"$1/metrics.csv") || n=1
    echo $((n > 0 ? n - 1 : 0))
}

wait_rows() { # WS N: until WS has N rows (at most 30 s)
    local i
    for ((i = 0; i < 300; i++)); do
        (($(rows "$1") >= $2)) && return 0
        sleep 0.1
    done
    t_fail "$1 reaches $2 rows (has $(rows "$1"))"
}

wait_line() { # WS REGEX: until alerts.log has a matching line (at most 30 s)
    local i
    for ((i = 0; i < 300; i++)); do
        grep -Eq "$2" "$1/alerts.log" 2>/dev/null && return 0
        sleep 0.1
    done
    t_fail "alerts.log of $1 gets /$2/" "$(cat "$1/alerts.log" 2>/dev/null)"
}

# ---- checks -------------------------------------------------------------------------

# index WS: WS/rows.tsv (row, time, epoch, status, alerts, alert_events) from metrics.csv
# and WS/alerts.tsv (line, time, epoch, kind, severity, rule, member, value, threshold,
# unit) from alerts.log.
index() {
    local ws=$1 m=$1/metrics.csv a=$1/alerts.log
    csv_col "$m" timestamp >"$ws/ts"
    paste <(seq "$(wc -l <"$ws/ts")") "$ws/ts" <(date -u -f "$ws/ts" +%s.%3N) \
        <(csv_col "$m" status) <(csv_col "$m" alerts) <(csv_col "$m" alert_events) >"$ws/rows.tsv"
    : >"$ws/alerts.tsv"
    : >"$ws/matched"
    [[ -s $a ]] || return 0
    paste <(seq "$(wc -l <"$a")") <(awk '{ print $1 }' "$a") <(awk '{ print $1 }' "$a" | date -u -f - +%s.%3N) \
        <(awk '{ for (i = 5; i <= 8; i++) sub(/^[a-z]+=/, "", $i)
                 print $2 "\t" $3 "\t" $4 "\t" $5 "\t" $6 "\t" $7 "\t" $8 }' "$a") >"$ws/alerts.tsv"
}

row_epoch() { awk -F'\t' -v r="$2" '$1 == r { print $3 }' "$1/rows.tsv"; }

# episode WS RULE MEMBER SEVERITY UNIT FOR ON OFF [OFF_HI]
# One alert of RULE on MEMBER ("-" = cluster-wide) starts at poll (row) ON: PENDING when
# FOR > 0, then FIRING FOR s later (at most one interval more), or FIRING at once when
# FOR is 0; it is RESOLVED at a row in OFF..OFF_HI. While it fires, metrics.csv lists it
# (alerts), its transitions are in alert_events, and the status is ALERT for a critical
# rule, WARNING or ALERT for a warning. Its lines are marked as expected; EP_PEND_V,
# EP_FIRE_V, EP_FIRE_THR, EP_FIRE_ROW, EP_RES_V and EP_RES_ROW describe them.
# The alert resolves KEEP polls after its condition ends (keep_firing_for, default 2
# intervals: OFF and OFF_HI are where the condition ends), or one poll later (jitter).
KEEP=2
episode() {
    local ws=$1 rule=$2 member=$3 sev=$4 unit=$5 for=$6 on=$7 off=$(($8 + KEEP)) hi=$((${9:-$8} + KEEP + 1)) out
    local desc="$rule member=$member: starts at poll $on, fires after ${for}s, resolves at poll $off${9:+..$9}"
    EP_PEND_V="" EP_FIRE_V="" EP_FIRE_THR="" EP_FIRE_ROW="" EP_RES_V="" EP_RES_ROW=""
    out=$(awk -F'\t' -v rowsf="$ws/rows.tsv" -v rule="$rule" -v member="$member" -v sev="$sev" \
        -v unit="$unit" -v for_s="$for" -v on="$on" -v off="$off" -v hi="$hi" -v matched="$ws/matched" '
        function fail(m) { print "FAIL " m; bad = 1; exit 1 }
        function row_at(e,   r) { for (r = 1; r <= nrows; r++) if (ep[r] == e) return r; return 0 }
        FILENAME == rowsf { ts[$1] = $2; ep[$1] = $3; st[$1] = $4; al[$1] = $5; ev[$1] = $6; nrows = $1; next }
        $6 == rule && $7 == member && ep[on] != "" && $3 >= ep[on] - 0.0005 && $3 <= ep[hi] + 0.0005 {
            n++; L[n] = $1; E[n] = $3; K[n] = $4; S[n] = $5; V[n] = $8; H[n] = $9; U[n] = $10
        }
        END {
            if (bad) exit 1
            if (on < 1 || hi > nrows || off > hi) fail("rows " on ".." hi " not in 1.." nrows)
            want = for_s > 0 ? "PENDING FIRING RESOLVED" : "FIRING RESOLVED"
            for (i = 1; i <= n; i++) got = got (i > 1 ? " " : "") K[i]
            if (got != want) fail("lines from poll " on " to " hi ": \"" got "\", want \"" want "\"")
            if (E[1] != ep[on]) fail(K[1] " at " E[1] ", not at poll " on " (" ep[on] ")")
            f = for_s > 0 ? 2 : 1
            if (for_s > 0) {
                d = E[2] - E[1]
                if (d < for_s - 0.0015 || d > for_s + 1.25) fail("FIRING " d " s after PENDING, want " for_s "..." for_s + 1)
            }
            if (E[f + 1] < ep[off] - 0.0005) fail("RESOLVED before poll " off)
            for (i = 1; i <= n; i++) {
                if (S[i] != sev) fail(K[i] " line says " S[i] ", want " sev)
                if (U[i] != unit) fail(K[i] " line says unit " U[i] ", want " unit)
            }
            fr = row_at(E[f]); rr = row_at(E[f + 1])
            if (!fr || !rr) fail("FIRING or RESOLVED time is no poll time")
            tag = member == "-" ? "" : "@" member
            if (!index(" " ev[fr] " ", " FIRING:" rule tag " ")) fail("alert_events of poll " fr ": " ev[fr])
            if (!index(" " ev[rr] " ", " RESOLVED:" rule tag " ")) fail("alert_events of poll " rr ": " ev[rr])
            for (r = fr; r < rr; r++) {
                if (!index(" " al[r] " ", " " rule " ")) fail("alerts of poll " r " lacks it: " al[r])
                if (sev == "critical" ? (st[r] != "ALERT") : (st[r] != "WARNING" && st[r] != "ALERT"))
                    fail("status of poll " r " is " st[r] " while a " sev " alert fires")
            }
            for (i = 1; i <= n; i++) print L[i] >> matched
            printf "OK EP_PEND_V=%s EP_FIRE_V=%s EP_FIRE_THR=%s EP_FIRE_ROW=%d EP_RES_V=%s EP_RES_ROW=%d\n",
                (for_s > 0 ? V[1] : ""), V[f], H[f], fr, V[f + 1], rr
        }' "$ws/rows.tsv" "$ws/alerts.tsv")
    if [[ $out == OK* ]]; then
        eval "${out#OK }"
        t_ok "$desc"
    else
        t_fail "$desc" "${out#FAIL }" "$(grep -F " $rule member=$member " "$ws/alerts.log")"
    fi
}

# near DESC WANT GOT TOL — |GOT - WANT| <= TOL
near() {
    if awk -v w="$2" -v g="$3" -v t="$4" 'BEGIN { d = g - w; exit !(g != "" && (d < 0 ? -d : d) <= t) }'; then
        t_ok "$1: $3 (want $2 ± $4)"
    else
        t_fail "$1" "want $2 ± $4, got '$3'"
    fi
}

# holds DESC "AWK CONDITION on v" VALUE
holds() {
    if awk -v v="$3" "BEGIN { exit !(v != \"\" && ($2)) }"; then
        t_ok "$1 ($3)"
    else
        t_fail "$1" "value '$3' does not satisfy: $2"
    fi
}

# one_body_per_poll NAME — poll k was served the k-th scripted /metrics and status body:
# the stub saw exactly one request of each per poll.
one_body_per_poll() {
    local pv=PORT_$1 counts
    counts=$(curl -s --max-time 2 "http://127.0.0.1:${!pv}/__stub/counts" |
        awk '$4 == "/metrics" || $4 == "/v3/maintenance/status" { printf "%s ", $2 }')
    t_eq "$1: one /metrics and one status request per poll" "$(rows "$T/$1") $(rows "$T/$1") " "$counts"
}

# Every alerts.log line belongs to an expected episode; the status of every poll is the
# one its firing alerts give; the last poll is HEALTHY with nothing firing; both files whole.
finish() {
    local ws=$1 name=$2 rc=$3 want_rc=${4:-0} extra
    extra=$(awk -F'\t' 'FILENAME == ARGV[1] { m[$1] = 1; next } !($1 in m)' "$ws/matched" "$ws/alerts.tsv" | cut -f2,4-)
    if [[ -z $extra ]]; then t_ok "$name: no alert other than the expected ones"; else
        t_fail "$name: no alert other than the expected ones" "$extra"; fi
    extra=$(awk -F'\t' -v crit="$CRITICAL" '
        BEGIN { n = split(crit, c, /[ \n]+/); for (i = 1; i <= n; i++) isc[c[i]] = 1 }
        { want = "HEALTHY"; k = split($5, a, " ")
          for (i = 1; i <= k; i++) { if (a[i] in isc) { want = "ALERT"; break } want = "WARNING" }
          if ($4 != want) print "poll " $1 ": status " $4 ", firing \"" $5 "\" gives " want }' "$ws/rows.tsv")
    if [[ -z $extra ]]; then t_ok "$name: every poll's status is that of its firing alerts"; else
        t_fail "$name: every poll's status is that of its firing alerts" "$extra"; fi
    t_eq "$name: the last poll is HEALTHY, nothing firing" "HEALTHY|" "$(tail -n 1 "$ws/rows.tsv" | cut -f4,5 --output-delimiter='|')"
    t_eq "$name: exit code" "$want_rc" "$rc"
    t_assert "$name: metrics.csv whole" csv_whole "$ws/metrics.csv"
    t_assert "$name: members.csv whole" csv_whole "$ws/members.csv"
}

# ---- scenario disk ----------------------------------------------------------------------
# Per poll, 100 WAL fsyncs: healthy 50 <= 1 ms and 50 in (1, 2] ms; slow (polls 4-10:
# the increase between poll 3 and 4 is the first slow one) 50 / 40 / 10 in (1.024, 2.048] s.
# histogram_quantile(0.99) of a slow interval: rank 99 of 100 falls in the 2.048 bucket,
# 9 of its 10 observations in: 1.024 + (2.048 - 1.024) * 9/10 = 1.9456 s = 1945.6 ms.
# Over a window holding every poll so far (20 s), at poll p (4 <= p <= 10) the rate has
# T = 100 (p - 1) observations, S = 10 (p - 3) slow ones (every bucket is scaled by the
# same extrapolation: the counters start far from 0), so p99 = 1024 (1 + (0.99 T - (T - S)) / S) ms:
# 1740.8 at poll 4. Backend commit: healthy 100 in (2, 4] ms; slow 90 / 10 in (256, 512] ms
# -> 486.4 ms per interval, 435.2 over the window at poll 4. Peer round trip: 100 in
# (0.4, 0.8] ms; slow 90 / 10 in (102.4, 204.8] ms -> 174.1 over the window at poll 4.
# Windows 10s,20s,1h: the mixin's rules read the one nearest to 5m, 20s (not the largest,
# 1h: with it they could not clear), and clear when at most 1% of the window's fsyncs
# are slow (at most 2 slow polls left in it: poll 28 or 29).
scen_disk() {
    local d=$T/disk-member k f w1=100000 w2=100000 ws=0 c4=200000 cs=0 r8=100000 rs=0
    fixture_member_dir "$d"
    mkdir -p "$d/metrics" "$d/status"
    for ((k = 1; k <= 36; k++)); do
        if ((k >= 4 && k <= 10)); then
            w1=$((w1 + 50)) w2=$((w2 + 40)) ws=$((ws + 10)) c4=$((c4 + 90)) cs=$((cs + 10)) r8=$((r8 + 90)) rs=$((rs + 10))
        elif ((k > 1)); then
            w1=$((w1 + 50)) w2=$((w2 + 50)) c4=$((c4 + 100)) r8=$((r8 + 100))
        fi
        printf -v f '%03d' "$k"
        fixture_metrics "$d/metrics/$f.prom" --wal "0.001=$w1 0.002=$w2 2.048=$ws" \
            --commit "0.004=$c4 0.512=$cs" --rtt "0.0008=$r8 0.2048=$rs" --proposals-committed $((100 + k))
        fixture_status "$d/status/$f.json" --id "$ID1" --index $((100 + k))
    done
    fixture_stub disk "$d" || { t_fail "stub disk starts"; return 1; }
    # shellcheck disable=SC2034  # read as ${!pv}
    PORT_disk=$T_STUB_PORT
    fixture_member_list "$d/members.json" "s1 $ID1 http://127.0.0.1:$T_STUB_PORT"
    cat >"$T/disk.yaml" <<EOF
alert_thresholds:
  min_available_nodes: 1
  max_latency_ms: 2000
rules:
  WalFsyncP99High:
    enabled: false
  BackendCommitP99High:
    enabled: false
  DatabaseQuotaUsageHigh:
    enabled: false
  ProposalFailureRateHigh:
    enabled: false
  EtcdHighFsyncDurations:
    for: 3s
  EtcdHighFsyncDurationsCritical:
    for: 4s
  EtcdHighCommitDurations:
    for: 3s
  EtcdMemberCommunicationSlow:
    for: 3s
EOF
    em disk --endpoints "127.0.0.1:$T_STUB_PORT" --windows 10s,20s,1h --duration 36s --config "$T/disk.yaml"
}

check_disk() {
    local ws=$T/disk p
    index "$ws"
    episode "$ws" SeedWalFsyncSlow s1 critical ms 0 4 11
    near "SeedWalFsyncSlow value: WAL p99 of one slow interval (1945.6 ms by hand)" 1945.6 "$EP_FIRE_V" 0.1
    t_eq "SeedWalFsyncSlow threshold (warning level)" 10 "$EP_FIRE_THR"
    near "SeedWalFsyncSlow clears with the healthy p99 (1 + 1 * 49/50 = 1.98 ms)" 1.98 "$EP_RES_V" 0.005
    near "members.csv wal_fsync_p99_ms of poll 4" 1945.6 "$(csv_col "$ws/members.csv" wal_fsync_p99_ms | sed -n 4p)" 0.01
    episode "$ws" SeedBackendCommitSlow s1 critical ms 0 4 11
    near "SeedBackendCommitSlow value (256 + 256 * 9/10 ms)" 486.4 "$EP_FIRE_V" 0.1
    t_eq "SeedBackendCommitSlow threshold" 25 "$EP_FIRE_THR"
    for r in EtcdHighFsyncDurations:warning:500:3 EtcdHighFsyncDurationsCritical:critical:1000:4; do
        IFS=: read -r rule sev thr f <<<"$r"
        episode "$ws" "$rule" s1 "$sev" ms "$f" 4 28 29
        near "$rule PENDING value over the 20s window at poll 4 (1024 * 1.7 ms)" 1740.8 "$EP_PEND_V" 0.1
        p=$EP_FIRE_ROW
        near "$rule FIRING value at poll $p (T = 100 (p-1), S = 10 (p-3))" \
            "$(awk -v p="$p" 'BEGIN { T = 100 * (p - 1); S = 10 * (p - 3); printf "%.2f", 1024 * (1 + (0.99 * T - (T - S)) / S) }')" \
            "$EP_FIRE_V" 0.1
        t_eq "$rule threshold" "$thr" "$EP_FIRE_THR"
        holds "$rule clears below its threshold" "v <= $thr" "$EP_RES_V"
    done
    episode "$ws" EtcdHighCommitDurations s1 warning ms 3 4 28 29
    near "EtcdHighCommitDurations PENDING value (256 * 1.7 ms)" 435.2 "$EP_PEND_V" 0.1
    t_eq "EtcdHighCommitDurations threshold" 250 "$EP_FIRE_THR"
    # p99 <= 150 ms once at most 3 slow polls are left in the window: poll 26 or 27.
    episode "$ws" EtcdMemberCommunicationSlow s1 warning ms 3 4 26 27
    near "EtcdMemberCommunicationSlow PENDING value (102.4 * 1.7 ms)" 174.1 "$EP_PEND_V" 0.05
    t_eq "EtcdMemberCommunicationSlow threshold" 150 "$EP_FIRE_THR"
    holds "EtcdMemberCommunicationSlow clears below 150 ms" "v <= 150" "$EP_RES_V"
    one_body_per_poll disk
    finish "$ws" disk "$1"
}

# ---- scenario raft ----------------------------------------------------------------------
# gRPC per poll: healthy OK 95, NotFound 5; failing (polls 2-9) OK 78, NotFound 10,
# Unavailable 6, DeadlineExceeded 4, Internal 2: 12 of 100 failed on the server side
# (NotFound is the client's problem and does not count: with it the share would be 22%).
# Failed proposals +60 per failing poll: rate over the partly filled 20s window at poll k
# is 60 (k - 1 + 0.5) / 20 (extrapolated half an interval back): 4.5 at poll 2, 7.5 at 3.
# Leader changes +3 per failing poll: above 2 in one interval; increase over the window
# 3 * 1.5 = 4.5 >= 4 at poll 2. No leader (status "leader" absent, then "0", and
# has_leader 0) in polls 12-17, --no-leader-timeout 3s.
# Windows 10s,20s: LeaderChangesPerHourHigh needs a window of 15m or more and must not fire.
scen_raft() {
    local d=$T/raft-member k f ok=1000000 nf=100000 un=100000 de=100000 in=100000 lc=5 pf=1000 hl leader
    fixture_member_dir "$d"
    mkdir -p "$d/metrics" "$d/status"
    for ((k = 1; k <= 36; k++)); do
        if ((k >= 2 && k <= 9)); then
            ok=$((ok + 78)) nf=$((nf + 10)) un=$((un + 6)) de=$((de + 4)) in=$((in + 2)) lc=$((lc + 3)) pf=$((pf + 60))
        elif ((k > 1)); then
            ok=$((ok + 95)) nf=$((nf + 5))
        fi
        hl=1 leader=$ID1
        ((k >= 12 && k <= 14)) && hl=0 leader=absent
        ((k >= 15 && k <= 17)) && hl=0 leader=0
        printf -v f '%03d' "$k"
        fixture_metrics "$d/metrics/$f.prom" --leader-changes "$lc" --proposals-failed "$pf" \
            --grpc "OK=$ok NotFound=$nf Unavailable=$un DeadlineExceeded=$de Internal=$in Canceled=7" \
            --has-leader "$hl" --is-leader "$hl"
        fixture_status "$d/status/$f.json" --id "$ID1" --leader "$leader" --term $((lc - 3)) --index $((100 + k))
    done
    fixture_stub raft "$d" || { t_fail "stub raft starts"; return 1; }
    # shellcheck disable=SC2034  # read as ${!pv}
    PORT_raft=$T_STUB_PORT
    fixture_member_list "$d/members.json" "s1 $ID1 http://127.0.0.1:$T_STUB_PORT"
    cat >"$T/raft.yaml" <<EOF
alert_thresholds:
  min_available_nodes: 1
  max_latency_ms: 2000
rules:
  ProposalFailureRateHigh:
    enabled: false
  EtcdHighNumberOfFailedGRPCRequests:
    for: 3s
  EtcdHighNumberOfFailedGRPCRequestsCritical:
    for: 4s
  EtcdHighNumberOfFailedProposals:
    for: 3s
  SeedLeaderInstability:
    for: 2s
  EtcdHighNumberOfLeaderChanges:
    for: 3s
EOF
    em raft --endpoints "127.0.0.1:$T_STUB_PORT" --windows 10s,20s --duration 36s \
        --no-leader-timeout 3s --config "$T/raft.yaml"
}

check_raft() {
    local ws=$T/raft on e12 eon eprev
    index "$ws"
    # Failed share over the window: 12 B / (100 n) for B failing of n intervals in it.
    # ErrorRateHigh and the critical one (> 5%) clear at B <= 7 or so, the warning (> 1%)
    # once at most one failing interval is left.
    episode "$ws" ErrorRateHigh s1 warning % 0 2 19 23
    t_eq "ErrorRateHigh value: 12 of 100 requests failed (NotFound not counted)" 12 "$EP_FIRE_V"
    t_eq "ErrorRateHigh threshold: max_error_rate 0.05 in percent" 5 "$EP_FIRE_THR"
    holds "ErrorRateHigh clears at or below 5%" "v <= 5" "$EP_RES_V"
    episode "$ws" EtcdHighNumberOfFailedGRPCRequestsCritical s1 critical % 4 2 19 23
    t_eq "EtcdHighNumberOfFailedGRPCRequestsCritical value" 12 "$EP_FIRE_V"
    t_eq "EtcdHighNumberOfFailedGRPCRequestsCritical threshold" 5 "$EP_FIRE_THR"
    episode "$ws" EtcdHighNumberOfFailedGRPCRequests s1 warning % 3 2 26 29
    t_eq "EtcdHighNumberOfFailedGRPCRequests PENDING value" 12 "$EP_PEND_V"
    t_eq "EtcdHighNumberOfFailedGRPCRequests threshold" 1 "$EP_FIRE_THR"
    holds "EtcdHighNumberOfFailedGRPCRequests clears at or below 1%" "v <= 1" "$EP_RES_V"
    episode "$ws" EtcdHighNumberOfFailedProposals s1 warning /s 3 3 25 29
    near "EtcdHighNumberOfFailedProposals PENDING value at poll 3 (60 * 2.5 / 20)" 7.5 "$EP_PEND_V" 0.05
    t_eq "EtcdHighNumberOfFailedProposals threshold" 5 "$EP_FIRE_THR"
    holds "EtcdHighNumberOfFailedProposals clears at or below 5/s" "v <= 5" "$EP_RES_V"
    episode "$ws" SeedLeaderInstability - warning changes 2 2 10
    t_eq "SeedLeaderInstability value: 3 changes in one interval" 3 "$EP_FIRE_V"
    t_eq "SeedLeaderInstability threshold" 2 "$EP_FIRE_THR"
    t_eq "SeedLeaderInstability clears with 0 changes" 0 "$EP_RES_V"
    episode "$ws" EtcdHighNumberOfLeaderChanges - warning changes 3 2 25 29
    near "EtcdHighNumberOfLeaderChanges PENDING value at poll 2 (3 * 1.5)" 4.5 "$EP_PEND_V" 0.05
    t_eq "EtcdHighNumberOfLeaderChanges threshold" 4 "$EP_FIRE_THR"
    holds "EtcdHighNumberOfLeaderChanges clears below 4" "v < 4" "$EP_RES_V"
    t_eq "metrics.csv leader_id is empty in the leaderless polls 12-17" ",,,,,," \
        "$(csv_col "$ws/metrics.csv" leader_id | sed -n 12,17p | tr '\n' ,)"
    # EtcdNoLeader: FIRING at the first poll more than 3 s after poll 12 (for 0; the
    # timeout is the condition), RESOLVED at poll 18 when a leader is back.
    on=$(awk -F'\t' '$4 == "FIRING" && $6 == "EtcdNoLeader" { print $2; exit }' "$ws/alerts.tsv")
    on=$(awk -F'\t' -v t="$on" '$2 == t { print $1 }' "$ws/rows.tsv")
    if [[ -n $on ]]; then
        e12=$(row_epoch "$ws" 12) eon=$(row_epoch "$ws" "$on") eprev=$(row_epoch "$ws" $((on - 1)))
        holds "EtcdNoLeader fires more than 3 s after the first leaderless poll (poll $on)" \
            "v >= 2.999 && v <= 4.25" "$(awk -v a="$eon" -v b="$e12" 'BEGIN { printf "%.3f", a - b }')"
        holds "... and not one poll later than that" "v <= 3.001" \
            "$(awk -v a="$eprev" -v b="$e12" 'BEGIN { printf "%.3f", a - b }')"
        episode "$ws" EtcdNoLeader - critical s 0 "$on" 18
        holds "EtcdNoLeader value: seconds without a leader" "v >= 3 && v <= 4.3" "$EP_FIRE_V"
        t_eq "EtcdNoLeader threshold: --no-leader-timeout" 3 "$EP_FIRE_THR"
        t_eq "EtcdNoLeader clears with a leader" 0 "$EP_RES_V"
    else
        t_fail "EtcdNoLeader fires" "$(cat "$ws/alerts.log")"
    fi
    one_body_per_poll raft
    finish "$ws" raft "$1"
}

# ---- scenario db ------------------------------------------------------------------------
# Quota 256 MiB. Polls 1-3 and 12-: 120 MiB file, 110 MiB in use. Polls 4-11: the file
# grows 246 ... 253 MiB (1 MiB/s), 110 in use: 96.1% of the quota used (3.91% free),
# 55.3% of the file not in use, in use / size 0.447. After poll 5 the alarms say NOSPACE
# for s1 and CORRUPT for an unknown member (ID 4660) and /health says false; after poll 11
# they are gone. The alarms are read every poll (the member list only every 3 s): an
# alarm shows at the next poll, not a health-check interval later.
scen_db() {
    local d=$T/db-member k f db
    fixture_member_dir "$d"
    mkdir -p "$d/metrics" "$d/status"
    for ((k = 1; k <= 36; k++)); do
        db=$((120 * MiB))
        ((k >= 4 && k <= 11)) && db=$(((246 + k - 4) * MiB))
        printf -v f '%03d' "$k"
        fixture_metrics "$d/metrics/$f.prom" --db-size "$db" --db-in-use $((110 * MiB)) --quota $((256 * MiB))
        fixture_status "$d/status/$f.json" --id "$ID1" --db-size "$db" --db-in-use $((110 * MiB)) --index $((100 + k))
    done
    fixture_stub db "$d" || { t_fail "stub db starts"; return 1; }
    # shellcheck disable=SC2034  # read as ${!pv}
    PORT_db=$T_STUB_PORT
    fixture_member_list "$d/members.json" "s1 $ID1 http://127.0.0.1:$T_STUB_PORT"
    cat >"$T/db.yaml" <<EOF
alert_thresholds:
  min_available_nodes: 1
  max_latency_ms: 2000
  max_database_size_mb: 200
rules:
  WalFsyncP99High:
    enabled: false
  BackendCommitP99High:
    enabled: false
  DatabaseQuotaUsageHigh:
    enabled: false
  ProposalFailureRateHigh:
    enabled: false
  QuotaSpaceLow:
    threshold: 5
  EtcdDatabaseQuotaLowSpace:
    for: 3s
  EtcdExcessiveDatabaseGrowth:
    for: 3s
  EtcdDatabaseHighFragmentationRatio:
    for: 3s
EOF
    em db --endpoints "127.0.0.1:$T_STUB_PORT" --windows 10s,20s,1h --duration 27s \
        --health-check-interval 3s --config "$T/db.yaml"
    # The alarms, driven from the polls seen (a bounded background writer, files only).
    (
        wait_rows "$T/db" 5 >/dev/null
        fixture_alarms "$d/alarms.json" "$ID1:NOSPACE" "4660:CORRUPT"
        fixture_health "$d/health.json" false
        wait_rows "$T/db" 11 >/dev/null
        fixture_alarms "$d/alarms.json"
        fixture_health "$d/health.json" true
    ) &
    t_cleanup_add "kill $! 2>/dev/null || true"
}

check_db() {
    local ws=$T/db on off alarms=$T/db/alarms
    index "$ws"
    episode "$ws" DatabaseSizeHigh s1 warning MiB 0 4 12
    t_eq "DatabaseSizeHigh value: 246 MiB" 246 "$EP_FIRE_V"
    t_eq "DatabaseSizeHigh threshold: max_database_size_mb" 200 "$EP_FIRE_THR"
    t_eq "DatabaseSizeHigh clears at 120 MiB" 120 "$EP_RES_V"
    episode "$ws" QuotaSpaceLow s1 warning % 0 4 12
    t_eq "QuotaSpaceLow value: 100 - 246/256*100 = 3.90625% free" 3.91 "$EP_FIRE_V"
    t_eq "QuotaSpaceLow threshold: the rules: override" 5 "$EP_FIRE_THR"
    t_eq "QuotaSpaceLow clears at 53.125% free" 53.1 "$EP_RES_V"
    episode "$ws" SeedHighFragmentation s1 warning % 0 4 12
    t_eq "SeedHighFragmentation value: 136/246 not in use" 55.3 "$EP_FIRE_V"
    t_eq "SeedHighFragmentation threshold (warning level)" 30 "$EP_FIRE_THR"
    t_eq "SeedHighFragmentation clears at 10/120" 8.33 "$EP_RES_V"
    episode "$ws" EtcdDatabaseQuotaLowSpace s1 critical % 3 4 12
    t_eq "EtcdDatabaseQuotaLowSpace PENDING value: 246/256" 96.1 "$EP_PEND_V"
    t_eq "EtcdDatabaseQuotaLowSpace threshold" 95 "$EP_FIRE_THR"
    t_eq "EtcdDatabaseQuotaLowSpace clears at 120/256" 46.9 "$EP_RES_V"
    episode "$ws" EtcdDatabaseHighFragmentationRatio s1 warning ratio 3 4 12
    t_eq "EtcdDatabaseHighFragmentationRatio PENDING value: 110/246" 0.447 "$EP_PEND_V"
    t_eq "EtcdDatabaseHighFragmentationRatio threshold" 0.5 "$EP_FIRE_THR"
    t_eq "EtcdDatabaseHighFragmentationRatio clears at 110/120" 0.917 "$EP_RES_V"
    # Growing at the least-squares slope: quota reached within seconds; it clears once the
    # slope over the (largest) window is no longer positive after the defragmentation.
    episode "$ws" EtcdExcessiveDatabaseGrowth s1 warning s 3 4 12 18
    holds "EtcdExcessiveDatabaseGrowth PENDING value: seconds to the quota" "v >= 0 && v < 60" "$EP_PEND_V"
    t_eq "EtcdExcessiveDatabaseGrowth threshold (4 h)" 14400 "$EP_FIRE_THR"
    holds "EtcdExcessiveDatabaseGrowth clears at 4 h or more (inf: not growing)" "v == \"inf\" || v >= 14400" "$EP_RES_V"
    # EtcdAlarm: seen at the next poll after the file changed (written once poll 5 is in
    # the CSV: poll 6, or 7 when the write races poll 6), gone likewise after poll 11.
    csv_col "$ws/metrics.csv" alarms >"$alarms"
    on=$(awk '/NOSPACE/ { print NR; exit }' "$alarms")
    off=$(awk -v on="${on:-999}" 'NR > on && NR >= 12 && !/NOSPACE/ { print NR; exit }' "$alarms")
    holds "metrics.csv shows the NOSPACE alarm from the poll after poll 5 (poll $on)" \
        "v >= 6 && v <= 7" "${on:-}"
    holds "... until the poll after poll 11 (poll $off)" "v >= 12 && v <= 13" "${off:-}"
    if [[ -n $on && -n $off ]]; then
        t_eq "metrics.csv lists both alarms in every poll from $on to $((off - 1)), between the reads too" \
            "$((off - on))" \
            "$(sed -n "${on},$((off - 1))p" "$alarms" | grep -c "NOSPACE:$HEX1.*CORRUPT:0000000000001234\|CORRUPT:0000000000001234.*NOSPACE:$HEX1")"
        # An alarm instance gone from the answer resolves at once (no keep_firing_for).
        if KEEP=0 episode "$ws" EtcdAlarm s1 critical alarms 0 "$on" "$off"; then
            t_eq "EtcdAlarm value: one alarm of s1" 1 "$EP_FIRE_V"
            t_eq "EtcdAlarm threshold" 0 "$EP_FIRE_THR"
        fi
        KEEP=0 episode "$ws" EtcdAlarm 0000000000001234 critical alarms 0 "$on" "$off"
    fi
    t_eq "/health false while alarmed is reported, and the member stays up" "0 1" \
        "$(paste -d' ' <(csv_col "$ws/members.csv" health) <(csv_col "$ws/members.csv" up) | sed -n 9p)"
    t_eq "s1 is up in every poll" 1 "$(csv_col "$ws/members.csv" up | sort -u | paste -sd' ')"
    one_body_per_poll db
    finish "$ws" db "$1"
}

# ---- scenario down ----------------------------------------------------------------------
# Three members on fixed ports (so they can come back on the same address). s3's read
# probe answers after 400 ms, above max_latency_ms 200 (RequestLatencyHigh, over the
# first window, 10s; the other scenarios set 2000: a loaded test machine is no slow
# member). The driver below reacts to the alerts as they come:
#   s3 killed                          -> MemberUnreachable s3, EtcdMembersDown s3 (for 3s)
#   s3 back, fast                      -> they resolve; RequestLatencyHigh held while s3
#                                         was down, clears when its slow probes leave 10s
#   s2 says it is the leader           -> EtcdSplitView, then back
#   s2 answers 503, s3 killed          -> QuorumLost, AvailableMembersLow (min 2),
#                                         EtcdInsufficientMembers (for 3s), per member again
#   both back                          -> all resolve
scen_down() {
    local i v ports
    ports=$(fixture_free_ports 3) || { t_fail "three free ports"; return 1; }
    read -r -a DPORT <<<"0 $ports"
    for i in 1 2 3; do
        v=ID$i
        fixture_member_dir "$T/down-s$i"
        fixture_metrics "$T/down-s$i/metrics.prom" --is-leader $((i == 1))
        fixture_status "$T/down-s$i/status.json" --id "${!v}" --leader "$ID1"
    done
    fixture_stub down1 "$T/down-s1" --port "${DPORT[1]}" || { t_fail "stub down1 starts"; return 1; }
    fixture_stub down2 "$T/down-s2" --port "${DPORT[2]}" || { t_fail "stub down2 starts"; return 1; }
    DPID[2]=$T_STUB_PID
    fixture_stub down3 "$T/down-s3" --port "${DPORT[3]}" --probe-ms 400 || { t_fail "stub down3 starts"; return 1; }
    DPID[3]=$T_STUB_PID
    fixture_member_list "$T/down-s1/members.json" "s1 $ID1 http://127.0.0.1:${DPORT[1]}" \
        "s2 $ID2 http://127.0.0.1:${DPORT[2]}" "s3 $ID3 http://127.0.0.1:${DPORT[3]}"
    cat >"$T/down.yaml" <<EOF
alert_thresholds:
  max_latency_ms: 200
rules:
  EtcdMembersDown:
    for: 3s
  EtcdInsufficientMembers:
    for: 3s
  RequestLatencyHigh:
    for: 2s
EOF
    em down --endpoints "127.0.0.1:${DPORT[1]},127.0.0.1:${DPORT[2]},127.0.0.1:${DPORT[3]}" \
        --windows 10s,20s --config "$T/down.yaml"
}

stub_stop() { kill -TERM "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

drive_down() {
    local ws=$T/down
    wait_line "$ws" ' FIRING warning RequestLatencyHigh member=s3 ' || return 1
    wait_rows "$ws" $(($(rows "$ws") + 1)) || return 1
    stub_stop "${DPID[3]}"
    wait_line "$ws" ' FIRING critical EtcdMembersDown member=s3 ' || return 1
    fixture_stub down3 "$T/down-s3" --port "${DPORT[3]}" || { t_fail "stub down3 restarts"; return 1; }
    DPID[3]=$T_STUB_PID
    wait_line "$ws" ' RESOLVED critical EtcdMembersDown member=s3 ' || return 1
    fixture_status "$T/down-s2/status.json" --id "$ID2" --leader "$ID2"
    wait_line "$ws" ' FIRING warning EtcdSplitView ' || return 1
    wait_rows "$ws" $(($(rows "$ws") + 2)) || return 1
    fixture_status "$T/down-s2/status.json" --id "$ID2" --leader "$ID1"
    wait_line "$ws" ' RESOLVED warning EtcdSplitView ' || return 1
    wait_line "$ws" ' RESOLVED warning RequestLatencyHigh member=s3 ' || return 1
    wait_rows "$ws" $(($(rows "$ws") + 1)) || return 1
    stub_stop "${DPID[2]}"
    stub_stop "${DPID[3]}"
    fixture_stub down2 "$T/down-s2" --port "${DPORT[2]}" --down503 || { t_fail "stub down2 restarts (503)"; return 1; }
    DPID[2]=$T_STUB_PID
    wait_line "$ws" ' FIRING critical EtcdInsufficientMembers ' || return 1
    wait_line "$ws" ' FIRING critical EtcdMembersDown member=s2 ' || return 1
    wait_rows "$ws" $(($(rows "$ws") + 1)) || return 1
    stub_stop "${DPID[2]}"
    fixture_stub down2 "$T/down-s2" --port "${DPORT[2]}" || { t_fail "stub down2 restarts"; return 1; }
    fixture_stub down3 "$T/down-s3" --port "${DPORT[3]}" || { t_fail "stub down3 restarts"; return 1; }
    wait_line "$ws" ' RESOLVED critical QuorumLost ' || return 1
    wait_rows "$ws" $(($(rows "$ws") + 3)) || return 1
}

# member_col WS MEMBER COL — the member's column, one line per poll
member_col() { csv_col "$1/members.csv" "$3" member "$2"; }

# first N FILE REGEX — first line number >= N matching REGEX
first() { awk -v n="$1" -v re="$3" 'NR >= n && $0 ~ re { print NR; exit }' "$2"; }

check_down() {
    local ws=$T/down n m d1 u1 s_on s_off q_on q_off last_slow lo e
    index "$ws"
    n=$(rows "$ws")
    for m in s1 s2 s3; do
        member_col "$ws" $m up >"$ws/up-$m"
        t_eq "$m has a row in every poll" "$n" "$(wc -l <"$ws/up-$m")"
    done
    t_eq "s1 stays up" 1 "$(sort -u "$ws/up-s1" | paste -sd' ')"
    # Episode 1: s3 killed.
    d1=$(first 1 "$ws/up-s3" '^0$') u1=$(first "${d1:-1}" "$ws/up-s3" '^1$')
    t_eq "s3 killed: its reason is 'connection refused'" "connection refused" "$(member_col "$ws" s3 error | sed -n "${d1:-1}p")"
    episode "$ws" MemberUnreachable s3 warning - 0 "$d1" "$u1"
    t_eq "MemberUnreachable value/threshold" "1/0" "$EP_FIRE_V/$EP_FIRE_THR"
    episode "$ws" EtcdMembersDown s3 critical - 3 "$d1" "$u1"
    # RequestLatencyHigh: from poll 1 (400 ms probes), held while s3 is down, cleared when
    # the last slow probe (poll d1 - 1) leaves the first window, 10 s later.
    last_slow=$((d1 - 1))
    e=$(row_epoch "$ws" "$last_slow")
    lo=$(awk -F'\t' -v e="$e" '$3 - e >= 9.999 { print $1; exit }' "$ws/rows.tsv")
    episode "$ws" RequestLatencyHigh s3 warning ms 2 1 "$lo" $((lo + 1))
    holds "RequestLatencyHigh value: the 400 ms probe" "v >= 390 && v < 800" "$EP_FIRE_V"
    t_eq "RequestLatencyHigh threshold: max_latency_ms" 200 "$EP_FIRE_THR"
    holds "RequestLatencyHigh clears with fast probes" "v < 200" "$EP_RES_V"
    holds "... which is after s3 came back (poll $u1; it was held while s3 was down)" "v > $u1" "$EP_RES_ROW"
    # Split view: s2 names itself leader.
    member_col "$ws" s2 leader_id >"$ws/leader-s2"
    s_on=$(first 1 "$ws/leader-s2" "^$HEX2\$") s_off=$(first "${s_on:-1}" "$ws/leader-s2" "^$HEX1\$")
    episode "$ws" EtcdSplitView - warning - 0 "$s_on" "$s_off"
    # Quorum: s2 answers 503 and s3 is killed.
    csv_col "$ws/metrics.csv" members_up >"$ws/up"
    q_on=$(first "${s_off:-1}" "$ws/up" '^[01]$') q_off=$(first "${q_on:-1}" "$ws/up" '^[23]$')
    episode "$ws" QuorumLost - critical members 0 "$q_on" "$q_off"
    t_eq "QuorumLost value/threshold: 1 voter answers, quorum of 3 is 2" "1/2" "$EP_FIRE_V/$EP_FIRE_THR"
    episode "$ws" EtcdInsufficientMembers - critical members 3 "$q_on" "$q_off"
    episode "$ws" AvailableMembersLow - critical members 0 "$q_on" "$q_off"
    t_eq "AvailableMembersLow value/threshold: min_available_nodes 2" "1/2" "$EP_FIRE_V/$EP_FIRE_THR"
    for m in s2 s3; do
        d1=$(first "${s_off:-1}" "$ws/up-$m" '^0$') u1=$(first "${d1:-1}" "$ws/up-$m" '^1$')
        episode "$ws" MemberUnreachable $m warning - 0 "$d1" "$u1"
        episode "$ws" EtcdMembersDown $m critical - 3 "$d1" "$u1"
    done
    t_assert "s2 answering 503 is down with 'HTTP 503'" grep -q ',s2,[^,]*,0,[^,]*HTTP 503' "$ws/members.csv"
    finish "$ws" down "$1"
}

# ---- run --------------------------------------------------------------------------------
# RULES_FIXTURE_ONLY="db down" runs only those scenarios (while working on one).
SCENARIOS=${RULES_FIXTURE_ONLY:-disk raft db down}
start=$SECONDS
for s in $SCENARIOS; do "scen_$s" || t_done; done
if [[ " $SCENARIOS " == *" down "* ]]; then
    drive_down
    kill -TERM "${EM_PID_down:-}" 2>/dev/null
fi
for s in $SCENARIOS; do
    v=EM_PID_$s
    wait "${!v}"
    printf -v "RC_$s" '%s' "$?"
done
echo "# scenarios ran in $((SECONDS - start)) s"
for s in $SCENARIOS; do
    v=RC_$s
    "check_$s" "${!v}"
done
t_done
