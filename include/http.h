/* http.h — concurrent HTTP requests over one libcurl multi handle.
 *
 * Knows nothing about etcd. Each http_req_t owns one easy handle that is reused
 * for every poll, so connections stay alive in the multi handle's pool and the
 * body buffer keeps its allocation. Only http and https are allowed, bodies are
 * capped, redirects are not followed. */
#ifndef EM_HTTP_H
#define EM_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <curl/curl.h>
#include "buf.h"

typedef struct http_req {
    CURL       *easy;                  /* owned; reused across polls */
    buf_t       body;                  /* owned; capped at the max body size */
    bool        active;                /* added to the multi handle */
    long        status;                /* HTTP status, 0 when none */
    CURLcode    result;
    char        errbuf[CURL_ERROR_SIZE];
    double      total_s;               /* transfer time */
    double      pretransfer_s;         /* of which connecting and TLS set-up */
    long        new_connections;       /* 0 when a kept-alive connection was reused */
    void       *owner;                 /* caller's: who this request belongs to */
    int         kind;                  /* caller's: which request of the owner */
} http_req_t;

typedef struct {
    CURLM *multi;                      /* owned */
    struct curl_slist *json_hdr;       /* owned: Content-Type for POSTs */
    int    active;                     /* requests in flight */
    long   connects;                   /* connections opened so far */
    long   transfers;                  /* transfers completed so far */
} http_t;

typedef void (*http_done_fn)(http_req_t *r, void *ctx);

int  http_init(http_t *h);
void http_cleanup(http_t *h);
int  http_req_init(http_req_t *r, size_t max_body, void *owner, int kind);
void http_req_free(http_t *h, http_req_t *r);
/* Start a GET (post_json NULL) or a JSON POST. Returns 0, or -1 if it could
 * not be queued (r->errbuf says why). */
int  http_start(http_t *h, http_req_t *r, const char *url, const char *post_json,
                long timeout_ms, long connect_timeout_ms);
/* Abort a request in flight (no done callback). */
void http_cancel(http_t *h, http_req_t *r);
/* Move transfers along and call done() for each finished one. */
void http_perform(http_t *h, http_done_fn done, void *ctx);
/* Wait for network activity, one of the extra fds, or timeout_ms. */
int  http_wait(http_t *h, struct curl_waitfd *extra, unsigned n_extra, int timeout_ms);
/* One line saying why r failed ("" when it succeeded with a 2xx status). */
const char *http_req_error(const http_req_t *r, char *buf, size_t len);

#endif
