/* http.h — concurrent HTTP requests over the loop's shared libcurl multi handle.
 *
 * Knows nothing about etcd. Each http_req_t owns one easy handle that is reused
 * for every poll, so connections stay alive in the multi handle's pool and the
 * body buffer keeps its allocation. Only http and https are allowed, bodies are
 * capped, redirects are not followed. TLS peer and host verification are on
 * unless the caller's http_tls_t says insecure; the TLS files are set once per
 * easy handle. An optional token goes out as a raw "Authorization:" header,
 * kept on a secmem page (secmem.h: no core dump, wiped).
 *
 * Proxies: member traffic carries the etcd token and password, so it never
 * goes through a proxy named by http_proxy, https_proxy or ALL_PROXY unless
 * the operator asks for it (http_set_proxy_env, --use-proxy-env). */
#ifndef EM_HTTP_H
#define EM_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <curl/curl.h>
#include "buf.h"
#include "loop_xfer.h"
#include "util.h"

#define HTTP_TOKEN_MAX 2048            /* longest token accepted (JWTs included) */
#define HTTP_AUTH_HDR_LEN (HTTP_TOKEN_MAX + 32) /* "Authorization: <token>" and the NUL */

/* TLS settings of every request; the strings are borrowed and must outlive the
 * http_t. Set before the first request starts. */
typedef struct {
    const char *ca_file;               /* CURLOPT_CAINFO; NULL = the system's CAs */
    const char *cert_file;             /* client certificate (PEM); NULL = none */
    const char *key_file;              /* its key (PEM); NULL = inside cert_file */
    bool        insecure;              /* no peer/host verification: the explicit opt-out */
} http_tls_t;

/* A streamed answer: each received piece of a 2xx body, instead of keeping it
 * in body (which then stays empty). Other statuses are kept in body as usual,
 * so their error text can be read. */
typedef void (*http_sink_fn)(void *ctx, const char *p, size_t n);

struct http;
typedef struct http_req {
    loop_xfer_t xfer;                  /* the loop calls back through this (keep first) */
    struct http *client;               /* the http_t that started it */
    CURL       *easy;                  /* owned; reused across polls */
    buf_t       body;                  /* owned; capped at the max body size */
    bool        active;                /* added to the multi handle */
    long        status;                /* HTTP status, 0 when none */
    CURLcode    result;
    char        errbuf[CURL_ERROR_SIZE];
    double      total_s;               /* transfer time (libcurl's microsecond timer) */
    double      pretransfer_s;         /* until the request was about to be sent */
    double      connect_s;             /* of which connecting and TLS set-up (0 when reused) */
    long        new_connections;       /* 0 when a kept-alive connection was reused */
    void       *owner;                 /* caller's: who this request belongs to */
    int         kind;                  /* caller's: which request of the owner */
    bool        no_auth;               /* caller's: never send the token with this one */
    bool        gzip;                  /* caller's: accept a gzip body (big text answers;
                                          set before the first start) */
    http_sink_fn sink;                 /* caller's: stream 2xx bodies here (NULL: keep) */
    void       *sink_ctx;
    size_t      streamed;              /* bytes handed to sink by this transfer (capped
                                          at body.max like a kept body) */
    unsigned    auth_gen;              /* token generation sent (0 = no token sent) */
    bool        https;                 /* the last URL started was https */
    bool        cert_requested;        /* the member asked for a client certificate */
    long        verify_result;         /* CURLINFO_SSL_VERIFYRESULT after a failure */
    /* private */
    bool        configured;            /* per-handle options (TLS files) are set */
    signed char to_sink;               /* this transfer's body: 0 not known yet, 1 sink, -1 kept */
    bool        client_cert;           /* a client certificate is configured */
    bool        hdr_post;              /* hdrs carries the JSON Content-Type */
    unsigned    hdr_gen;               /* token generation hdrs was built for */
    struct curl_slist *hdrs;           /* owned; rebuilt only when the token changes */
    char       *url_set;               /* owned copy of the URL the handle holds (libcurl
                                          copies it at every set: set only on a change) */
} http_req_t;

typedef void (*http_done_fn)(http_req_t *r, void *ctx);
typedef struct http {
    loop_t    *loop;                   /* borrowed: its multi handle runs the transfers */
    http_done_fn done;                 /* called for every finished request */
    void      *done_ctx;
    http_tls_t tls;
    int        active;                 /* requests in flight */
    long       connects;               /* connections opened so far */
    long       transfers;              /* transfers completed so far */
    unsigned   auth_gen;               /* bumped at every token change; never 0 */
    char      *auth_hdr;               /* HTTP_AUTH_HDR_LEN bytes on a secmem page:
                                          "Authorization: <token>", "" = none; wiped */
    bool       use_proxy_env;          /* honour http_proxy & co. (default: never) */
    struct curl_slist *(*route)(void *ctx, const char *url); /* http_set_route */
    void      *route_ctx;
} http_t;

/* Where to really connect for url: a CURLOPT_CONNECT_TO list ("host:port:
 * 127.0.0.1:lport" for an SSH tunnel), or NULL to connect directly. The list is
 * owned by the router and must stay valid while requests use it. */
typedef struct curl_slist *(*http_route_fn)(void *ctx, const char *url);

/* A client on loop's multi handle; done(r, ctx) is called for each request
 * that ends (not for one cancelled). -1 (nothing to clean up) when loop is
 * NULL or the token's page cannot be mapped. */
int  http_init(http_t *h, loop_t *loop, http_done_fn done, void *ctx) WARN_UNUSED_RESULT;
/* Route every later request through fn (NULL: direct). */
void http_set_route(http_t *h, http_route_fn fn, void *ctx);
void http_cleanup(http_t *h);
/* Let requests use the proxy the environment names (http_proxy, https_proxy,
 * ALL_PROXY, NO_PROXY): libcurl's default, off unless asked for. Set before
 * the first request starts. */
void http_set_proxy_env(http_t *h, bool use);
/* TLS settings for every request (copied; strings borrowed). */
void http_set_tls(http_t *h, const http_tls_t *tls);
/* Send this token (NULL or "" = none) with every later request that does not
 * say no_auth. Returns 0, or -1 when it is too long or holds bytes a header
 * cannot carry (no token is then sent). */
int  http_set_token(http_t *h, const char *token) WARN_UNUSED_RESULT;
/* Send no token from now on (cannot fail). */
void http_clear_token(http_t *h);
/* The token generation requests started now would carry (0 = no token). */
unsigned http_token_gen(const http_t *h);
int  http_req_init(http_req_t *r, size_t max_body, void *owner, int kind) WARN_UNUSED_RESULT;
void http_req_free(http_t *h, http_req_t *r);
/* Do now what the first http_start of r to url would (options, header list,
 * URL, the body buffer's first block), so that later starts of a request whose
 * answers fit allocate nothing of ours. 0, or -1 out of memory
 * (http_start then tries again). */
int  http_prepare(http_t *h, http_req_t *r, const char *url, bool post);
/* Start a GET (post_json NULL) or a JSON POST. post_json is borrowed until the
 * request ends. Returns 0, or -1 if it could not be queued (r->errbuf says why). */
int  http_start(http_t *h, http_req_t *r, const char *url, const char *post_json,
                long timeout_ms, long connect_timeout_ms) WARN_UNUSED_RESULT;
/* Abort a request in flight (no done callback). */
void http_cancel(http_t *h, http_req_t *r);
/* One line saying why r failed ("" when it succeeded with a 2xx status). */
const char *http_req_error(const http_req_t *r, char *buf, size_t len);

/* What is known about a failed transfer, for http_tls_reason (pure). */
typedef struct {
    CURLcode    result;
    long        verify_result;         /* X509 verify result (OpenSSL numbering) */
    const char *errbuf;                /* libcurl's error text, may be "" */
    bool        https;
    bool        client_cert;           /* we presented a client certificate */
    bool        cert_requested;        /* the member asked for one during the handshake */
    bool        got_response;          /* an HTTP status arrived (the handshake was fine) */
} http_tls_diag_t;

/* A TLS failure in an operator's words ("TLS: certificate expired", "TLS: the
 * member demands a client certificate", ...) into buf; returns buf, or NULL when
 * the failure is not a TLS problem. */
const char *http_tls_reason(const http_tls_diag_t *d, char *buf, size_t len);

#endif
