#!/usr/bin/env bash
# Hostile members (one http-stub, one port each): names from the member list with
# terminal escapes ("\u001b]0;pwned\u0007\u001b[2J") and CSV breakers ("a\nb,c\"d"),
# and a /metrics body of 1e308, NaN, +Inf, -Inf and 1e-308. Nothing reaches
# monitoring.log, alerts.log, the CSVs or stdout raw: no ESC or BEL, one line per
# entry, every CSV record has the header's column count (python3 csv), and no row is
# lost to a huge value. The workspace is owner-only (0700 directory, 0600 files).
# shellcheck source=tests/lib/itest.sh
. "$(dirname "$0")/../lib/itest.sh"
# shellcheck source=tests/lib/fixture.sh
. tests/lib/fixture.sh

ID0=10501334649042878790 ID1=2512698864566819725 ID2=1311094930227446630
d=$T/m0
fixture_member_dir "$d"
fixture_metrics "$d/metrics.prom"
fixture_status "$d/status.json" --id "$ID0"
# The member list, served by every port: {{port:N}} is listener N's port.
entry() { # ID NAME-AS-JSON LISTENER
    printf '{"ID":"%s","name":"%s","peerURLs":["http://127.0.0.1:1"],"clientURLs":["http://127.0.0.1:{{port:%s}}"]}' "$@"
}
printf '{"header":{"cluster_id":"%s","member_id":"%s","raft_term":"2"},"members":[%s,%s,%s]}' \
    "$FIXTURE_CLUSTER_ID" "$ID0" "$(entry "$ID0" '\u001b]0;pwned\u0007\u001b[2J' 0)" \
    "$(entry "$ID1" 'a\nb,c\"d' 1)" "$(entry "$ID2" 'm2' 2)" >"$T/members.json"
# Members 1 and 2 fail their status call, so their sizes come from /metrics: member 1
# has 1e308 everywhere (each such field was 309 digits: the row overflowed and was
# dropped), member 2 the special values.
huge='etcd_server_has_leader 1\netcd_server_is_leader 0\n'
for m in etcd_server_leader_changes_seen_total etcd_server_proposals_committed_total \
    etcd_server_proposals_applied_total etcd_server_proposals_pending \
    etcd_server_proposals_failed_total etcd_server_quota_backend_bytes \
    etcd_mvcc_db_total_size_in_bytes etcd_mvcc_db_total_size_in_use_in_bytes \
    etcd_server_slow_apply_total etcd_server_slow_read_indexes_total \
    etcd_server_heartbeat_send_failures_total process_cpu_seconds_total \
    etcd_debugging_mvcc_watcher_total process_resident_memory_bytes process_open_fds; do
    huge+="$m 1e308\\n"
done
special='etcd_server_has_leader 1\netcd_server_is_leader 0\n'
special+='etcd_server_leader_changes_seen_total +Inf\netcd_server_proposals_committed_total -Inf\n'
special+='etcd_server_proposals_applied_total NaN\netcd_server_proposals_pending 1e-308\n'
special+='etcd_server_quota_backend_bytes +Inf\netcd_mvcc_db_total_size_in_bytes 1e-308\n'
special+='etcd_mvcc_db_total_size_in_use_in_bytes NaN\nprocess_resident_memory_bytes -Inf\n'

common() { # the routes every member answers the same way
    printf '%s\n' "GET /health file $d/health.json" "POST /v3/kv/range file $d/range.json" \
        "POST /v3/cluster/member/list template $T/members.json" \
        "POST /v3/maintenance/alarm file $d/alarms.json"
}
routes=()
while read -r r; do routes+=(--route "$r"); done < <(common)
t_stub_start hostile --max-seconds 120 "${routes[@]}" \
    --route "GET /metrics file $d/metrics.prom" \
    --route "POST /v3/maintenance/status file $d/status.json" \
    --port-file "$T/p1.port" "${routes[@]}" \
    --route "GET /metrics text $huge" \
    --route "POST /v3/maintenance/status status 503" \
    --port-file "$T/p2.port" "${routes[@]}" \
    --route "GET /metrics text $special" \
    --route "POST /v3/maintenance/status status 503" ||
    { t_fail "stub starts"; t_done; }
P0=$T_STUB_PORT
t_wait_for "the other ports listen" 5 test -s "$T/p1.port" -a -s "$T/p2.port"

W=$T/ws
( umask 022; exec "$EM" --headless --endpoints "127.0.0.1:$P0" --interval 1 --duration 5s \
      --health-check-interval 1s --workdir "$W" >"$T/out" 2>"$T/err" )
rc=$?
t_assert "runs to the end (exit $rc: a status, not an error)" test "$rc" -le 2

raw() { # FILE: lines with ESC, BEL, a C1 control or any other C0 control but LF
    LC_ALL=C grep -c $'[\x01-\x09\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]' "$1"
}
for f in monitoring.log alerts.log metrics.csv members.csv; do
    t_eq "$f: no raw control characters" 0 "$(raw "$W/$f")"
done
t_eq "stdout: no raw control characters" 0 "$(raw "$T/out")"
t_eq "stderr: no raw control characters" 0 "$(raw "$T/err")"
t_eq "monitoring.log: one entry per line (each starts with a timestamp)" 0 \
    "$(grep -Evc '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z ' "$W/monitoring.log")"
t_assert "monitoring.log names the member with its escapes shown" \
    grep -qF 'member \x1b]0;pwned\x07\x1b[2J' "$W/monitoring.log"
t_assert "monitoring.log names the other member on one line" grep -qF 'a\nb,c"d' "$W/monitoring.log"

# Every CSV record: one physical line, the header's column count.
csvcheck() { # FILE -> "records lines columns-ok"
    python3 - "$1" <<'EOF'
import csv, sys
with open(sys.argv[1], newline='') as f:
    text = f.read()
rows = list(csv.reader(text.splitlines(keepends=True)))
lines = text.count('\n')
ok = all(len(r) == len(rows[0]) for r in rows)
print(len(rows), lines, 'ok' if ok else 'bad')
EOF
}
polls=$(sed -n 's/^  Iterations: //p' "$T/out")
t_assert "5 s at 1 s: 4 to 6 polls (got $polls)" test "${polls:-0}" -ge 4 -a "${polls:-0}" -le 6
read -r recs lines cols < <(csvcheck "$W/metrics.csv")
t_eq "metrics.csv: one record per line, all with the header's columns" "$lines $lines ok" "$recs $lines $cols"
t_eq "metrics.csv: a row for every poll (1e308 drops none)" $((polls + 1)) "$recs"
read -r recs lines cols < <(csvcheck "$W/members.csv")
t_eq "members.csv: one record per line, all with the header's columns" "$lines $lines ok" "$recs $lines $cols"

field() { # FILE COLUMN MEMBER -> values of COLUMN for MEMBER (python csv)
    python3 - "$@" <<'EOF'
import csv, sys
with open(sys.argv[1], newline='') as f:
    for r in csv.DictReader(f):
        if r['member'] == sys.argv[3]:
            print(r[sys.argv[2]])
EOF
}
evil0='\x1b]0;pwned\x07\x1b[2J' evil1='a\nb,c"d'
n0=$(field "$W/members.csv" member "$evil0" | wc -l)
n1=$(field "$W/members.csv" member "$evil1" | wc -l)
t_assert "the escape-named member has a row per poll after the first ($n0 of $polls)" test "$n0" -ge $((polls - 1))
t_assert "the CSV-breaking, 1e308 member has a row per poll after the first ($n1 of $polls)" test "$n1" -ge $((polls - 1))
P1=$(cat "$T/p1.port")
e1=$(python3 -c "import csv; print(sum(r['endpoint'] == 'http://127.0.0.1:$P1' for r in csv.DictReader(open('$W/members.csv', newline=''))))")
t_assert "no row of the 1e308 member is dropped ($e1 rows for its endpoint)" test "$e1" -ge $((polls - 1))
t_eq "its huge db size is written in full" "1e+308" "$(field "$W/members.csv" db_size_bytes "$evil1" | tail -1)"
n2=$(field "$W/members.csv" member m2 | wc -l)
t_assert "the member of special values has a row per poll after the first ($n2 of $polls)" test "$n2" -ge $((polls - 1))
t_eq "+Inf, -Inf, NaN, 1e-308 as inf, -inf, empty, 0" "inf -inf  0 0" \
    "$(for c in quota_bytes proposals_committed_total proposals_applied_total proposals_pending db_size_bytes; do
           field "$W/members.csv" "$c" m2 | tail -1; done | paste -sd' ')"
t_assert "every number field parses as a float (inf, -inf included)" python3 - "$W/members.csv" "$W/metrics.csv" <<'EOF'
import csv, sys
text = {'member', 'endpoint', 'error', 'version', 'timestamp', 'status', 'leader_id', 'leader_name',
        'alarms', 'alerts', 'alert_events', 'member_id'}
for path in sys.argv[1:]:
    with open(path, newline='') as f:
        for r in csv.DictReader(f):
            for k, v in r.items():
                if k not in text and v != '':
                    float(v)
                    assert len(v) <= 24, (k, v)
EOF
t_assert "metrics.csv's cluster db size is the huge one" python3 -c "
import csv
rows = list(csv.DictReader(open('$W/metrics.csv', newline='')))
assert float(rows[-1]['db_size_mb']) > 1e301, rows[-1]['db_size_mb']"
t_eq "metrics.csv: the leader's name is shown escaped" "$evil0" \
    "$(python3 -c "import csv; print(list(csv.DictReader(open('$W/metrics.csv', newline='')))[-1]['leader_name'])")"

# The dashboard: the escape-named member's row shows its escapes as text (the
# name was cleaned where it entered), and the OSC sequence never reaches the
# terminal (the pane keeps its title; the screen is not cleared).
# shellcheck source=tests/lib/tui.sh
. tests/lib/tui.sh
tui_start 160 40 "'$EM' --endpoints 127.0.0.1:$P0 --interval 1 --health-check-interval 1s \
--workdir '$T/ws-ui' 2>'$T/ui.err'; sleep 30"
tui_wait "the dashboard shows the escape-named member, escapes as text" 20 '\\x1b\]0;pwned\\x07'
t_assert "the pane's title is not the member's" bash -c "[ \"\$(tmux -L '$TUI_SOCK' -f /dev/null display -p -t t '#{pane_title}')\" != pwned ]"
tui_keys q
tui_stop

t_eq "workspace directory is 0700" 700 "$(stat -c %a "$W")"
t_eq "workspace files are 0600" "600 600 600 600" \
    "$(stat -c %a "$W/metrics.csv" "$W/members.csv" "$W/alerts.log" "$W/monitoring.log" | xargs)"
t_done
