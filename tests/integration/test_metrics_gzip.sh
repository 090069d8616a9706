#!/usr/bin/env bash
# /metrics is asked plain by default and gzipped with --metrics-gzip (and its
# figures are the same either way). A small Python server plays the member: it
# records each /metrics request's Accept-Encoding and answers the captured etcd
# 3.4 body, gzipped when asked.
. "$(dirname "$0")/../lib/itest.sh"
D=$T_ROOT/tests/data
python3 - "$D/etcd-3.4-follower.metrics" "$D/status-3.4-follower.json" "$T/port" "$T/enc" <<'PY' &
import gzip, http.server, sys, threading
metrics, status = open(sys.argv[1], 'rb').read(), open(sys.argv[2], 'rb').read()
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def answer(self, body, gz=False):
        self.send_response(200)
        if gz:
            body = gzip.compress(body)
            self.send_header('Content-Encoding', 'gzip')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        if self.path == '/metrics':
            enc = self.headers.get('Accept-Encoding') or '-'
            with open(sys.argv[4], 'a') as f: f.write(enc + '\n')
            self.answer(metrics, 'gzip' in enc)
        else:
            self.answer(b'{"health":"true"}')
    def do_POST(self):
        self.rfile.read(int(self.headers.get('Content-Length') or 0))
        self.answer(status if self.path == '/v3/maintenance/status' else b'{"header":{}}')
s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
open(sys.argv[3], 'w').write(str(s.server_address[1]))
threading.Timer(60, s.shutdown).start()
s.serve_forever()
PY
srv=$!
t_cleanup_add "kill $srv 2>/dev/null"
t_wait_for "the server listens" 10 test -s "$T/port"
P=$(<"$T/port")

"$EM" --headless --no-discover --endpoints "127.0.0.1:$P" --interval 1 --duration 3s \
      --workdir "$T/plain" >/dev/null 2>&1
t_eq "default: /metrics asked without Accept-Encoding" "-" "$(sort -u "$T/enc")"
: >"$T/enc"
"$EM" --headless --no-discover --endpoints "127.0.0.1:$P" --interval 1 --duration 3s \
      --metrics-gzip --workdir "$T/gz" >/dev/null 2>&1
t_eq "--metrics-gzip: /metrics asked gzipped" "gzip" "$(sort -u "$T/enc")"
for w in plain gz; do
    t_eq "$w: RSS from /metrics in every row" 0 "$(csv_col "$T/$w/members.csv" rss_bytes | grep -c '^$')"
done
t_eq "the same figures either way" "$(csv_col "$T/plain/members.csv" rss_bytes | sort -u)" \
    "$(csv_col "$T/gz/members.csv" rss_bytes | sort -u)"
t_done
