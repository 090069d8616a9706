#!/usr/bin/env bash
# bench/scale.sh — the monitor's polling cost at N endpoints, side by side with its
# comparators, in one run (run by bench/run.sh; prints figures, asserts nothing).
# One build/http-stub plays every member: max(N) listening sockets on 127.0.0.1
# serving captured etcd 3.4 bodies (tests/data; the status names each member by its
# port). For each N of BENCH_SCALE_N, one after the other, each for a warm-up of
# BENCH_SCALE_WARMUP s and then BENCH_SCALE_SECONDS measured:
#   monitor     ./etcd-monitor --headless --no-discover, interval 1s, N endpoints
#   floor       build/bench-floor: plain libcurl, kept-alive connections, the same
#               requests per poll (FLOOR_REQS below: keep them matched with what
#               src/collect/collector.c asks), bodies received and dropped
#   floor+lines, floor+extract: the same, reading each /metrics body (READS)
#   prometheus  /usr/bin/prometheus, the same N targets scraped every 1s (/metrics only)
# CPU is each process's own (utime+stime from /proc/PID/stat over the measured
# window; the stub's is printed apart). Requests are counted by the stub.
set -u
cd "$(dirname "$0")/.." || exit 1
NS=${BENCH_SCALE_N:-"30 100 300 1000"}
SECS=${BENCH_SCALE_SECONDS:-20}
# Below 300 endpoints a run uses a few dozen CPU ticks in 20 s: measure 3x as
# long there, so that one tick (1/CLK_TCK s) is a few percent of a figure, not 25%.
SECS_BASE=$SECS
secs_for() { (($1 < 300)) && echo $((3 * SECS_BASE)) || echo "$SECS_BASE"; }
WARM=${BENCH_SCALE_WARMUP:-3}
PROM_MAX_N=${BENCH_SCALE_PROM_MAX_N:-1000}
PROM=${PROMETHEUS:-/usr/bin/prometheus}
# The floor, then the floor reading each /metrics body: "lines" counts its newlines
# with memchr (every byte read once: the least any parser does), "extract" runs
# the monitor's own scan on it (metrics_stream). What the monitor costs over
# floor+extract is everything but the transport and the parse.
READS=${BENCH_SCALE_READS:-"none lines extract"}
MONITOR=${BENCH_MONITOR:-./etcd-monitor}   # another build of the monitor to measure
# The monitor's requests per poll (collector_start_member, collector_ask_alarms and
# the member list on the 30s health-check grid): --each to every member, --one to one.
# /health is asked only when a member's own answers cannot tell (never, with the
# stub's healthy answers); /metrics without gzip, as the monitor asks by default.
FLOOR_REQS=(--each '1 GET /metrics' --each '1 POST /v3/maintenance/status {}'
            --each '1 POST /v3/kv/range {"key":"L2V0Y2QtbW9uaXRvci9wcm9iZS9hYnNlbnQ="}'
            --one '1 POST /v3/maintenance/alarm {"action":"GET"}'
            --one '30 POST /v3/cluster/member/list {}')
HZ=$(getconf CLK_TCK)
T=$(mktemp -d /tmp/etcd-monitor-scale.XXXXXX)
pids=()
nap=""
trap 'kill "${pids[@]}" $nap 2>/dev/null; wait 2>/dev/null; [[ -n ${KEEP:-} ]] || rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
# A sleep that a signal interrupts at once (the traps run during `wait`).
nap() { sleep "$1" & nap=$!; wait "$nap"; nap=""; }

max=0
for n in $NS; do ((n > max)) && max=$n; done
((max > 0)) || { echo "scale: BENCH_SCALE_N is empty"; exit 0; }
d=tests/data
sed -e 's/"member_id":"[0-9]*"/"member_id":"{{port}}"/' -e 's/"leader":"[0-9]*"/"leader":"{{port:0}}"/' \
    "$d/status-3.4-follower.json" >"$T/status.json"
n_ns=$(echo "$NS" | wc -w)
build/http-stub --quiet --max-seconds $((n_ns * 5 * (3 * SECS + WARM + 15) + 60)) \
    --port-file "$T/ports" --copies "$max" \
    --route "GET /metrics mem $d/etcd-3.4-follower.metrics" \
    --route "POST /v3/maintenance/status template $T/status.json" \
    --route "GET /health mem $d/health-3.4.json" \
    --route "POST /v3/kv/range mem $d/fixture/range-absent.json" \
    --route "POST /v3/maintenance/alarm mem $d/alarm-none-3.4.json" \
    --route "POST /v3/cluster/member/list mem $d/member-list-3.4.json" 2>"$T/stub.log" &
stub=$!
pids+=("$stub")
for _ in $(seq 1 100); do [[ -s $T/ports ]] && break; sleep 0.1; done
[[ -s $T/ports ]] || { echo "scale: the stub did not start"; cat "$T/stub.log"; exit 0; }
mapfile -t PORTS <"$T/ports"
P0=${PORTS[0]}

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
hwm() { awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }
# The stub's per-route counts ("I COUNT METHOD PATH MODE ARG" lines) into FILE.
counts() { curl -s --max-time 5 "http://127.0.0.1:$P0/__stub/counts" >"$1"; }
# Requests between two counts files: all of them, or PATH's.
delta() { awk -v p="${3:-}" 'NR == FNR { a[$1] = $2; next } p == "" || $4 == p { s += $2 - a[$1] }
    END { print s + 0 }' "$1" "$2"; }
# "PATH rate ..." per route: requests per member-poll between two counts files.
rates() { awk -v m="$3" 'NR == FNR { a[$1] = $2; next } { printf "%s %.4f\n", $4, ($2 - a[$1]) / m }' "$1" "$2"; }
# Until rows_now (polls written) moves on, for at most 3s: a window from the end of
# one poll to the end of another holds whole polls (their requests and CPU).
sync_poll() {
    local r0 i
    r0=$(rows_now)
    for ((i = 0; i < 150; i++)); do [[ $(rows_now) != "$r0" ]] && return; sleep 0.02; done
}
# Measure PID over the window: W0/W1 = ticks, $T/c0 and c1 = the stub's counts,
# S0/S1 = the stub's ticks, E = seconds measured; after WARM (+ $2) seconds;
# $3 = sync: the window starts and ends as a poll ends.
window() {
    local pid=$1 t0
    nap $((WARM + ${2:-0}))
    kill -0 "$pid" 2>/dev/null || return 1
    [[ -n ${3:-} ]] && sync_poll
    t0=${EPOCHREALTIME/./}; W0=$(ticks "$pid"); S0=$(ticks "$stub"); counts "$T/c0"
    ROWS0=$(rows_now)
    nap "$SECS"
    [[ -n ${3:-} ]] && sync_poll
    W1=$(ticks "$pid"); RSS=$(hwm "$pid"); S1=$(ticks "$stub"); counts "$T/c1"; ROWS1=$(rows_now)
    E=$(awk -v a="$t0" -v b="${EPOCHREALTIME/./}" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')
    kill -0 "$pid" 2>/dev/null
}
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
# stdin: one poll_ms per line (the window's polls) -> one summary line
polls_summary() {
    sort -g | awk -v iv=1000 -v e="$E" '{ v[NR] = $1; if ($1 > iv) over++ } END {
        if (!NR) { print "no polls"; exit }
        printf "poll_ms p50 %.1f, p99 %.1f, max %.1f; %d of %d polls over the 1s interval (%d due in %.1f s)",
            v[int(0.5 * NR + 0.999)], v[int(0.99 * NR + 0.999)], v[NR], over, NR, e, e }'
}
# Line: WHO N CPU_TICKS MEMBER_POLLS EXTRA
report() {
    awk -v who="$1" -v n="$2" -v t="$3" -v mp="$4" -v e="$E" -v hz="$HZ" -v extra="$5" -v rss="${RSS:-?}" 'BEGIN {
        cpu = t / hz
        printf "  %-10s cpu %5.1f%% of one core (%d ticks), peak rss %s MiB", who, cpu * 100 / e, t, rss
        if (mp > 0) printf ", %.4f ms per member-poll (%d member-polls)", cpu * 1000 / mp, mp
        printf "%s\n", extra }'
}
declare -A PER_MP FMP
rows_now() { echo 0; }
echo "== scale: N endpoints at 1s (one stub, ${max} listeners), ${SECS}s measured (3x below N=300) after ${WARM}s each"
echo "   (CPU resolution 1/${HZ}s; each process measured alone, one after the other)"
for n in $NS; do
    SECS=$(secs_for "$n")
    eps=$(printf '127.0.0.1:%s\n' "${PORTS[@]:0:n}" | paste -sd,)
    # --- the monitor
    ws=$T/mon$n
    "$MONITOR" --headless --no-discover --endpoints "$eps" --interval 1 --workdir "$ws" \
        >/dev/null 2>"$T/mon$n.err" &
    mon=$!
    pids+=("$mon")
    rows_now() { [[ -f $ws/metrics.csv ]] && echo $(($(wc -l <"$ws/metrics.csv") - 1)) || echo 0; }
    if ! window "$mon" 0 sync; then
        wait "$mon" 2>/dev/null
        lim=$(sed -n 's/.*\(more than\|at most\) \([0-9]*\) endpoints.*/\2/p' "$T/mon$n.err" | head -1)
        if [[ -n $lim ]]; then
            echo "N=$n: skipped — the binary refuses more than $lim endpoints"
        else
            echo "N=$n: skipped — the monitor exited: $(head -1 "$T/mon$n.err")"
        fi
        continue
    fi
    mt=$((W1 - W0)); mpolls=$((ROWS1 - ROWS0)); mreq=$(delta "$T/c0" "$T/c1"); st=$((S1 - S0))
    stop "$mon"
    msum=$(awk -F, -v a="$ROWS0" -v b="$ROWS1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "poll_ms") c = i; next }
        NR - 1 > a && NR - 1 <= b && $c != "" { print $c }' "$ws/metrics.csv" | polls_summary)
    up=$(awk -F, -v a="$ROWS0" -v b="$ROWS1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "members_up") c = i; next }
        NR - 1 > a && NR - 1 <= b { if (min == "" || $c < min) min = $c; s += $c; k++ }
        END { if (k) printf "min %d, mean %.1f", min, s / k }' "$ws/metrics.csv")
    conn=$(sed -n 's/.*(\([0-9]* transfers over [0-9]* connections\)).*/\1/p' "$ws/monitoring.log" | tail -1)
    echo "N=$n:"
    report monitor "$n" "$mt" $((mpolls * n)) \
        "; $(awk -v r="$mreq" -v m=$((mpolls * n)) 'BEGIN { if (m) printf "%.2f", r / m }') requests per member-poll"
    echo "             $msum; members up $up of $n; session: ${conn:-?}"
    mcpu=$mt mmp=$((mpolls * n)) stub_mon=$st me=$E
    mrate=$(awk -v r="$mreq" -v m="$mmp" 'BEGIN { if (m) printf "%.2f", r / m; else print "?" }')
    rm -f "$T/mon.rates"
    ((mmp > 0)) && rates "$T/c0" "$T/c1" "$mmp" >"$T/mon.rates"
    # --- the floor, then the floor reading the /metrics bodies (READS below)
    urls=$(printf 'http://127.0.0.1:%s\n' "${PORTS[@]:0:n}")
    fl_mp=""
    for rd in $READS; do
        who=floor; [[ $rd != none ]] && who=floor+$rd
        rows_now() { awk '/^poll /{ c++ } END { print c + 0 }' "$T/floor$n.out" 2>/dev/null; }
        # shellcheck disable=SC2086
        build/bench-floor --seconds 0 --read "$rd" "${FLOOR_REQS[@]}" $urls >"$T/floor$n.out" 2>&1 &
        fl=$!
        pids+=("$fl")
        if ! window "$fl" 0 sync; then
            stop "$fl"
            echo "  $who did not run: $(head -1 "$T/floor$n.out")"
            continue
        fi
        ft=$((W1 - W0)); fpolls=$((ROWS1 - ROWS0)); freq=$(delta "$T/c0" "$T/c1")
        stop "$fl"
        FMP[$n,$rd]=$(awk -v a="$ft" -v m=$((fpolls * n)) -v hz="$HZ" 'BEGIN { if (m && a) printf "%.4f", a / hz * 1000 / m }')
        fsum=$(grep '^poll ' "$T/floor$n.out" | sed -n "$((ROWS0 + 1)),${ROWS1}p" | awk '{ print $4 }' | polls_summary)
        report "$who" "$n" "$ft" $((fpolls * n)) \
            "; $(awk -v r="$freq" -v m=$((fpolls * n)) 'BEGIN { if (m) printf "%.2f", r / m }') requests per member-poll"
        [[ $rd == extract ]] && grep -q ' [1-9][0-9]* extracts failed' "$T/floor$n.out" &&
            echo "             WARNING: $(sed -n 's/.*, \([0-9]* extracts failed\)/\1/p' "$T/floor$n.out")"
        if [[ $rd != none ]]; then
            # CPU per member-poll over the plain floor's, and the monitor's over this one's
            awk -v a="$ft" -v am=$((fpolls * n)) -v b="${fl_t:-0}" -v bm="${fl_mp:-0}" \
                -v c="$mcpu" -v cm="$mmp" -v who="$who" 'BEGIN {
                if (am > 0 && bm > 0 && b > 0 && a > 0)
                    printf "  ratio      %s/floor CPU per member-poll: %.2fx; monitor/%s: %.2fx\n", who,
                        (a / am) / (b / bm), who, (c / cm) / (a / am) }'
            continue
        fi
        echo "             $fsum; $(grep -c ' failed [1-9]' "$T/floor$n.out") polls with failed requests; session: $(sed -n 's/^floor: [0-9]* polls, \([0-9]*\) transfers, .* \([0-9]*\) connections.*/\1 transfers over \2 connections/p' "$T/floor$n.out")"
        # The floor must ask what the monitor asks: say which route differs by > 5%.
        if ((fpolls > 0)) && [[ -s $T/mon.rates ]]; then
            rates "$T/c0" "$T/c1" $((fpolls * n)) | awk 'NR == FNR { m[$1] = $2; next }
                { d = $2 - m[$1]; if (d < 0) d = -d; if (d > 0.05 * (m[$1] > $2 ? m[$1] : $2) && d > 0.001)
                  printf "  MISMATCH   %s: monitor %.4f, floor %.4f requests per member-poll (update FLOOR_REQS in bench/scale.sh)\n", $1, m[$1], $2 }' \
                "$T/mon.rates" -
        fi
        awk -v a="$mcpu" -v am="$mmp" -v b="$ft" -v bm=$((fpolls * n)) -v n="$n" 'BEGIN {
            if (am > 0 && bm > 0 && b > 0)
                printf "  ratio      monitor/floor CPU per member-poll: %.2fx\n", (a / am) / (b / bm)
            else print "  ratio      monitor/floor: n/a (floor CPU below the tick resolution)" }'
        fl_t=$ft fl_mp=$((fpolls * n))
    done
    PER_MP[$n]=$(awk -v a="$mcpu" -v m="$mmp" -v hz="$HZ" 'BEGIN { if (m) printf "%.4f", a / hz * 1000 / m; else print "-" }')
    # --- Prometheus
    if ((n > PROM_MAX_N)); then
        echo "  prometheus skipped at N=$n (BENCH_SCALE_PROM_MAX_N=$PROM_MAX_N)"
    elif [[ ! -x $PROM ]]; then
        echo "  prometheus missing: $PROM (Debian package prometheus)"
    else
        {
            printf 'global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\nscrape_configs:\n'
            printf '  - job_name: etcd\n    static_configs:\n      - targets:\n'
            printf "          - '127.0.0.1:%s'\n" "${PORTS[@]:0:n}"
        } >"$T/prom$n.yml"
        rows_now() { echo 0; }
        "$PROM" --config.file="$T/prom$n.yml" --storage.tsdb.path="$T/prom$n" \
            --web.listen-address=127.0.0.1:0 --log.level=warn >"$T/prom$n.log" 2>&1 &
        pr=$!
        pids+=("$pr")
        # Prometheus applies its scrape targets about 5s after it starts.
        if window "$pr" 5; then
            pt=$((W1 - W0)); scrapes=$(delta "$T/c0" "$T/c1" /metrics)
            stop "$pr"
            report prometheus "$n" "$pt" 0 \
                "; $scrapes scrapes of /metrics ($(awk -v s="$scrapes" -v n="$n" -v e="$E" 'BEGIN { printf "%.2f", s / n / e }') per target per s) — Prometheus asks /metrics only, the monitor $mrate requests per member-poll"
            # CPU per second of each run (the windows differ by a fraction of a second).
            awk -v a="$mcpu" -v ae="$me" -v b="$pt" -v s="$scrapes" -v n="$n" -v e="$E" 'BEGIN {
                if (b > 0) printf "  ratio      monitor/Prometheus CPU: %.3f (goal <= 0.25)%s\n", (a / ae) / (b / e),
                    s < 0.9 * n * e ? "; Prometheus fell behind its 1s scrapes: unequal work" : "" }'
        else
            stop "$pr"
            echo "  prometheus did not run: $(head -3 "$T/prom$n.log")"
        fi
        rm -rf "$T/prom$n"
    fi
    awk -v t="$stub_mon" -v e="$me" -v hz="$HZ" 'BEGIN { printf "  (the stub itself: %.1f%% of one core during the monitor run)\n", t / hz * 100 / e }'
done
line=""
for n in $NS; do [[ -n ${PER_MP[$n]:-} ]] && line="$line N=$n ${PER_MP[$n]} ms,"; done
[[ -n $line ]] && echo "linearity: monitor CPU per member-poll:${line%,}"
echo "summary: ms of CPU per member-poll (ratio to the floor); floor+lines reads every /metrics byte once, floor+extract runs the monitor's scan"
for n in $NS; do
    [[ -n ${PER_MP[$n]:-} ]] || continue
    f=${FMP[$n,none]:-}
    out="  N=$n: monitor ${PER_MP[$n]}"
    [[ -n $f ]] && out="$out ($(awk -v a="${PER_MP[$n]}" -v b="$f" 'BEGIN { printf "%.2fx", a / b }')), floor $f"
    for rd in lines extract; do
        v=${FMP[$n,$rd]:-}
        [[ -n $v ]] || continue
        out="$out, floor+$rd $v"
        [[ -n $f ]] && out="$out ($(awk -v a="$v" -v b="$f" 'BEGIN { printf "%.2fx", a / b }'))"
    done
    echo "$out"
done
exit 0
