/* http_multi.c — concurrent capped HTTP requests over one libcurl multi handle. */
#include "http.h"

#include <stdio.h>
#include <string.h>

/* Append a received chunk, refusing (and so aborting the transfer) past the cap. */
static size_t http_write_cb(char *p, size_t size, size_t nmemb, void *userp)
{
    http_req_t *r = userp;
    size_t n = size * nmemb;
    if (buf_append(&r->body, p, n) != 0)
        return 0;
    return n;
}

int http_init(http_t *h)
{
    memset(h, 0, sizeof(*h));
    h->multi = curl_multi_init();
    if (!h->multi)
        return -1;
    curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, 256L);
    h->json_hdr = curl_slist_append(NULL, "Content-Type: application/json");
    return h->json_hdr ? 0 : -1;
}

void http_cleanup(http_t *h)
{
    if (h->multi)
        curl_multi_cleanup(h->multi);
    curl_slist_free_all(h->json_hdr);
    h->multi = NULL;
    h->json_hdr = NULL;
}

int http_req_init(http_req_t *r, size_t max_body, void *owner, int kind)
{
    memset(r, 0, sizeof(*r));
    buf_init(&r->body, max_body);
    r->owner = owner;
    r->kind = kind;
    r->easy = curl_easy_init();
    return r->easy ? 0 : -1;
}

void http_req_free(http_t *h, http_req_t *r)
{
    http_cancel(h, r);
    if (r->easy)
        curl_easy_cleanup(r->easy);
    r->easy = NULL;
    buf_free(&r->body);
}

/* Set the options that never change between polls of one request. */
static void http_setup(http_req_t *r, size_t max_body)
{
    CURL *e = r->easy;
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_write_cb);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(e, CURLOPT_PRIVATE, r);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_body);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "gzip");
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "etcd-monitor");
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
}

int http_start(http_t *h, http_req_t *r, const char *url, const char *post_json,
               long timeout_ms, long connect_timeout_ms)
{
    if (r->active)
        http_cancel(h, r);
    buf_reset(&r->body);
    r->status = 0;
    r->result = CURLE_OK;
    r->errbuf[0] = '\0';
    r->total_s = r->pretransfer_s = 0;
    r->new_connections = 0;
    http_setup(r, r->body.max);
    CURL *e = r->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    if (post_json) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, post_json);
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, h->json_hdr);
    } else {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
    }
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     connect_timeout_ms < timeout_ms ? connect_timeout_ms : timeout_ms);
    CURLMcode mc = curl_multi_add_handle(h->multi, e);
    if (mc != CURLM_OK) {
        snprintf(r->errbuf, sizeof(r->errbuf), "%s", curl_multi_strerror(mc));
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
    curl_multi_remove_handle(h->multi, r->easy);
    r->active = false;
    h->active--;
}

void http_perform(http_t *h, http_done_fn done, void *ctx)
{
    int running = 0;
    curl_multi_perform(h->multi, &running);
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(h->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        http_req_t *r = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
        if (!r)
            continue;
        r->result = msg->data.result;
        curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
        curl_easy_getinfo(r->easy, CURLINFO_TOTAL_TIME, &r->total_s);
        curl_easy_getinfo(r->easy, CURLINFO_PRETRANSFER_TIME, &r->pretransfer_s);
        curl_easy_getinfo(r->easy, CURLINFO_NUM_CONNECTS, &r->new_connections);
        h->connects += r->new_connections;
        h->transfers++;
        curl_multi_remove_handle(h->multi, r->easy);
        r->active = false;
        h->active--;
        if (done)
            done(r, ctx);
    }
}

int http_wait(http_t *h, struct curl_waitfd *extra, unsigned n_extra, int timeout_ms)
{
    int numfds = 0;
    if (timeout_ms < 0)
        timeout_ms = 0;
    CURLMcode mc = curl_multi_poll(h->multi, extra, n_extra, timeout_ms, &numfds);
    return mc == CURLM_OK ? numfds : -1;
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
    case CURLE_PEER_FAILED_VERIFICATION: return "TLS: certificate verification failed";
    case CURLE_SSL_CONNECT_ERROR:     return "TLS: handshake failed";
    case CURLE_SSL_CERTPROBLEM:       return "TLS: client certificate problem";
    case CURLE_SSL_CACERT_BADFILE:    return "TLS: cannot read CA file";
    default:                          return curl_easy_strerror(c);
    }
}

const char *http_req_error(const http_req_t *r, char *buf, size_t len)
{
    if (r->result != CURLE_OK) {
        if (r->result == CURLE_WRITE_ERROR && r->body.overflow)
            snprintf(buf, len, "body over the %zu-byte cap", r->body.max);
        else if (r->result == CURLE_FILESIZE_EXCEEDED)
            snprintf(buf, len, "body over the %zu-byte cap", r->body.max);
        else if (r->result == CURLE_OPERATION_TIMEDOUT)
            snprintf(buf, len, "timeout after %.1fs", r->total_s);
        else if (r->result >= CURLE_SSL_CONNECT_ERROR && r->errbuf[0] &&
                 (r->result == CURLE_PEER_FAILED_VERIFICATION ||
                  r->result == CURLE_SSL_CONNECT_ERROR ||
                  r->result == CURLE_SSL_CERTPROBLEM))
            snprintf(buf, len, "%s (%s)", http_reason(r->result), r->errbuf);
        else
            snprintf(buf, len, "%s", http_reason(r->result));
    } else if (r->status < 200 || r->status > 299) {
        snprintf(buf, len, "HTTP %ld", r->status);
    } else {
        if (len)
            buf[0] = '\0';
    }
    return buf;
}
