/* tunnel.c — members reached through an SSH bastion with libssh2 (see tunnel.h):
 * starting and stopping a tunnel, its state and events as the caller sees them,
 * and the small helpers the other parts share. The module's files:
 *   tunnel.c          lifecycle, state, events (this file)
 *   tunnel_thread.c   the tunnel thread's poll() loop
 *   tunnel_session.c  one SSH session: connect, handshake, serve, fail, tear down
 *   tunnel_hostkey.c  the known_hosts policy and fingerprints
 *   tunnel_auth.c     user authentication (ssh-agent, key file)
 *   tunnel_forward.c  loopback listeners and their direct-tcpip channels
 *   tunnel_exec.c     remote commands and their output lines
 * Their shared types and internal calls are in tunnel_priv.h.
 *
 * Threading and locking
 *   Each tunnel_t owns one thread (tun_main). It does all socket and libssh2
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
#include "tunnel_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- small helpers ---- */

int64_t tun_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int tun_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* Close a local connection so that its client sees a reset at once. */
void tun_close_rst(int fd)
{
    if (fd < 0)
        return;
    struct linger lg = { .l_onoff = 1, .l_linger = 0 };
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
}

/* The text of the session's last libssh2 error (never contains secrets). */
const char *tun_ssh_error(LIBSSH2_SESSION *s)
{
    char *msg = NULL;
    if (s == NULL)
        return "no session";
    libssh2_session_last_error(s, &msg, NULL, 0);
    return msg != NULL && msg[0] != '\0' ? msg : "unknown libssh2 error";
}

/* Errors after which the session itself is unusable (not just one channel). */
bool tun_fatal(int rc)
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
void tun_short(const char *s, char *out, size_t outlen)
{
    size_t n = strlen(s);
    if (n < outlen) {
        memcpy(out, s, n + 1);
        return;
    }
    snprintf(out, outlen, "%.*s...", (int)(outlen > 4 ? outlen - 4 : 0), s);
}

/* ---- target parsing (tunnel_internal.h) ---- */

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

/* ---- shared state (takes t->lock) ---- */

/* Queue an event line; the oldest goes when the ring is full. Lock held. */
void tun_event_locked(tunnel_t *t, const char *line)
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

void tun_event(tunnel_t *t, const char *fmt, ...)
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

void tun_set_state(tunnel_t *t, tunnel_state_t st, const char *why)
{
    pthread_mutex_lock(&t->lock);
    t->state = st;
    snprintf(t->why, sizeof t->why, "%s", why);
    pthread_mutex_unlock(&t->lock);
}

/* ---- the API (caller's thread) ---- */

/* Wake the tunnel thread (new forward, new command, stop). */
void tun_wake(tunnel_t *t)
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
    if (tun_nonblock(p[0]) != 0 || tun_nonblock(p[1]) != 0) {
        snprintf(err, errlen, "--ssh: pipe flags: %s", strerror(errno));
        close(p[0]);
        close(p[1]);
        free(t);
        return NULL;
    }
    pthread_mutex_init(&t->lock, NULL);
    int rc = pthread_create(&t->thread, NULL, tun_main, t);
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
