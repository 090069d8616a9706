/*
 * http_stub.c — one small scriptable HTTP/1.1 server for integration tests, playing one
 * or more hostile etcd members (one per port): it does what a real etcd cannot be made
 * to do (malformed, huge, hostile or scripted bodies, hangs, slowness).
 *
 *   http-stub [--max-seconds S] [--quiet] LISTENER...
 *   LISTENER:  --port-file FILE [--port P] [--copies N] --route 'METHOD PATH MODE [ARG]'...
 *
 * Each --port-file starts a listener (port); the --port and --route options after it
 * belong to that listener (before the first --port-file they belong to the first one,
 * so the one-port form "--port-file F --port P --route ..." reads as it always did).
 * Listener N (0-based, in command-line order) binds 127.0.0.1:P (P = 0, the default,
 * picks an ephemeral port) and writes its port to its FILE atomically (FILE.tmp +
 * rename); every listener listens before the first port file is written.
 * --copies N (1..4096) makes the listener N listening sockets sharing its routes and
 * their counts (ports P..P+N-1 when --port P is given, else ephemeral): its FILE
 * then holds the N ports, one per line — many members in one process (bench/scale.sh).
 * --quiet drops the per-request log lines (a bench at thousands of requests/s).
 * METHOD may be '*' (any method). PATH is matched exactly against the request path
 * without its query string, among the routes of the listener the request came to.
 * Modes:
 *   file PATH          200, body = PATH's content, re-read on every request
 *   status CODE [PATH] that status, body = PATH's content (or empty)
 *   hang               read the request, never answer, keep the connection open
 *   close              read the request, close the connection without answering
 *   huge BYTES         200 with Content-Length BYTES (suffix K/M/G = KiB/MiB/GiB), body a
 *                      repeated "etcd_stub_filler 1\n", streamed without buffering it all
 *   seq DIR            DIR's regular files (not dot-files) in name order, one per request
 *                      to this route; the last one repeats. DIR is re-listed per request.
 *   slow MS PATH       PATH's content after MS milliseconds (other connections go on),
 *                      timed to the microsecond: never sooner, at most ~1 ms later
 *   text BODY          200, body = the rest of the route spec after "text " (spaces
 *                      kept), with \n \r \t \e \\ and \xNN decoded; any other backslash
 *                      is kept as it is (so JSON's \u001b passes through). E.g. a
 *                      /metrics body: 'GET /metrics text etcd_server_has_leader 1\n'
 *   mem PATH           like file, read once at start (a bench serving a big body)
 *   template PATH      like file, with {{port}} replaced by this listener's port and
 *                      {{port:N}} by listener N's: a member list naming the other ports
 * Content type: application/json for a file (file, status, seq, slow, template) whose
 * name ends in .json and for a text body that starts with '{' or '['; else the
 * Prometheus text type.
 * Modes for hostile members (the block "echo" below):
 *   echo CODE          that status, body = the gateway's JSON error whose "error" and
 *                      "message" quote the request body (a server echoing what it got)
 * Built in: GET /__stub/counts answers the per-route request counts of the listener
 * asked (not counted itself). A path no route knows: 404; a known path with another
 * method: 405.
 *
 * One thread, one poll() loop, non-blocking sockets, any number of keep-alive connections
 * (Content-Length responses, "Connection: close" honoured, pipelining tolerated). A whole
 * request (headers + Content-Length body) is read before answering; "Expect: 100-continue"
 * is answered. One log line per request on stderr. Exits after --max-seconds (default
 * 600) or on SIGTERM/SIGINT; on SIGUSR1 and at exit the per-route counts go to stderr as
 * "stub: count N <requests> METHOD PATH MODE" (followed by " (port P)" when there are
 * several listeners).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define MAX_ROUTES 8192      /* 1,000 members x a few routes (test_many_endpoints.sh) */
#define MAX_CONNS 16384      /* the array grows to this */
#define MAX_SOCKETS 4096     /* listening sockets, copies included */
#define MAX_HEADER_BYTES (64 * 1024)
#define MAX_BODY_BYTES (64 * 1024 * 1024)
#define READ_CHUNK 65536
#define FILLER_LINE "etcd_stub_filler 1\n"
#define FILLER_BLOCK 65536

#define MAX_LISTENERS 1024   /* one per fake member */

enum mode { M_FILE, M_STATUS, M_HANG, M_CLOSE, M_HUGE, M_SEQ, M_SLOW, M_TEXT, M_TEMPLATE,
             M_MEM, M_ECHO /* the "echo" block below */ };

struct listener {
    const char *port_file;
    long port;           /* asked for; 0 = ephemeral */
    long copies;         /* listening sockets (--copies), 1 by default */
    int bound;           /* the port it listens on (its first socket's) */
    int fd;
};

/* One listening socket: a listener has --copies of them. */
struct sock {
    int fd;
    int lst;             /* its listener */
    int port;
};

struct route {
    int lst;             /* listener index */
    char *method;
    char *path;
    enum mode mode;
    char *arg;           /* file / dir path (may be NULL for status); text, mem: the body */
    size_t arg_len;      /* text, mem: body length (it may hold NULs) */
    char *file;          /* mem: the file it was read from (content type) */
    long long num;       /* status code, huge bytes, slow ms */
    unsigned long count; /* requests served by this route */
    char *spec;          /* original text, for the count report */
};

enum cstate { C_READ, C_WAIT, C_WRITE, C_HANG };

struct conn {
    int fd;
    int lst;             /* listener it came to */
    int port;            /* the port of the socket it came to ({{port}}) */
    enum cstate st;
    char *in;
    size_t in_len, in_cap;
    char *out;
    size_t out_len, out_off;
    unsigned long long huge_left; /* filler bytes still to send after out */
    unsigned long long huge_pos;  /* filler bytes sent so far (pattern phase) */
    int close_after;
    int sent_continue;
    /* pending slow response */
    struct route *slow_route;
    int slow_head;
    int64_t due_us;      /* answered when now_us() reaches it */
    unsigned long id;
};

static struct route routes[MAX_ROUTES];
static int nroutes;
static struct listener listeners[MAX_LISTENERS];
static int nlisteners;
static struct sock *socks;
static int nsocks;
static struct conn **conns;  /* grows to MAX_CONNS */
static int nconns, conns_cap;
static int quiet;
static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t got_term, got_usr1;
static char filler[FILLER_BLOCK + sizeof(FILLER_LINE)];
static unsigned long next_conn_id = 1;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("stub: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
    if (quiet && fmt[0] == '#')
        return;                          /* a request line ("#ID ...") */
    va_list ap;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    fprintf(stderr, "stub: %02d:%02d:%02d.%03ld ", tm.tm_hour, tm.tm_min, tm.tm_sec,
            ts.tv_nsec / 1000000);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void on_signal(int sig)
{
    int saved = errno;
    if (sig == SIGUSR1)
        got_usr1 = 1;
    else
        got_term = 1;
    if (sig_pipe[1] >= 0) {
        char c = 1;
        ssize_t r = write(sig_pipe[1], &c, 1);
        (void)r;
    }
    errno = saved;
}

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL, 0);
    if (fl < 0)
        return -1;
    if (fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        die("out of memory");
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (!q)
        die("out of memory");
    return q;
}

/* "123", "64K", "16M", "1G" -> bytes; -1 on error */
static long long parse_size(const char *s)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || v < 0)
        return -1;
    long long mul = 1;
    if (*end == 'K' || *end == 'k')
        mul = 1024LL, end++;
    else if (*end == 'M' || *end == 'm')
        mul = 1024LL * 1024, end++;
    else if (*end == 'G' || *end == 'g')
        mul = 1024LL * 1024 * 1024, end++;
    if (*end)
        return -1;
    if (v > LLONG_MAX / mul)
        return -1;
    return v * mul;
}

/* Decode the text mode's escapes (\n \r \t \e \\ \xNN) of s into a new buffer. */
static char *decode_text(const char *s, size_t *len)
{
    char *out = xrealloc(NULL, strlen(s) + 1);
    size_t o = 0;
    for (const char *p = s; *p; p++) {
        if (*p != '\\' || !p[1]) {
            out[o++] = *p;
            continue;
        }
        char c = p[1];
        if (c == 'n' || c == 'r' || c == 't' || c == 'e' || c == '\\') {
            out[o++] = c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c == 'e' ? 27 : '\\';
            p++;
        } else if (c == 'x' && isxdigit((unsigned char)p[2]) && isxdigit((unsigned char)p[3])) {
            char hex[3] = { p[2], p[3], 0 };
            out[o++] = (char)strtol(hex, NULL, 16);
            p += 3;
        } else {
            out[o++] = *p; /* kept: e.g. JSON's \u001b */
        }
    }
    out[o] = 0;
    *len = o;
    return out;
}

static void parse_route(const char *spec, int lst)
{
    if (nroutes >= MAX_ROUTES)
        die("too many routes (max %d)", MAX_ROUTES);
    char *copy = xstrdup(spec);
    char *tok[6] = {0};
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(copy, " \t", &save); t && n < 6; t = strtok_r(NULL, " \t", &save))
        tok[n++] = t;
    if (n < 3)
        die("bad --route '%s': want 'METHOD PATH MODE [ARG]'", spec);
    struct route *r = &routes[nroutes];
    memset(r, 0, sizeof *r);
    r->lst = lst;
    r->spec = xstrdup(spec);
    r->method = xstrdup(tok[0]);
    r->path = xstrdup(tok[1]);
    const char *m = tok[2];
    if (tok[1][0] != '/')
        die("bad --route '%s': path must start with /", spec);
    if (!strcmp(m, "file")) {
        if (n != 4)
            die("bad --route '%s': file needs PATH", spec);
        r->mode = M_FILE;
        r->arg = xstrdup(tok[3]);
    } else if (!strcmp(m, "status")) {
        if (n != 4 && n != 5)
            die("bad --route '%s': status needs CODE [PATH]", spec);
        r->mode = M_STATUS;
        r->num = atoll(tok[3]);
        if (r->num < 100 || r->num > 999)
            die("bad --route '%s': status code 100..999", spec);
        if (n == 5)
            r->arg = xstrdup(tok[4]);
    } else if (!strcmp(m, "hang")) {
        if (n != 3)
            die("bad --route '%s': hang takes no argument", spec);
        r->mode = M_HANG;
    } else if (!strcmp(m, "close")) {
        if (n != 3)
            die("bad --route '%s': close takes no argument", spec);
        r->mode = M_CLOSE;
    } else if (!strcmp(m, "huge")) {
        if (n != 4 || (r->num = parse_size(tok[3])) < 0)
            die("bad --route '%s': huge needs BYTES", spec);
        r->mode = M_HUGE;
    } else if (!strcmp(m, "seq")) {
        if (n != 4)
            die("bad --route '%s': seq needs DIR", spec);
        r->mode = M_SEQ;
        r->arg = xstrdup(tok[3]);
    } else if (!strcmp(m, "slow")) {
        if (n != 5)
            die("bad --route '%s': slow needs MS PATH", spec);
        r->mode = M_SLOW;
        r->num = atoll(tok[3]);
        if (r->num < 0)
            die("bad --route '%s': MS must be >= 0", spec);
        r->arg = xstrdup(tok[4]);
    } else if (!strcmp(m, "text")) {
        /* The body is the rest of the spec after the mode word, spaces and all. */
        const char *b = spec;
        for (int k = 0; k < 3; k++) {
            b += strspn(b, " \t");
            b += strcspn(b, " \t");
        }
        if (*b)
            b++; /* the one separator after "text" */
        r->mode = M_TEXT;
        r->arg = decode_text(b, &r->arg_len);
    } else if (!strcmp(m, "mem")) {
        if (n != 4)
            die("bad --route '%s': mem needs PATH", spec);
        r->mode = M_MEM;
        r->file = xstrdup(tok[3]);
    } else if (!strcmp(m, "template")) {
        if (n != 4)
            die("bad --route '%s': template needs PATH", spec);
        r->mode = M_TEMPLATE;
        r->arg = xstrdup(tok[3]);
    } else if (!strcmp(m, "echo")) {
        if (n != 4)
            die("bad --route '%s': echo needs CODE", spec);
        r->mode = M_ECHO;
        r->num = atoll(tok[3]);
        if (r->num < 100 || r->num > 999)
            die("bad --route '%s': status code 100..999", spec);
    } else {
        die("bad --route '%s': unknown mode '%s'", spec, m);
    }
    free(copy);
    nroutes++;
}

static void print_counts(void)
{
    for (int i = 0; i < nroutes; i++) {
        if (nlisteners > 1)
            fprintf(stderr, "stub: count %d %lu %s (port %d)\n", i, routes[i].count,
                    routes[i].spec, listeners[routes[i].lst].bound);
        else
            fprintf(stderr, "stub: count %d %lu %s\n", i, routes[i].count, routes[i].spec);
    }
    fflush(stderr);
}

/* Read a whole file into a malloc'd buffer. Returns 0 ok, -1 error (errno set). */
static int read_file(const char *path, char **buf, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t cap = 4096, n = 0;
    char *b = xrealloc(NULL, cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            b = xrealloc(b, cap);
        }
        ssize_t r = read(fd, b + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            free(b);
            close(fd);
            errno = e;
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    *buf = b;
    *len = n;
    return 0;
}

/* Case-insensitive substring test (strcasestr is a GNU extension). */
static int ci_contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (!strncasecmp(hay, needle, n))
            return 1;
    return 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The idx-th regular file (name order) of dir, or the last one; NULL if none. */
static char *seq_pick(const char *dir, unsigned long idx)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        size_t need = strlen(dir) + strlen(e->d_name) + 2;
        char *full = xrealloc(NULL, need);
        snprintf(full, need, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(full, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(full);
            continue;
        }
        free(full);
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = xrealloc(names, cap * sizeof *names);
        }
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    char *res = NULL;
    if (n > 0) {
        qsort(names, n, sizeof *names, name_cmp);
        size_t i = idx < n ? idx : n - 1;
        size_t need = strlen(dir) + strlen(names[i]) + 2;
        res = xrealloc(NULL, need);
        snprintf(res, need, "%s/%s", dir, names[i]);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return res;
}

static const char *reason(int code)
{
    switch (code) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
    }
}

static const char *content_type(const char *path)
{
    size_t n = path ? strlen(path) : 0;
    if (n >= 5 && !strcmp(path + n - 5, ".json"))
        return "application/json";
    return "text/plain; version=0.0.4; charset=utf-8";
}

static const char *content_type_of_body(const char *body, size_t len)
{
    if (len > 0 && (body[0] == '{' || body[0] == '['))
        return "application/json";
    return "text/plain; version=0.0.4; charset=utf-8";
}

/* The template mode: {{port}} -> this listener's port, {{port:N}} -> listener N's.
 * Takes buf (malloc'd), returns the expanded malloc'd body. */
static char *expand_ports(char *buf, size_t *len, int self_port)
{
    size_t cap = *len * 2 + 64, o = 0;
    char *out = xrealloc(NULL, cap);
    for (size_t i = 0; i < *len;) {
        int port = -1;
        size_t used = 0;
        if (*len - i >= 8 && !memcmp(buf + i, "{{port}}", 8)) {
            port = self_port;
            used = 8;
        } else if (*len - i >= 9 && !memcmp(buf + i, "{{port:", 7)) {
            char *end;
            long k = strtol(buf + i + 7, &end, 10);
            if (end > buf + i + 7 && (size_t)(end - buf) + 2 <= *len && !memcmp(end, "}}", 2) &&
                k >= 0 && k < nlisteners) {
                port = listeners[k].bound;
                used = (size_t)(end - (buf + i)) + 2;
            }
        }
        if (o + 16 > cap) {
            cap *= 2;
            out = xrealloc(out, cap);
        }
        if (port >= 0) {
            o += (size_t)snprintf(out + o, cap - o, "%d", port);
            i += used;
        } else {
            out[o++] = buf[i++];
        }
    }
    free(buf);
    *len = o;
    return out;
}

static void conn_free(struct conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c->in);
    free(c->out);
    free(c);
}

static void conn_close(int i)
{
    conn_free(conns[i]);
    conns[i] = conns[--nconns];
}

/* Queue a response: status line + headers + body (body may be NULL with body_len as the
 * declared length of a streamed huge body). */
static void queue_response(struct conn *c, int code, const char *ctype, const char *body,
                           size_t body_len, unsigned long long huge, int head_only)
{
    char hdr[512];
    unsigned long long clen = body ? (unsigned long long)body_len : huge;
    int h = snprintf(hdr, sizeof hdr,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %llu\r\n"
                     "Connection: %s\r\n\r\n",
                     code, reason(code), ctype, clen, c->close_after ? "close" : "keep-alive");
    size_t total = (size_t)h + (body && !head_only ? body_len : 0);
    free(c->out);
    c->out = xrealloc(NULL, total ? total : 1);
    memcpy(c->out, hdr, (size_t)h);
    if (body && !head_only && body_len)
        memcpy(c->out + h, body, body_len);
    c->out_len = total;
    c->out_off = 0;
    c->huge_left = (!body && !head_only) ? huge : 0;
    c->huge_pos = 0;
    c->st = C_WRITE;
}

static void respond_file(struct conn *c, int code, const char *path, int head_only,
                         const char *what, const char *method, const char *target)
{
    char *buf = NULL;
    size_t len = 0;
    if (path && read_file(path, &buf, &len) != 0) {
        char msg[PATH_MAX + 64];
        int m = snprintf(msg, sizeof msg, "stub: cannot read %s: %s\n", path, strerror(errno));
        logf_("#%lu %s %s -> 500 (%s: cannot read %s)", c->id, method, target, what, path);
        queue_response(c, 500, "text/plain", msg, (size_t)m, 0, head_only);
        return;
    }
    logf_("#%lu %s %s -> %d %s body=%zu", c->id, method, target, code, what, len);
    queue_response(c, code, content_type(path), buf ? buf : "", len, 0, head_only);
    free(buf);
}

static void respond_template(struct conn *c, const char *path, int head_only,
                             const char *method, const char *target)
{
    char *buf = NULL;
    size_t len = 0;
    if (read_file(path, &buf, &len) != 0) {
        logf_("#%lu %s %s -> 500 (template: cannot read %s)", c->id, method, target, path);
        queue_response(c, 500, "text/plain", "stub: cannot read template\n", 27, 0, head_only);
        return;
    }
    buf = expand_ports(buf, &len, c->port);
    logf_("#%lu %s %s -> 200 template body=%zu", c->id, method, target, len);
    queue_response(c, 200, content_type(path), buf, len, 0, head_only);
    free(buf);
}

/* Find the end of the header block; returns offset after "\r\n\r\n" (or "\n\n"), 0 if
 * not complete yet. */
static size_t header_end(const char *b, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (b[i] == '\n' && b[i + 1] == '\n')
            return i + 2;
        if (i + 3 < n && b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n')
            return i + 4;
    }
    return 0;
}

static int send_some(struct conn *c, const char *p, size_t n, size_t *sent)
{
    ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
    if (w < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            *sent = 0;
            return 0;
        }
        return -1;
    }
    *sent = (size_t)w;
    return 0;
}

/* Try to make progress writing. Returns -1 to close, 0 when blocked/partial, 1 when done. */
static int conn_flush(struct conn *c)
{
    size_t sent;
    while (c->out_off < c->out_len) {
        if (send_some(c, c->out + c->out_off, c->out_len - c->out_off, &sent) < 0)
            return -1;
        if (sent == 0)
            return 0;
        c->out_off += sent;
    }
    const size_t line = sizeof(FILLER_LINE) - 1;
    /* At most 1 MiB per call, so one fast reader of a huge body cannot starve the
     * other connections: the rest goes out on later POLLOUT rounds. */
    size_t budget = 1024 * 1024;
    while (c->huge_left > 0) {
        if (budget == 0)
            return 0;
        size_t phase = (size_t)(c->huge_pos % line);
        size_t chunk = FILLER_BLOCK;
        if ((unsigned long long)chunk > c->huge_left)
            chunk = (size_t)c->huge_left;
        if (send_some(c, filler + phase, chunk, &sent) < 0)
            return -1;
        if (sent == 0)
            return 0;
        c->huge_left -= sent;
        c->huge_pos += sent;
        budget = sent < budget ? budget - sent : 0;
    }
    return 1;
}

/* ---- echo: a member that quotes the request back in its error ------------------ */

static char *echo_body;      /* the body of the request being answered */
static size_t echo_len;

/* Keep a copy of the request body for an echo answer. */
static void echo_keep(const char *body, size_t len)
{
    echo_body = xrealloc(echo_body, len + 1);
    memcpy(echo_body, body, len);
    echo_body[len] = 0;
    echo_len = len;
}

/* Answer code with {"error":"<request body>","code":3,"message":"<request body>"}. */
static void echo_respond(struct conn *c, int code, int head_only, const char *method,
                         const char *target)
{
    size_t cap = echo_len * 12 + 128, o = 0;
    char *out = xrealloc(NULL, cap);
    for (int part = 0; part < 2; part++) {
        o += (size_t)snprintf(out + o, cap - o, part ? "\",\"code\":3,\"message\":\"" : "{\"error\":\"");
        for (size_t i = 0; i < echo_len; i++) {
            unsigned char ch = (unsigned char)echo_body[i];
            if (ch == '"' || ch == '\\')
                o += (size_t)snprintf(out + o, cap - o, "\\%c", ch);
            else if (ch < 0x20 || ch == 0x7f)
                o += (size_t)snprintf(out + o, cap - o, "\\u%04x", ch);
            else
                out[o++] = (char)ch;
        }
    }
    o += (size_t)snprintf(out + o, cap - o, "\"}");
    logf_("#%lu %s %s body=%zu -> %d echo", c->id, method, target, echo_len, code);
    queue_response(c, code, "application/json", out, o, 0, head_only);
    free(out);
}

/* ---- end of echo ----------------------------------------------------------------- */

/* Parse and answer one complete request at the start of c->in, if there is one.
 * Returns 1 if a request was consumed, 0 if more input is needed, -1 to close. */
static int conn_handle(struct conn *c)
{
    size_t hend = header_end(c->in, c->in_len);
    if (hend == 0) {
        if (c->in_len > MAX_HEADER_BYTES) {
            c->close_after = 1;
            logf_("#%lu header too large -> 431", c->id);
            queue_response(c, 431, "text/plain", "header too large\n", 17, 0, 0);
            c->in_len = 0;
            return 1;
        }
        return 0;
    }
    /* Request line. */
    char method[32] = "", target[2048] = "", version[32] = "";
    {
        const char *eol = memchr(c->in, '\n', hend);
        size_t ll = eol ? (size_t)(eol - c->in) : hend;
        char line[4096];
        if (ll >= sizeof line)
            ll = sizeof line - 1;
        memcpy(line, c->in, ll);
        line[ll] = 0;
        if (ll && line[ll - 1] == '\r')
            line[ll - 1] = 0;
        if (sscanf(line, "%31s %2047s %31s", method, target, version) != 3 ||
            strncmp(version, "HTTP/1.", 7) != 0) {
            c->close_after = 1;
            logf_("#%lu malformed request line -> 400", c->id);
            queue_response(c, 400, "text/plain", "bad request\n", 12, 0, 0);
            c->in_len = 0;
            return 1;
        }
    }
    /* Headers we care about. */
    long long clen = 0;
    int chunked = 0, expect_continue = 0;
    int keep = strcmp(version, "HTTP/1.0") != 0;
    {
        const char *p = memchr(c->in, '\n', hend);
        p = p ? p + 1 : c->in + hend;
        while (p < c->in + hend) {
            const char *eol = memchr(p, '\n', (size_t)(c->in + hend - p));
            if (!eol)
                break;
            size_t ll = (size_t)(eol - p);
            if (ll && p[ll - 1] == '\r')
                ll--;
            const char *colon = memchr(p, ':', ll);
            if (colon) {
                size_t nl = (size_t)(colon - p);
                const char *v = colon + 1;
                while (v < p + ll && (*v == ' ' || *v == '\t'))
                    v++;
                size_t vl = (size_t)(p + ll - v);
                char val[256];
                if (vl >= sizeof val)
                    vl = sizeof val - 1;
                memcpy(val, v, vl);
                val[vl] = 0;
                if (nl == 14 && !strncasecmp(p, "Content-Length", 14)) {
                    char *end;
                    clen = strtoll(val, &end, 10);
                    if (end == val || clen < 0)
                        clen = -1;
                } else if (nl == 17 && !strncasecmp(p, "Transfer-Encoding", 17)) {
                    if (ci_contains(val, "chunked"))
                        chunked = 1;
                } else if (nl == 10 && !strncasecmp(p, "Connection", 10)) {
                    if (ci_contains(val, "close"))
                        keep = 0;
                    else if (ci_contains(val, "keep-alive"))
                        keep = 1;
                } else if (nl == 6 && !strncasecmp(p, "Expect", 6)) {
                    if (ci_contains(val, "100-continue"))
                        expect_continue = 1;
                }
            }
            p = eol + 1;
        }
    }
    if (chunked || clen < 0) {
        c->close_after = 1;
        logf_("#%lu %s %s -> 411 (chunked or bad Content-Length)", c->id, method, target);
        queue_response(c, 411, "text/plain", "length required\n", 16, 0, 0);
        c->in_len = 0;
        return 1;
    }
    if (clen > MAX_BODY_BYTES) {
        c->close_after = 1;
        logf_("#%lu %s %s -> 413 (body %lld bytes)", c->id, method, target, clen);
        queue_response(c, 413, "text/plain", "payload too large\n", 18, 0, 0);
        c->in_len = 0;
        return 1;
    }
    if (c->in_len < hend + (size_t)clen) {
        if (expect_continue && !c->sent_continue) {
            static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
            size_t sent;
            /* Best effort; a client that does not get it sends the body anyway. */
            (void)send_some(c, cont, sizeof cont - 1, &sent);
            c->sent_continue = 1;
        }
        return 0;
    }
    /* Whole request present: consume it. */
    size_t consumed = hend + (size_t)clen;
    size_t body_len = (size_t)clen;
    echo_keep(c->in + hend, body_len);
    memmove(c->in, c->in + consumed, c->in_len - consumed);
    c->in_len -= consumed;
    c->sent_continue = 0;
    c->close_after = !keep;
    int head_only = !strcmp(method, "HEAD");

    char path[2048];
    snprintf(path, sizeof path, "%s", target);
    char *q = strchr(path, '?');
    if (q)
        *q = 0;

    if (!strcmp(path, "/__stub/counts") && (!strcmp(method, "GET") || head_only)) {
        char *buf = NULL;
        size_t len = 0, cap = 0;
        for (int i = 0; i < nroutes; i++) {
            if (routes[i].lst != c->lst)
                continue;
            char line[1024];
            int m = snprintf(line, sizeof line, "%d %lu %s\n", i, routes[i].count, routes[i].spec);
            if (m < 0)
                continue;
            size_t ml = (size_t)m < sizeof line ? (size_t)m : sizeof line - 1;
            if (len + ml + 1 > cap) {
                cap = (len + ml + 1) * 2;
                buf = xrealloc(buf, cap);
            }
            memcpy(buf + len, line, ml);
            len += ml;
        }
        logf_("#%lu %s %s -> 200 counts", c->id, method, target);
        queue_response(c, 200, "text/plain", buf ? buf : "", len, 0, head_only);
        free(buf);
        return 1;
    }

    struct route *r = NULL;
    int path_known = 0;
    for (int i = 0; i < nroutes; i++) {
        if (routes[i].lst != c->lst || strcmp(routes[i].path, path) != 0)
            continue;
        path_known = 1;
        if (!strcmp(routes[i].method, "*") || !strcmp(routes[i].method, method)) {
            r = &routes[i];
            break;
        }
    }
    if (!r) {
        int code = path_known ? 405 : 404;
        const char *msg = path_known ? "method not allowed\n" : "not found\n";
        logf_("#%lu %s %s body=%zu -> %d", c->id, method, target, body_len, code);
        queue_response(c, code, "text/plain", msg, strlen(msg), 0, head_only);
        return 1;
    }
    unsigned long nth = r->count++;
    switch (r->mode) {
    case M_FILE:
        respond_file(c, 200, r->arg, head_only, "file", method, target);
        break;
    case M_STATUS:
        respond_file(c, (int)r->num, r->arg, head_only, "status", method, target);
        break;
    case M_HANG:
        logf_("#%lu %s %s body=%zu -> hang", c->id, method, target, body_len);
        c->st = C_HANG;
        break;
    case M_CLOSE:
        logf_("#%lu %s %s body=%zu -> close", c->id, method, target, body_len);
        return -1;
    case M_HUGE:
        logf_("#%lu %s %s -> 200 huge %lld bytes", c->id, method, target, r->num);
        queue_response(c, 200, "text/plain; version=0.0.4; charset=utf-8", NULL, 0,
                       (unsigned long long)r->num, head_only);
        break;
    case M_SEQ: {
        char *f = seq_pick(r->arg, nth);
        if (!f) {
            logf_("#%lu %s %s -> 500 (seq: no files in %s)", c->id, method, target, r->arg);
            queue_response(c, 500, "text/plain", "seq: no files\n", 14, 0, head_only);
        } else {
            char what[64];
            snprintf(what, sizeof what, "seq #%lu", nth);
            respond_file(c, 200, f, head_only, what, method, target);
            free(f);
        }
        break;
    }
    case M_TEXT:
        logf_("#%lu %s %s -> 200 text body=%zu", c->id, method, target, r->arg_len);
        queue_response(c, 200, content_type_of_body(r->arg, r->arg_len), r->arg, r->arg_len, 0,
                       head_only);
        break;
    case M_TEMPLATE:
        respond_template(c, r->arg, head_only, method, target);
        break;
    case M_MEM:
        logf_("#%lu %s %s -> 200 mem body=%zu", c->id, method, target, r->arg_len);
        queue_response(c, 200, content_type(r->file), r->arg, r->arg_len, 0, head_only);
        break;
    case M_ECHO:
        echo_respond(c, (int)r->num, head_only, method, target);
        break;
    case M_SLOW:
        logf_("#%lu %s %s -> (slow %lld ms)", c->id, method, target, r->num);
        c->st = C_WAIT;
        c->slow_route = r;
        c->slow_head = head_only;
        c->due_us = now_us() + r->num * 1000;
        break;
    }
    return 1;
}

/* Process buffered input while the connection is ready for a new request.
 * Returns -1 to close. */
static int conn_progress(struct conn *c)
{
    for (int guard = 0; guard < 1000; guard++) {
        if (c->st == C_WRITE) {
            int f = conn_flush(c);
            if (f < 0)
                return -1;
            if (f == 0)
                return 0;
            free(c->out);
            c->out = NULL;
            c->out_len = c->out_off = 0;
            if (c->close_after)
                return -1;
            c->st = C_READ;
        }
        if (c->st != C_READ)
            return 0;
        int h = conn_handle(c);
        if (h < 0)
            return -1;
        if (h == 0)
            return 0;
    }
    return 0;
}

/* Read what is available. Returns -1 on EOF/error. */
static int conn_read(struct conn *c)
{
    for (int guard = 0; guard < 64; guard++) {
        if (c->in_cap - c->in_len < READ_CHUNK) {
            if (c->in_len + READ_CHUNK > (size_t)MAX_BODY_BYTES + MAX_HEADER_BYTES + READ_CHUNK)
                return -1; /* refuse to buffer without bound */
            c->in_cap = c->in_len + READ_CHUNK * 2;
            c->in = xrealloc(c->in, c->in_cap);
        }
        ssize_t r = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
        if (r < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            return -1;
        if (c->st == C_HANG)
            continue; /* discard: a hung request never gets an answer */
        c->in_len += (size_t)r;
    }
    return 0;
}

/* The ports of listener lst's sockets, one per line. */
static void write_port_file(const char *file, int lst)
{
    size_t n = strlen(file) + 16;
    char *tmp = xrealloc(NULL, n);
    snprintf(tmp, n, "%s.tmp%ld", file, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f)
        die("cannot write %s: %s", tmp, strerror(errno));
    for (int k = 0; k < nsocks; k++)
        if (socks[k].lst == lst)
            fprintf(f, "%d\n", socks[k].port);
    if (fclose(f) != 0)
        die("cannot write %s: %s", tmp, strerror(errno));
    if (rename(tmp, file) != 0)
        die("cannot rename %s to %s: %s", tmp, file, strerror(errno));
    free(tmp);
}

static void usage(void)
{
    fputs("usage: http-stub [--max-seconds S] [--quiet] LISTENER...\n"
          "  LISTENER: --port-file FILE [--port P] [--copies N] --route 'METHOD PATH MODE [ARG]' ...\n"
          "modes: file PATH | status CODE [PATH] | hang | close | huge BYTES | seq DIR | "
          "slow MS PATH | text BODY | mem PATH | template PATH | echo CODE\n",
          stderr);
    exit(2);
}

/* The listener the next --port / --route belong to (the first one is implicit). */
static struct listener *cur_listener(void)
{
    if (nlisteners == 0)
        listeners[nlisteners++].fd = -1;
    return &listeners[nlisteners - 1];
}

int main(int argc, char **argv)
{
    long long max_seconds = 600;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--port-file") && i + 1 < argc) {
            /* A new listener, unless the current one has no port file yet. */
            if (nlisteners > 0 && cur_listener()->port_file) {
                if (nlisteners >= MAX_LISTENERS)
                    die("too many listeners (max %d)", MAX_LISTENERS);
                listeners[nlisteners++].fd = -1;
            }
            cur_listener()->port_file = argv[++i];
        } else if (!strcmp(a, "--port") && i + 1 < argc) {
            char *end;
            long port = strtol(argv[++i], &end, 10);
            if (*end || end == argv[i] || port < 0 || port > 65535)
                die("bad --port");
            cur_listener()->port = port;
        } else if (!strcmp(a, "--copies") && i + 1 < argc) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end || end == argv[i] || n < 1 || n > MAX_SOCKETS)
                die("bad --copies (1..%d)", MAX_SOCKETS);
            cur_listener()->copies = n;
        } else if (!strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (!strcmp(a, "--max-seconds") && i + 1 < argc) {
            max_seconds = atoll(argv[++i]);
        } else if (!strcmp(a, "--route") && i + 1 < argc) {
            cur_listener();
            parse_route(argv[++i], nlisteners - 1);
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage();
        } else {
            die("unknown or incomplete argument '%s' (try --help)", a);
        }
    }
    if (nlisteners == 0)
        usage();
    for (int k = 0; k < nlisteners; k++)
        if (!listeners[k].port_file)
            usage();
    if (max_seconds <= 0 || max_seconds > 86400)
        die("--max-seconds must be 1..86400");

    /* Filler block: FILLER_LINE repeated; sending from offset (pos % line) keeps the
     * pattern continuous across chunks. */
    {
        const size_t line = sizeof(FILLER_LINE) - 1;
        for (size_t i = 0; i < sizeof filler; i++)
            filler[i] = FILLER_LINE[i % line];
    }

    if (pipe(sig_pipe) != 0 || set_nonblock(sig_pipe[0]) || set_nonblock(sig_pipe[1]))
        die("pipe: %s", strerror(errno));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int one = 1;
    long want = 0;
    for (int k = 0; k < nlisteners; k++)
        want += listeners[k].copies > 0 ? listeners[k].copies : 1;
    if (want > MAX_SOCKETS)
        die("too many listening sockets (%ld, max %d)", want, MAX_SOCKETS);
    /* Room for the sockets, the connections and the files served. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    socks = xrealloc(NULL, sizeof *socks * (size_t)want);
    for (int k = 0; k < nlisteners; k++) {
        struct listener *l = &listeners[k];
        long copies = l->copies > 0 ? l->copies : 1;
        if (l->port > 0 && l->port + copies - 1 > 65535)
            die("--port %ld --copies %ld: ports past 65535", l->port, copies);
        for (long j = 0; j < copies; j++) {
            int ls = socket(AF_INET, SOCK_STREAM, 0);
            if (ls < 0)
                die("socket: %s", strerror(errno));
            setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            struct sockaddr_in addr;
            memset(&addr, 0, sizeof addr);
            addr.sin_family = AF_INET;
            addr.sin_port = htons((uint16_t)(l->port > 0 ? l->port + j : 0));
            addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            if (bind(ls, (struct sockaddr *)&addr, sizeof addr) != 0)
                die("bind 127.0.0.1:%ld: %s", l->port > 0 ? l->port + j : 0, strerror(errno));
            if (listen(ls, 512) != 0)
                die("listen: %s", strerror(errno));
            if (set_nonblock(ls) != 0)
                die("fcntl: %s", strerror(errno));
            socklen_t alen = sizeof addr;
            if (getsockname(ls, (struct sockaddr *)&addr, &alen) != 0)
                die("getsockname: %s", strerror(errno));
            socks[nsocks++] = (struct sock){ .fd = ls, .lst = k, .port = ntohs(addr.sin_port) };
            if (j == 0) {
                l->fd = ls;
                l->bound = ntohs(addr.sin_port);
            }
        }
    }
    /* mem routes: their bodies, read once. */
    for (int i = 0; i < nroutes; i++)
        if (routes[i].mode == M_MEM && read_file(routes[i].file, &routes[i].arg,
                                                 &routes[i].arg_len) != 0)
            die("cannot read %s: %s", routes[i].file, strerror(errno));
    /* Port files only once every listener listens: a reader of any of them may
     * already use a template naming the others. */
    for (int k = 0; k < nlisteners; k++) {
        int nr = 0;
        for (int i = 0; i < nroutes; i++)
            nr += routes[i].lst == k;
        write_port_file(listeners[k].port_file, k);
        if (listeners[k].copies > 1)
            logf_("listening on 127.0.0.1:%d and %ld more ports, %d routes, max %lld s",
                  listeners[k].bound, listeners[k].copies - 1, nr, max_seconds);
        else
            logf_("listening on 127.0.0.1:%d, %d routes, max %lld s", listeners[k].bound, nr,
                  max_seconds);
    }

    int64_t deadline = now_ms() + max_seconds * 1000;
    const int nfixed = 1 + nsocks; /* the signal pipe, then the listening sockets */
    struct pollfd *pfd = NULL;
    int pfd_cap = 0;
    int exit_reason = 0; /* 1 = signal, 2 = deadline */

    while (!exit_reason) {
        int64_t now = now_ms();
        if (got_term) {
            exit_reason = 1;
            break;
        }
        if (now >= deadline) {
            exit_reason = 2;
            break;
        }
        if (got_usr1) {
            got_usr1 = 0;
            print_counts();
        }
        /* Due slow responses. */
        int64_t next_due_us = deadline * 1000;
        for (int i = 0; i < nconns; i++) {
            struct conn *c = conns[i];
            if (c->st != C_WAIT)
                continue;
            if (now_us() >= c->due_us) {
                char what[64];
                snprintf(what, sizeof what, "slow %lld ms", c->slow_route->num);
                respond_file(c, 200, c->slow_route->arg, c->slow_head, what, "(slow)",
                             c->slow_route->path);
                c->slow_route = NULL;
                if (conn_progress(c) < 0) {
                    conn_close(i);
                    i--;
                }
            } else if (c->due_us < next_due_us) {
                next_due_us = c->due_us;
            }
        }
        if (pfd_cap < nfixed + nconns) {
            pfd_cap = nfixed + conns_cap;
            pfd = xrealloc(pfd, sizeof *pfd * (size_t)pfd_cap);
        }
        int np = 0;
        pfd[np].fd = sig_pipe[0];
        pfd[np].events = POLLIN;
        np++;
        for (int k = 0; k < nsocks; k++) {
            pfd[np].fd = socks[k].fd;
            pfd[np].events = nconns < MAX_CONNS ? POLLIN : 0;
            np++;
        }
        for (int i = 0; i < nconns; i++) {
            struct conn *c = conns[i];
            pfd[np].fd = c->fd;
            pfd[np].events = c->st == C_WRITE ? POLLOUT : POLLIN;
            /* While writing we do not read more requests (pipelined bytes wait). */
            np++;
        }
        /* Rounded down: a slow answer is never late by poll()'s millisecond (the
         * last fraction is waited out by the loop). */
        int64_t wait = (next_due_us - now_us()) / 1000;
        if (wait < 0)
            wait = 0;
        if (wait > 1000)
            wait = 1000;
        int pr = poll(pfd, (nfds_t)np, (int)wait);
        if (pr < 0) {
            if (errno == EINTR)
                continue;
            die("poll: %s", strerror(errno));
        }
        if (pr == 0)
            continue;
        if (pfd[0].revents & POLLIN) {
            char tmp[64];
            while (read(sig_pipe[0], tmp, sizeof tmp) > 0) {
            }
        }
        /* Existing connections first (indices shift on close: walk backwards over the
         * poll array, which was built in conns order). */
        for (int k = np - 1; k >= nfixed; k--) {
            int i = k - nfixed;
            if (i >= nconns)
                continue;
            struct conn *c = conns[i];
            if (c->fd != pfd[k].fd)
                continue;
            short re = pfd[k].revents;
            if (!re)
                continue;
            int bad = 0;
            if (re & POLLIN) {
                if (conn_read(c) < 0)
                    bad = 1;
            } else if (re & (POLLERR | POLLHUP | POLLNVAL)) {
                if (!(re & POLLOUT))
                    bad = 1;
            }
            if (!bad && conn_progress(c) < 0)
                bad = 1;
            if (bad) {
                conn_close(i);
            }
        }
        for (int l = 0; l < nsocks; l++) {
            if (!(pfd[1 + l].revents & POLLIN))
                continue;
            for (int guard = 0; guard < 64 && nconns < MAX_CONNS; guard++) {
                int fd = accept(socks[l].fd, NULL, NULL);
                if (fd < 0)
                    break;
                if (set_nonblock(fd) != 0) {
                    close(fd);
                    continue;
                }
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                struct conn *c = calloc(1, sizeof *c);
                if (!c)
                    die("out of memory");
                c->fd = fd;
                c->lst = socks[l].lst;
                c->port = socks[l].port;
                c->st = C_READ;
                c->id = next_conn_id++;
                if (nconns == conns_cap) {
                    conns_cap = conns_cap ? conns_cap * 2 : 256;
                    conns = xrealloc(conns, sizeof *conns * (size_t)conns_cap);
                }
                conns[nconns++] = c;
            }
        }
    }
    logf_("exiting (%s), %d open connections", exit_reason == 1 ? "signal" : "max-seconds",
          nconns);
    print_counts();
    for (int i = nconns - 1; i >= 0; i--)
        conn_close(i);
    for (int k = 0; k < nsocks; k++)
        close(socks[k].fd);
    free(socks);
    free(conns);
    free(pfd);
    return 0;
}
