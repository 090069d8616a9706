#!/usr/bin/env bash
# The dashboard's alerts panel with alert delivery, end to end in tmux against
# three scripted members (build/http-stub) and the local webhook receiver:
# each channel's queue, sent, failed and dropped counts (one receiver fails);
# `a` then Up/Down select an alert and show its troubleshooting hint under it;
# `x` silences the selected alert for 1 h ("silenced (... left)", logged),
# `x` again lifts it; while silenced its RESOLVED is not delivered (alerts.log
# still has it) while another alert's is.
. "$(dirname "$0")/../lib/itest.sh"
. tests/lib/tui.sh
. tests/lib/fixture.sh
. tests/lib/notify.sh
command -v tmux >/dev/null || { t_fail "tmux is installed"; t_done; }
ID1=10501334649042878790 ID2=2512698864566819725 ID3=1311094930227446630

nt_receiver
ports=$(fixture_free_ports 3) || { t_fail "three free ports"; t_done; }
read -r -a P <<<"0 $ports"
for i in 1 2 3; do
    v=ID$i
    fixture_member_dir "$T/s$i"
    fixture_metrics "$T/s$i/metrics.prom" --is-leader $((i == 1))
    fixture_status "$T/s$i/status.json" --id "${!v}" --leader "$ID1"
done
fixture_member_list "$T/s1/members.json" "s1 $ID1 http://127.0.0.1:${P[1]}" \
    "s2 $ID2 http://127.0.0.1:${P[2]}" "s3 $ID3 http://127.0.0.1:${P[3]}"
for i in 1 2 3; do
    fixture_stub "s$i" "$T/s$i" --port "${P[$i]}" || { t_fail "stub s$i starts"; t_done; }
    PID[$i]=$T_STUB_PID
done
W=$T/ws
printf 'rules:\n  EtcdMembersDown:\n    for: 2s\n' >"$T/config.yaml"
tui_start 120 40 "'$EM' --endpoints 127.0.0.1:${P[1]},127.0.0.1:${P[2]},127.0.0.1:${P[3]} \
--no-discover --interval 1 --config '$T/config.yaml' --workdir '$W' --notify-webhook http://127.0.0.1:$NT_PORT/ok/hook \
--notify-webhook http://127.0.0.1:$NT_PORT/bad/hook 2>'$T/err'; echo EXIT=\$?; sleep 60"
tui_wait "the dashboard shows 3/3 members up" 20 '3/3 members up'
tui_wait "one line per channel, nothing sent yet" 5 \
    "delivery webhook \(127.0.0.1:$NT_PORT\): queue 0/100, 0 sent, 0 retried, 0 failed, 0 dropped"

# s3 goes down: MemberUnreachable@s3 fires and is delivered; /bad fails.
kill -TERM "${PID[3]}"; wait "${PID[3]}" 2>/dev/null
tui_wait "MemberUnreachable on s3 fires" 8 'firing +MemberUnreachable +s3'
tui_wait "EtcdMembersDown on s3 fires" 8 'firing +EtcdMembersDown +s3'
t_wait_for "the webhook gets FIRING MemberUnreachable@s3" 10 nt_has \
    'select(.path == "/ok/hook") | .body.alerts[] | select(.labels.alertname == "MemberUnreachable" and .status == "firing")'
tui_wait "the good channel: 1 sent" 5 "delivery webhook \(127.0.0.1:$NT_PORT\): queue 0/100, 1 sent, 0 retried, 0 failed"
tui_wait "the failing channel: 1 failed (HTTP 400 is not retried)" 5 \
    "delivery webhook \(127.0.0.1:$NT_PORT\): queue 0/100, 0 sent, 0 retried, 1 failed, 0 dropped"

# Select MemberUnreachable: its hint shows under it.
tui_keys a
tui_wait "a focuses the alerts list, an alert is selected" 3 '^│>(CRIT|WARN) '
for _ in 1 2 3 4 5 6; do
    tui_has '^│>.*MemberUnreachable' && break
    tui_keys Down
    sleep 0.3
done
t_assert "Down selects MemberUnreachable" tui_has '^│>WARN +firing +MemberUnreachable +s3'
t_assert "its hint is shown under it" tui_has "^│ +hint: Check that the member's etcd process runs"
hint_row=$(tui_screen | grep -n "hint: Check that the member" | cut -d: -f1)
sel_row=$(tui_screen | grep -n '^│>' | cut -d: -f1)
t_eq "the hint is the line right under the selected alert" $((sel_row + 1)) "$hint_row"

# x silences it for an hour; x again lifts it; x once more silences it.
tui_keys x
tui_wait "x: the alert shows as silenced with the time left" 3 \
    '^│>WARN +firing +MemberUnreachable +s3 +silenced \((59m|1h)[0-9hms ]* left\)'
t_wait_for "monitoring.log: silenced from the dashboard" 5 grep -q \
    "notify: MemberUnreachable@s3 silenced for 3600 s.*(from the dashboard)" "$W/monitoring.log"
tui_keys x
tui_wait_not "x again lifts the silence" 3 'MemberUnreachable +s3 +silenced'
t_wait_for "monitoring.log: lifted" 5 grep -q "notify: silence of MemberUnreachable@s3 lifted" "$W/monitoring.log"
tui_keys x
tui_wait "x silences it again" 3 'MemberUnreachable +s3 +silenced \('

# s3 comes back: both resolutions are in alerts.log; only the unsilenced one is delivered.
fixture_stub s3 "$T/s3" --port "${P[3]}" || t_fail "stub s3 restarts"
t_wait_for "alerts.log: RESOLVED MemberUnreachable s3" 15 grep -q " RESOLVED warning MemberUnreachable member=s3 " "$W/alerts.log"
t_wait_for "the webhook gets RESOLVED EtcdMembersDown@s3 (not silenced)" 15 nt_has \
    'select(.path == "/ok/hook") | .body.alerts[] | select(.labels.alertname == "EtcdMembersDown" and .status == "resolved")'
tui_wait "the alerts left the panel" 5 'no active alerts'
t_eq "the webhook never got MemberUnreachable resolved" 0 \
    "$(jq -c 'select(.path == "/ok/hook") | .body.alerts[] | select(.labels.alertname == "MemberUnreachable" and .status == "resolved")' "$NT_LOG" | wc -l)"
t_assert "monitoring.log: the silenced transition" grep -q "notify: RESOLVED MemberUnreachable@s3 silenced" "$W/monitoring.log"

# the key is listed on the help screen (generated from the key table)
tui_keys Escape '?'
tui_wait "? lists x" 3 "^│ +x +alerts focused: silence the selected alert"
tui_keys Escape q
tui_wait "q quits" 10 '^EXIT=[0-9]+'
t_done
