/* notify_xfer.c — one attempt of a channel's message on the loop's shared
 * multi handle: a JSON POST (HTTP) or a mail upload (SMTP), with the
 * channel's timeout and CA file, the response body discarded (capped) and
 * Retry-After kept. The channel handles the end (notify_channel.c). */
#include "notify_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define CONNECT_TIMEOUT_MS 10000L

static size_t xfer_discard(char *p, size_t size, size_t nmemb, void *userp)
{
    (void)p;
    (void)userp;
    return size * nmemb;
}

/* Keep Retry-After (seconds or a date) of the response. */
static size_t xfer_header(char *p, size_t size, size_t nmemb, void *userp)
{
    notify_chan_t *c = userp;
    size_t n = size * nmemb;
    static const char name[] = "retry-after:";
    if (n > sizeof name - 1 && n < 200 && strncasecmp(p, name, sizeof name - 1) == 0) {
        char v[200];
        memcpy(v, p + sizeof name - 1, n - (sizeof name - 1));
        v[n - (sizeof name - 1)] = '\0';
        v[strcspn(v, "\r\n")] = '\0';
        c->retry_after = notify_retry_after_s(v, (double)time(NULL));
    }
    return n;
}

/* The mail, for libcurl's SMTP upload. */
static size_t xfer_read(char *buf, size_t size, size_t nmemb, void *userp)
{
    notify_chan_t *c = userp;
    size_t room = size * nmemb, left = c->cur->len - c->up_off;
    size_t n = left < room ? left : room;
    memcpy(buf, c->cur->body + c->up_off, n);
    c->up_off += n;
    return n;
}

static void xfer_done(loop_xfer_t *x, CURLcode result)
{
    notify_chan_t *c = (notify_chan_t *)x;
    c->active = false;
    c->finished = true;
    c->result = result;
    c->status = 0;
    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &c->status);
}

int notify_xfer_start(notify_chan_t *c, notify_req_t *r)
{
    if (!c->easy && !(c->easy = curl_easy_init())) {
        snprintf(c->errbuf, sizeof c->errbuf, "out of memory");
        return -1;
    }
    CURL *e = c->easy;
    curl_easy_reset(e);
    c->lx.done = xfer_done;
    c->errbuf[0] = '\0';
    c->retry_after = -1;
    c->up_off = 0;
    c->finished = false;
    long timeout = (long)c->cfg->timeout_ms;
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_URL, r->url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, r->smtp ? "smtp,smtps" : "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     timeout < CONNECT_TIMEOUT_MS ? timeout : CONNECT_TIMEOUT_MS);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (c->cfg->ca_file)
        curl_easy_setopt(e, CURLOPT_CAINFO, c->cfg->ca_file);
    if (r->smtp) {
        curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(e, CURLOPT_READFUNCTION, xfer_read);
        curl_easy_setopt(e, CURLOPT_READDATA, c);
        curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->len);
        curl_easy_setopt(e, CURLOPT_MAIL_RCPT, r->rcpt);
    } else {
        curl_easy_setopt(e, CURLOPT_USERAGENT, "etcd-monitor/" EM_VERSION);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->len);
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, xfer_discard);
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, xfer_header);
        curl_easy_setopt(e, CURLOPT_HEADERDATA, c);
        curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)(1 << 20));
    }
    if (c->ops->setup)
        c->ops->setup(c, e, r);
    if (loop_transfer_add(c->loop, e, &c->lx) != 0) {
        snprintf(c->errbuf, sizeof c->errbuf, "cannot start the transfer");
        return -1;
    }
    c->active = true;
    return 0;
}

void notify_xfer_abort(notify_chan_t *c)
{
    if (c->active) {
        loop_transfer_remove(c->loop, c->easy);
        c->active = false;
    }
}
