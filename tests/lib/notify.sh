# notify.sh — helpers for the alert delivery tests (source after itest.sh).
#   nt_receiver            start tests/lib/notify_receiver.py; sets NT_PORT, NT_LOG
#   nt_bodies PATH [JQ]    the bodies POSTed to PATH (one JSON per line), through jq
#   nt_count PATH [STATUS] how many requests PATH got (with that status)
#   nt_gaps FILE           metrics.csv polls more than 1.5 s apart (0 = on schedule)

nt_receiver() {
    NT_LOG=$T/receiver.jsonl
    : >"$NT_LOG"
    /usr/bin/python3 tests/lib/notify_receiver.py "$T/receiver.port" "$NT_LOG" 2>"$T/receiver.err" &
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
