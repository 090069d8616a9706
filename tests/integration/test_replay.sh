#!/usr/bin/env bash
# replay: a generated 24 h capture (86,400 polls x 3 members) loads within
# the time and memory budget (asserted generously: the machine is shared), and
# --dump-at reads a poll back; a truncated row is skipped and counted.
. "$(dirname "$0")/../lib/itest.sh"
python3 tests/lib/gen_session.py "$T/day" 86400 3
/usr/bin/time -f '%e %M' -o "$T/time" "$EM" replay "$T/day" --check >"$T/check.out" 2>"$T/check.err"
t_eq "check exits 0" 0 $?
read -r secs kb <"$T/time"
echo "replay 24 h load: ${secs}s, $((kb / 1024)) MB" >&2
t_assert "86,400 polls indexed" grep -q "86400 polls" "$T/check.out"
t_assert "loads in under 6 s (${secs}s)" awk -v s="$secs" 'BEGIN { exit !(s < 6) }'
t_assert "within 128 MB (${kb} KB)" test "$kb" -lt 131072
"$EM" replay "$T/day" --dump-at 200 >"$T/dump.out"
t_assert "dump at poll 200 shows REPLAY and its time" grep -q "^REPLAY .* poll 200/86400" "$T/dump.out"
t_assert "the alert active then" grep -q "alert firing MemberUnreachable@m3" "$T/dump.out"
printf '2025-12-07T05:46:40.044Z,1.0' >>"$T/day/metrics.csv"
"$EM" replay "$T/day" --check >"$T/check2.out" 2>"$T/check2.err"
t_assert "a truncated row is counted" grep -q "1 malformed or truncated" "$T/check2.err"
t_done
