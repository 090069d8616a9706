#!/usr/bin/env bash
# load.sh — light, bounded background write load for a test/demo etcd cluster.
#
#   tests/lib/load.sh ENDPOINTS [SECONDS]     (ENDPOINTS: http://127.0.0.1:P,... ; default 600 s)
#
# About LOAD_RATE (default 20) small puts per second under /etcd-monitor-load/ through the
# v3 JSON gateway (POST /v3/kv/put, curl with keep-alive, a batch of 5 per request burst),
# rotating over the endpoints. About every 5 s it deletes a range of keys, and about every
# 30 s it compacts the keyspace to a recent revision, so the backend accumulates free
# pages (db size > db size in use: "fragmentation").
#
# Stops by itself: after SECONDS (capped at 86400), when its parent process goes away
# (or $LOAD_PARENT_PID if set), on SIGTERM/SIGINT, or quietly after LOAD_MAX_FAILS
# (default 20) consecutive rounds in which no endpoint accepted a write.
# A one-line summary goes to stderr at the end when LOAD_VERBOSE=1.
#
# Knobs: LOAD_RATE (1..200 writes/s), LOAD_KEYS (distinct keys, default 2000),
#        LOAD_COMPACT=0 to never compact, LOAD_MAX_FAILS.

set -u
eps_arg=${1:-}
secs=${2:-600}
if [[ -z $eps_arg ]]; then
    echo "usage: load.sh ENDPOINTS [SECONDS]" >&2
    exit 2
fi
[[ $secs =~ ^[0-9]+$ ]] && ((secs > 0)) || secs=600
((secs > 86400)) && secs=86400
rate=${LOAD_RATE:-20}
[[ $rate =~ ^[0-9]+$ ]] && ((rate >= 1)) || rate=20
((rate > 200)) && rate=200
nkeys=${LOAD_KEYS:-2000}
[[ $nkeys =~ ^[0-9]+$ ]] && ((nkeys >= 200 && nkeys <= 999999)) || nkeys=2000
max_fails=${LOAD_MAX_FAILS:-20}
[[ $max_fails =~ ^[0-9]+$ ]] && ((max_fails >= 1)) || max_fails=20
parent=${LOAD_PARENT_PID:-$PPID}

IFS=',' read -r -a eps <<<"$eps_arg"
neps=${#eps[@]}
((neps > 0)) || exit 2

tmp_codes=$(mktemp /tmp/etcd-monitor-load.XXXXXX) || exit 1
stop=0
trap 'stop=1' TERM INT HUP
trap 'rm -f "$tmp_codes"' EXIT
trap '' PIPE

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# base64 without a process per key: the prefix and value are multiples of 3 bytes, so
# base64(prefix + "123" + "456") = b64(prefix) + b64("123") + b64("456"). The 1000
# three-digit groups are encoded once, 4 characters each.
prefix="/etcd-monitor-load/k-"                 # 21 bytes
b64_prefix=$(printf '%s' "$prefix" | base64 -w0)
b64_groups=$(printf '%03d' $(seq 0 999) | base64 -w0)
vbody=$(printf 'etcd-monitor load value %0.s' 1 2 3 | head -c 72)   # 72 bytes
b64_vbody=$(printf '%s' "$vbody" | base64 -w0)
# key index (0..999999) -> base64 key in $KEY64; counter -> base64 value in $VAL64
# (no subshells: this runs 20 times a second)
b64_key() {
    local n
    printf -v n '%06d' "$1"
    KEY64=$b64_prefix${b64_groups:$((10#${n:0:3} * 4)):4}${b64_groups:$((10#${n:3:3} * 4)):4}
}
b64_val() {
    local n
    printf -v n '%06d' $(($1 % 1000000))
    VAL64=$b64_vbody${b64_groups:$((10#${n:0:3} * 4)):4}${b64_groups:$((10#${n:3:3} * 4)):4}
}

writes=0 fails=0 deletes=0 compacts=0 rounds_failed=0
seq_no=0 ep_i=0
batch=5
((rate < batch)) && batch=$rate
period_ms=$((1000 * batch / rate))
start_ms=$(now_ms)
end_ms=$((start_ms + secs * 1000))
next_ms=$start_ms
next_delete_ms=$((start_ms + 5000))
next_compact_ms=$((start_ms + 30000))

# POST one batch of puts to endpoint $1 with a single curl (keep-alive); prints the count
# of HTTP 200 answers.
put_batch() {
    local ep=$1 args=() i
    for ((i = 0; i < batch; i++)); do
        b64_key $((((seq_no + i) * 7919) % nkeys))
        b64_val $((seq_no + i))
        ((i > 0)) && args+=(--next)
        args+=(-s -o /dev/null -w '%{http_code}\n' --connect-timeout 1 --max-time 2
            -H 'Content-Type: application/json' -X POST
            -d "{\"key\":\"$KEY64\",\"value\":\"$VAL64\"}" "$ep/v3/kv/put")
    done
    curl --parallel --parallel-max "$batch" "${args[@]}" 2>/dev/null >"$tmp_codes"
    ok=0
    while IFS= read -r c; do [[ $c == 200 ]] && ok=$((ok + 1)); done <"$tmp_codes"
}

post() { # ep path json -> body on stdout, status 0 if HTTP 200
    local out
    out=$(curl -s --connect-timeout 1 --max-time 3 -H 'Content-Type: application/json' \
        -X POST -d "$3" -w '\n%{http_code}' "$1$2" 2>/dev/null) || return 1
    [[ ${out##*$'\n'} == 200 ]] || return 1
    printf '%s\n' "${out%$'\n'*}"
}

while ((stop == 0)); do
    t=$(now_ms)
    ((t >= end_ms)) && break
    parent_stat=""
    { read -r parent_stat <"/proc/$parent/stat"; } 2>/dev/null
    parent_stat=${parent_stat##*) }
    [[ -z $parent_stat || $parent_stat == Z* ]] && break
    ok=0
    for ((j = 0; j < neps && ok == 0 && stop == 0; j++)); do
        ep=${eps[$(((ep_i + j) % neps))]}
        put_batch "$ep"
        seq_no=$((seq_no + batch))
        writes=$((writes + ok))
        fails=$((fails + batch - ok))
    done
    ep_i=$(((ep_i + 1) % neps))
    if ((ok == 0)); then
        rounds_failed=$((rounds_failed + 1))
        ((rounds_failed >= max_fails)) && break
    else
        rounds_failed=0
    fi
    t=$(now_ms)
    if ((ok > 0 && t >= next_delete_ms)); then
        next_delete_ms=$((t + 5000))
        lo=$(((RANDOM * 32768 + RANDOM) % (nkeys - 100)))
        b64_key "$lo"
        k1=$KEY64
        b64_key $((lo + 100))
        post "$ep" /v3/kv/deleterange "{\"key\":\"$k1\",\"range_end\":\"$KEY64\"}" \
            >/dev/null && deletes=$((deletes + 1))
    fi
    if ((ok > 0 && ${LOAD_COMPACT:-1} != 0 && t >= next_compact_ms)); then
        next_compact_ms=$((t + 30000))
        # Current revision from a tiny range request; keep the last 500 revisions.
        body=$(post "$ep" /v3/kv/range "{\"key\":\"$b64_prefix\",\"limit\":1}")
        if [[ $body =~ \"revision\":\"?([0-9]+) ]]; then
            rev=${BASH_REMATCH[1]}
            if ((rev > 600)); then
                post "$ep" /v3/kv/compaction "{\"revision\":$((rev - 500))}" >/dev/null &&
                    compacts=$((compacts + 1))
            fi
        fi
    fi
    # Pace: one batch per period on a fixed schedule (no catching up after stalls).
    next_ms=$((next_ms + period_ms))
    t2=$(now_ms)
    ((next_ms < t2 - period_ms)) && next_ms=$t2
    left=$((next_ms - t2))
    ((left > period_ms)) && left=$period_ms
    if ((left > 0 && stop == 0)); then
        printf -v s '%d.%03d' $((left / 1000)) $((left % 1000))
        sleep "$s"
    fi
done

if [[ ${LOAD_VERBOSE:-0} == 1 ]]; then
    echo "load: $writes writes ok, $fails failed, $deletes range deletes, $compacts compactions in $((($(now_ms) - start_ms) / 1000)) s" >&2
fi
exit 0
