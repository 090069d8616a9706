#!/usr/bin/env bash
# The exporter against a real 3-member cluster and a real Prometheus 2.42:
# `promtool check metrics` finds nothing; Prometheus (started here, 1 s scrape
# interval, contrib/prometheus's rules loaded) scrapes /metrics, `up == 1` and
# the monitor's member series come back through its HTTP API. contrib/: the
# rules pass `promtool check rules` and `promtool test rules`; every Grafana
# panel query parses (as a generated rule file) and names only series the
# exporter serves.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/serve.sh

for tool in prometheus promtool jq; do
    command -v "$tool" >/dev/null || { t_fail "$tool is installed (tools/deps.sh)"; t_done; }
done
t_assert "contrib rules: promtool check rules" promtool check rules contrib/prometheus/etcd-monitor-rules.yml
t_assert "contrib rules: promtool test rules" \
    bash -c "cd contrib/prometheus && promtool test rules etcd-monitor-rules.test.yml"

it_cluster 3
# A webhook nobody listens on: its channel's queue and failures are served too.
sv_start M --headless --endpoints "$CLUSTER_ENDPOINTS" --interval 1 --api-port 0 \
    --notify-webhook http://127.0.0.1:1/secret-path --workdir "$T/ws" || t_done
U=http://127.0.0.1:$SV_PORT_M
t_wait_for "member series served" 15 bash -c "curl -s $U/metrics | grep -q '^etcd_monitor_member_read_probe_duration_seconds{'"
curl -s "$U/metrics" > "$T/metrics.txt"
out=$(promtool check metrics < "$T/metrics.txt" 2>&1); rc=$?
t_eq "promtool check metrics: exit 0" 0 "$rc"
t_eq "promtool check metrics: no finding" "" "$out"
t_assert "every family has HELP and TYPE" bash -c "
    fams=\$(grep -v '^#' '$T/metrics.txt' | sed 's/[{ ].*//' | sort -u)
    for f in \$fams; do grep -q \"^# HELP \$f \" '$T/metrics.txt' && grep -q \"^# TYPE \$f \" '$T/metrics.txt' || { echo \$f; exit 1; }; done"
t_assert "counters end in _total" bash -c "! grep '^# TYPE' '$T/metrics.txt' | awk '\$4 == \"counter\" && \$3 !~ /_total\$/' | grep -q ."
t_assert "the webhook channel's queue length is served (type and host only)" \
    grep -q '^etcd_monitor_notification_queue_length{channel="webhook (127.0.0.1:1)"} ' "$T/metrics.txt"
for f in sent retried failed dropped; do
    t_assert "etcd_monitor_notifications_${f}_total is served per channel" \
        grep -q "^etcd_monitor_notifications_${f}_total{channel=" "$T/metrics.txt"
done
t_eq "the webhook URL's path is nowhere in /metrics" 0 "$(grep -c secret-path "$T/metrics.txt")"
grep '^# HELP' "$T/metrics.txt" | awk '{print $3}' | sort -u > "$T/families"

# Grafana: JSON, every expr parses, every etcd_monitor_ name is served.
for f in contrib/grafana/*.json; do
    t_assert "$(basename "$f"): JSON with a title and panels" jq -e '.title and (.panels|length) > 3' "$f"
done
{
    echo "groups:"
    echo "  - name: grafana-queries"
    echo "    rules:"
    i=0
    jq -r '.panels[].targets[].expr' contrib/grafana/*.json | while IFS= read -r e; do
        i=$((i + 1))
        printf '      - record: grafana_query_%d\n        expr: %s\n' "$i" "$(jq -Rn --arg e "$e" '$e')"
    done
} > "$T/grafana-rules.yml"
t_assert "every Grafana query parses (promtool check rules)" promtool check rules "$T/grafana-rules.yml"
unknown=$(cat contrib/grafana/*.json contrib/prometheus/etcd-monitor-rules.yml |
          grep -o 'etcd_monitor_[a-z_]*' | sort -u | comm -23 - "$T/families")
t_eq "dashboards and rules name only served series" "" "$unknown"

# A real Prometheus scrapes it.
free_port() {
    local p
    for _ in $(seq 1 50); do
        p=$(( 20000 + RANDOM % 30000 ))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
    done
    return 1
}
PP=$(free_port)
cp contrib/prometheus/etcd-monitor-rules.yml "$T/"
cat > "$T/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [ "etcd-monitor-rules.yml" ]
scrape_configs:
  - job_name: 'etcd-monitor'
    static_configs:
      - targets: ['127.0.0.1:$SV_PORT_M']
YML
# Up to three attempts, each on a newly chosen port: a port found free can be
# taken by a parallel test before Prometheus binds it.
PROM_PID=""
t_cleanup_add 'kill $PROM_PID 2>/dev/null; wait $PROM_PID 2>/dev/null'
for attempt in 1 2 3; do
    prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
        --web.listen-address="127.0.0.1:$PP" --log.level=warn >"$T/prometheus.log" 2>&1 &
    PROM_PID=$!
    for _ in $(seq 1 150); do
        curl -sf --max-time 1 "http://127.0.0.1:$PP/-/ready" >/dev/null && break 2
        kill -0 "$PROM_PID" 2>/dev/null || break
        sleep 0.2
    done
    echo "# prometheus attempt $attempt on port $PP failed:" >&2
    tail -n 5 "$T/prometheus.log" >&2
    kill "$PROM_PID" 2>/dev/null; wait "$PROM_PID" 2>/dev/null
    PP=$(free_port)
done
t_wait_for "prometheus ready" 5 curl -sf "http://127.0.0.1:$PP/-/ready"
q() { curl -sfG --max-time 5 "http://127.0.0.1:$PP/api/v1/query" --data-urlencode "query=$1"; }
t_wait_for "up{job=etcd-monitor} == 1" 20 \
    bash -c "curl -sfG http://127.0.0.1:$PP/api/v1/query --data-urlencode 'query=up{job=\"etcd-monitor\"} == 1' | jq -e '.data.result | length == 1' >/dev/null"
t_wait_for "three members up through Prometheus" 10 \
    bash -c "curl -sfG http://127.0.0.1:$PP/api/v1/query --data-urlencode 'query=sum(etcd_monitor_member_up)' | jq -e '.data.result[0].value[1] == \"3\"' >/dev/null"
t_assert "a latency quantile through Prometheus" bash -c \
    "curl -sfG http://127.0.0.1:$PP/api/v1/query --data-urlencode 'query=etcd_monitor_member_read_probe_duration_seconds{window=\"1m\",q=\"0.99\"}' | jq -e '.data.result | length == 3' >/dev/null"
t_wait_for "the recording rules evaluate" 10 bash -c \
    "curl -sfG http://127.0.0.1:$PP/api/v1/query --data-urlencode 'query=etcd_monitor:members_down' | jq -e '.data.result[0].value[1] == \"0\"' >/dev/null"
t_assert "the scrape reported no error" bash -c \
    "curl -sf http://127.0.0.1:$PP/api/v1/targets | jq -e '.data.activeTargets[0].health == \"up\" and .data.activeTargets[0].lastError == \"\"' >/dev/null"
t_done
