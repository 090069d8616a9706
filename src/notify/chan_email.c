/* chan_email.c — mail through libcurl's SMTP on the loop's multi handle: one
 * plain-text mail per group to every `to` address. smtp_tls: starttls (the
 * default; required, never optional), tls (implicit, the default on port 465)
 * or none (only without a password: config_alerts.c refuses the pair). A
 * password never crosses an unencrypted connection: with starttls libcurl must
 * upgrade before AUTH or the mail fails with a clear reason. Header values are
 * cleaned of CR/LF/controls; the subject is capped. */
#include "notify_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAIL_MAX (64 * 1024)

typedef struct {
    char url[320];                   /* smtp://host:port or smtps://host:port */
    int  tls;                        /* smtp_tls_t in effect */
    char password[256];              /* "" = no AUTH; wiped at close */
} mail_t;

static int mail_tls(const config_channel_t *cfg)
{
    if (cfg->smtp_tls >= 0)
        return cfg->smtp_tls;
    return cfg->smtp_port == 465 ? SMTP_TLS_TLS : SMTP_TLS_STARTTLS;
}

static int mail_open(notify_chan_t *c, char *err, size_t errlen)
{
    const config_channel_t *cfg = c->cfg;
    mail_t *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "alerts: out of memory");
        return -1;
    }
    m->tls = mail_tls(cfg);
    int port = cfg->smtp_port ? cfg->smtp_port : m->tls == SMTP_TLS_TLS ? 465 : 587;
    snprintf(m->url, sizeof m->url, "%s://%s:%d", m->tls == SMTP_TLS_TLS ? "smtps" : "smtp",
             cfg->smtp_server, port);
    if (cfg->password_file) {
        FILE *f = fopen(cfg->password_file, "r");
        if (!f || !fgets(m->password, sizeof m->password, f)) {
            snprintf(err, errlen, "alerts: email password_file cannot be read: %s",
                     f ? "empty" : strerror(errno));
            if (f)
                fclose(f);
            explicit_bzero(m, sizeof *m);
            free(m);
            return -1;
        }
        fclose(f);
        m->password[strcspn(m->password, "\r\n")] = '\0';
    } else if (cfg->password) {
        snprintf(m->password, sizeof m->password, "%s", cfg->password);
    }
    if (m->password[0] && m->tls == SMTP_TLS_NONE) {
        explicit_bzero(m, sizeof *m);
        free(m);
        snprintf(err, errlen, "alerts: email: refusing to send a password without TLS "
                 "(smtp_tls: none)");
        return -1;
    }
    c->priv = m;
    snprintf(c->st.label, sizeof c->st.label, "%s%semail (%s:%d)",
             cfg->name ? cfg->name : "", cfg->name ? ": " : "", cfg->smtp_server, port);
    return 0;
}

/* Append to the mail; false when it is full. */
static bool put(char *buf, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool put(char *buf, size_t *used, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *used, MAIL_MAX - *used, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= MAIL_MAX - *used)
        return false;
    *used += (size_t)n;
    return true;
}

/* text with LF line ends as CRLF lines. */
static bool put_lines(char *buf, size_t *used, const char *text)
{
    while (*text) {
        size_t n = strcspn(text, "\n");
        char clean[1000];
        char part[1000];
        snprintf(part, sizeof part, "%.*s", (int)(n < 998 ? n : 998), text);
        notify_clean(part, clean, sizeof clean);
        if (!put(buf, used, "%s\r\n", clean))
            return false;
        text += n + (text[n] == '\n');
    }
    return true;
}

static char *mail_text(const notify_chan_t *c, const notify_event_t *ev, int n, long suppressed,
                       double now_wall)
{
    const config_channel_t *cfg = c->cfg;
    char *buf = malloc(MAIL_MAX);
    if (!buf)
        return NULL;
    size_t used = 0;
    char date[64], subject[400], title[300], clean[NOTIFY_SUBJECT_MAX + 1];
    time_t now = (time_t)now_wall;
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    notify_fmt_title(&ev[0], title, sizeof title);
    if (n > 1)
        snprintf(subject, sizeof subject, "[etcd-monitor] %s: %s (+%d more)",
                 notify_kind_name(ev[0].kind), title, n - 1);
    else
        snprintf(subject, sizeof subject, "[etcd-monitor] %s: %s", notify_kind_name(ev[0].kind),
                 title);
    notify_clean(subject, clean, sizeof clean);
    bool ok = put(buf, &used, "Date: %s\r\nFrom: <%s>\r\nTo: ", date, cfg->from);
    for (int i = 0; ok && i < cfg->n_to; i++)
        ok = put(buf, &used, "%s<%s>", i ? ", " : "", cfg->to[i]);
    ok = ok && put(buf, &used, "\r\nSubject: %s\r\nMessage-ID: <%ld.%d@etcd-monitor>\r\n"
                   "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                   "Content-Transfer-Encoding: 8bit\r\nX-Mailer: etcd-monitor\r\n\r\n",
                   clean, (long)now, rand());
    for (int i = 0; ok && i < n; i++) {
        char details[2400];
        notify_fmt_title(&ev[i], title, sizeof title);
        notify_fmt_details(&ev[i], details, sizeof details);
        ok = put(buf, &used, "%s: ", notify_kind_name(ev[i].kind)) &&
             put_lines(buf, &used, title) && put_lines(buf, &used, details) &&
             put(buf, &used, "\r\n");
    }
    if (ok && suppressed > 0)
        ok = put(buf, &used, "%ld more suppressed by the rate limit.\r\n", suppressed);
    if (!ok)
        snprintf(buf + (used < MAIL_MAX - 40 ? used : MAIL_MAX - 40), 40, "\r\n(truncated)\r\n");
    return buf;
}

static void mail_build(notify_chan_t *c, const notify_event_t *ev, int n, long suppressed,
                       double now_wall)
{
    const mail_t *m = c->priv;
    notify_req_t *r = notify_req_new(m->url, mail_text(c, ev, n, suppressed, now_wall));
    if (r) {
        r->smtp = true;
        for (int i = 0; i < c->cfg->n_to; i++) {
            char addr[300];
            snprintf(addr, sizeof addr, "<%s>", c->cfg->to[i]);
            struct curl_slist *l = curl_slist_append(r->rcpt, addr);
            if (!l) {
                notify_req_free(r);
                r = NULL;
                break;
            }
            r->rcpt = l;
        }
    }
    if (r)
        notify_req_describe(r, ev, n);
    notify_chan_push(c, r);
}

static void mail_setup(notify_chan_t *c, CURL *e, const notify_req_t *r)
{
    const mail_t *m = c->priv;
    (void)r;
    char from[300];
    snprintf(from, sizeof from, "<%s>", c->cfg->from);
    curl_easy_setopt(e, CURLOPT_MAIL_FROM, from);       /* copied by libcurl */
    curl_easy_setopt(e, CURLOPT_USE_SSL, m->tls == SMTP_TLS_NONE ? (long)CURLUSESSL_NONE
                                                                 : (long)CURLUSESSL_ALL);
    if (m->password[0]) {
        curl_easy_setopt(e, CURLOPT_USERNAME, c->cfg->username);
        curl_easy_setopt(e, CURLOPT_PASSWORD, m->password);
    }
}

static const char *mail_explain(notify_chan_t *c, CURLcode rc, long status)
{
    const mail_t *m = c->priv;
    (void)status;
    if (rc == CURLE_USE_SSL_FAILED)
        return m->password[0] ? "the server does not offer STARTTLS: the password is not sent "
                                "over an unencrypted connection"
                              : "the server does not offer STARTTLS (smtp_tls: none allows "
                                "plain SMTP)";
    if (rc == CURLE_LOGIN_DENIED)
        return "the SMTP server refused the login (check username and password)";
    return NULL;
}

static void mail_close(notify_chan_t *c)
{
    if (c->priv)
        explicit_bzero(c->priv, sizeof(mail_t));
    free(c->priv);
    c->priv = NULL;
}

const chan_ops_t chan_email_ops = {
    .type = "email",
    .open = mail_open,
    .build = mail_build,
    .setup = mail_setup,
    .explain = mail_explain,
    .close = mail_close,
};
