#!/usr/bin/env bash
# etcd-monitor disk-test beside fio running etcd's recipe on the same directory
# (--rw=write --ioengine=sync --fdatasync=1 --size=22m --bs=2300): the same
# number of writes, both fdatasync p99s reported, and only sanity asserted: the
# medians within a factor of 10 of each other (a p99 on a shared disk swings with
# whatever else writes at that moment); percentiles ordered; the test file removed; a missing
# directory, one that cannot be written and a missing --directory refused with
# one line.
. "$(dirname "$0")/../lib/itest.sh"

command -v fio >/dev/null || { t_fail "fio is installed (tools/deps.sh)"; t_done; }
d=$T/disk
mkdir -p "$d"

"$EM" disk-test --directory "$d" -w json >"$T/ours.json" 2>"$T/e"
rc=$?
t_assert "disk-test: exit 0 or 2 (verdict)" test "$rc" = 0 -o "$rc" = 2
t_eq "disk-test: nothing on stderr" "" "$(cat "$T/e")"
t_assert "disk-test: json parses" jq -e . "$T/ours.json"
t_eq "disk-test: 22m in 2300-byte writes (fio's count)" 10029 "$(jq .writes "$T/ours.json")"
t_eq "disk-test: the file is removed" "" "$(ls -A "$d")"
t_eq "disk-test: percentiles in order" true \
    "$(jq '.fdatasyncMs | .p50 <= .p90 and .p90 <= .p99 and .p99 <= ."p99.9" and ."p99.9" <= .max' "$T/ours.json")"
t_eq "disk-test: verdict agrees with the p99" "$(jq '.fdatasyncMs.p99 < 10' "$T/ours.json")" \
    "$(jq .ok "$T/ours.json")"

(cd "$d" && fio --rw=write --ioengine=sync --fdatasync=1 --directory="$d" --size=22m --bs=2300 \
    --name=etcd --output-format=json >"$T/fio.json" 2>"$T/fio.err")
t_eq "fio: exit 0" 0 "$?"
rm -f "$d"/etcd.*
ours=$(jq '.fdatasyncMs.p99' "$T/ours.json")
theirs=$(jq '.jobs[0].sync.lat_ns.percentile["99.000000"] / 1000000' "$T/fio.json")
echo "# fdatasync p99: etcd-monitor disk-test ${ours} ms, fio ${theirs} ms"
t_eq "fio: the same number of fdatasyncs" 10029 "$(jq '.jobs[0].sync.lat_ns.N' "$T/fio.json")"
ours50=$(jq '.fdatasyncMs.p50' "$T/ours.json")
theirs50=$(jq '.jobs[0].sync.lat_ns.percentile["50.000000"] / 1000000' "$T/fio.json")
echo "# fdatasync p50: etcd-monitor disk-test ${ours50} ms, fio ${theirs50} ms"
t_assert "both p99s measured ($ours ms, fio $theirs ms)" \
    awk -v a="$ours" -v b="$theirs" 'BEGIN { exit !(a > 0 && b > 0) }'
t_assert "medians within a factor of 10 ($ours50 ms vs fio $theirs50 ms)" \
    awk -v a="$ours50" -v b="$theirs50" 'BEGIN { exit !(a > 0 && b > 0 && a < 10 * b && b < 10 * a) }'

"$EM" disk-test --directory "$d" --size 64k >"$T/table" 2>&1
t_assert "table: the verdict line" grep -qE "^Verdict: +(OK|TOO SLOW): fdatasync p99 [0-9.]+ ms" "$T/table"
t_assert "table: writes per second" grep -qE '^Writes/sec: +[0-9.]+$' "$T/table"

"$EM" disk-test --directory "$T/none" >"$T/o" 2>"$T/e"
t_eq "missing directory: exit 1" 1 "$?"
t_eq "missing directory: the reason" "etcd-monitor: disk-test: $T/none: No such file or directory" "$(cat "$T/e")"
mkdir -p "$T/ro" && chmod 0555 "$T/ro"
if [[ $(id -u) == 0 ]]; then      # root writes anywhere: use a read-only place instead
    ro=/proc
else
    ro=$T/ro
fi
"$EM" disk-test --directory "$ro" >"$T/o" 2>"$T/e"
t_eq "unwritable directory: exit 1" 1 "$?"
t_assert "unwritable directory: one line with the reason" grep -qE "^etcd-monitor: disk-test: cannot write in $ro: " "$T/e"
"$EM" disk-test >"$T/o" 2>"$T/e"
t_eq "no --directory: exit 64" 64 "$?"
t_eq "no --directory: one line" 1 "$(wc -l <"$T/e")"
"$EM" disk-test --directory "$d" --size 1k >"$T/o" 2>"$T/e"
t_eq "--size below 4K: exit 64" 64 "$?"
t_done
