/* tunnel_exec.c — remote commands: registering them (caller's thread), running
 * them on session channels and collecting their output (tunnel thread), and
 * the queued output lines the caller takes. */
#include "tunnel_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- output lines (takes t->lock) ---- */

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

/* ---- remote commands (tunnel thread) ---- */

/* Feed command output: stdout lines are queued (follow) or kept (once), the
 * last stderr line is kept for the exit event. */
static void tun_ex_feed(tunnel_t *t, int id, bool follow, const char *d, size_t n, bool err)
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
void tun_ex_reset(exec_t *e)
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
static void tun_ex_ended(tunnel_t *t, int id, const char *cmd, bool follow, int64_t now)
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
bool tun_ex_step(tunnel_t *t, int id, int64_t now, int *fatal)
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
            tun_ex_reset(e);
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
                    tun_ex_feed(t, id, follow, buf, (size_t)n, stream == 1);
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
        tun_ex_ended(t, id, cmd, follow, now);
        if (libssh2_channel_free(e->ch) == LIBSSH2_ERROR_EAGAIN) {
            /* the session frees it in the end */
        }
        tun_ex_reset(e);
        progress = true;
    }
    return progress;
}

/* ---- the API (caller's thread) ---- */

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
