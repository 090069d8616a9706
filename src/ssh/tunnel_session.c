/* tunnel_session.c — one SSH session on the tunnel thread: resolve, connect,
 * handshake (then tunnel_hostkey.c and tunnel_auth.c), up; each pass over an
 * up session (the one channel open at a time, forwarded connections, commands,
 * liveness); failure with its backoff, and the teardown. */
#include "tunnel_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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

/* ---- the session ---- */

/* Tear the session down: open forwards are reset, connections still waiting
 * for a channel are kept (they get one on the next session), commands will
 * be restarted. */
void tun_sess_drop(tunnel_t *t, bool graceful)
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
            tun_chan_free(t, i, true);
        }
    }
    for (int i = 0; i < io->n_cmd; i++) {
        exec_t *e = &io->ex[i];
        if (e->st == EX_WAIT || e->st == EX_DONE)
            continue;
        tun_ex_reset(e);
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
void tun_sess_fail(tunnel_t *t, const char *fmt, ...)
{
    tun_io_t *io = &t->io;
    char reason[200], why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    int64_t now = tun_now_ms();
    bool was_up = io->phase == PH_UP;
    tun_sess_drop(t, false);
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

/* Start a TCP connection to the next address of the bastion. */
static void tun_sess_connect_next(tunnel_t *t)
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
        if (tun_nonblock(fd) != 0) {
            last_err = errno;
            close(fd);
            continue;
        }
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
    tun_sess_fail(t, "connect to %s:%d: %s", t->host, t->port,
              last_err ? strerror(last_err) : "no address");
}

/* Begin an attempt: resolve the bastion (on this thread; it may block briefly). */
static void tun_sess_begin(tunnel_t *t, int64_t now)
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
        tun_sess_fail(t, "resolve %s: %s", t->host, gai_strerror(rc));
        return;
    }
    io->ai_next = io->ai;
    tun_sess_connect_next(t);
}

/* TCP connected: create the session, prefer the host key types known_hosts
 * lists for this host, start the handshake. */
static void tun_sess_start(tunnel_t *t)
{
    tun_io_t *io = &t->io;
    io->sess = libssh2_session_init_ex(NULL, NULL, NULL, t);
    if (io->sess == NULL) {
        tun_sess_fail(t, "libssh2: cannot create a session");
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

/* Authenticated: the session is up. */
static void tun_sess_up(tunnel_t *t, int64_t now)
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
static void tun_open_pick(tunnel_t *t, int64_t now)
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
static bool tun_open_step(tunnel_t *t, int64_t now, int *fatal)
{
    tun_io_t *io = &t->io;
    if (io->op == OP_NONE)
        tun_open_pick(t, now);
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
                    tun_chan_free(t, i, true);
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
            tun_chan_free(t, idx, true);
        } else {
            if (io->fwd_failing[f])
                tun_event(t, "forward to %.120s:%d works again", t->fwd[f].host, t->fwd[f].port);
            io->fwd_failing[f] = false;
            io->cool_ms[f] = 0;
            c->ch = ch;
            c->st = CH_OPEN;
            if (c->fd < 0 || (c->local_eof && c->l2r_len == 0))
                tun_chan_finish(c, true);      /* the client gave up meanwhile */
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
static bool tun_sess_liveness(tunnel_t *t, int64_t now, bool have_channels, int *fatal)
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
static bool tun_sess_serve(tunnel_t *t, const short *revents, int64_t now)
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
        progress |= tun_open_step(t, now, &fatal);
    bool have_channels = false;
    for (int i = 0; i < TUN_MAX_CHAN && !fatal; i++) {
        chan_t *c = io->chans[i];
        if (c == NULL)
            continue;
        if (c->st == CH_OPEN) {
            have_channels = true;
            progress |= tun_chan_pump(c, revents[i], now, &fatal);
        } else if (c->st == CH_PENDING || c->st == CH_OPENING) {
            if (revents[i] & (POLLIN | POLLHUP | POLLERR))
                progress |= tun_chan_local_read(c);
            if (c->st == CH_PENDING && (c->local_eof || now - c->since_ms > TUN_HOLD_MS)) {
                tun_chan_free(t, i, true);
                continue;
            }
        }
        if (io->chans[i] != NULL && io->chans[i]->st == CH_CLOSING)
            progress |= tun_chan_close_step(t, i, now);
    }
    for (int i = 0; i < io->n_cmd && !fatal; i++) {
        exec_t *e = &io->ex[i];
        if (e->st == EX_STARTING || e->st == EX_RUNNING || e->st == EX_CLOSING) {
            have_channels = true;
            progress |= tun_ex_step(t, i, now, &fatal);
        }
    }
    if (!fatal && !tun_sess_liveness(t, now, have_channels, &fatal) && !fatal) {
        tun_sess_fail(t, "no answer from the SSH server for %d s", 4 * t->keepalive_s);
        return true;
    }
    if (fatal) {
        tun_sess_fail(t, "%s", io->fail_why[0] ? io->fail_why :
                  io->sock_err[0] ? io->sock_err : tun_ssh_error(io->sess));
        return true;
    }
    return progress || io->rx_bytes != rx0;
}

/* Advance connect/handshake/authentication; serve when up. */
bool tun_sess_step(tunnel_t *t, short sock_revents, const short *chan_revents, int64_t now)
{
    tun_io_t *io = &t->io;
    if (io->phase == PH_WAIT) {
        if (now >= io->next_try_ms)
            tun_sess_begin(t, now);
        return false;
    }
    if (io->phase == PH_REFUSED)
        return false;
    if (io->phase != PH_UP && now > io->setup_deadline) {
        tun_sess_fail(t, "no SSH session within %d s", TUN_SETUP_MS / 1000);
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
                tun_sess_connect_next(t);
                return true;
            }
            tun_sess_fail(t, "connect to %s:%d: %s", t->host, t->port, strerror(err));
            return true;
        }
        tun_sess_start(t);
        if (io->phase != PH_HANDSHAKE)
            return true;
    }
    if (io->phase == PH_HANDSHAKE) {
        int rc = libssh2_session_handshake(io->sess, io->sock);
        if (rc == LIBSSH2_ERROR_EAGAIN)
            return false;
        if (rc != 0) {
            tun_sess_fail(t, "SSH handshake with %s:%d: %s", t->host, t->port,
                      io->sock_err[0] ? io->sock_err : tun_ssh_error(io->sess));
            return true;
        }
        if (!tun_sess_check_hostkey(t))
            return true;
        io->auth = AU_AGENT;
        io->auth_notes[0] = '\0';
        io->phase = PH_AUTH;
    }
    if (io->phase == PH_AUTH) {
        int rc = tun_sess_auth(t);
        if (rc <= 0)
            return rc < 0;
        tun_sess_up(t, now);
    }
    return tun_sess_serve(t, chan_revents, now);
}
