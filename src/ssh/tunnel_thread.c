/* tunnel_thread.c — the tunnel thread: one poll() loop over the self-pipe, the
 * SSH socket, the listeners and the accepted local sockets (see the top of
 * tunnel.c), adopting what the caller added. */
#include "tunnel_priv.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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

/* The tunnel thread: one poll() loop over everything (see the top of tunnel.c). */
void *tun_main(void *arg)
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
            tun_sess_fail(t, "connection to the SSH server failed: %s",
                      err ? strerror(err) : "hung up");
            busy = true;
            continue;
        }
        busy = tun_sess_step(t, srev, chan_rev, now);
        idle_out = (srev & POLLOUT) && !busy && io->phase != PH_CONNECT;
        /* connections held while there is no session wait only so long */
        if (io->phase != PH_UP)
            for (int i = 0; i < TUN_MAX_CHAN; i++) {
                chan_t *c = io->chans[i];
                if (c == NULL)
                    continue;
                if (chan_rev[i] & (POLLIN | POLLHUP | POLLERR))
                    tun_chan_local_read(c);
                if (c->local_eof || now - c->since_ms > TUN_HOLD_MS)
                    tun_chan_free(t, i, true);
            }
    }
    tun_sess_drop(t, true);
    for (int i = 0; i < TUN_MAX_CHAN; i++)
        tun_chan_free(t, i, true);
    for (int i = 0; i < TUN_MAX_CMD; i++)
        tun_ex_reset(&io->ex[i]);
    free(io->pin);
    io->pin = NULL;
    return NULL;
}
