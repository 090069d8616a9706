# notify.sh — helpers for the alert delivery tests (source after itest.sh).
#   nt_receiver [CERT KEY] start tests/lib/notify_receiver.py (HTTPS with CERT and
#                          KEY); sets NT_PORT, NT_LOG
#   nt_bodies PATH [JQ]    the bodies POSTed to PATH (one JSON per line), through jq
#   nt_count PATH [STATUS] how many requests PATH got (with that status)
#   nt_gaps FILE           metrics.csv polls more than 1.5 s apart (0 = on schedule)

nt_receiver() {
    NT_LOG=$T/receiver.jsonl
    : >"$NT_LOG"
    /usr/bin/python3 tests/lib/notify_receiver.py "$T/receiver.port" "$NT_LOG" "$@" 2>"$T/receiver.err" &
    local pid=$!
    t_cleanup_add "kill $pid 2>/dev/null || true"
    t_wait_for "the local receiver listens" 10 test -s "$T/receiver.port" || t_done
    NT_PORT=$(cat "$T/receiver.port")
}

nt_bodies() {
    jq -c --arg p "$1" "select(.path == \$p) | .body | ${2:-.}" "$NT_LOG"
}

nt_count() {
    if [[ -n ${2:-} ]]; then
        jq -c --arg p "$1" --argjson s "$2" 'select(.path == $p and .status == $s)' "$NT_LOG" | wc -l
    else
        jq -c --arg p "$1" 'select(.path == $p)' "$NT_LOG" | wc -l
    fi
}

nt_gaps() {
    csv_col "$1" timestamp | while read -r ts; do date -d "$ts" +%s.%N; done |
        awk 'NR > 1 { d = $1 - p; if (d > 1.5 || d < 0.5) bad++ } { p = $1 } END { print bad + 0 }'
}

# A free TCP port on 127.0.0.1.
nt_free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Start a real Alertmanager (cluster mode off) on a free port; sets NT_AM_URL.
nt_alertmanager() {
    local port dir=$T/am
    mkdir -p "$dir"
    port=$(nt_free_port)
    cat >"$dir/am.yml" <<'YAML'
route:
  receiver: blackhole
receivers:
  - name: blackhole
YAML
    /usr/bin/prometheus-alertmanager --config.file="$dir/am.yml" --storage.path="$dir" \
        --web.listen-address="127.0.0.1:$port" --cluster.listen-address= >"$dir/log" 2>&1 &
    local pid=$!
    t_cleanup_add "kill $pid 2>/dev/null || true"
    NT_AM_URL=http://127.0.0.1:$port
    t_wait_for "Alertmanager is ready" 20 curl -sf "$NT_AM_URL/-/ready" || { tail -5 "$dir/log"; t_done; }
}

# 0 when some request in the receiver's log matches the jq FILTER.
nt_has() {
    [[ -n $(jq -c "$1" "$NT_LOG") ]]
}
