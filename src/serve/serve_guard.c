/* serve_guard.c — the API's per-connection deadline (slowloris): a request
 * must arrive in full within the timeout of its connection's start or of the
 * previous answer, however slowly it trickles in (MHD's own timeout only
 * counts silence). MHD tells us of every connection (its thread); the sweep
 * (a loop timer) shuts down the late ones' sockets. Each connection's socket
 * is dup()ed when it starts, so the sweep never touches a descriptor number
 * that MHD may have closed and the kernel handed out again; the duplicate is
 * closed when MHD reports the connection closed. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "serve_internal.h"

typedef struct {
    int    fd;                       /* our duplicate, -1 when the slot is free */
    double since;                    /* deadline counts from here */
    bool   busy;                     /* a request is being answered: no deadline */
    bool   cut;
} gentry_t;

struct guard {
    pthread_mutex_t mu;
    gentry_t       *e;
    int             n;               /* slots */
    int             hint;            /* where to look for a free slot first */
    double          timeout_s;
};

guard_t *guard_new(int max_conns, double timeout_s)
{
    guard_t *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->n = max_conns + 64;           /* MHD may notify a few past its limit */
    g->e = calloc((size_t)g->n, sizeof *g->e);
    if (!g->e) {
        free(g);
        return NULL;
    }
    for (int i = 0; i < g->n; i++)
        g->e[i].fd = -1;
    g->timeout_s = timeout_s;
    pthread_mutex_init(&g->mu, NULL);
    return g;
}

void guard_free(guard_t *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->n; i++)
        if (g->e[i].fd >= 0)
            close(g->e[i].fd);
    pthread_mutex_destroy(&g->mu);
    free(g->e);
    free(g);
}

void *guard_started(guard_t *g, int fd, double now)
{
    gentry_t *slot = NULL;
    pthread_mutex_lock(&g->mu);
    for (int k = 0; k < g->n && !slot; k++) {
        int i = (g->hint + k) % g->n;
        if (g->e[i].fd < 0) {
            slot = &g->e[i];
            g->hint = i + 1;
        }
    }
    if (slot) {
        slot->fd = dup(fd);          /* -1 (no fds left): the slot stays free, unguarded */
        slot->since = now;
        slot->busy = false;
        slot->cut = false;
        if (slot->fd < 0)
            slot = NULL;
    }
    pthread_mutex_unlock(&g->mu);
    return slot;
}

void guard_closed(guard_t *g, void *entry)
{
    gentry_t *e = entry;
    if (!e)
        return;
    pthread_mutex_lock(&g->mu);
    close(e->fd);
    e->fd = -1;
    pthread_mutex_unlock(&g->mu);
}

void guard_busy(guard_t *g, void *entry, bool busy, double now)
{
    gentry_t *e = entry;
    if (!e)
        return;
    pthread_mutex_lock(&g->mu);
    e->busy = busy;
    e->since = now;
    pthread_mutex_unlock(&g->mu);
}

int guard_sweep(guard_t *g, double now)
{
    int cut = 0;
    pthread_mutex_lock(&g->mu);
    for (int i = 0; i < g->n; i++) {
        gentry_t *e = &g->e[i];
        if (e->fd < 0 || e->busy || e->cut || now - e->since < g->timeout_s)
            continue;
        shutdown(e->fd, SHUT_RDWR);  /* MHD sees the end and closes it */
        e->cut = true;
        cut++;
    }
    pthread_mutex_unlock(&g->mu);
    return cut;
}
