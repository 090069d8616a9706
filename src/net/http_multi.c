/* http_multi.c — concurrent capped HTTP requests over the loop's shared multi handle. */
#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "secmem.h"
#include <strings.h>

/* Case-insensitive search for s in the first n bytes of p (no NUL needed). */
static bool mem_icontains(const char *p, size_t n, const char *s)
{
    size_t k = strlen(s);
    if (!p || k == 0 || k > n)
        return false;
    for (size_t i = 0; i + k <= n; i++)
        if (strncasecmp(p + i, s, k) == 0)
            return true;
    return false;
}

/* Append a received chunk, or hand it to the caller's sink (a 2xx answer);
 * past the cap, refuse it (and so abort the transfer). */
static size_t http_write_cb(char *p, size_t size, size_t nmemb, void *userp)
{
    http_req_t *r = userp;
    size_t n = size * nmemb;
    if (r->sink && r->to_sink == 0) {       /* the status is known by the body's first piece */
        long status = 0;
        curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
        r->to_sink = status >= 200 && status <= 299 ? 1 : -1;
    }
    if (r->to_sink == 1) {
        if (n > r->body.max - r->streamed) {
            r->body.overflow = true;
            return 0;
        }
        r->streamed += n;
        r->sink(r->sink_ctx, p, n);
        return n;
    }
    if (buf_append(&r->body, p, n) != 0)
        return 0;
    return n;
}

/* libcurl's trace of https transfers: only its handshake text is looked at, to
 * learn whether the member asked for a client certificate (TLS 1.3 reports a
 * refused or missing one after the handshake, racing with our first write, so
 * the error code alone cannot tell). Headers and data are ignored. */
static int http_debug_cb(CURL *e, curl_infotype type, char *data, size_t n, void *userp)
{
    (void)e;
    http_req_t *r = userp;
    if (type == CURLINFO_TEXT && mem_icontains(data, n, "(IN), TLS handshake, Request CERT"))
        r->cert_requested = true;
    return 0;
}

static void http_xfer_done(loop_xfer_t *x, CURLcode result);

int http_init(http_t *h, loop_t *loop, http_done_fn done, void *ctx)
{
    memset(h, 0, sizeof(*h));
    h->auth_gen = 1;
    h->loop = loop;
    h->done = done;
    h->done_ctx = ctx;
    if (!loop || !(h->auth_hdr = secmem_alloc(HTTP_AUTH_HDR_LEN)))
        return -1;
    return 0;
}

void http_set_proxy_env(http_t *h, bool use)
{
    h->use_proxy_env = use;
}

void http_set_route(http_t *h, http_route_fn fn, void *ctx)
{
    h->route = fn;
    h->route_ctx = ctx;
}

void http_cleanup(http_t *h)
{
    secmem_free(h->auth_hdr, HTTP_AUTH_HDR_LEN);      /* wiped, then unmapped */
    h->auth_hdr = NULL;
}

void http_set_tls(http_t *h, const http_tls_t *tls)
{
    h->tls = *tls;
}

int http_set_token(http_t *h, const char *token)
{
    h->auth_gen++;
    if (h->auth_gen == 0)
        h->auth_gen = 1;
    if (!h->auth_hdr)
        return token && *token ? -1 : 0;
    explicit_bzero(h->auth_hdr, HTTP_AUTH_HDR_LEN);
    if (!token || !*token)
        return 0;
    size_t n = strlen(token);
    if (n > HTTP_TOKEN_MAX)
        return -1;
    for (size_t i = 0; i < n; i++)            /* visible ASCII only: no header injection */
        if (token[i] <= ' ' || token[i] > '~')
            return -1;
    snprintf(h->auth_hdr, HTTP_AUTH_HDR_LEN, "Authorization: %s", token);
    return 0;
}

void http_clear_token(http_t *h)
{
    int rc = http_set_token(h, NULL);   /* no token: nothing to refuse */
    (void)rc;
}

unsigned http_token_gen(const http_t *h)
{
    return h->auth_hdr && h->auth_hdr[0] ? h->auth_gen : 0;
}

int http_req_init(http_req_t *r, size_t max_body, void *owner, int kind)
{
    memset(r, 0, sizeof(*r));
    buf_init(&r->body, max_body);
    r->owner = owner;
    r->kind = kind;
    r->xfer.done = http_xfer_done;
    r->easy = curl_easy_init();
    return r->easy ? 0 : -1;
}

/* Free a header list, wiping its lines first (one may carry the token). */
static void http_free_headers(struct curl_slist **l)
{
    for (struct curl_slist *p = *l; p; p = p->next)
        if (p->data)
            explicit_bzero(p->data, strlen(p->data));
    curl_slist_free_all(*l);
    *l = NULL;
}

void http_req_free(http_t *h, http_req_t *r)
{
    http_cancel(h, r);
    if (r->easy)
        curl_easy_cleanup(r->easy);
    r->easy = NULL;
    http_free_headers(&r->hdrs);
    buf_free(&r->body);
    free(r->url_set);
    r->url_set = NULL;
}

/* Point the handle at url unless it is there already. */
static int http_set_url(http_req_t *r, const char *url)
{
    if (r->url_set && strcmp(r->url_set, url) == 0)
        return 0;
    free(r->url_set);
    r->url_set = strdup(url);
    if (!r->url_set || curl_easy_setopt(r->easy, CURLOPT_URL, url) != CURLE_OK) {
        free(r->url_set);
        r->url_set = NULL;
        return -1;
    }
    return 0;
}

/* Set the options that never change between polls of one request: set once,
 * so the TLS set-up stays identical and kept-alive connections are reused. */
static void http_setup(const http_t *h, http_req_t *r)
{
    CURL *e = r->easy;
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_write_cb);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)r->body.max);
    /* Only where asked: libcurl formats the header anew at every transfer. */
    if (r->gzip)
        curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "gzip");
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, http_debug_cb);
    curl_easy_setopt(e, CURLOPT_DEBUGDATA, r);
    /* No proxy from the environment (http_proxy, https_proxy, ALL_PROXY): the
     * requests carry the etcd token, the authenticate one the password.
     * NOPROXY "*" exempts every host, so libcurl never reads those variables
     * (a CURLOPT_PROXY of "" would do too, at a copy per transfer). */
    if (!h->use_proxy_env)
        curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
    /* Verification is on unless the operator opted out explicitly. */
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, h->tls.insecure ? 0L : 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, h->tls.insecure ? 0L : 2L);
    if (h->tls.ca_file)
        curl_easy_setopt(e, CURLOPT_CAINFO, h->tls.ca_file);
    if (h->tls.cert_file) {
        curl_easy_setopt(e, CURLOPT_SSLCERT, h->tls.cert_file);
        curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
        curl_easy_setopt(e, CURLOPT_SSLKEY, h->tls.key_file ? h->tls.key_file : h->tls.cert_file);
        curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
    }
    r->client_cert = h->tls.cert_file != NULL;
    r->configured = true;
}

/* Rebuild r's header list when the token or the request type changed. The
 * User-Agent is in it too: a CURLOPT_USERAGENT is formatted anew per transfer. */
static int http_headers(http_t *h, http_req_t *r, bool post)
{
    unsigned gen = r->no_auth ? 0 : http_token_gen(h);
    if (r->hdrs && r->hdr_gen == gen && r->hdr_post == post)
        return 0;
    http_free_headers(&r->hdrs);
    struct curl_slist *l = curl_slist_append(NULL, "User-Agent: etcd-monitor"), *t;
    if (!l)
        goto oom;
    if (post) {
        if (!(t = curl_slist_append(l, "Content-Type: application/json")))
            goto oom;
        l = t;
    }
    if (gen) {
        if (!(t = curl_slist_append(l, h->auth_hdr)))
            goto oom;
        l = t;
    }
    r->hdrs = l;
    r->hdr_gen = gen;
    r->hdr_post = post;
    return 0;
oom:
    http_free_headers(&l);
    return -1;
}

int http_prepare(http_t *h, http_req_t *r, const char *url, bool post)
{
    if (!r->configured)
        http_setup(h, r);
    if (!r->body.data && buf_append(&r->body, "", 0) != 0)   /* the body's first block */
        return -1;
    return http_headers(h, r, post) != 0 || http_set_url(r, url) != 0 ? -1 : 0;
}

int http_start(http_t *h, http_req_t *r, const char *url, const char *post_json,
               long timeout_ms, long connect_timeout_ms)
{
    if (r->active)
        http_cancel(h, r);
    buf_reset(&r->body);
    r->streamed = 0;
    r->to_sink = 0;
    r->status = 0;
    r->result = CURLE_OK;
    r->errbuf[0] = '\0';
    r->total_s = r->pretransfer_s = 0;
    r->new_connections = 0;
    r->cert_requested = false;
    r->verify_result = 0;
    if (!r->configured)
        http_setup(h, r);
    if (http_headers(h, r, post_json != NULL) != 0 || http_set_url(r, url) != 0) {
        snprintf(r->errbuf, sizeof(r->errbuf), "out of memory");
        r->result = CURLE_OUT_OF_MEMORY;
        return -1;
    }
    r->auth_gen = r->hdr_gen;
    CURL *e = r->easy;
    curl_easy_setopt(e, CURLOPT_CONNECT_TO, h->route ? h->route(h->route_ctx, url) : NULL);
    r->https = strncasecmp(url, "https://", 8) == 0;
    /* The handshake trace (http_debug_cb) is only needed, and only kept, for https. */
    curl_easy_setopt(e, CURLOPT_VERBOSE, r->https ? 1L : 0L);
    if (post_json) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, post_json);
    } else {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->hdrs);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     connect_timeout_ms < timeout_ms ? connect_timeout_ms : timeout_ms);
    r->client = h;
    if (loop_transfer_add(h->loop, e, &r->xfer) != 0) {
        snprintf(r->errbuf, sizeof(r->errbuf), "cannot add the transfer to the loop");
        r->result = CURLE_FAILED_INIT;
        return -1;
    }
    r->active = true;
    h->active++;
    return 0;
}

void http_cancel(http_t *h, http_req_t *r)
{
    if (!r->active)
        return;
    loop_transfer_remove(h->loop, r->easy);
    r->active = false;
    h->active--;
}

/* Seconds of one of libcurl's microsecond timers. */
static double http_info_s(CURL *e, CURLINFO what)
{
    curl_off_t us = 0;
    if (curl_easy_getinfo(e, what, &us) != CURLE_OK || us < 0)
        return 0;
    return (double)us / 1e6;
}

/* The loop's callback: a transfer ended (the loop removed it already). */
static void http_xfer_done(loop_xfer_t *x, CURLcode result)
{
    http_req_t *r = (http_req_t *)x;
    http_t *h = r->client;
    r->result = result;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
    r->total_s = http_info_s(r->easy, CURLINFO_TOTAL_TIME_T);
    r->pretransfer_s = http_info_s(r->easy, CURLINFO_PRETRANSFER_TIME_T);
    double conn = http_info_s(r->easy, CURLINFO_CONNECT_TIME_T);
    double app = http_info_s(r->easy, CURLINFO_APPCONNECT_TIME_T);
    r->connect_s = app > conn ? app : conn;
    curl_easy_getinfo(r->easy, CURLINFO_NUM_CONNECTS, &r->new_connections);
    if (r->result != CURLE_OK && r->https)
        curl_easy_getinfo(r->easy, CURLINFO_SSL_VERIFYRESULT, &r->verify_result);
    h->connects += r->new_connections;
    h->transfers++;
    r->active = false;
    h->active--;
    if (h->done)
        h->done(r, h->done_ctx);
}

/* Does the error text contain s (case-insensitive)? */
static bool has(const char *text, const char *s)
{
    return text && mem_icontains(text, strlen(text), s);
}

/* The member's refusal of our (missing or unwanted) client certificate. */
static const char *tls_client_cert_reason(const http_tls_diag_t *d)
{
    if (!d->client_cert)
        return "TLS: the member demands a client certificate";
    if (has(d->errbuf, "alert unknown ca"))
        return "TLS: the member does not trust our client certificate (unknown CA)";
    if (has(d->errbuf, "alert certificate expired"))
        return "TLS: the member refused our client certificate (expired)";
    return "TLS: the member refused our client certificate";
}

/* The host name libcurl quotes in "... target host name 'NAME'", or "". */
static void tls_target_host(const char *errbuf, char *out, size_t len)
{
    const char *p = errbuf ? strstr(errbuf, "host name '") : NULL;
    out[0] = '\0';
    if (!p)
        return;
    p += strlen("host name '");
    const char *q = strchr(p, '\'');
    if (q && q > p)
        snprintf(out, len, "%.*s", (int)(q - p), p);
}

/* OpenSSL X509_V_ERR_* numbers (stable across versions) that matter here. */
enum {
    X509_UNABLE_TO_GET_ISSUER = 2, X509_NOT_YET_VALID = 9, X509_EXPIRED = 10,
    X509_SELF_SIGNED_LEAF = 18, X509_SELF_SIGNED_IN_CHAIN = 19,
    X509_UNABLE_TO_GET_ISSUER_LOCALLY = 20, X509_UNABLE_TO_VERIFY_LEAF = 21,
    X509_REVOKED = 23, X509_INVALID_PURPOSE = 26, X509_HOSTNAME_MISMATCH = 62,
    X509_IP_MISMATCH = 64
};

const char *http_tls_reason(const http_tls_diag_t *d, char *buf, size_t len)
{
    const char *e = d->errbuf ? d->errbuf : "";
    const char *why = NULL;
    long v = d->verify_result;
    switch (d->result) {
    case CURLE_OK:
        return NULL;
    case CURLE_PEER_FAILED_VERIFICATION:        /* also CURLE_SSL_CACERT */
        if (v == X509_EXPIRED || has(e, "certificate has expired"))
            why = "TLS: certificate expired";
        else if (v == X509_NOT_YET_VALID || has(e, "not yet valid"))
            why = "TLS: certificate not yet valid";
        else if (v == X509_HOSTNAME_MISMATCH || v == X509_IP_MISMATCH ||
                 has(e, "subject name") || has(e, "does not match")) {
            char host[80];
            tls_target_host(e, host, sizeof(host));
            if (host[0])
                snprintf(buf, len, "TLS: certificate is for another host (not %s)", host);
            else
                snprintf(buf, len, "TLS: certificate is for another host");
            return buf;
        } else if (v == X509_UNABLE_TO_GET_ISSUER || v == X509_SELF_SIGNED_LEAF ||
                   v == X509_SELF_SIGNED_IN_CHAIN || v == X509_UNABLE_TO_GET_ISSUER_LOCALLY ||
                   v == X509_UNABLE_TO_VERIFY_LEAF || has(e, "issuer certificate") ||
                   has(e, "self-signed") || has(e, "self signed"))
            why = "TLS: certificate not trusted (unknown CA)";
        else if (v == X509_REVOKED || has(e, "revoked"))
            why = "TLS: certificate revoked";
        else if (v == X509_INVALID_PURPOSE || has(e, "unsuitable certificate purpose"))
            why = "TLS: certificate not meant for a server";
        else {
            snprintf(buf, len, "TLS: certificate verification failed (%s)", e);
            return buf;
        }
        break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:                           /* the alert inside HTTP/2 framing */
    case CURLE_HTTP2_STREAM:
        if (!d->https || d->got_response)
            return NULL;
        /* The member's alert names the refusal; without one, a connection that
         * died before any answer, right after the member asked for a client
         * certificate in this very handshake, is that refusal too (TLS 1.3: the
         * member checks the certificate after the handshake, and its alert
         * races with our request, so we see a reset as often as the alert). */
        if (has(e, "certificate required") || has(e, "alert bad certificate") ||
            has(e, "alert unknown ca") || has(e, "alert certificate expired") ||
            has(e, "alert certificate unknown") || has(e, "alert access denied") ||
            d->cert_requested)
            why = tls_client_cert_reason(d);
        else if (has(e, "wrong version number") || has(e, "packet length too long") ||
                 has(e, "unknown protocol") || has(e, "record layer failure"))
            why = "TLS: the member does not speak TLS here (plain http?)";
        else if (has(e, "alert protocol version") || has(e, "unsupported protocol"))
            why = "TLS: no protocol version in common with the member";
        else if (d->result == CURLE_SSL_CONNECT_ERROR) {
            snprintf(buf, len, "TLS: handshake failed (%s)", e);
            return buf;
        } else {
            return NULL;                         /* a plain reset or timeout */
        }
        break;
    case CURLE_SSL_CERTPROBLEM:
        snprintf(buf, len, "TLS: cannot use our client certificate (%s)", e);
        return buf;
    case CURLE_SSL_CACERT_BADFILE:
        snprintf(buf, len, "TLS: cannot read the CA file (%s)", e);
        return buf;
    case CURLE_SSL_CIPHER:
        why = "TLS: no cipher in common with the member";
        break;
    default:
        return NULL;
    }
    snprintf(buf, len, "%s", why);
    return buf;
}

/* Name a transport failure the way an operator thinks of it. */
static const char *http_reason(CURLcode c)
{
    switch (c) {
    case CURLE_COULDNT_CONNECT:       return "connection refused";
    case CURLE_OPERATION_TIMEDOUT:    return "timeout";
    case CURLE_COULDNT_RESOLVE_HOST:  return "cannot resolve host";
    case CURLE_FILESIZE_EXCEEDED:
    case CURLE_WRITE_ERROR:           return "body over the size cap";
    case CURLE_GOT_NOTHING:           return "empty reply";
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:            return "connection reset";
    case CURLE_UNSUPPORTED_PROTOCOL:  return "unsupported protocol";
    default:                          return curl_easy_strerror(c);
    }
}

const char *http_req_error(const http_req_t *r, char *buf, size_t len)
{
    if (r->result != CURLE_OK) {
        http_tls_diag_t d = { .result = r->result, .verify_result = r->verify_result,
                              .errbuf = r->errbuf, .https = r->https,
                              .client_cert = r->client_cert,
                              .cert_requested = r->cert_requested,
                              .got_response = r->status > 0 };
        if (r->result == CURLE_WRITE_ERROR && r->body.overflow)
            snprintf(buf, len, "body over the %zu-byte cap", r->body.max);
        else if (r->result == CURLE_FILESIZE_EXCEEDED)
            snprintf(buf, len, "body over the %zu-byte cap", r->body.max);
        else if (r->result == CURLE_OPERATION_TIMEDOUT)
            snprintf(buf, len, "timeout after %.1fs", r->total_s);
        else if (!http_tls_reason(&d, buf, len))
            snprintf(buf, len, "%s", http_reason(r->result));
    } else if (r->status < 200 || r->status > 299) {
        snprintf(buf, len, "HTTP %ld", r->status);
    } else {
        if (len)
            buf[0] = '\0';
    }
    return buf;
}
