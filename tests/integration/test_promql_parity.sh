#!/usr/bin/env bash
# Parity of src/stats/promql.c with a real Prometheus (Debian's 2.42): the same
# pseudo-random series (tests/lib/promql_parity.c) are backfilled into a TSDB
# with promtool, served by prometheus on 127.0.0.1, and every case's instant
# query must agree with our value to a relative 1e-9 (NaN/±Inf exactly, and
# "no value" on both sides together). The generator also slides the stats
# engine's incremental windows (src/stats/slide.c) to each case one point at a
# time and fails unless they give our from-scratch values bit for bit.
source "$(dirname "$0")/../lib/testlib.sh"
cd "$T_ROOT" || exit 1
T=$(t_tmpdir)

for tool in prometheus promtool curl; do
    if ! command -v "$tool" >/dev/null; then
        t_fail "$tool is installed (tools/deps.sh installs Debian's prometheus)"
        t_done
    fi
done
t_assert "build promql-parity" make --no-print-directory build/promql-parity || t_done

# Data 4 hours in the past: old enough for backfilled blocks, well inside the
# default 15-day retention.
base_ms=$(( ($(date +%s) - 4 * 3600) * 1000 ))
t_assert "generate series and our answers" \
    sh -c "build/promql-parity $base_ms '$T/data.om' '$T/raw.txt' > '$T/cases.tsv'" || t_done
t_assert "promtool backfills the OpenMetrics file" \
    promtool tsdb create-blocks-from openmetrics "$T/data.om" "$T/tsdb" || t_done

printf 'global:\n  scrape_interval: 1h\nscrape_configs: []\n' > "$T/prometheus.yml"

# A port nothing listens on (bash's /dev/tcp connect fails).
free_port() {
    local p
    for _ in $(seq 1 50); do
        p=$(( 20000 + RANDOM % 30000 ))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
    done
    return 1
}

PROM_PID=""
stop_prometheus() {
    if [[ -n $PROM_PID ]]; then
        kill "$PROM_PID" 2>/dev/null
        wait "$PROM_PID" 2>/dev/null
        PROM_PID=""
    fi
}
t_cleanup_add stop_prometheus

ready() { curl -sf --max-time 1 "http://127.0.0.1:$PORT/-/ready" >/dev/null; }
started=0
for attempt in 1 2 3; do
    PORT=$(free_port) || break
    prometheus --storage.tsdb.path="$T/tsdb" --config.file="$T/prometheus.yml" \
        --web.listen-address="127.0.0.1:$PORT" --log.level=warn \
        >"$T/prometheus.log" 2>&1 &
    PROM_PID=$!
    for _ in $(seq 1 150); do
        ready && { started=1; break; }
        kill -0 "$PROM_PID" 2>/dev/null || break
        sleep 0.2
    done
    ((started)) && break
    stop_prometheus
    echo "# prometheus attempt $attempt on port $PORT failed:" >&2
    tail -n 5 "$T/prometheus.log" >&2
done
if ((started)); then
    t_ok "prometheus ready on 127.0.0.1:$PORT"
else
    t_fail "prometheus ready" "$(tail -n 20 "$T/prometheus.log")"
    t_done
fi

# query EXPR TIME: prints "none", or the single sample's value as Prometheus
# formats it; fails on an API error or more than one series.
query() {
    local out
    out=$(curl -sfG --max-time 10 "http://127.0.0.1:$PORT/api/v1/query" \
        --data-urlencode "query=$1" --data-urlencode "time=$2") || { echo "curl failed"; return 1; }
    case $out in
    *'"status":"success"'*'"result":[]'*) echo none ;;
    *'"status":"success"'*)
        local vals
        vals=$(grep -o '"value":\[[^]]*\]' <<<"$out" | sed 's/.*,"\(.*\)"\]$/\1/')
        if [[ $(wc -l <<<"$vals") != 1 ]]; then echo "several series: $out"; return 1; fi
        echo "$vals" ;;
    *) echo "$out"; return 1 ;;
    esac
}

# The backfill kept every raw sample, timestamps to the millisecond.
last_ts=$(tail -n 1 "$T/raw.txt" | cut -d' ' -f1)
raw=$(curl -sfG --max-time 10 "http://127.0.0.1:$PORT/api/v1/query" \
    --data-urlencode "query=em_probe_ms[3h]" --data-urlencode "time=$last_ts" |
    grep -o '\[[0-9.]*,"[^"]*"\]' | sed 's/^\[\([0-9.]*\),"\(.*\)"\]$/\1 \2/')
t_assert "raw samples of em_probe_ms identical after backfill" \
    awk 'NR == FNR { want[FNR] = $0; n = FNR; next }
         { m = FNR; split(want[FNR], w, " ")
           if (w[1] != $1 || w[2] + 0 != $2 + 0) { print "line " FNR ": want " want[FNR] ", got " $0; bad = 1 } }
         END { if (m != n) { print "want " n " samples, got " m; bad = 1 }; exit bad }' \
    "$T/raw.txt" <(printf '%s\n' "$raw")

# agree OURS THEIRS: same "none"/NaN/±Inf, or within a relative 1e-9.
agree() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        special = "^(none|NaN|[+-]Inf)$"
        if (a ~ special || b ~ special) exit !(a == b)
        x = a + 0; y = b + 0
        d = x - y; if (d < 0) d = -d
        m = (x < 0 ? -x : x); my = (y < 0 ? -y : y); if (my > m) m = my
        exit !(d <= 1e-9 * m)
    }'
}

n_cases=0
n_bad=0
declare -A seen_fn
while IFS=$'\t' read -r expr when ours; do
    n_cases=$((n_cases + 1))
    theirs=$(query "$expr" "$when")
    fn=${expr%%(*}
    seen_fn[$fn]=$(( ${seen_fn[$fn]:-0} + 1 ))
    if agree "$ours" "$theirs"; then
        t_ok "$expr @ $when = $ours"
    else
        n_bad=$((n_bad + 1))
        t_fail "$expr @ $when" "ours:       $ours" "prometheus: $theirs"
    fi
done <"$T/cases.tsv"
t_assert "cases were run" test "$n_cases" -ge 100
for fn in increase rate histogram_quantile deriv predict_linear max_over_time \
    last_over_time quantile_over_time; do
    t_assert "cases include $fn" test "${seen_fn[$fn]:-0}" -gt 0
done
echo "# $n_cases parity cases, $n_bad disagreements"

stop_prometheus
t_done
