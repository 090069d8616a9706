# tui.sh — drive a full-screen program inside a private tmux server, for the
# dashboard's end-to-end tests (source it after testlib.sh / itest.sh).
#
#   tui_start W H CMD      start CMD (a shell command line) in a detached W x H
#                          session on a private socket; the server is killed at
#                          exit (t_cleanup_add). One session at a time.
#   tui_stop               kill the server now (before starting another)
#   tui_screen             the visible screen as plain text
#   tui_screen_esc         the same with attribute/colour escapes (capture -e)
#   tui_has REGEX          0 when some screen line matches the extended REGEX
#   tui_count REGEX        how many times REGEX matches on the screen (grep -o)
#   tui_line REGEX         the first screen line matching REGEX
#   tui_keys KEY...        tmux key names: q Enter Escape Up C-l F1 ...
#   tui_type TEXT          literal text
#   tui_resize W H         resize the window (the program gets SIGWINCH)
#   tui_flag NAME          a tmux pane format flag: alternate_on, cursor_flag,
#                          mouse_any_flag, keypad_cursor_flag ...
#   tui_wait DESC SECS REGEX       t_wait_for the screen to match REGEX
#   tui_wait_not DESC SECS REGEX   t_wait_for the screen to stop matching REGEX
#   tui_dump               print the screen as test diagnostics (# lines)
#
# The server runs with no user configuration (-f /dev/null) and its own socket
# (-L), so tests never touch a developer's tmux; the pane's TERM is
# tmux-256color unless TUI_TERM says otherwise.

TUI_SOCK=""

_tui() { tmux -L "$TUI_SOCK" -f /dev/null "$@"; }

tui_start() {
    local w=$1 h=$2 cmd=$3
    [[ -n $TUI_SOCK ]] && tui_stop
    TUI_SOCK=em-tui-$$-$RANDOM
    t_cleanup_add "tui_stop"
    _tui new-session -d -x "$w" -y "$h" -s t \
        "export TERM=${TUI_TERM:-tmux-256color}; $cmd" || return 1
    # the window follows resize-window, not attached clients (there are none)
    _tui set-option -g window-size manual >/dev/null 2>&1
    return 0
}

tui_stop() {
    [[ -n $TUI_SOCK ]] || return 0
    _tui kill-server >/dev/null 2>&1
    TUI_SOCK=""
    return 0
}

tui_screen() { _tui capture-pane -p -t t 2>/dev/null; }

tui_screen_esc() { _tui capture-pane -p -e -t t 2>/dev/null; }

tui_has() { tui_screen | grep -Eq -- "$1"; }

tui_count() { tui_screen | grep -Eo -- "$1" | wc -l; }

tui_line() { tui_screen | grep -Em1 -- "$1"; }

tui_keys() { _tui send-keys -t t "$@"; }

tui_type() { _tui send-keys -t t -l "$1"; }

tui_resize() { _tui resize-window -t t -x "$1" -y "$2"; }

tui_flag() { _tui display-message -p -t t "#{$1}"; }

tui_wait() { t_wait_for "$1" "$2" _tui_expect yes "$3"; }

tui_wait_not() { t_wait_for "$1" "$2" _tui_expect no "$3"; }

# yes|no REGEX: succeed when the screen does (not) match; otherwise print the
# screen, which t_wait_for shows as the last output on a timeout.
_tui_expect() {
    local s
    s=$(tui_screen)
    if grep -Eq -- "$2" <<<"$s"; then [[ $1 == yes ]] && return 0; else [[ $1 == no ]] && return 0; fi
    printf '%s\n' "$s"
    return 1
}

tui_dump() { tui_screen | sed 's/^/#   | /'; }
