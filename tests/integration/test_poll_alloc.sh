#!/usr/bin/env bash
# Steady polling allocates nothing of ours: a headless run against a real
# 3-member cluster (write probe on) under build/alloc-count.so, which counts every
# malloc/calloc/realloc in a window of steady polls (seconds 5 to 15) and files
# it under the program and libjansson ("ours") or libcurl and what it runs
# (OpenSSL, zlib: "libs", libcurl's own per-transfer work, measured, not ours
# to remove). A second run counts the start-up, to show the counter does see
# the program's allocations.
. "$(dirname "$0")/../lib/itest.sh"
t_assert "build alloc-count.so" make --no-print-directory build/alloc-count.so || t_done
it_cluster 3

ALLOC_FROM_S=5 ALLOC_UNTIL_S=15 ALLOC_OUT=$T/steady.txt LD_PRELOAD=$T_ROOT/build/alloc-count.so \
    "$EM" --headless --endpoints "$CLUSTER_ENDPOINTS" --interval 1 --duration 16s --probe-write \
    --workdir "$T/ws" >"$T/out" 2>&1
t_eq "exit 0" 0 "$?"
ours=$(awk '$1 == "ours" { print $2 }' "$T/steady.txt")
libs=$(awk '$1 == "libs" { print $2 }' "$T/steady.txt")
polls=$(awk -F, 'NR > 1' "$T/ws/metrics.csv" | wc -l)
echo "# window of about 10 polls of 3 members ($polls polls in the run): ours $ours, libcurl's $libs"
if [[ ${ours:-x} != 0 ]]; then
    awk '$1 == "at" { print $2, $3 }' "$T/steady.txt" | while read -r at n; do
        echo "#   $n at $(addr2line -f -i -e "$EM" "$at" 2>/dev/null | paste -sd' ')"
    done
fi
t_eq "no allocation of ours in 10 steady polls" 0 "$ours"
t_assert "libcurl's own allocations are counted ($libs)" test "${libs:-0}" -gt 100
t_assert "every poll of the window is in the CSV ($polls)" test "$polls" -ge 14

ALLOC_FROM_S=0 ALLOC_UNTIL_S=2 ALLOC_OUT=$T/start.txt LD_PRELOAD=$T_ROOT/build/alloc-count.so \
    "$EM" --headless --endpoints "$CLUSTER_ENDPOINTS" --interval 1 --duration 3s \
    --workdir "$T/ws2" >"$T/out2" 2>&1
start=$(awk '$1 == "ours" { print $2 }' "$T/start.txt")
t_assert "the counter sees the program's start-up allocations ($start)" test "${start:-0}" -gt 50
t_done
