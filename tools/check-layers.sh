#!/usr/bin/env bash
# check-layers.sh — keep every layer to the headers it may include (the table in
# docs/architecture.md), and every source file under the size limit.
#
#   bash tools/check-layers.sh        # prints offences; exit 1 when there are any
#
# A file's layer is its directory: src/<layer>/x.c and include/<layer>/x.h. A project
# header is found by name in include/*/. Library headers: only the transport layers
# may include <curl/...>, <libssh2...> and <jansson.h> where listed; only ui may
# include <curses.h>/<ncurses...>.
set -u
cd "$(dirname "$0")/.." || exit 2

# layer -> the layers it may include (itself always allowed)
declare -A may=(
  [util]=""
  [parse]="util"
  [stats]="util parse"
  [config]="util parse stats"
  [rules]="util parse stats config"
  [core]="util parse stats config rules"
  [net]="util parse stats config core"
  [collect]="util parse stats config net core"
  [ssh]="util parse stats config net collect core"
  [out]="util parse stats config rules core"
  [notify]="util parse stats config rules core net"
  [serve]="util parse stats config rules core net"
  [ops]="util parse stats config rules core net collect"
  [ui]="util parse stats config rules core"
  [cmd]="util parse stats config rules core net collect ssh out ui lib notify serve ops"
  [lib]="util parse stats config rules core net collect ssh"
  [main]="cmd config core util"
)
# layer -> library headers it may include (a regex on the <...> name)
declare -A libs=(
  [net]='^curl/|^jansson\.h$'
  [collect]='^curl/|^jansson\.h$'
  [core]='^curl/'
  [ssh]='^curl/|^libssh2'
  [parse]='^jansson\.h$'
  [config]='^yaml\.h$'
  [ui]='^n?cursesw?/|^n?curses\.h$|^wchar\.h$'
  [cmd]='^curl/|^jansson\.h$'
  [lib]='^curl/'
  [notify]='^curl/|^jansson\.h$'
  [serve]='^microhttpd\.h$|^curl/|^jansson\.h$'
  [ops]='^curl/|^jansson\.h$'
  [main]='^curl/'
)
# Named exceptions, "file:header", each with its reason.
declare -A allow=(
  # The rules: block of the config file checks rule names against the built-in
  # catalogue so that a typo is reported with its file and line.
  [src/config/config_file.c:rules_internal.h]=1
)
maxlines=800
declare -A hdr_layer=()
for h in include/*/*.h; do
  l=${h#include/}; l=${l%%/*}
  hdr_layer[${h##*/}]=$l
done

bad=0
check() {   # file layer
  local f=$1 me=$2 inc l
  while IFS= read -r inc; do
    if [[ $inc =~ ^\"(.*)\"$ ]]; then
      inc=${BASH_REMATCH[1]}
      l=${hdr_layer[$inc]:-}
      [[ -z $l ]] && continue            # a header of the public API or a test
      [[ $l == "$me" ]] && continue
      [[ -n ${allow[$f:$inc]:-} ]] && continue
      [[ " ${may[$me]} " == *" $l "* ]] && continue
      echo "layers: $f ($me) includes $inc ($l)"
      bad=1
    elif [[ $inc =~ ^\<(.*)\>$ ]]; then
      inc=${BASH_REMATCH[1]}
      case $inc in curl/*|libssh2*|jansson.h|yaml.h|curses.h|ncurses*|cursesw*|ncursesw/*|microhttpd.h) ;; *) continue ;; esac
      if [[ -z ${libs[$me]:-} ]] || ! [[ $inc =~ ${libs[$me]} ]]; then
        echo "layers: $f ($me) includes <$inc>"
        bad=1
      fi
    fi
  done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*\([<"][^>"]*[>"]\).*/\1/p' "$f")
}

for f in src/*/*.c include/*/*.h; do
  l=${f#*/}; l=${l%%/*}
  [[ -n ${may[$l]+x} ]] || { echo "layers: $f is in an unknown layer '$l'"; bad=1; continue; }
  check "$f" "$l"
done
check src/main.c main
for f in src/*.c src/*/*.c; do
  n=$(wc -l < "$f")
  if ((n > maxlines)); then echo "layers: $f has $n lines (at most $maxlines)"; bad=1; fi
done
((bad)) && exit 1
echo "layers: every file keeps to its layer"
