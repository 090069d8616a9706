/* tunnel.c — members reached through an SSH bastion with libssh2 (see tunnel.h).
 *
 * Threading and locking
 *   Each tunnel_t owns one thread (tunnel_main). It does all socket and libssh2
 *   work — connect, handshake, host key check, authentication, forwarded
 *   connections, remote commands, keepalives, the watchdog — in a poll() loop
 *   over a self-pipe (the caller's wake-ups: a new forward, a new command,
 *   stop), the SSH socket, the listening sockets and the accepted local
 *   sockets. The session is non-blocking: a libssh2 call that would block
 *   returns LIBSSH2_ERROR_EAGAIN and is made again on a later pass.
 *
 *   t->lock guards what the caller's thread reads or writes: stop, state and
 *   why, the event ring, the forward table and the command table with each
 *   command's line ring. Both tables only grow: an entry is complete before
 *   its count is raised under the lock, and its immutable fields (host, port,
 *   listening socket; command text) are then read without the lock. t->io is
 *   the tunnel thread's alone. The lock is never held across a libssh2 call or
 *   anything that may block.
 *
 * Host keys (before any authentication)
 *   After the key exchange the server's key is looked up in known_hosts under
 *   exactly "host" (port 22) or "[host]:port", read with libssh2's parser and
 *   never written. Listed with this key: go on. Listed with other keys (of
 *   this or another type): refused, "changed". Not listed: refused, unless
 *   accept_new — then trusted for this tunnel's lifetime only (pinned in
 *   memory: a later session presenting another key is refused as changed).
 *   A refusal is final (TUNNEL_REFUSED), shows the SHA256 fingerprint and
 *   sends no authentication request at all.
 *
 * Liveness
 *   A recv() wrapper notes when the server last sent anything. When the link
 *   has been quiet for keepalive_s, a request that must be answered is sent
 *   on an idle "session" channel (an env request: answered by success or
 *   failure, and consumed by libssh2 — unlike keepalive@ replies, which
 *   libssh2 1.10 leaves queued forever, libssh2 issue #623). libssh2's own
 *   keepalives (no reply wanted) keep NATs warm. Silence for 4 intervals (3
 *   unanswered), a socket error, or EOF ends the session; it is rebuilt after
 *   1, 2, 4 ... 30 s. Listeners stay; connections accepted meanwhile wait up
 *   to TUN_HOLD_MS for the new session, then are reset.
 *
 * libssh2 1.10 (Debian 12) limits, worked around here
 *   - One channel open at a time per session (the open state is per session):
 *     opens are queued (io.op). One that hangs (the bastion's connect to a
 *     member gets no answer) can only be abandoned with the whole session:
 *     after TUN_OPEN_MS the session is rebuilt and that forward refused
 *     locally for a while (TUN_COOL_*), so it cannot stall the others again.
 *   - One channel request (exec, env) awaiting its reply at a time: a wait that
 *     sees another channel's reply fails (io.req).
 *   - A packet half-sent when the socket was full must be finished by the same
 *     call before anything else is sent: a held write keeps its bytes in place
 *     (write_inflight) and is retried every pass.
 *   getaddrinfo() runs on the tunnel thread; it can delay tunnel_stop() by the
 *   resolver's timeout. */
#include "tunnel.h"
#include "tunnel_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#define TUN_MAX_FWD        64            /* forwarded host:port pairs per tunnel */
#define TUN_MAX_CHAN       64            /* local connections at once per tunnel */
#define TUN_MAX_CMD        16            /* remote commands per tunnel */
#define TUN_BUF            16384         /* per connection and direction */
#define TUN_WINDOW         (256 * 1024)  /* SSH receive window per channel */
#define TUN_LINES          256           /* queued output lines per command */
#define TUN_LINE           512
#define TUN_EVENTS         32
#define TUN_ONCE_MAX       65536         /* output kept of a run-once command */
#define TUN_CMD_MAX        1024          /* command text */
#define TUN_SETUP_MS       15000         /* connect + handshake + authentication */
#define TUN_HOLD_MS        10000         /* a local connection waits for a session */
#define TUN_OPEN_MS        10000         /* one channel open (the remote connect) */
#define TUN_CLOSE_MS       5000          /* waiting for the server to close a channel */
#define TUN_BACKOFF_MIN_MS 1000
#define TUN_BACKOFF_MAX_MS 30000
#define TUN_STABLE_MS      10000         /* up this long: the backoff starts over */
#define TUN_COOL_MIN_MS    30000         /* a forward whose open hung: refused for this long */
#define TUN_COOL_MAX_MS    300000
#define TUN_CMD_BACKOFF_MIN_MS 2000      /* restart of an ended follow command */
#define TUN_CMD_BACKOFF_MAX_MS 60000
#define TUN_PROBE_ENV      "ETCD_MONITOR_PING"
#define REQ_NONE           (-2)          /* io.req: no channel request pending */
#define REQ_PROBE          (-1)          /* io.req: the liveness request */

/* ---- the caller-visible part (under t->lock) ---- */

typedef struct {
    char host[256];           /* immutable once published */
    int  port;
    int  listen_fd;           /* made by tunnel_forward, closed by tunnel_stop */
    int  lport;
} fwd_t;

typedef struct {
    char  *cmd;               /* owned; immutable once published */
    char  *wire;              /* owned: cmd as sent (tunnel_wrap_cmd); immutable */
    bool   follow;
    unsigned want;            /* run-once: runs asked for so far (under lock) */
    char (*lines)[TUN_LINE];  /* owned ring of TUN_LINES (under lock) */
    int    head, count;
    unsigned long dropped;    /* lines lost to a full queue, not yet reported */
} cmd_t;

/* ---- the tunnel thread's part ---- */

typedef enum { PH_WAIT, PH_CONNECT, PH_HANDSHAKE, PH_AUTH, PH_UP, PH_REFUSED } phase_t;
typedef enum { CH_PENDING, CH_OPENING, CH_OPEN, CH_CLOSING } chan_state_t;
typedef enum { EX_WAIT, EX_OPENING, EX_STARTING, EX_RUNNING, EX_CLOSING, EX_DONE } exec_state_t;
typedef enum { OP_NONE, OP_PROBE, OP_CHAN, OP_EXEC } open_kind_t;
typedef enum { AU_AGENT, AU_AGENT_NEXT, AU_AGENT_TRY, AU_KEY, AU_FAILED } auth_stage_t;

/* One accepted local connection and its direct-tcpip channel. */
typedef struct {
    chan_state_t st;
    int     fd;               /* local socket, -1 once closed */
    int     fwd;              /* index in t->fwd */
    LIBSSH2_CHANNEL *ch;
    int64_t since_ms;         /* accepted (pending), open started, close started */
    bool    local_eof, eof_sent, remote_eof;
    bool    fin_sent;         /* the remote EOF passed on: shutdown(SHUT_WR) */
    int64_t fin_ms;
    bool    write_inflight;   /* libssh2 holds l2r[l2r_off..]: keep it in place */
    size_t  l2r_off, l2r_len; /* local -> remote */
    size_t  r2l_off, r2l_len; /* remote -> local */
    char    l2r[TUN_BUF];
    char    r2l[TUN_BUF];
} chan_t;

/* A remote command's run. */
typedef struct {
    exec_state_t st;
    LIBSSH2_CHANNEL *ch;
    int64_t next_ms;          /* EX_WAIT: not before */
    int64_t started_ms;
    int64_t close_ms;
    int     backoff_ms;
    char    part[TUN_LINE];   /* stdout line being assembled */
    size_t  part_len;
    bool    part_cut;
    char    errpart[160];     /* stderr: the last complete line is kept */
    size_t  errpart_len;
    char    errlast[160];
    char   *once;             /* run-once output until the end (TUN_ONCE_MAX) */
    size_t  once_len;
    unsigned runs;            /* run-once: the cmd_t.want the last run answers */
} exec_t;

typedef struct {
    phase_t  phase;
    int      sock;
    LIBSSH2_SESSION *sess;
    LIBSSH2_AGENT   *agent;
    struct libssh2_agent_publickey *ident;
    auth_stage_t auth;
    char     auth_notes[200];
    struct addrinfo *ai, *ai_next;
    int64_t  setup_deadline;
    int64_t  next_try_ms;
    int      backoff_ms;
    int64_t  up_since_ms;
    int64_t  down_since_ms;   /* when the last session was lost (0: never up) */
    bool     failing;         /* in a streak of failed attempts (one event per streak) */
    bool     kill;            /* tearing down: the I/O wrappers report EOF */
    int64_t  last_rx_ms;
    uint64_t rx_bytes;
    char     sock_err[96];    /* why the socket failed, from the I/O wrappers */
    char     fail_why[160];   /* why a pass gave the session up, when not an error */
    char     last_fail[200];  /* the last attempt's failure, shown while retrying */
    LIBSSH2_CHANNEL *probe;
    int      req;             /* the channel request awaiting its reply: REQ_NONE,
                                 REQ_PROBE or a command id. libssh2 1.10 fails a wait
                                 that sees another channel's reply: one at a time. */
    bool     no_probe;        /* the server refused a session channel */
    open_kind_t op;
    int      op_idx;
    int64_t  op_since;
    char     op_msg[300];
    size_t   op_msg_len;
    unsigned char *pin;       /* host key trusted by accept_new (raw blob) */
    size_t   pin_len;
    int      pin_type;
    int      n_fwd;           /* forwards adopted from the table */
    int      n_cmd;
    int64_t  accept_pause_until; /* accept() failed (e.g. no fds left): wait a little */
    int64_t  cool_until[TUN_MAX_FWD];
    int      cool_ms[TUN_MAX_FWD];
    bool     fwd_failing[TUN_MAX_FWD];
    chan_t  *chans[TUN_MAX_CHAN];
    exec_t   ex[TUN_MAX_CMD];
} tun_io_t;

struct tunnel {
    /* configuration: immutable after tunnel_start */
    char    user[64];
    char    host[256];
    int     port;
    char    label[340];       /* user@host:port, for messages */
    char    known_name[280];  /* host or [host]:port, as in known_hosts */
    char    key_file[4096];   /* "" = agent only */
    char    known_hosts[4096];
    char    agent_sock[256];  /* $SSH_AUTH_SOCK at start, "" = no agent */
    bool    accept_new;
    int     keepalive_s;
    int     via_port;         /* > 0: connect to 127.0.0.1:via_port (a forward of the
                                 bastion tunnel) instead of host:port */
    int     wake_rd, wake_wr; /* self-pipe: the caller writes, the thread drains */
    pthread_t thread;

    pthread_mutex_t lock;     /* guards the fields below, up to io */
    bool    stop;
    tunnel_state_t state;
    char    why[320];
    char    events[TUN_EVENTS][CLUSTER_EVENT_LEN];
    int     ev_head, ev_count;
    unsigned long ev_dropped;
    fwd_t   fwd[TUN_MAX_FWD];
    int     n_fwd;
    cmd_t   cmd[TUN_MAX_CMD];
    int     n_cmd;

    tun_io_t io;              /* the tunnel thread's alone */
};

/* ---- small helpers ---- */

static int64_t tun_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int tun_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* Close a local connection so that its client sees a reset at once. */
static void tun_close_rst(int fd)
{
    if (fd < 0)
        return;
    struct linger lg = { .l_onoff = 1, .l_linger = 0 };
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
}

/* The text of the session's last libssh2 error (never contains secrets). */
static const char *tun_ssh_error(LIBSSH2_SESSION *s)
{
    char *msg = NULL;
    if (s == NULL)
        return "no session";
    libssh2_session_last_error(s, &msg, NULL, 0);
    return msg != NULL && msg[0] != '\0' ? msg : "unknown libssh2 error";
}

/* Errors after which the session itself is unusable (not just one channel). */
static bool tun_fatal(int rc)
{
    switch (rc) {
    case LIBSSH2_ERROR_SOCKET_SEND: case LIBSSH2_ERROR_SOCKET_RECV:
    case LIBSSH2_ERROR_SOCKET_DISCONNECT: case LIBSSH2_ERROR_SOCKET_TIMEOUT:
    case LIBSSH2_ERROR_TIMEOUT: case LIBSSH2_ERROR_DECRYPT: case LIBSSH2_ERROR_ENCRYPT:
    case LIBSSH2_ERROR_INVALID_MAC: case LIBSSH2_ERROR_KEX_FAILURE:
    case LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE: case LIBSSH2_ERROR_PROTO:
    case LIBSSH2_ERROR_BAD_SOCKET: case LIBSSH2_ERROR_ALLOC:
        return true;
    default:
        return false;
    }
}

/* Shorten text for an event line: "journalctl -u etcd -f ..." */
static void tun_short(const char *s, char *out, size_t outlen)
{
    size_t n = strlen(s);
    if (n < outlen) {
        memcpy(out, s, n + 1);
        return;
    }
    snprintf(out, outlen, "%.*s...", (int)(outlen > 4 ? outlen - 4 : 0), s);
}

/* ---- pure parts (tunnel_internal.h) ---- */

int tunnel_parse_target(const char *s, tunnel_target_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->port = 22;
    if (s == NULL || s[0] == '\0') {
        snprintf(err, errlen, "--ssh: no target given (expected [user@]host[:port])");
        return -1;
    }
    for (const char *p = s; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f) {
            snprintf(err, errlen, "--ssh: \"%.80s\": spaces or control characters", s);
            return -1;
        }
    }
    const char *at = strrchr(s, '@');
    const char *h = s;
    if (at != NULL) {
        size_t ul = (size_t)(at - s);
        if (ul == 0 || ul >= sizeof out->user || memchr(s, '@', ul) != NULL ||
            memchr(s, ':', ul) != NULL || memchr(s, '/', ul) != NULL) {
            snprintf(err, errlen, "--ssh: \"%.80s\": bad user name", s);
            return -1;
        }
        memcpy(out->user, s, ul);
        out->user[ul] = '\0';
        h = at + 1;
    }
    const char *port = NULL;
    size_t hl;
    if (h[0] == '[') {                       /* [v6]:port or [host]:port */
        const char *rb = strchr(h, ']');
        if (rb == NULL || (rb[1] != '\0' && rb[1] != ':')) {
            snprintf(err, errlen, "--ssh: \"%.80s\": unbalanced [ ]", s);
            return -1;
        }
        hl = (size_t)(rb - h - 1);
        h++;
        if (rb[1] == ':')
            port = rb + 2;
    } else {
        const char *c1 = strchr(h, ':');
        if (c1 != NULL && strchr(c1 + 1, ':') == NULL) {
            hl = (size_t)(c1 - h);
            port = c1 + 1;
        } else {
            hl = strlen(h);                  /* no port, or a bare IPv6 address */
        }
    }
    if (hl == 0 || hl >= sizeof out->host || memchr(h, '/', hl) != NULL ||
        memchr(h, '[', hl) != NULL || memchr(h, ']', hl) != NULL || h[0] == '-') {
        snprintf(err, errlen, "--ssh: \"%.80s\": bad host name", s);
        return -1;
    }
    memcpy(out->host, h, hl);
    out->host[hl] = '\0';
    if (port != NULL) {
        char *end;
        errno = 0;
        long v = strtol(port, &end, 10);
        if (port[0] < '0' || port[0] > '9' || *end != '\0' || errno != 0 || v < 1 || v > 65535) {
            snprintf(err, errlen, "--ssh: \"%.80s\": port must be 1-65535", s);
            return -1;
        }
        out->port = (int)v;
    }
    return 0;
}

void tunnel_fingerprint(const unsigned char digest[32], char *out, size_t outlen)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char enc[48];
    size_t o = 0;
    for (size_t i = 0; i < 32; i += 3) {
        unsigned v = (unsigned)digest[i] << 16;
        if (i + 1 < 32)
            v |= (unsigned)digest[i + 1] << 8;
        if (i + 2 < 32)
            v |= digest[i + 2];
        enc[o++] = b64[(v >> 18) & 63];
        enc[o++] = b64[(v >> 12) & 63];
        if (i + 1 < 32)
            enc[o++] = b64[(v >> 6) & 63];
        if (i + 2 < 32)
            enc[o++] = b64[v & 63];
    }
    enc[o] = '\0';                           /* 43 characters, no padding */
    snprintf(out, outlen, "SHA256:%s", enc);
}

void tunnel_known_name(const char *host, int port, char *out, size_t outlen)
{
    if (port == 22)
        snprintf(out, outlen, "%s", host);
    else
        snprintf(out, outlen, "[%s]:%d", host, port);
}

int tunnel_known_load(LIBSSH2_SESSION *s, const char *path, LIBSSH2_KNOWNHOSTS **out,
                      char *err, size_t errlen)
{
    *out = libssh2_knownhost_init(s);
    if (*out == NULL) {
        snprintf(err, errlen, "known_hosts: out of memory");
        return -1;
    }
    struct stat st;
    if (stat(path, &st) != 0 && errno == ENOENT)
        return 0;                            /* no file: nothing is known */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "known_hosts %s is not a file", path);
        return 1;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "known_hosts %s cannot be read: %s", path, strerror(errno));
        return 1;
    }
    fclose(f);
    if (libssh2_knownhost_readfile(*out, path, LIBSSH2_KNOWNHOST_FILE_OPENSSH) < 0) {
        snprintf(err, errlen, "known_hosts %s has a line libssh2 cannot parse "
                 "(entries after it are ignored)", path);
        return 1;
    }
    return 0;
}

/* The known_hosts key type of a libssh2 host key type, 0 if unsupported. */
static int tun_kh_type(int hostkey_type)
{
    switch (hostkey_type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA: return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
    case LIBSSH2_HOSTKEY_TYPE_DSS: return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
    case LIBSSH2_HOSTKEY_TYPE_ED25519: return LIBSSH2_KNOWNHOST_KEY_ED25519;
    default: return 0;
    }
}

static const char *tun_key_name(int hostkey_type)
{
    switch (hostkey_type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA: return "ssh-rsa";
    case LIBSSH2_HOSTKEY_TYPE_DSS: return "ssh-dss";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return "ecdsa-sha2-nistp256";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return "ecdsa-sha2-nistp384";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return "ecdsa-sha2-nistp521";
    case LIBSSH2_HOSTKEY_TYPE_ED25519: return "ssh-ed25519";
    default: return "unknown-type";
    }
}

tunnel_hostkey_t tunnel_known_check(LIBSSH2_KNOWNHOSTS *kh, const char *host, int port,
                                    const char *key, size_t keylen, int hostkey_type)
{
    int kt = tun_kh_type(hostkey_type);
    if (kh == NULL || key == NULL || keylen == 0 || kt == 0)
        return TUN_HK_ERROR;
    char name[280];
    tunnel_known_name(host, port, name, sizeof name);
    /* port -1: exactly this name. libssh2 given a port would also accept an
     * entry for the bare host, and a bare-host match would even win over a
     * different key listed for [host]:port. */
    const int base = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW;
    int rc = libssh2_knownhost_checkp(kh, name, -1, key, keylen, base | kt, NULL);
    if (rc == LIBSSH2_KNOWNHOST_CHECK_MATCH)
        return TUN_HK_MATCH;
    if (rc == LIBSSH2_KNOWNHOST_CHECK_MISMATCH)
        return TUN_HK_CHANGED;
    if (rc != LIBSSH2_KNOWNHOST_CHECK_NOTFOUND)
        return TUN_HK_ERROR;
    /* nothing of this type: is the host listed with a key of another type? */
    rc = libssh2_knownhost_checkp(kh, name, -1, key, keylen, base, NULL);
    if (rc == LIBSSH2_KNOWNHOST_CHECK_NOTFOUND)
        return TUN_HK_UNKNOWN;
    if (rc == LIBSSH2_KNOWNHOST_CHECK_FAILURE)
        return TUN_HK_ERROR;
    return TUN_HK_CHANGED;
}

/* The known_hosts key type a host key algorithm produces, 0 for others. */
static int tun_alg_type(const char *alg)
{
    static const struct { const char *alg; int kt; } map[] = {
        { "ssh-ed25519", LIBSSH2_KNOWNHOST_KEY_ED25519 },
        { "ecdsa-sha2-nistp256", LIBSSH2_KNOWNHOST_KEY_ECDSA_256 },
        { "ecdsa-sha2-nistp384", LIBSSH2_KNOWNHOST_KEY_ECDSA_384 },
        { "ecdsa-sha2-nistp521", LIBSSH2_KNOWNHOST_KEY_ECDSA_521 },
        { "rsa-sha2-512", LIBSSH2_KNOWNHOST_KEY_SSHRSA },
        { "rsa-sha2-256", LIBSSH2_KNOWNHOST_KEY_SSHRSA },
        { "ssh-rsa", LIBSSH2_KNOWNHOST_KEY_SSHRSA },
        { "ssh-dss", LIBSSH2_KNOWNHOST_KEY_SSHDSS },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(alg, map[i].alg) == 0)
            return map[i].kt;
    return 0;
}

const char *tunnel_known_prefs(LIBSSH2_SESSION *s, LIBSSH2_KNOWNHOSTS *kh, const char *host,
                               int port, char *out, size_t outlen)
{
    char name[280];
    tunnel_known_name(host, port, name, sizeof name);
    const char **algs = NULL;
    int n = libssh2_session_supported_algs(s, LIBSSH2_METHOD_HOSTKEY, &algs);
    if (n <= 0 || kh == NULL)
        return NULL;
    /* which supported algorithms produce a key type listed for this host?
     * (an impossible empty key only tells whether an entry exists) */
    bool known[32] = { false };
    bool any = false;
    for (int i = 0; i < n && i < 32; i++) {
        int kt = tun_alg_type(algs[i]);
        if (kt == 0)
            continue;
        int rc = libssh2_knownhost_checkp(kh, name, -1, "", 0, LIBSSH2_KNOWNHOST_TYPE_PLAIN |
                                          LIBSSH2_KNOWNHOST_KEYENC_BASE64 | kt, NULL);
        known[i] = rc == LIBSSH2_KNOWNHOST_CHECK_MISMATCH || rc == LIBSSH2_KNOWNHOST_CHECK_MATCH;
        any |= known[i];
    }
    size_t o = 0;
    out[0] = '\0';
    for (int pass = 0; any && pass < 2; pass++) {
        for (int i = 0; i < n && i < 32; i++) {
            if (known[i] != (pass == 0))
                continue;
            int w = snprintf(out + o, outlen - o, "%s%s", o > 0 ? "," : "", algs[i]);
            if (w < 0 || (size_t)w >= outlen - o) {
                any = false;                 /* does not fit: keep the default */
                break;
            }
            o += (size_t)w;
        }
    }
    libssh2_free(s, algs);
    return any ? out : NULL;
}

/* ---- shared state (takes t->lock) ---- */

/* Queue an event line; the oldest goes when the ring is full. Lock held. */
static void tun_event_locked(tunnel_t *t, const char *line)
{
    if (t->ev_count == TUN_EVENTS) {
        t->ev_head = (t->ev_head + 1) % TUN_EVENTS;
        t->ev_count--;
        t->ev_dropped++;
    }
    int i = (t->ev_head + t->ev_count) % TUN_EVENTS;
    snprintf(t->events[i], sizeof t->events[i], "%s", line);
    t->ev_count++;
}

static void tun_event(tunnel_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tun_event(tunnel_t *t, const char *fmt, ...)
{
    char msg[CLUSTER_EVENT_LEN], line[CLUSTER_EVENT_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (snprintf(line, sizeof line, "ssh %.110s: %s", t->label, msg) >= (int)sizeof line)
        line[sizeof line - 4] = line[sizeof line - 3] = line[sizeof line - 2] = '.';
    pthread_mutex_lock(&t->lock);
    tun_event_locked(t, line);
    pthread_mutex_unlock(&t->lock);
}

static void tun_set_state(tunnel_t *t, tunnel_state_t st, const char *why)
{
    pthread_mutex_lock(&t->lock);
    t->state = st;
    snprintf(t->why, sizeof t->why, "%s", why);
    pthread_mutex_unlock(&t->lock);
}

/* Queue one output line of command id (cut to a slot; oldest dropped when full). */
/* Queue one output line of command id; the caller holds t->lock. */
static void tun_queue_line_locked(tunnel_t *t, int id, const char *s, size_t n)
{
    if (n > 0 && s[n - 1] == '\r')
        n--;
    if (n > TUN_LINE - 1)
        n = TUN_LINE - 1;
    cmd_t *c = &t->cmd[id];
    if (c->count == TUN_LINES) {
        c->head = (c->head + 1) % TUN_LINES;
        c->count--;
        c->dropped++;
    }
    char *slot = c->lines[(c->head + c->count) % TUN_LINES];
    memcpy(slot, s, n);
    slot[n] = '\0';
    c->count++;
}

static void tun_queue_line(tunnel_t *t, int id, const char *s, size_t n)
{
    pthread_mutex_lock(&t->lock);
    tun_queue_line_locked(t, id, s, n);
    pthread_mutex_unlock(&t->lock);
}

/* ---- socket wrappers given to libssh2 (tunnel thread) ---- */

/* recv() that notes when the server last sent something; EOF once killed. */
static ssize_t tun_recv(libssh2_socket_t fd, void *buf, size_t len, int flags, void **abstract)
{
    tunnel_t *t = *abstract;
    if (t->io.kill)
        return 0;
    ssize_t n = recv(fd, buf, len, flags);
    if (n > 0) {
        t->io.last_rx_ms = tun_now_ms();
        t->io.rx_bytes += (uint64_t)n;
        return n;
    }
    if (n == 0) {
        snprintf(t->io.sock_err, sizeof t->io.sock_err, "connection closed by the server");
        return 0;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return -EAGAIN;
    snprintf(t->io.sock_err, sizeof t->io.sock_err, "%s", strerror(errno));
    return -errno;
}

static ssize_t tun_send(libssh2_socket_t fd, const void *buf, size_t len, int flags,
                        void **abstract)
{
    tunnel_t *t = *abstract;
    if (t->io.kill)
        return -EPIPE;
    ssize_t n = send(fd, buf, len, flags | MSG_NOSIGNAL);
    if (n >= 0)
        return n;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return -EAGAIN;
    snprintf(t->io.sock_err, sizeof t->io.sock_err, "%s", strerror(errno));
    return -errno;
}

/* ---- channels of forwarded connections (tunnel thread) ---- */

static void chan_free(tunnel_t *t, int i, bool reset)
{
    chan_t *c = t->io.chans[i];
    if (c == NULL)
        return;
    if (c->fd >= 0) {
        if (reset)
            tun_close_rst(c->fd);
        else
            close(c->fd);
    }
    free(c);
    t->io.chans[i] = NULL;
}

/* Done with a channel: close the local side, then let libssh2 close the
 * channel (which may take a round trip). A write libssh2 still holds must be
 * completed first (those bytes sit in l2r): the channel stays open, without
 * its local socket, until chan_pump has written them. */
static void chan_finish(chan_t *c, bool reset)
{
    if (c->fd >= 0) {
        if (reset)
            tun_close_rst(c->fd);
        else
            close(c->fd);
        c->fd = -1;
    }
    c->local_eof = true;
    if (!c->write_inflight) {
        c->l2r_off = c->l2r_len = 0;
        c->st = CH_CLOSING;
        c->since_ms = tun_now_ms();
    }
}

/* Read what the local client sent into l2r. Returns true on progress. */
static bool chan_local_read(chan_t *c)
{
    if (c->fd < 0 || c->local_eof)
        return false;
    if (!c->write_inflight && c->l2r_off > 0) {
        memmove(c->l2r, c->l2r + c->l2r_off, c->l2r_len - c->l2r_off);
        c->l2r_len -= c->l2r_off;
        c->l2r_off = 0;
    }
    if (c->l2r_len == TUN_BUF)
        return false;
    ssize_t n = recv(c->fd, c->l2r + c->l2r_len, TUN_BUF - c->l2r_len, 0);
    if (n > 0) {
        c->l2r_len += (size_t)n;
        return true;
    }
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        c->local_eof = true;
        return true;
    }
    return false;
}

/* Move bytes between an open channel and its local socket, EOFs included in
 * both directions. Returns true on progress; *fatal set when the session failed. */
static bool chan_pump(chan_t *c, short revents, int64_t now, int *fatal)
{
    bool progress = false;
    if (revents & (POLLIN | POLLHUP | POLLERR))
        progress |= chan_local_read(c);
    /* local -> remote */
    while (c->l2r_len > c->l2r_off) {
        ssize_t n = libssh2_channel_write(c->ch, c->l2r + c->l2r_off, c->l2r_len - c->l2r_off);
        if (n == LIBSSH2_ERROR_EAGAIN) {
            c->write_inflight = true;
            break;
        }
        c->write_inflight = false;
        if (n < 0) {
            if (tun_fatal((int)n))
                *fatal = (int)n;
            chan_finish(c, true);
            return true;
        }
        c->l2r_off += (size_t)n;
        progress = true;
    }
    if (c->l2r_off == c->l2r_len && !c->write_inflight)
        c->l2r_off = c->l2r_len = 0;
    if (c->st == CH_CLOSING || c->write_inflight)
        return progress;
    if (c->fd < 0) {                          /* finished while a write was held */
        chan_finish(c, false);
        return true;
    }
    if (c->local_eof && !c->eof_sent && c->l2r_len == 0) {
        int rc = libssh2_channel_send_eof(c->ch);
        if (rc == 0) {
            c->eof_sent = true;
            progress = true;
        } else if (rc != LIBSSH2_ERROR_EAGAIN) {
            if (tun_fatal(rc))
                *fatal = rc;
            chan_finish(c, true);
            return true;
        }
    }
    /* remote -> local */
    if (c->r2l_off > 0 && c->r2l_off == c->r2l_len)
        c->r2l_off = c->r2l_len = 0;
    if (!c->remote_eof && c->r2l_len < TUN_BUF) {
        ssize_t n = libssh2_channel_read(c->ch, c->r2l + c->r2l_len, TUN_BUF - c->r2l_len);
        if (n > 0) {
            c->r2l_len += (size_t)n;
            progress = true;
        } else if (n == 0 || n == LIBSSH2_ERROR_EAGAIN) {
            if (libssh2_channel_eof(c->ch) == 1) {
                c->remote_eof = true;
                progress = true;
            }
        } else {
            if (tun_fatal((int)n))
                *fatal = (int)n;
            chan_finish(c, true);
            return true;
        }
    }
    while (c->r2l_len > c->r2l_off) {
        ssize_t n = send(c->fd, c->r2l + c->r2l_off, c->r2l_len - c->r2l_off, MSG_NOSIGNAL);
        if (n > 0) {
            c->r2l_off += (size_t)n;
            progress = true;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            break;
        chan_finish(c, true);              /* the local client went away */
        return true;
    }
    if (c->remote_eof && c->r2l_off == c->r2l_len) {
        /* the far end is done and all of it delivered: pass the EOF on, close
         * when the client is done too (or after TUN_CLOSE_MS) */
        if (!c->fin_sent) {
            shutdown(c->fd, SHUT_WR);
            c->fin_sent = true;
            c->fin_ms = now;
            progress = true;
        }
        if ((c->local_eof && c->eof_sent) || now - c->fin_ms > TUN_CLOSE_MS) {
            chan_finish(c, false);
            return true;
        }
    }
    return progress;
}

/* Let libssh2 close a finished channel; forget it after TUN_CLOSE_MS (the
 * session frees it in the end). Returns true when the slot is free again. */
static bool chan_close_step(tunnel_t *t, int i, int64_t now)
{
    chan_t *c = t->io.chans[i];
    if (c->ch != NULL) {
        int rc = libssh2_channel_free(c->ch);
        if (rc == LIBSSH2_ERROR_EAGAIN && now - c->since_ms < TUN_CLOSE_MS)
            return false;
        c->ch = NULL;
    }
    chan_free(t, i, false);
    return true;
}

/* ---- remote commands (tunnel thread) ---- */

/* Feed command output: stdout lines are queued (follow) or kept (once), the
 * last stderr line is kept for the exit event. */
static void ex_feed(tunnel_t *t, int id, bool follow, const char *d, size_t n, bool err)
{
    exec_t *e = &t->io.ex[id];
    if (!err && !follow) {
        size_t room = TUN_ONCE_MAX - e->once_len;
        if (e->once != NULL) {
            memcpy(e->once + e->once_len, d, n < room ? n : room);
            e->once_len += n < room ? n : room;
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (err) {
            if (d[i] == '\n') {
                if (e->errpart_len > 0) {
                    memcpy(e->errlast, e->errpart, e->errpart_len);
                    e->errlast[e->errpart_len] = '\0';
                }
                e->errpart_len = 0;
            } else if (e->errpart_len < sizeof e->errpart - 1 && d[i] != '\r') {
                e->errpart[e->errpart_len++] = d[i];
            }
            continue;
        }
        if (d[i] == '\n') {
            tun_queue_line(t, id, e->part, e->part_len);
            e->part_len = 0;
            e->part_cut = false;
        } else if (e->part_len < TUN_LINE - 1) {
            e->part[e->part_len++] = d[i];
        } else {
            e->part_cut = true;               /* the rest of a long line is dropped */
        }
    }
}

/* Forget a command's run (its channel belongs to a dead session, or is freed). */
static void ex_reset(exec_t *e)
{
    e->ch = NULL;
    e->part_len = 0;
    e->part_cut = false;
    e->errpart_len = 0;
    e->errlast[0] = '\0';
    free(e->once);
    e->once = NULL;
    e->once_len = 0;
}

/* A run ended normally: deliver run-once output, report, schedule a restart. */
static void ex_ended(tunnel_t *t, int id, const char *cmd, bool follow, int64_t now)
{
    exec_t *e = &t->io.ex[id];
    int status = libssh2_channel_get_exit_status(e->ch);
    char *sig = NULL;
    size_t siglen = 0;
    libssh2_channel_get_exit_signal(e->ch, &sig, &siglen, NULL, NULL, NULL, NULL);
    char how[64], shortcmd[48];
    bool signalled = sig != NULL && siglen > 0;
    if (signalled)
        snprintf(how, sizeof how, "killed by SIG%.*s", (int)(siglen < 16 ? siglen : 16), sig);
    else
        snprintf(how, sizeof how, "exit status %d", status);
    if (sig != NULL)
        libssh2_free(t->io.sess, sig);
    tun_short(cmd, shortcmd, sizeof shortcmd);
    if (e->errpart_len > 0) {
        memcpy(e->errlast, e->errpart, e->errpart_len);
        e->errlast[e->errpart_len] = '\0';
    }
    if (follow) {
        if (e->part_len > 0)
            tun_queue_line(t, id, e->part, e->part_len);
        if (now - e->started_ms >= TUN_CMD_BACKOFF_MAX_MS)
            e->backoff_ms = TUN_CMD_BACKOFF_MIN_MS;
        tun_event(t, "command %d (%s) ended, %s%s%.60s; restarting in %d s", id, shortcmd, how,
                  e->errlast[0] ? ": " : "", e->errlast, e->backoff_ms / 1000);
        e->next_ms = now + e->backoff_ms;
        e->backoff_ms = e->backoff_ms * 2 > TUN_CMD_BACKOFF_MAX_MS ?
                        TUN_CMD_BACKOFF_MAX_MS : e->backoff_ms * 2;
        e->st = EX_WAIT;
    } else {
        /* The whole answer at once: a reader never sees half of it. */
        const char *p = e->once, *end = e->once + e->once_len;
        pthread_mutex_lock(&t->lock);
        while (p != NULL && p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
            tun_queue_line_locked(t, id, p, n);
            p += n + 1;
        }
        pthread_mutex_unlock(&t->lock);
        if (status != 0 || signalled)
            tun_event(t, "command %d (%s) failed, %s%s%.60s", id, shortcmd, how,
                      e->errlast[0] ? ": " : "", e->errlast);
        e->st = EX_DONE;
    }
}

/* Drive one command: start it, read its output, close it when it ends.
 * Returns true on progress; *fatal set when the session failed. */
static bool ex_step(tunnel_t *t, int id, int64_t now, int *fatal)
{
    exec_t *e = &t->io.ex[id];
    const char *cmd = t->cmd[id].cmd;         /* immutable once published */
    bool follow = t->cmd[id].follow;
    if (e->st == EX_STARTING) {
        if (t->io.req != REQ_NONE && t->io.req != id)
            return false;                     /* another request's reply is awaited */
        t->io.req = id;
        const char *wire = t->cmd[id].wire;
        int rc = libssh2_channel_process_startup(e->ch, "exec", 4, wire, (unsigned)strlen(wire));
        if (rc == LIBSSH2_ERROR_EAGAIN)
            return false;
        t->io.req = REQ_NONE;
        if (rc != 0) {
            if (tun_fatal(rc)) {
                *fatal = rc;
                return true;
            }
            char shortcmd[48];
            tun_short(cmd, shortcmd, sizeof shortcmd);
            tun_event(t, "command %d (%s) could not start: %.80s", id, shortcmd,
                      tun_ssh_error(t->io.sess));
            libssh2_channel_free(e->ch);      /* best effort; the session frees it anyway */
            ex_reset(e);
            e->next_ms = now + e->backoff_ms;
            e->backoff_ms = e->backoff_ms * 2 > TUN_CMD_BACKOFF_MAX_MS ?
                            TUN_CMD_BACKOFF_MAX_MS : e->backoff_ms * 2;
            e->st = EX_WAIT;
            return true;
        }
        e->started_ms = now;
        e->st = EX_RUNNING;
    }
    bool progress = false;
    if (e->st == EX_RUNNING) {
        char buf[8192];
        bool broken = false;
        for (int stream = 0; stream < 2; stream++) {
            for (int rounds = 0; rounds < 8; rounds++) {   /* bounded per pass */
                ssize_t n = libssh2_channel_read_ex(e->ch, stream, buf, sizeof buf);
                if (n > 0) {
                    ex_feed(t, id, follow, buf, (size_t)n, stream == 1);
                    progress = true;
                    continue;
                }
                if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
                    if (tun_fatal((int)n)) {
                        *fatal = (int)n;
                        return true;
                    }
                    broken = true;            /* e.g. closed without an EOF */
                }
                break;
            }
        }
        if (broken || libssh2_channel_eof(e->ch) == 1) {
            e->st = EX_CLOSING;
            e->close_ms = now;
        }
    }
    if (e->st == EX_CLOSING) {
        int rc = libssh2_channel_close(e->ch);
        if (rc == LIBSSH2_ERROR_EAGAIN && now - e->close_ms < TUN_CLOSE_MS)
            return progress;
        libssh2_channel_wait_closed(e->ch);   /* non-blocking: exit status arrived by now */
        ex_ended(t, id, cmd, follow, now);
        if (libssh2_channel_free(e->ch) == LIBSSH2_ERROR_EAGAIN) {
            /* the session frees it in the end */
        }
        ex_reset(e);
        progress = true;
    }
    return progress;
}

/* ---- the session ---- */

/* Tear the session down: open forwards are reset, connections still waiting
 * for a channel are kept (they get one on the next session), commands will
 * be restarted. */
static void sess_drop(tunnel_t *t, bool graceful)
{
    tun_io_t *io = &t->io;
    if (io->sess != NULL && graceful && io->phase == PH_UP)
        libssh2_session_disconnect(io->sess, "etcd-monitor: closing");
    if (io->sock >= 0)
        shutdown(io->sock, SHUT_RDWR);
    io->kill = true;                          /* the I/O wrappers now fail at once */
    /* One read lets libssh2 see the EOF, so that freeing channels does not
     * wait on a packet it still holds for another caller. */
    LIBSSH2_CHANNEL *any = io->probe;
    for (int i = 0; any == NULL && i < TUN_MAX_CHAN; i++)
        if (io->chans[i] != NULL && io->chans[i]->st >= CH_OPEN)
            any = io->chans[i]->ch;
    for (int i = 0; any == NULL && i < io->n_cmd; i++)
        any = io->ex[i].ch;
    if (io->sess != NULL && any != NULL) {
        char b[64];
        libssh2_channel_read(any, b, sizeof b);
    }
    for (int i = 0; i < TUN_MAX_CHAN; i++) {
        chan_t *c = io->chans[i];
        if (c == NULL)
            continue;
        if (c->st == CH_OPENING && c->fd >= 0 && !c->local_eof) {
            c->st = CH_PENDING;               /* nothing went out: try the next session */
            c->ch = NULL;
        } else if (c->st != CH_PENDING) {
            chan_free(t, i, true);
        }
    }
    for (int i = 0; i < io->n_cmd; i++) {
        exec_t *e = &io->ex[i];
        if (e->st == EX_WAIT || e->st == EX_DONE)
            continue;
        ex_reset(e);
        e->st = EX_WAIT;
        e->next_ms = 0;                       /* restart with the next session */
    }
    if (io->agent != NULL) {
        libssh2_agent_disconnect(io->agent);
        libssh2_agent_free(io->agent);
        io->agent = NULL;
    }
    if (io->sess != NULL) {
        for (int i = 0; i < 8 && libssh2_session_free(io->sess) == LIBSSH2_ERROR_EAGAIN; i++)
            ;
        io->sess = NULL;
    }
    if (io->sock >= 0)
        close(io->sock);
    io->sock = -1;
    io->probe = NULL;
    io->req = REQ_NONE;
    io->op = OP_NONE;
    io->kill = false;
    io->fail_why[0] = '\0';
    io->ident = NULL;
    if (io->ai != NULL)
        freeaddrinfo(io->ai);
    io->ai = io->ai_next = NULL;
}

/* The session (or the attempt) failed: tear down, report, back off. */
static void sess_fail(tunnel_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sess_fail(tunnel_t *t, const char *fmt, ...)
{
    tun_io_t *io = &t->io;
    char reason[200], why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    int64_t now = tun_now_ms();
    bool was_up = io->phase == PH_UP;
    sess_drop(t, false);
    if (was_up) {
        if (now - io->up_since_ms >= TUN_STABLE_MS)
            io->backoff_ms = TUN_BACKOFF_MIN_MS;
        io->down_since_ms = now;
        tun_event(t, "lost: %s; reconnecting in %d s", reason, io->backoff_ms / 1000);
    } else if (!io->failing) {
        tun_event(t, "cannot connect: %s; retrying in %d s", reason, io->backoff_ms / 1000);
    }
    io->failing = true;
    snprintf(io->last_fail, sizeof io->last_fail, "%s", reason);
    snprintf(why, sizeof why, "%s; retrying in %d s", reason, io->backoff_ms / 1000);
    tun_set_state(t, TUNNEL_CONNECTING, why);
    io->phase = PH_WAIT;
    io->next_try_ms = now + io->backoff_ms;
    io->backoff_ms = io->backoff_ms * 2 > TUN_BACKOFF_MAX_MS ? TUN_BACKOFF_MAX_MS : io->backoff_ms * 2;
}

/* Host key refused: final. Pending connections are reset. */
static void sess_refuse(tunnel_t *t, const char *why)
{
    sess_drop(t, false);
    for (int i = 0; i < TUN_MAX_CHAN; i++)
        chan_free(t, i, true);
    t->io.phase = PH_REFUSED;
    tun_set_state(t, TUNNEL_REFUSED, why);
    tun_event(t, "refused: %s", why);
}

/* Start a TCP connection to the next address of the bastion. */
static void sess_connect_next(tunnel_t *t)
{
    tun_io_t *io = &t->io;
    int last_err = 0;
    while (io->ai_next != NULL) {
        struct addrinfo *a = io->ai_next;
        io->ai_next = a->ai_next;
        int fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd < 0) {
            last_err = errno;
            continue;
        }
        tun_nonblock(fd);
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) {
            io->sock = fd;
            io->phase = PH_CONNECT;
            return;
        }
        last_err = errno;
        close(fd);
    }
    sess_fail(t, "connect to %s:%d: %s", t->host, t->port,
              last_err ? strerror(last_err) : "no address");
}

/* Begin an attempt: resolve the bastion (on this thread; it may block briefly). */
static void sess_begin(tunnel_t *t, int64_t now)
{
    tun_io_t *io = &t->io;
    char port[8];
    snprintf(port, sizeof port, "%d", t->via_port > 0 ? t->via_port : t->port);
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
    char why[256];
    if (io->failing)
        snprintf(why, sizeof why, "connecting again (last attempt: %s)", io->last_fail);
    else
        snprintf(why, sizeof why, "connecting");
    tun_set_state(t, TUNNEL_CONNECTING, why);
    io->setup_deadline = now + TUN_SETUP_MS;
    int rc = getaddrinfo(t->via_port > 0 ? "127.0.0.1" : t->host, port, &hints, &io->ai);
    if (rc != 0) {
        io->ai = NULL;
        sess_fail(t, "resolve %s: %s", t->host, gai_strerror(rc));
        return;
    }
    io->ai_next = io->ai;
    sess_connect_next(t);
}

/* TCP connected: create the session, prefer the host key types known_hosts
 * lists for this host, start the handshake. */
static void sess_start(tunnel_t *t)
{
    tun_io_t *io = &t->io;
    io->sess = libssh2_session_init_ex(NULL, NULL, NULL, t);
    if (io->sess == NULL) {
        sess_fail(t, "libssh2: cannot create a session");
        return;
    }
    libssh2_session_callback_set(io->sess, LIBSSH2_CALLBACK_RECV, (void *)tun_recv);
    libssh2_session_callback_set(io->sess, LIBSSH2_CALLBACK_SEND, (void *)tun_send);
    libssh2_session_set_blocking(io->sess, 0);
    LIBSSH2_KNOWNHOSTS *kh = NULL;
    char err[200], prefs[512];
    if (tunnel_known_load(io->sess, t->known_hosts, &kh, err, sizeof err) >= 0) {
        const char *p = tunnel_known_prefs(io->sess, kh, t->host, t->port, prefs, sizeof prefs);
        if (p != NULL)
            libssh2_session_method_pref(io->sess, LIBSSH2_METHOD_HOSTKEY, p);
    }
    if (kh != NULL)
        libssh2_knownhost_free(kh);
    io->sock_err[0] = '\0';
    io->last_rx_ms = tun_now_ms();
    io->phase = PH_HANDSHAKE;
}

/* After the key exchange: is this the server we know? Returns true to go on
 * (authentication), false when refused or failed. */
static bool sess_check_hostkey(tunnel_t *t)
{
    tun_io_t *io = &t->io;
    size_t klen = 0;
    int ktype = 0;
    const char *key = libssh2_session_hostkey(io->sess, &klen, &ktype);
    const char *hash = libssh2_hostkey_hash(io->sess, LIBSSH2_HOSTKEY_HASH_SHA256);
    char fp[64] = "SHA256:?", why[320], err[200] = "";
    if (hash != NULL)
        tunnel_fingerprint((const unsigned char *)hash, fp, sizeof fp);
    if (key == NULL || tun_kh_type(ktype) == 0) {
        snprintf(why, sizeof why, "host key for %.80s has an unsupported type (%.50s)",
                 t->known_name, fp);
        sess_refuse(t, why);
        return false;
    }
    LIBSSH2_KNOWNHOSTS *kh = NULL;
    int partial = tunnel_known_load(io->sess, t->known_hosts, &kh, err, sizeof err);
    tunnel_hostkey_t v = partial < 0 ? TUN_HK_ERROR :
                         tunnel_known_check(kh, t->host, t->port, key, klen, ktype);
    if (kh != NULL)
        libssh2_knownhost_free(kh);
    const char *kname = tun_key_name(ktype);
    bool pin_differs = false;
    if (v == TUN_HK_UNKNOWN && io->pin != NULL) {
        /* accepted earlier in this run: it must be the very same key */
        pin_differs = io->pin_type != ktype || io->pin_len != klen ||
                      memcmp(io->pin, key, klen) != 0;
        v = pin_differs ? TUN_HK_CHANGED : TUN_HK_MATCH;
    } else if (v == TUN_HK_UNKNOWN && t->accept_new && partial == 0) {
        io->pin = malloc(klen);
        if (io->pin != NULL) {
            memcpy(io->pin, key, klen);
            io->pin_len = klen;
            io->pin_type = ktype;
            tun_event(t, "accepted new host key %s %s (not written to known_hosts)", kname, fp);
            v = TUN_HK_MATCH;
        }
    }
    switch (v) {
    case TUN_HK_MATCH:
        return true;
    case TUN_HK_UNKNOWN:
        if (t->accept_new && partial != 0)
            snprintf(why, sizeof why, "host key for %.80s is not in known_hosts (%.20s %.50s), "
                     "and not accepted as new: %.80s", t->known_name, kname, fp, err);
        else
            snprintf(why, sizeof why, "host key for %.80s is not in known_hosts (%.20s %.50s)",
                     t->known_name, kname, fp);
        sess_refuse(t, why);
        return false;
    case TUN_HK_CHANGED:
        snprintf(why, sizeof why, "host key for %.80s has CHANGED (now %.20s %.50s): it does "
                 "not match %s; possible man-in-the-middle", t->known_name, kname, fp,
                 pin_differs ? "the key accepted earlier" : "known_hosts");
        sess_refuse(t, why);
        return false;
    case TUN_HK_ERROR:
    default:
        sess_fail(t, "host key check failed: %.150s", err[0] ? err : tun_ssh_error(io->sess));
        return false;
    }
}

/* Authenticate: ssh-agent identities, then the key file (no passphrase). Never
 * a password. Returns 1 done, 0 again later, -1 failed (reported). */
static int sess_auth(tunnel_t *t)
{
    tun_io_t *io = &t->io;
    for (;;) {
        switch (io->auth) {
        case AU_AGENT:
            io->auth = AU_KEY;
            if (t->agent_sock[0] == '\0') {
                snprintf(io->auth_notes, sizeof io->auth_notes, "no ssh-agent");
                break;
            }
            io->agent = libssh2_agent_init(io->sess);
            if (io->agent != NULL)
                libssh2_agent_set_identity_path(io->agent, t->agent_sock);
            if (io->agent == NULL || libssh2_agent_connect(io->agent) != 0 ||
                libssh2_agent_list_identities(io->agent) != 0) {
                snprintf(io->auth_notes, sizeof io->auth_notes, "ssh-agent unreachable");
                break;
            }
            snprintf(io->auth_notes, sizeof io->auth_notes, "ssh-agent has no key");
            io->ident = NULL;
            io->auth = AU_AGENT_NEXT;
            break;
        case AU_AGENT_NEXT: {
            struct libssh2_agent_publickey *next = NULL;
            if (libssh2_agent_get_identity(io->agent, &next, io->ident) != 0) {
                io->auth = AU_KEY;
                break;
            }
            io->ident = next;
            io->auth = AU_AGENT_TRY;
            break;
        }
        case AU_AGENT_TRY: {
            int rc = libssh2_agent_userauth(io->agent, t->user, io->ident);
            if (rc == LIBSSH2_ERROR_EAGAIN)
                return 0;
            if (rc == 0)
                return 1;
            if (tun_fatal(rc)) {
                sess_fail(t, "authentication: %s", tun_ssh_error(io->sess));
                return -1;
            }
            snprintf(io->auth_notes, sizeof io->auth_notes, "ssh-agent keys refused");
            io->auth = AU_AGENT_NEXT;
            break;
        }
        case AU_KEY: {
            if (t->key_file[0] == '\0') {
                io->auth = AU_FAILED;
                break;
            }
            int rc = libssh2_userauth_publickey_fromfile_ex(io->sess, t->user,
                                                            (unsigned)strlen(t->user), NULL,
                                                            t->key_file, NULL);
            if (rc == LIBSSH2_ERROR_EAGAIN)
                return 0;
            if (rc == 0)
                return 1;
            if (tun_fatal(rc)) {
                sess_fail(t, "authentication: %s", tun_ssh_error(io->sess));
                return -1;
            }
            size_t l = strlen(io->auth_notes);
            snprintf(io->auth_notes + l, sizeof io->auth_notes - l, "%skey file %s: %s",
                     l ? "; " : "", t->key_file,
                     rc == LIBSSH2_ERROR_FILE ? "unreadable or needs a passphrase" :
                     "refused by the server");
            io->auth = AU_FAILED;
            break;
        }
        case AU_FAILED:
        default:
            sess_fail(t, "authentication as %s failed (%s)", t->user, io->auth_notes);
            return -1;
        }
    }
}

/* Authenticated: the session is up. */
static void sess_up(tunnel_t *t, int64_t now)
{
    tun_io_t *io = &t->io;
    if (io->agent != NULL) {
        libssh2_agent_disconnect(io->agent);
        libssh2_agent_free(io->agent);
        io->agent = NULL;
    }
    io->phase = PH_UP;
    io->up_since_ms = now;
    io->last_rx_ms = now;
    io->no_probe = false;
    libssh2_keepalive_config(io->sess, 0, (unsigned)t->keepalive_s);
    if (io->down_since_ms > 0)
        tun_event(t, "up again, session rebuilt after %.1f s",
                  (double)(now - io->down_since_ms) / 1000.0);
    else
        tun_event(t, "up");
    io->failing = false;
    if (io->ai != NULL)
        freeaddrinfo(io->ai);
    io->ai = io->ai_next = NULL;
    tun_set_state(t, TUNNEL_UP, "");
}

/* Encode the direct-tcpip request for host:port (RFC 4254 7.2). */
static size_t tun_direct_msg(char *out, size_t outlen, const char *host, int port, int lport)
{
    size_t hl = strlen(host), o = 0;
    const char *orig = "127.0.0.1";
    size_t ol = strlen(orig);
    if (outlen < 16 + hl + ol)
        return 0;
    uint32_t v;
    v = htonl((uint32_t)hl); memcpy(out + o, &v, 4); o += 4;
    memcpy(out + o, host, hl); o += hl;
    v = htonl((uint32_t)port); memcpy(out + o, &v, 4); o += 4;
    v = htonl((uint32_t)ol); memcpy(out + o, &v, 4); o += 4;
    memcpy(out + o, orig, ol); o += ol;
    v = htonl((uint32_t)lport); memcpy(out + o, &v, 4); o += 4;
    return o;
}

/* libssh2 opens one channel at a time: pick what to open next (the liveness
 * channel, then waiting connections, oldest first, then commands). */
static void open_pick(tunnel_t *t, int64_t now)
{
    tun_io_t *io = &t->io;
    if (!io->no_probe && io->probe == NULL) {
        io->op = OP_PROBE;
        io->op_since = now;
        return;
    }
    int best = -1;
    for (int i = 0; i < TUN_MAX_CHAN; i++) {
        chan_t *c = io->chans[i];
        if (c != NULL && c->st == CH_PENDING && (best < 0 || c->since_ms < io->chans[best]->since_ms))
            best = i;
    }
    if (best >= 0) {
        chan_t *c = io->chans[best];
        fwd_t *f = &t->fwd[c->fwd];
        io->op_msg_len = tun_direct_msg(io->op_msg, sizeof io->op_msg, f->host, f->port, f->lport);
        c->st = CH_OPENING;
        io->op = OP_CHAN;
        io->op_idx = best;
        io->op_since = now;
        return;
    }
    for (int i = 0; i < io->n_cmd; i++) {
        exec_t *e = &io->ex[i];
        if (e->st == EX_WAIT && now >= e->next_ms && !io->no_probe) {
            e->st = EX_OPENING;
            io->op = OP_EXEC;
            io->op_idx = i;
            io->op_since = now;
            return;
        }
    }
}

/* Advance the channel open in progress. Returns true on progress. */
static bool open_step(tunnel_t *t, int64_t now, int *fatal)
{
    tun_io_t *io = &t->io;
    if (io->op == OP_NONE)
        open_pick(t, now);
    if (io->op == OP_NONE)
        return false;
    LIBSSH2_CHANNEL *ch;
    if (io->op == OP_CHAN)
        ch = libssh2_channel_open_ex(io->sess, "direct-tcpip", 12, TUN_WINDOW,
                                     LIBSSH2_CHANNEL_PACKET_DEFAULT, io->op_msg,
                                     (unsigned)io->op_msg_len);
    else
        ch = libssh2_channel_open_ex(io->sess, "session", 7, TUN_WINDOW,
                                     LIBSSH2_CHANNEL_PACKET_DEFAULT, NULL, 0);
    int rc = ch != NULL ? 0 : libssh2_session_last_errno(io->sess);
    if (rc == LIBSSH2_ERROR_EAGAIN) {
        if (now - io->op_since < TUN_OPEN_MS)
            return false;
        /* libssh2 cannot abandon an open (nor open another meanwhile): the
         * only way out is a new session. A forward that hangs like this (the
         * bastion's connect to it gets no answer) is refused locally for a
         * while, so that it cannot stall the other members again at once. */
        if (io->op == OP_CHAN) {
            int f = io->chans[io->op_idx]->fwd;
            io->cool_ms[f] = io->cool_ms[f] ? io->cool_ms[f] * 2 : TUN_COOL_MIN_MS;
            if (io->cool_ms[f] > TUN_COOL_MAX_MS)
                io->cool_ms[f] = TUN_COOL_MAX_MS;
            io->cool_until[f] = now + io->cool_ms[f];
            for (int i = 0; i < TUN_MAX_CHAN; i++)
                if (io->chans[i] != NULL && io->chans[i]->fwd == f &&
                    (io->chans[i]->st == CH_PENDING || io->chans[i]->st == CH_OPENING))
                    chan_free(t, i, true);
            snprintf(io->fail_why, sizeof io->fail_why, "opening a channel to %.80s:%d took "
                     "over %d s (refused locally for %d s)", t->fwd[f].host, t->fwd[f].port,
                     TUN_OPEN_MS / 1000, io->cool_ms[f] / 1000);
        } else {
            snprintf(io->fail_why, sizeof io->fail_why, "opening a session channel took over "
                     "%d s", TUN_OPEN_MS / 1000);
        }
        *fatal = LIBSSH2_ERROR_TIMEOUT;
        return true;
    }
    if (rc != 0 && tun_fatal(rc)) {
        *fatal = rc;
        return true;
    }
    open_kind_t kind = io->op;
    int idx = io->op_idx;
    io->op = OP_NONE;
    if (kind == OP_PROBE) {
        if (ch == NULL) {
            io->no_probe = true;
            tun_event(t, "no session channel (%.80s): remote commands unavailable, "
                      "liveness checked only while connections are open", tun_ssh_error(io->sess));
        }
        io->probe = ch;
    } else if (kind == OP_CHAN) {
        chan_t *c = io->chans[idx];
        int f = c->fwd;
        if (ch == NULL) {
            if (!io->fwd_failing[f])
                tun_event(t, "forward to %.120s:%d failed: %.60s", t->fwd[f].host, t->fwd[f].port,
                          tun_ssh_error(io->sess));
            io->fwd_failing[f] = true;
            chan_free(t, idx, true);
        } else {
            if (io->fwd_failing[f])
                tun_event(t, "forward to %.120s:%d works again", t->fwd[f].host, t->fwd[f].port);
            io->fwd_failing[f] = false;
            io->cool_ms[f] = 0;
            c->ch = ch;
            c->st = CH_OPEN;
            if (c->fd < 0 || (c->local_eof && c->l2r_len == 0))
                chan_finish(c, true);      /* the client gave up meanwhile */
        }
    } else {
        exec_t *e = &io->ex[idx];
        if (ch == NULL) {
            char shortcmd[48];
            tun_short(t->cmd[idx].cmd, shortcmd, sizeof shortcmd);
            tun_event(t, "command %d (%s) could not start: %.80s", idx, shortcmd,
                      tun_ssh_error(io->sess));
            e->next_ms = now + e->backoff_ms;
            e->backoff_ms = e->backoff_ms * 2 > TUN_CMD_BACKOFF_MAX_MS ?
                            TUN_CMD_BACKOFF_MAX_MS : e->backoff_ms * 2;
            e->st = EX_WAIT;
        } else {
            e->ch = ch;
            e->st = EX_STARTING;
            if (!t->cmd[idx].follow) {
                e->once = malloc(TUN_ONCE_MAX);
                e->once_len = 0;
            }
        }
    }
    return true;
}

/* Is the server still there? Ask when the link has been quiet for an
 * interval; give up after 4 quiet intervals. Returns false when dead. */
static bool sess_liveness(tunnel_t *t, int64_t now, bool have_channels, int *fatal)
{
    tun_io_t *io = &t->io;
    const int64_t k = (int64_t)t->keepalive_s * 1000;
    int next = 0;
    int rc = libssh2_keepalive_send(io->sess, &next);
    if (rc != 0 && rc != LIBSSH2_ERROR_EAGAIN && tun_fatal(rc)) {
        *fatal = rc;
        return false;
    }
    if (io->probe != NULL) {
        if (io->req == REQ_NONE && now - io->last_rx_ms >= k)
            io->req = REQ_PROBE;
        if (io->req == REQ_PROBE) {
            rc = libssh2_channel_setenv_ex(io->probe, TUN_PROBE_ENV, sizeof TUN_PROBE_ENV - 1,
                                           "1", 1);
            if (rc != LIBSSH2_ERROR_EAGAIN) {
                io->req = REQ_NONE;           /* answered (accepted or denied) */
                if (rc != 0 && rc != LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED && tun_fatal(rc)) {
                    *fatal = rc;
                    return false;
                }
            }
        }
    } else if (!have_channels) {
        io->last_rx_ms = now;                 /* nothing could answer: nothing to expect */
    } else if (now - io->last_rx_ms >= k) {
        libssh2_keepalive_config(io->sess, 1, (unsigned)t->keepalive_s);
    } else {
        libssh2_keepalive_config(io->sess, 0, (unsigned)t->keepalive_s);
    }
    return now - io->last_rx_ms < 4 * k;
}

/* One pass over an up session: read what arrived, opens, connections,
 * commands, liveness. Returns true when something moved. */
static bool sess_serve(tunnel_t *t, const short *revents, int64_t now)
{
    tun_io_t *io = &t->io;
    int fatal = 0;
    bool progress = false;
    uint64_t rx0 = io->rx_bytes;
    if (io->probe != NULL && io->req != REQ_PROBE) {
        char b[256];                          /* drains the socket into libssh2 */
        ssize_t n = libssh2_channel_read(io->probe, b, sizeof b);
        if (n < 0 && n != LIBSSH2_ERROR_EAGAIN && tun_fatal((int)n))
            fatal = (int)n;
        else if (libssh2_channel_eof(io->probe) == 1) {
            io->probe = NULL;                 /* the server closed it (freed with the session) */
            io->no_probe = true;
        }
    }
    if (!fatal)
        progress |= open_step(t, now, &fatal);
    bool have_channels = false;
    for (int i = 0; i < TUN_MAX_CHAN && !fatal; i++) {
        chan_t *c = io->chans[i];
        if (c == NULL)
            continue;
        if (c->st == CH_OPEN) {
            have_channels = true;
            progress |= chan_pump(c, revents[i], now, &fatal);
        } else if (c->st == CH_PENDING || c->st == CH_OPENING) {
            if (revents[i] & (POLLIN | POLLHUP | POLLERR))
                progress |= chan_local_read(c);
            if (c->st == CH_PENDING && (c->local_eof || now - c->since_ms > TUN_HOLD_MS)) {
                chan_free(t, i, true);
                continue;
            }
        }
        if (io->chans[i] != NULL && io->chans[i]->st == CH_CLOSING)
            progress |= chan_close_step(t, i, now);
    }
    for (int i = 0; i < io->n_cmd && !fatal; i++) {
        exec_t *e = &io->ex[i];
        if (e->st == EX_STARTING || e->st == EX_RUNNING || e->st == EX_CLOSING) {
            have_channels = true;
            progress |= ex_step(t, i, now, &fatal);
        }
    }
    if (!fatal && !sess_liveness(t, now, have_channels, &fatal) && !fatal) {
        sess_fail(t, "no answer from the SSH server for %d s", 4 * t->keepalive_s);
        return true;
    }
    if (fatal) {
        sess_fail(t, "%s", io->fail_why[0] ? io->fail_why :
                  io->sock_err[0] ? io->sock_err : tun_ssh_error(io->sess));
        return true;
    }
    return progress || io->rx_bytes != rx0;
}

/* Advance connect/handshake/authentication; serve when up. */
static bool sess_step(tunnel_t *t, short sock_revents, const short *chan_revents, int64_t now)
{
    tun_io_t *io = &t->io;
    if (io->phase == PH_WAIT) {
        if (now >= io->next_try_ms)
            sess_begin(t, now);
        return false;
    }
    if (io->phase == PH_REFUSED)
        return false;
    if (io->phase != PH_UP && now > io->setup_deadline) {
        sess_fail(t, "no SSH session within %d s", TUN_SETUP_MS / 1000);
        return true;
    }
    if (io->phase == PH_CONNECT) {
        if (!(sock_revents & (POLLOUT | POLLERR | POLLHUP)))
            return false;
        int err = 0;
        socklen_t el = sizeof err;
        getsockopt(io->sock, SOL_SOCKET, SO_ERROR, &err, &el);
        if (err != 0) {
            close(io->sock);
            io->sock = -1;
            if (io->ai_next != NULL) {
                sess_connect_next(t);
                return true;
            }
            sess_fail(t, "connect to %s:%d: %s", t->host, t->port, strerror(err));
            return true;
        }
        sess_start(t);
        if (io->phase != PH_HANDSHAKE)
            return true;
    }
    if (io->phase == PH_HANDSHAKE) {
        int rc = libssh2_session_handshake(io->sess, io->sock);
        if (rc == LIBSSH2_ERROR_EAGAIN)
            return false;
        if (rc != 0) {
            sess_fail(t, "SSH handshake with %s:%d: %s", t->host, t->port,
                      io->sock_err[0] ? io->sock_err : tun_ssh_error(io->sess));
            return true;
        }
        if (!sess_check_hostkey(t))
            return true;
        io->auth = AU_AGENT;
        io->auth_notes[0] = '\0';
        io->phase = PH_AUTH;
    }
    if (io->phase == PH_AUTH) {
        int rc = sess_auth(t);
        if (rc <= 0)
            return rc < 0;
        sess_up(t, now);
    }
    return sess_serve(t, chan_revents, now);
}

/* ---- the thread ---- */

/* Accept waiting connections of listener f. */
static void tun_accept(tunnel_t *t, int f, int64_t now)
{
    tun_io_t *io = &t->io;
    for (int k = 0; k < 16; k++) {
        int fd = accept(t->fwd[f].listen_fd, NULL, NULL);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
                errno != ECONNABORTED)
                io->accept_pause_until = now + 100;   /* e.g. EMFILE: do not spin */
            return;
        }
        tun_nonblock(fd);
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        int slot = -1;
        for (int i = 0; i < TUN_MAX_CHAN && slot < 0; i++)
            if (io->chans[i] == NULL)
                slot = i;
        chan_t *c = NULL;
        if (slot >= 0 && io->phase != PH_REFUSED && now >= io->cool_until[f])
            c = calloc(1, sizeof *c);
        if (c == NULL) {
            tun_close_rst(fd);                /* full, refused, or cooling down: at once */
            continue;
        }
        c->st = CH_PENDING;
        c->fd = fd;
        c->fwd = f;
        c->since_ms = now;
        io->chans[slot] = c;
    }
}

/* Adopt forwards and commands the caller added, and run-once commands asked
 * for again. Returns false when asked to stop. */
static bool tun_adopt(tunnel_t *t)
{
    tun_io_t *io = &t->io;
    pthread_mutex_lock(&t->lock);
    bool stop = t->stop;
    int nf = t->n_fwd, nc = t->n_cmd;
    for (int i = 0; i < nc; i++) {
        exec_t *e = &io->ex[i];
        if (i >= io->n_cmd || (e->st == EX_DONE && e->runs != t->cmd[i].want)) {
            e->st = EX_WAIT;
            e->next_ms = 0;
            e->runs = t->cmd[i].want;
            if (i >= io->n_cmd)
                e->backoff_ms = TUN_CMD_BACKOFF_MIN_MS;
        }
    }
    pthread_mutex_unlock(&t->lock);
    io->n_fwd = nf;
    io->n_cmd = nc;
    return !stop;
}

/* The tunnel thread: one poll() loop over everything (see the top of the file). */
static void *tunnel_main(void *arg)
{
    tunnel_t *t = arg;
    tun_io_t *io = &t->io;
    struct pollfd pfd[2 + TUN_MAX_FWD + TUN_MAX_CHAN];
    int pchan[TUN_MAX_CHAN];                  /* pfd index of each channel slot, -1 */
    short chan_rev[TUN_MAX_CHAN];
    bool busy = false;
    bool idle_out = false;                    /* woken for POLLOUT, nothing could be sent */
    while (tun_adopt(t)) {
        int64_t now = tun_now_ms();
        /* what to wait for */
        int n = 0;
        pfd[n++] = (struct pollfd){ .fd = t->wake_rd, .events = POLLIN };
        short sev = 0;
        if (io->phase == PH_CONNECT)
            sev = POLLOUT;
        else if (io->phase == PH_HANDSHAKE || io->phase == PH_AUTH || io->phase == PH_UP) {
            int dir = io->sess != NULL ? libssh2_session_block_directions(io->sess) : 0;
            /* (a packet libssh2 holds for a caller that does not retry, e.g. a
             * keepalive, would keep the socket "writable" for nothing: then
             * look again in a moment instead of spinning) */
            if ((dir & LIBSSH2_SESSION_BLOCK_OUTBOUND) && !idle_out)
                sev |= POLLOUT;
            /* up: read whenever something will consume it (the liveness
             * channel, or open channels); otherwise data waits in the socket */
            if (io->phase != PH_UP || io->probe != NULL || io->op != OP_NONE)
                sev |= POLLIN;
            for (int i = 0; i < TUN_MAX_CHAN && !(sev & POLLIN); i++)
                if (io->chans[i] != NULL && io->chans[i]->st != CH_PENDING)
                    sev |= POLLIN;
            for (int i = 0; i < io->n_cmd && !(sev & POLLIN); i++)
                if (io->ex[i].st != EX_WAIT && io->ex[i].st != EX_DONE)
                    sev |= POLLIN;
        }
        pfd[n++] = (struct pollfd){ .fd = io->sock >= 0 ? io->sock : -1, .events = sev };
        int first_listener = n;
        bool accepting = now >= io->accept_pause_until;
        for (int f = 0; f < io->n_fwd; f++)
            pfd[n++] = (struct pollfd){ .fd = accepting ? t->fwd[f].listen_fd : -1,
                                        .events = POLLIN };
        for (int i = 0; i < TUN_MAX_CHAN; i++) {
            chan_t *c = io->chans[i];
            pchan[i] = -1;
            if (c == NULL || c->fd < 0)
                continue;
            short ev = 0;
            if (!c->local_eof && c->l2r_len < TUN_BUF && c->st != CH_CLOSING)
                ev |= POLLIN;
            if (c->st == CH_OPEN && c->r2l_len > c->r2l_off)
                ev |= POLLOUT;
            pchan[i] = n;
            pfd[n++] = (struct pollfd){ .fd = c->fd, .events = ev };
        }
        int timeout = busy ? 0 : (idle_out || !accepting) ? 50 : 1000;
        if (!busy && io->phase == PH_WAIT) {
            int64_t d = io->next_try_ms - now;
            timeout = d < 0 ? 0 : d < 1000 ? (int)d : 1000;
        }
        if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR) {
            tun_set_state(t, TUNNEL_CONNECTING, "internal error: poll failed");
            break;
        }
        if (pfd[0].revents & POLLIN) {
            char b[64];
            while (read(t->wake_rd, b, sizeof b) > 0)
                ;
        }
        now = tun_now_ms();
        for (int f = 0; f < io->n_fwd; f++)
            if (pfd[first_listener + f].revents & POLLIN)
                tun_accept(t, f, now);
        for (int i = 0; i < TUN_MAX_CHAN; i++)
            chan_rev[i] = pchan[i] >= 0 ? pfd[pchan[i]].revents : 0;
        short srev = pfd[1].revents;
        if (io->phase == PH_UP && (srev & (POLLERR | POLLHUP)) && !(srev & POLLIN)) {
            int err = 0;
            socklen_t el = sizeof err;
            getsockopt(io->sock, SOL_SOCKET, SO_ERROR, &err, &el);
            sess_fail(t, "connection to the SSH server failed: %s",
                      err ? strerror(err) : "hung up");
            busy = true;
            continue;
        }
        busy = sess_step(t, srev, chan_rev, now);
        idle_out = (srev & POLLOUT) && !busy && io->phase != PH_CONNECT;
        /* connections held while there is no session wait only so long */
        if (io->phase != PH_UP)
            for (int i = 0; i < TUN_MAX_CHAN; i++) {
                chan_t *c = io->chans[i];
                if (c == NULL)
                    continue;
                if (chan_rev[i] & (POLLIN | POLLHUP | POLLERR))
                    chan_local_read(c);
                if (c->local_eof || now - c->since_ms > TUN_HOLD_MS)
                    chan_free(t, i, true);
            }
    }
    sess_drop(t, true);
    for (int i = 0; i < TUN_MAX_CHAN; i++)
        chan_free(t, i, true);
    for (int i = 0; i < TUN_MAX_CMD; i++)
        ex_reset(&io->ex[i]);
    free(io->pin);
    io->pin = NULL;
    return NULL;
}

/* ---- the API (caller's thread) ---- */

/* Wake the tunnel thread (new forward, new command, stop). */
static void tun_wake(tunnel_t *t)
{
    ssize_t r = write(t->wake_wr, "w", 1);   /* a full pipe is awake enough */
    (void)r;
}

/* libssh2_init() must run once, before any session, and is not thread-safe:
 * the only process-wide state here. */
static pthread_once_t tun_lib_once = PTHREAD_ONCE_INIT;
static int tun_lib_rc;

static void tun_lib_init(void)
{
    tun_lib_rc = libssh2_init(0);
}

/* The home directory and login name of the user running us. */
static void tun_whoami(char *user, size_t ulen, char *home, size_t hlen)
{
    const char *u = getenv("USER"), *h = getenv("HOME");
    struct passwd pw, *res = NULL;
    char buf[4096];
    if ((u == NULL || u[0] == '\0' || h == NULL || h[0] == '\0') &&
        getpwuid_r(geteuid(), &pw, buf, sizeof buf, &res) == 0 && res != NULL) {
        if (u == NULL || u[0] == '\0')
            u = pw.pw_name;
        if (h == NULL || h[0] == '\0')
            h = pw.pw_dir;
    }
    snprintf(user, ulen, "%s", u != NULL ? u : "");
    snprintf(home, hlen, "%s", h != NULL ? h : "");
}

tunnel_t *tunnel_start(const tunnel_config_t *cfg, char *err, size_t errlen)
{
    tunnel_target_t tg;
    if (cfg == NULL || tunnel_parse_target(cfg->target, &tg, err, errlen) != 0) {
        if (cfg == NULL)
            snprintf(err, errlen, "--ssh: no configuration");
        return NULL;
    }
    pthread_once(&tun_lib_once, tun_lib_init);
    if (tun_lib_rc != 0) {
        snprintf(err, errlen, "libssh2 cannot be initialised");
        return NULL;
    }
    tunnel_t *t = calloc(1, sizeof *t);
    if (t == NULL) {
        snprintf(err, errlen, "--ssh: out of memory");
        return NULL;
    }
    char user[64], home[2048];
    tun_whoami(user, sizeof user, home, sizeof home);
    snprintf(t->user, sizeof t->user, "%s", tg.user[0] ? tg.user : user);
    snprintf(t->host, sizeof t->host, "%s", tg.host);
    t->port = tg.port;
    if (t->user[0] == '\0') {
        snprintf(err, errlen, "--ssh %s: no user name (give user@host)", cfg->target);
        free(t);
        return NULL;
    }
    if (strchr(t->host, ':') != NULL)
        snprintf(t->label, sizeof t->label, "%s@[%s]:%d", t->user, t->host, t->port);
    else
        snprintf(t->label, sizeof t->label, "%s@%s:%d", t->user, t->host, t->port);
    tunnel_known_name(t->host, t->port, t->known_name, sizeof t->known_name);
    int w;
    if (cfg->known_hosts != NULL && cfg->known_hosts[0] != '\0')
        w = snprintf(t->known_hosts, sizeof t->known_hosts, "%s", cfg->known_hosts);
    else
        w = snprintf(t->known_hosts, sizeof t->known_hosts, "%s/.ssh/known_hosts", home);
    if (w < 0 || (size_t)w >= sizeof t->known_hosts) {
        snprintf(err, errlen, "--ssh: known_hosts path too long");
        free(t);
        return NULL;
    }
    if (cfg->key_file != NULL && cfg->key_file[0] != '\0') {
        if (strlen(cfg->key_file) >= sizeof t->key_file || access(cfg->key_file, R_OK) != 0) {
            snprintf(err, errlen, "--ssh key file %.200s: %s", cfg->key_file,
                     strlen(cfg->key_file) >= sizeof t->key_file ? "path too long" :
                     strerror(errno));
            free(t);
            return NULL;
        }
        snprintf(t->key_file, sizeof t->key_file, "%s", cfg->key_file);
    }
    const char *agent = getenv("SSH_AUTH_SOCK");
    if (agent != NULL && strlen(agent) < sizeof t->agent_sock)
        snprintf(t->agent_sock, sizeof t->agent_sock, "%s", agent);
    if (cfg->via != NULL) {
        /* The bastion forwards host:port; held until the bastion is up. */
        t->via_port = tunnel_forward(cfg->via, t->host, t->port);
        if (t->via_port <= 0) {
            snprintf(err, errlen, "ssh %s: the bastion cannot forward to it (too many forwards)",
                     t->label);
            free(t);
            return NULL;
        }
        size_t ll = strlen(t->label);
        snprintf(t->label + ll, sizeof t->label - ll, " via %s", cfg->via->label);
    }
    t->accept_new = cfg->accept_new;
    t->keepalive_s = cfg->keepalive_s <= 0 ? 5 : cfg->keepalive_s > 300 ? 300 : cfg->keepalive_s;
    t->state = TUNNEL_CONNECTING;
    snprintf(t->why, sizeof t->why, "connecting");
    t->io.sock = -1;
    t->io.req = REQ_NONE;
    t->io.phase = PH_WAIT;
    t->io.backoff_ms = TUN_BACKOFF_MIN_MS;
    int p[2];
    if (pipe(p) != 0) {
        snprintf(err, errlen, "--ssh: pipe: %s", strerror(errno));
        free(t);
        return NULL;
    }
    t->wake_rd = p[0];
    t->wake_wr = p[1];
    tun_nonblock(p[0]);
    tun_nonblock(p[1]);
    pthread_mutex_init(&t->lock, NULL);
    int rc = pthread_create(&t->thread, NULL, tunnel_main, t);
    if (rc != 0) {
        snprintf(err, errlen, "--ssh: cannot start a thread: %s", strerror(rc));
        pthread_mutex_destroy(&t->lock);
        close(p[0]);
        close(p[1]);
        free(t);
        return NULL;
    }
    return t;
}

const char *tunnel_label(const tunnel_t *t)
{
    return t->label;
}

const char *tunnel_host(const tunnel_t *t)
{
    return t->host;
}

void tunnel_stop(tunnel_t *t)
{
    if (t == NULL)
        return;
    pthread_mutex_lock(&t->lock);
    t->stop = true;
    pthread_mutex_unlock(&t->lock);
    tun_wake(t);
    pthread_join(t->thread, NULL);
    for (int i = 0; i < t->n_fwd; i++)
        close(t->fwd[i].listen_fd);
    for (int i = 0; i < t->n_cmd; i++) {
        free(t->cmd[i].cmd);
        free(t->cmd[i].wire);
        free(t->cmd[i].lines);
    }
    close(t->wake_rd);
    close(t->wake_wr);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

int tunnel_forward(tunnel_t *t, const char *host, int port)
{
    if (t == NULL || host == NULL || host[0] == '\0' || strlen(host) >= sizeof t->fwd[0].host ||
        port < 1 || port > 65535)
        return -1;
    for (const char *p = host; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return -1;
    int lport = -1;
    pthread_mutex_lock(&t->lock);
    for (int i = 0; i < t->n_fwd; i++)
        if (t->fwd[i].port == port && strcmp(t->fwd[i].host, host) == 0)
            lport = t->fwd[i].lport;
    if (lport < 0 && t->n_fwd < TUN_MAX_FWD && !t->stop) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = 0 };
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t sl = sizeof sa;
        if (fd >= 0 && tun_nonblock(fd) == 0 &&
            bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(fd, 64) == 0 &&
            getsockname(fd, (struct sockaddr *)&sa, &sl) == 0) {
            fwd_t *f = &t->fwd[t->n_fwd];
            snprintf(f->host, sizeof f->host, "%s", host);
            f->port = port;
            f->listen_fd = fd;
            f->lport = ntohs(sa.sin_port);
            lport = f->lport;
            t->n_fwd++;                       /* published: the entry is complete */
        } else if (fd >= 0) {
            close(fd);
        }
    }
    pthread_mutex_unlock(&t->lock);
    if (lport > 0)
        tun_wake(t);
    return lport;
}

tunnel_state_t tunnel_state(tunnel_t *t, char *why, size_t whylen)
{
    pthread_mutex_lock(&t->lock);
    tunnel_state_t st = t->state;
    if (why != NULL && whylen > 0)
        snprintf(why, whylen, "%s", st == TUNNEL_UP ? "" : t->why);
    pthread_mutex_unlock(&t->lock);
    return st;
}

void tunnel_take_events(tunnel_t *t, event_list_t *out)
{
    pthread_mutex_lock(&t->lock);
    if (t->ev_dropped > 0 && out->n < CLUSTER_MAX_EVENTS) {
        events_add(out, "ssh %.60s: %lu events dropped (too many at once)", t->label,
                   t->ev_dropped);
        t->ev_dropped = 0;
    }
    while (t->ev_count > 0 && out->n < CLUSTER_MAX_EVENTS) {
        events_add(out, "%s", t->events[t->ev_head]);
        t->ev_head = (t->ev_head + 1) % TUN_EVENTS;
        t->ev_count--;
    }
    pthread_mutex_unlock(&t->lock);
}

/* The command line sent for cmd (see tunnel_internal.h). */
char *tunnel_wrap_cmd(const char *cmd)
{
    static const char head[] =
        "sh -c 'exec 3<&0; sh -c \"$1\" </dev/null 3<&- & p=$!; "
        "{ cat >/dev/null; kill -- -$$ || kill -- -$PPID || kill $p; } <&3 >/dev/null 2>&1 & "
        "exec 3<&-; wait $p' etcd-monitor '";
    size_t n = strlen(cmd);
    char *out = malloc(sizeof head + 4 * n + 2);
    if (out == NULL)
        return NULL;
    char *o = out + (sizeof head - 1);
    memcpy(out, head, sizeof head - 1);
    for (size_t i = 0; i < n; i++) {
        if (cmd[i] == '\'') {
            memcpy(o, "'\\''", 4);            /* close, escaped quote, reopen */
            o += 4;
        } else {
            *o++ = cmd[i];
        }
    }
    *o++ = '\'';
    *o = '\0';
    return out;
}

/* Register a remote command (both kinds). The same command again gets the
 * same id: a follow command is not started twice, a run-once command runs
 * again (once the run in progress, if any, is over). */
static int tun_exec_add(tunnel_t *t, const char *cmd, bool follow)
{
    if (t == NULL || cmd == NULL || cmd[0] == '\0' || strlen(cmd) >= TUN_CMD_MAX)
        return -1;
    char *copy = strdup(cmd);
    char *wire = tunnel_wrap_cmd(cmd);
    char (*lines)[TUN_LINE] = calloc(TUN_LINES, sizeof *lines);
    int id = -1;
    bool added = false;
    pthread_mutex_lock(&t->lock);
    for (int i = 0; i < t->n_cmd && id < 0; i++)
        if (t->cmd[i].follow == follow && strcmp(t->cmd[i].cmd, cmd) == 0) {
            id = i;
            t->cmd[i].want++;
        }
    if (id < 0 && copy != NULL && wire != NULL && lines != NULL && t->n_cmd < TUN_MAX_CMD &&
        !t->stop) {
        id = t->n_cmd;
        t->cmd[id] = (cmd_t){ .cmd = copy, .wire = wire, .follow = follow, .want = 1,
                              .lines = lines };
        t->n_cmd++;                           /* published: the entry is complete */
        added = true;
    }
    pthread_mutex_unlock(&t->lock);
    if (!added) {
        free(copy);
        free(wire);
        free(lines);
    }
    if (id >= 0)
        tun_wake(t);
    return id;
}

int tunnel_exec_follow(tunnel_t *t, const char *cmd)
{
    return tun_exec_add(t, cmd, true);
}

int tunnel_exec_once(tunnel_t *t, const char *cmd)
{
    return tun_exec_add(t, cmd, false);
}

int tunnel_take_lines(tunnel_t *t, int id, char (*lines)[512], int max)
{
    if (t == NULL || lines == NULL || max <= 0)
        return 0;
    int n = 0;
    pthread_mutex_lock(&t->lock);
    if (id >= 0 && id < t->n_cmd) {
        cmd_t *c = &t->cmd[id];
        while (n < max && c->count > 0) {
            memcpy(lines[n++], c->lines[c->head], TUN_LINE);
            c->head = (c->head + 1) % TUN_LINES;
            c->count--;
        }
        if (c->dropped > 0) {
            char line[CLUSTER_EVENT_LEN];
            snprintf(line, sizeof line, "ssh %.60s: command %d: %lu output lines dropped "
                     "(queue full)", t->label, id, c->dropped);
            tun_event_locked(t, line);
            c->dropped = 0;
        }
    }
    pthread_mutex_unlock(&t->lock);
    return n;
}
