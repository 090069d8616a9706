#!/usr/bin/env bash
# csv.sh — CSV helpers for integration tests (RFC 4180 quoting; portable awk).
#   csv_whole FILE          0 if the file ends in '\n' and every row has the header's field count
#   csv_col FILE COL [WHERE_COL WHERE_VAL]   values of COL (by header name), optionally filtered
#   csv_rows FILE [WHERE_COL WHERE_VAL]      number of data rows, optionally filtered

_CSV_AWK='
function split_csv(line, out,    n, i, c, q, f) {
    n = 0; f = ""; q = 0
    for (i = 1; i <= length(line); i++) {
        c = substr(line, i, 1)
        if (q) {
            if (c == "\"") {
                if (substr(line, i + 1, 1) == "\"") { f = f "\""; i++ } else q = 0
            } else f = f c
        } else if (c == "\"") q = 1
        else if (c == ",") { out[++n] = f; f = "" }
        else f = f c
    }
    out[++n] = f
    return n
}'

csv_whole() {
    local f=$1
    [ -s "$f" ] || return 1
    [ "$(tail -c1 "$f" | od -An -c | tr -d ' ')" = '\n' ] || { echo "csv_whole: $f does not end in a newline" >&2; return 1; }
    awk "$_CSV_AWK"'
        NR == 1 { want = split_csv($0, h); next }
        { n = split_csv($0, r); if (n != want) { printf "csv_whole: %s:%d has %d fields, header %d\n", FILENAME, NR, n, want > "/dev/stderr"; bad = 1 } }
        END { exit bad }' "$f"
}

csv_col() {
    local f=$1 col=$2 wcol=${3:-} wval=${4:-}
    awk -v col="$col" -v wcol="$wcol" -v wval="$wval" "$_CSV_AWK"'
        NR == 1 { n = split_csv($0, h); for (i = 1; i <= n; i++) { if (h[i] == col) c = i; if (h[i] == wcol) w = i }
                  if (!c) { print "csv_col: no column " col > "/dev/stderr"; exit 2 } next }
        { split_csv($0, r); if (wcol == "" || r[w] == wval) print r[c] }' "$f"
}

csv_rows() {
    local f=$1 wcol=${2:-} wval=${3:-}
    if [ -z "$wcol" ]; then
        echo $(( $(wc -l < "$f") - 1 ))
    else
        csv_col "$f" "$wcol" "$wcol" "$wval" | wc -l
    fi
}
