# promserver.sh — a real Prometheus (Debian's 2.42, /usr/bin/prometheus) on
# loopback for integration tests that read from it (source after itest.sh).
#
#   prom_start DIR JOB TARGET...   scrape TARGETs (host:port) as job JOB every 1s,
#                                  data in DIR; sets PROM_PORT, PROM_PID, PROM_URL;
#                                  stopped when the test exits (t_cleanup_add)
#   prom_stop                      stop it now (idempotent)
#   prom_query EXPR                the answer of /api/v1/query as JSON

prom_stop() {
    if [[ -n ${PROM_PID:-} ]]; then
        kill "$PROM_PID" 2>/dev/null
        wait "$PROM_PID" 2>/dev/null
        PROM_PID=""
    fi
}

prom_start() {
    local dir=$1 job=$2 targets="" t
    shift 2
    for t in "$@"; do targets+="${targets:+, }'$t'"; done
    mkdir -p "$dir"
    printf 'global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: %s\n    static_configs:\n      - targets: [%s]\n' \
        "$job" "$targets" >"$dir/prometheus.yml"
    t_cleanup_add prom_stop
    local attempt
    for attempt in 1 2 3; do
        PROM_PORT=$(fixture_free_ports 1) || return 1
        prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/tsdb" \
            --web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn \
            >"$dir/prometheus.log" 2>&1 &
        PROM_PID=$!
        PROM_URL=http://127.0.0.1:$PROM_PORT
        local i
        for i in $(seq 1 150); do
            curl -sf --max-time 1 "$PROM_URL/-/ready" >/dev/null && return 0
            kill -0 "$PROM_PID" 2>/dev/null || break
            sleep 0.2
        done
        prom_stop
        echo "# prometheus attempt $attempt on port $PROM_PORT failed:" >&2
        tail -n 5 "$dir/prometheus.log" >&2
    done
    return 1
}

prom_query() {
    curl -sfG --max-time 5 "$PROM_URL/api/v1/query" --data-urlencode "query=$1"
}
