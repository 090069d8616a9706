/* tunnel_forward.c — forwarded connections: the loopback listeners made by
 * tunnel_forward(), the local connections they accept, and the bytes and EOFs
 * moved between each one and its direct-tcpip channel (tunnel thread; the
 * channel itself is opened by the session's open queue, tunnel_session.c). */
#include "tunnel_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- channels of forwarded connections (tunnel thread) ---- */

void tun_chan_free(tunnel_t *t, int i, bool reset)
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
 * its local socket, until tun_chan_pump has written them. */
void tun_chan_finish(chan_t *c, bool reset)
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
bool tun_chan_local_read(chan_t *c)
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
bool tun_chan_pump(chan_t *c, short revents, int64_t now, int *fatal)
{
    bool progress = false;
    if (revents & (POLLIN | POLLHUP | POLLERR))
        progress |= tun_chan_local_read(c);
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
            tun_chan_finish(c, true);
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
        tun_chan_finish(c, false);
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
            tun_chan_finish(c, true);
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
            tun_chan_finish(c, true);
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
        tun_chan_finish(c, true);              /* the local client went away */
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
            tun_chan_finish(c, false);
            return true;
        }
    }
    return progress;
}

/* Let libssh2 close a finished channel; forget it after TUN_CLOSE_MS (the
 * session frees it in the end). Returns true when the slot is free again. */
bool tun_chan_close_step(tunnel_t *t, int i, int64_t now)
{
    chan_t *c = t->io.chans[i];
    if (c->ch != NULL) {
        int rc = libssh2_channel_free(c->ch);
        if (rc == LIBSSH2_ERROR_EAGAIN && now - c->since_ms < TUN_CLOSE_MS)
            return false;
        c->ch = NULL;
    }
    tun_chan_free(t, i, false);
    return true;
}

/* Accept waiting connections of listener f. */
void tun_accept(tunnel_t *t, int f, int64_t now)
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
        if (tun_nonblock(fd) != 0) {          /* a blocking socket would stall the thread */
            tun_close_rst(fd);
            continue;
        }
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

/* ---- the API (caller's thread) ---- */

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
