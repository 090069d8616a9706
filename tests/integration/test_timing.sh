#!/usr/bin/env bash
# Timings are what really happened. Three stub members answer the read probe
# after 5, 50 and 500 ms (the stub's slow mode, exact to the microsecond).
# Each member's probe_read_ms (the request's own time, connecting excluded):
# never below its delay; its median within 10% + 0.5 ms (a 5 ms answer's 10% is
# half a millisecond: loopback and waking two processes on a busy machine take
# about that much already); no single value over 10% + 5 ms (a scheduling
# spike). poll_ms (from the poll's start to its last transfer's end): never
# below the largest delay, within 10% + 5 ms of it.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/stubmember.sh

# The read probe answers after the delay, the rest at once (and /metrics is
# small): nothing else of that member is answered, sent or parsed in the same
# instant, so the time measured is the probe's own.
printf 'etcd_server_has_leader 1\netcd_server_is_leader 0\n' >"$T/small.metrics"
eps=""
for ms in 5 50 500; do
    sm_start "d$ms" "$((2000 + ms))" "GET /metrics file $T/small.metrics" \
        "POST /v3/kv/range slow $ms $T_ROOT/tests/data/fixture/range-absent.json" ||
        { t_fail "stub d$ms starts"; t_done; }
    eps+="${eps:+,}127.0.0.1:$SM_PORT"
    declare "P$ms=$SM_PORT"
done
W=$T/ws
"$EM" --headless --no-discover --endpoints "$eps" --interval 2 --duration 12s \
      --workdir "$W" >"$T/out" 2>"$T/err"
polls=$(csv_rows "$W/metrics.csv")
t_assert "12 s at 2 s: 5 to 7 polls ($polls)" test "$polls" -ge 5 -a "$polls" -le 7

# within LO HI VALUES...: how many values are outside [LO, HI]
outside() { local lo=$1 hi=$2; shift 2; printf '%s\n' "$@" | awk -v lo="$lo" -v hi="$hi" \
    '$1 == "" || $1 + 0 < lo || $1 + 0 > hi { n++ } END { print n + 0 }'; }
for ms in 5 50 500; do
    port=P$ms
    mapfile -t v < <(csv_col "$W/members.csv" probe_read_ms endpoint "http://127.0.0.1:${!port}")
    hi=$(awk -v d="$ms" 'BEGIN { print d * 1.1 }')
    t_eq "$ms ms member: one read probe per poll" "$polls" "${#v[@]}"
    med=$(printf '%s\n' "${v[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
    t_eq "$ms ms member: never below $ms ms, none over 10% + 5 ms (${v[*]})" 0 \
        "$(outside "$ms" "$(awk -v h="$hi" 'BEGIN { print h + 5 }')" "${v[@]}")"
    t_eq "$ms ms member: median $med within 10% + 0.5 ms" 0 \
        "$(outside "$ms" "$(awk -v h="$hi" 'BEGIN { print h + 0.5 }')" "$med")"
done
mapfile -t p < <(csv_col "$W/metrics.csv" poll_ms)
t_eq "poll_ms in [500, 550 + 5] every poll (${p[*]})" 0 "$(outside 500 555 "${p[@]}")"
t_done
