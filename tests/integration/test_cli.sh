#!/usr/bin/env bash
# Usage and configuration errors: one clear line, exit 64. --help, --version,
# the commands and flags of the help in the man page,
# the seed config accepted unchanged, an unreachable cluster is critical (exit 2),
# SIGTERM ends the session with the summary.
. "$(dirname "$0")/../lib/itest.sh"

usage_error() {   # DESC EXPECTED-SUBSTRING ARGS...
    local desc=$1 want=$2; shift 2
    "$EM" "$@" >"$T/o" 2>"$T/e"
    local rc=$?
    t_eq "$desc: exit 64" 64 "$rc"
    t_eq "$desc: one line on stderr" 1 "$(wc -l < "$T/e")"
    t_assert "$desc: names '$want'" grep -qF -- "$want" "$T/e"
}
usage_error "interval 0" "--interval" --headless --interval 0
usage_error "interval 301" "--interval" --headless --interval 301
usage_error "interval below 1s" "out of range (1 to 300 seconds)" --headless --interval 999ms
usage_error "unknown flag" "--intervall" --headless --intervall 5
usage_error "bad duration" "--duration" --headless --duration 5x
usage_error "bad threshold level" "--alert-threshold" --headless --alert-threshold loud
usage_error "bad endpoint scheme" "--endpoints" --headless --endpoints ftp://127.0.0.1:1
usage_error "missing config file" "nope.yaml" --headless --config "$T/nope.yaml"
printf 'endpoints:\n  - 127.0.0.1:1\nintervall: 5s\n' > "$T/typo.yaml"
usage_error "unknown config key" "typo.yaml:3" --headless --config "$T/typo.yaml"
METRICS_INTERVAL=abc "$EM" --headless >"$T/o" 2>"$T/e"
t_eq "bad METRICS_INTERVAL: exit 64" 64 "$?"
t_assert "bad METRICS_INTERVAL: named" grep -q METRICS_INTERVAL "$T/e"
usage_error "unwritable workdir" "workspace" --headless --workdir /proc/nope/ws --endpoints 127.0.0.1:1

"$EM" --version >"$T/o"
t_eq "--version" "etcd-monitor 0.1.0" "$(cat "$T/o")"
"$EM" --help >"$T/o"
t_eq "--help exits 0" 0 "$?"
t_assert "--help: --interval to the millisecond, at least 1s" bash -c \
    "tr -s ' \n' ' ' <'$T/o' | grep -qF '1 to 300, to the millisecond: 2.5, 1500ms, 10s or 1m also work; less than 1s is refused'"
sed 's/\\-/-/g' man/etcd-monitor.1 > "$T/man.txt"
# Every command of the table (etcd-monitor help lists it) has its item in the
# man page's COMMANDS, and every flag of --help and of each command's help is
# in the man page.
cmds=$("$EM" help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p')
t_assert "etcd-monitor help lists monitor and status" bash -c "grep -qx monitor <<<'$cmds' && grep -qx status <<<'$cmds'"
sed -n '/^\.SH COMMANDS$/,/^\.SH OPTIONS$/p' "$T/man.txt" > "$T/man-commands.txt"
missing=""
for c in $cmds; do
    grep -qE "^\.BI? $c( |\$)" "$T/man-commands.txt" || missing="$missing $c"
    "$EM" help "$c" >>"$T/o" || missing="$missing help-$c-failed"
done
t_eq "every command is in the man page's COMMANDS" "" "$missing"
missing=""
for f in $(grep -oE -- '--[a-z][a-z-]+' "$T/o" | sort -u); do
    grep -qF -- "$f" "$T/man.txt" || missing="$missing $f"
done
t_eq "every flag in --help and each command's help is in the man page" "" "$missing"

# The seed's config.yaml unchanged: understood in full; its placeholder TLS
# paths are named in one clear line.
usage_error "seed config's placeholder certificate" 'config-seed.yaml:11: tls.cert_file: "/path/to/cert.pem" cannot be read' \
    --headless --config tests/data/config-seed.yaml
# With readable files in place of the placeholders it runs; keys of features
# not built yet are reported once.
sed 's|/path/to/[a-z]*\.pem|/dev/null|' tests/data/config-seed.yaml > "$T/seed.yaml"
sed -i '/^tls:/,/^$/d' "$T/seed.yaml"        # no CA: the unreachable endpoint stays plain http
# (its api: block would listen on 0.0.0.0:8080: flags move it to loopback, port 0 =
# a port the kernel picks)
"$EM" --headless --config "$T/seed.yaml" --endpoints 127.0.0.1:1 --interval 1 \
      --duration 2s --workdir "$T/ws" --api-host 127.0.0.1 --api-port 0 >"$T/o" 2>"$T/e"
rc=$?
t_eq "unreachable cluster: exit 2" 2 "$rc"
t_assert "the seed's scheduled benchmark runs (no leader here: its failure logged)" \
    grep -q 'benchmark failed: ' "$T/ws/monitoring.log"
t_eq "... nothing is 'not built yet', and no key of the seed's file is ignored" "0 0" \
    "$(grep -c 'not built yet' "$T/e") $(grep -c ignored "$T/e")"
t_eq "unreachable member's reason" "connection refused" "$(csv_col "$T/ws/members.csv" error | tail -1)"
t_eq "status ALERT" "ALERT" "$(csv_col "$T/ws/metrics.csv" status | tail -1)"
t_assert "alerts.log has the firing transition" grep -q ' FIRING critical AvailableMembersLow ' "$T/ws/alerts.log"

# SIGTERM ends the session cleanly with the summary and the final status.
it_em_start "$T/o" "$T/e" --headless --endpoints 127.0.0.1:1 --interval 1 --workdir "$T/ws2"
it_wait_rows "$T/ws2/metrics.csv" 2 10
kill -TERM "$EM_PID"
wait "$EM_PID"
t_eq "SIGTERM: exit code is the final status (2)" 2 "$?"
t_assert "SIGTERM: summary printed" grep -q 'MONITORING SESSION COMPLETE' "$T/o"
t_assert "SIGTERM: logged" grep -q 'stopping on Terminated' "$T/ws2/monitoring.log"
t_eq "SIGTERM: rows match iterations" "$(sed -n 's/^  Iterations: //p' "$T/o")" "$(csv_rows "$T/ws2/metrics.csv")"
t_done
