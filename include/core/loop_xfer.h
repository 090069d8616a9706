/* loop_xfer.h — the loop's shared libcurl multi handle: every HTTP transfer of
 * the process runs on it (see loop.h). Only the layers that speak HTTP include
 * this (net, collect, ssh, cmd). */
#ifndef EM_LOOP_XFER_H
#define EM_LOOP_XFER_H

#include <curl/curl.h>
#include "loop.h"

/* Embedded in whatever owns an easy handle; done() runs when its transfer ends. */
typedef struct loop_xfer {
    void (*done)(struct loop_xfer *x, CURLcode result);
} loop_xfer_t;

/* The shared multi handle (for options such as connection limits). */
CURLM *loop_multi(loop_t *l);
/* Start easy's transfer; x->done is called when it ends (not when removed). */
int  loop_transfer_add(loop_t *l, CURL *easy, loop_xfer_t *x) WARN_UNUSED_RESULT;
/* Stop easy's transfer without calling done. */
void loop_transfer_remove(loop_t *l, CURL *easy);

#endif
