# serve.sh — helpers for the API tests (source after itest.sh).
#   sv_start NAME ARGS...   start "$EM" ARGS (with --api-port 0) in the background,
#                           wait for its "API listening" line; sets SV_PORT_<NAME>,
#                           SV_PID_<NAME>; stderr in $T/NAME.err
#   sv_code URL [curl args]  prints the HTTP status code
#   sv_get URL               prints the body (any status)
sv_start() {
    local name=$1 i port=""
    shift
    "$EM" "$@" >"$T/$name.out" 2>"$T/$name.err" &
    local pid=$!
    t_cleanup_add "kill $pid 2>/dev/null || true"
    for ((i = 0; i < 100; i++)); do
        port=$(sed -n 's/.*API listening on [a-z]*:\/\/[^ ]*:\([0-9]*\) .*/\1/p' "$T/$name.err" | head -1)
        [[ -n $port ]] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if [[ -z $port ]]; then
        t_fail "$name: API listening" "$(cat "$T/$name.err")"
        return 1
    fi
    printf -v "SV_PORT_$name" '%s' "$port"
    printf -v "SV_PID_$name" '%s' "$pid"
    t_ok "$name: API listening on port $port"
}
sv_code() { local u=$1; shift; curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" "$u"; }
sv_get() { local u=$1; shift; curl -s --max-time 5 "$@" "$u"; }
