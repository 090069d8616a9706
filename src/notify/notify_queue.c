/* notify_queue.c — a channel's bounded FIFO of messages: when it is full the
 * oldest message goes (the caller counts and logs it). */
#include "notify_internal.h"

#include <stdlib.h>

int notify_queue_init(notify_queue_t *q, int cap)
{
    q->slot = calloc((size_t)cap, sizeof *q->slot);
    q->cap = q->slot ? cap : 0;
    q->head = q->n = q->max_depth = 0;
    return q->slot ? 0 : -1;
}

void notify_queue_free(notify_queue_t *q)
{
    notify_req_t *r;
    while ((r = notify_queue_pop(q)))
        notify_req_free(r);
    free(q->slot);
    q->slot = NULL;
    q->cap = 0;
}

notify_req_t *notify_queue_push(notify_queue_t *q, notify_req_t *r)
{
    notify_req_t *dropped = NULL;
    if (q->cap == 0)
        return r;
    if (q->n == q->cap)
        dropped = notify_queue_pop(q);
    q->slot[(q->head + q->n) % q->cap] = r;
    q->n++;
    if (q->n > q->max_depth)
        q->max_depth = q->n;
    return dropped;
}

notify_req_t *notify_queue_pop(notify_queue_t *q)
{
    if (q->n == 0)
        return NULL;
    notify_req_t *r = q->slot[q->head];
    q->slot[q->head] = NULL;
    q->head = (q->head + 1) % q->cap;
    q->n--;
    return r;
}
