/* notify_retry.c — the retry policy of every channel (pure): connection
 * errors, timeouts and 5xx are retried with exponential backoff and jitter,
 * 429 after its Retry-After, other 4xx never. For SMTP, 4xx replies are
 * temporary (retried) and 5xx permanent. */
#include "notify_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BACKOFF_BASE_S 1.0
#define BACKOFF_CAP_S  60.0
#define RETRY_AFTER_CAP_S 3600.0

static bool transient_curl(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_AGAIN:
        return true;
    default:
        return false;
    }
}

notify_verdict_t notify_verdict(bool smtp, CURLcode rc, long status)
{
    if (smtp) {
        if (rc == CURLE_OK)
            return NV_OK;
        if (rc == CURLE_LOGIN_DENIED || rc == CURLE_USE_SSL_FAILED ||
            rc == CURLE_PEER_FAILED_VERIFICATION)
            return NV_FAIL;
        if (status >= 500)
            return NV_FAIL;           /* permanent SMTP reply */
        if (status >= 400)
            return NV_RETRY;          /* temporary SMTP reply */
        return transient_curl(rc) || rc == CURLE_SEND_FAIL_REWIND ? NV_RETRY : NV_FAIL;
    }
    if (rc != CURLE_OK)
        return transient_curl(rc) ? NV_RETRY : NV_FAIL;
    if (status >= 200 && status < 300)
        return NV_OK;
    if (status == 429 || status == 408 || status >= 500)
        return NV_RETRY;
    return NV_FAIL;
}

double notify_backoff_s(int tries, double u)
{
    if (tries < 1)
        tries = 1;
    double d = BACKOFF_BASE_S * ldexp(1.0, tries > 16 ? 16 : tries - 1);
    if (d > BACKOFF_CAP_S)
        d = BACKOFF_CAP_S;
    if (u < 0) u = 0;
    if (u >= 1) u = 0.999;
    return d * (0.5 + u);
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" (IMF-fixdate) as epoch seconds; -1 if not one. */
static double http_date(const char *v)
{
    static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    char m[4] = "";
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int day, year, hh, mm, ss, used = 0;
    const char *comma = strchr(v, ',');
    if (!comma)
        return -1;
    if (sscanf(comma + 1, " %2d %3s %4d %2d:%2d:%2d GMT%n", &day, m, &year, &hh, &mm, &ss,
               &used) != 6 || used == 0)
        return -1;
    int mi = -1;
    for (int i = 0; i < 12; i++)
        if (strcmp(m, mon[i]) == 0)
            mi = i;
    if (mi < 0)
        return -1;
    tm.tm_mday = day;
    tm.tm_mon = mi;
    tm.tm_year = year - 1900;
    tm.tm_hour = hh;
    tm.tm_min = mm;
    tm.tm_sec = ss;
    time_t t = timegm(&tm);
    return t == (time_t)-1 ? -1 : (double)t;
}

double notify_retry_after_s(const char *value, double now_wall)
{
    if (!value)
        return -1;
    while (*value == ' ' || *value == '\t')
        value++;
    if (!*value)
        return -1;
    double s;
    if (isdigit((unsigned char)*value)) {
        char *end;
        s = strtod(value, &end);
        while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
            end++;
        if (*end)
            return -1;
    } else {
        double t = http_date(value);
        if (t < 0)
            return -1;
        s = t - now_wall;
        if (s < 0)
            s = 0;
    }
    return s > RETRY_AFTER_CAP_S ? RETRY_AFTER_CAP_S : s;
}
