/* format.c — fixed-width human formatting of numbers (see format.h). */
#include "format.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MICRO_UTF8 "\xc2\xb5"   /* U+00B5 MICRO SIGN */
#define DASH_UTF8  "\xe2\x80\x94" /* U+2014 EM DASH */

int format_cells(const char *s)
{
    int n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* Copy s into out when it fits; the one exit of every formatter. */
static int emit(char *out, size_t size, const char *s)
{
    size_t len = strlen(s);
    if (size == 0)
        return -1;
    if (len + 1 > size) {
        out[0] = '\0';
        return -1;
    }
    memcpy(out, s, len + 1);
    return format_cells(s);
}

int format_unknown(char *out, size_t size, unsigned flags)
{
    return emit(out, size, (flags & FORMAT_UTF8) ? DASH_UTF8 : "-");
}

static bool known(double v, bool valid)
{
    return valid && isfinite(v);
}

static double round_to(double v, int decimals)
{
    double p = decimals == 2 ? 100.0 : decimals == 1 ? 10.0 : 1.0;
    return round(v * p) / p;
}

/* Decimals that show v (>= 0) with three significant digits after rounding:
 * 2 below 10, 1 below 100, else 0. *r gets v rounded to that many decimals. */
static int sig3(double v, double *r)
{
    double r2 = round_to(v, 2);
    if (r2 < 10.0) {
        *r = r2;
        return 2;
    }
    double r1 = round_to(v, 1);
    if (r1 < 100.0) {
        *r = r1;
        return 1;
    }
    *r = round(v);
    return 0;
}

int format_bytes(char *out, size_t size, double bytes, bool valid, unsigned flags)
{
    static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB",
                                        "PiB", "EiB", "ZiB", "YiB" };
    const int last = (int)(sizeof unit / sizeof unit[0]) - 1;
    char tmp[64];

    if (!known(bytes, valid))
        return format_unknown(out, size, flags);
    double v = fabs(bytes);
    const char *sign = (bytes < 0 && round(v) != 0.0) ? "-" : ""; /* no "-0 B" */
    int u = 0;
    while (v >= 1024.0 && u < last) {
        v /= 1024.0;
        u++;
    }
    if (u == 0) {
        double r = round(v);
        if (r < 1024.0) {
            snprintf(tmp, sizeof tmp, "%s%.0f B", sign, r);
            return emit(out, size, tmp);
        }
        v /= 1024.0; /* 1023.5 .. 1024 B rounds up into KiB */
        u = 1;
    }
    double r;
    int dec = sig3(v, &r);
    if (r >= 1024.0 && u < last) {
        v /= 1024.0;
        u++;
        dec = sig3(v, &r);
    }
    if (u == last && r >= 1024.0)
        snprintf(tmp, sizeof tmp, "%s999 %s", *sign ? "<-" : ">", unit[last]);
    else
        snprintf(tmp, sizeof tmp, "%s%.*f %s", sign, dec, r, unit[u]);
    return emit(out, size, tmp);
}

/* Durations of one second and more, whole units: "3m05s", "2h10m", "4d03h". */
static void duration_long(char *tmp, size_t n, const char *sign, double s)
{
    double secs = round(s);
    if (secs < 3600.0) {
        int t = (int)secs;
        snprintf(tmp, n, "%s%dm%02ds", sign, t / 60, t % 60);
        return;
    }
    double mins = round(s / 60.0);
    if (mins < 1440.0) {
        int t = (int)mins;
        snprintf(tmp, n, "%s%dh%02dm", sign, t / 60, t % 60);
        return;
    }
    double hours = round(s / 3600.0);
    if (hours < 100.0 * 24.0) {
        int t = (int)hours;
        snprintf(tmp, n, "%s%dd%02dh", sign, t / 24, t % 24);
        return;
    }
    double days = round(s / 86400.0);
    if (days < 100000.0)
        snprintf(tmp, n, "%s%.0fd", sign, days);
    else
        snprintf(tmp, n, "%s99999d", *sign ? "<-" : ">");
}

int format_duration(char *out, size_t size, double seconds, bool valid, unsigned flags)
{
    const char *us = (flags & FORMAT_UTF8) ? MICRO_UTF8 "s" : "us";
    char tmp[64];

    if (!known(seconds, valid))
        return format_unknown(out, size, flags);
    if (seconds == 0.0)
        return emit(out, size, "0s");
    const char *sign = seconds < 0 ? "-" : "";
    double s = fabs(seconds);
    double r;
    int dec;

    if (s < 0.5e-6) {
        snprintf(tmp, sizeof tmp, "<1%s", us);
        return emit(out, size, tmp);
    }
    if (round(s * 1e6) < 1000.0) {
        snprintf(tmp, sizeof tmp, "%s%.0f%s", sign, round(s * 1e6), us);
        return emit(out, size, tmp);
    }
    dec = sig3(s * 1e3, &r);
    if (r < 1000.0) {
        snprintf(tmp, sizeof tmp, "%s%.*fms", sign, dec, r);
        return emit(out, size, tmp);
    }
    r = round_to(s, 2);
    if (r < 10.0) {
        snprintf(tmp, sizeof tmp, "%s%.2fs", sign, r);
        return emit(out, size, tmp);
    }
    r = round_to(s, 1);
    if (r < 60.0) {
        snprintf(tmp, sizeof tmp, "%s%.1fs", sign, r);
        return emit(out, size, tmp);
    }
    duration_long(tmp, sizeof tmp, sign, s);
    return emit(out, size, tmp);
}

int format_latency_ms(char *out, size_t size, double ms, bool valid, unsigned flags)
{
    char tmp[64];

    if (!known(ms, valid))
        return format_unknown(out, size, flags);
    if (ms == 0.0)
        return emit(out, size, "0.00ms");
    const char *sign = ms < 0 ? "-" : "";
    double v = fabs(ms);
    if (v < 0.005)
        return emit(out, size, "<0.01ms");
    double r;
    int dec = sig3(v, &r);
    if (r >= 1000.0)
        return format_duration(out, size, ms / 1000.0, true, flags);
    snprintf(tmp, sizeof tmp, "%s%.*fms", sign, dec, r);
    return emit(out, size, tmp);
}

int format_percent(char *out, size_t size, double percent, bool valid, unsigned flags)
{
    char tmp[64];

    if (!known(percent, valid))
        return format_unknown(out, size, flags);
    double r = round_to(percent, 1);
    if (r >= 9999.5)
        snprintf(tmp, sizeof tmp, ">9999%%");
    else if (r <= -999.5)
        snprintf(tmp, sizeof tmp, "<-999%%");
    else if (fabs(r) < 100.0)
        snprintf(tmp, sizeof tmp, "%.1f%%", r == 0.0 ? 0.0 : r); /* no "-0.0%" */
    else
        snprintf(tmp, sizeof tmp, "%.0f%%", round(percent));
    return emit(out, size, tmp);
}

/* A non-negative number with k/M/G/T/P/E suffixes and three significant digits
 * from 1000 on; below 1000 with min_dec = 1 it keeps one decimal under 10
 * ("1.2", "3" when the decimal is 0), with min_dec = 0 it is a whole number. */
static void short_number(char *tmp, size_t n, const char *sign, double v, int min_dec)
{
    static const char suffix[] = "kMGTPE";
    if (min_dec == 1 && round_to(v, 1) < 10.0) {
        double r = round_to(v, 1);
        if (r == floor(r))
            snprintf(tmp, n, "%s%.0f", sign, r);
        else
            snprintf(tmp, n, "%s%.1f", sign, r);
        return;
    }
    if (round(v) < 1000.0) {
        snprintf(tmp, n, "%s%.0f", sign, round(v));
        return;
    }
    const int last = (int)sizeof suffix - 2;
    int k = 0;
    v /= 1000.0;
    while (v >= 1000.0 && k < last) {
        v /= 1000.0;
        k++;
    }
    double r;
    int dec = sig3(v, &r);
    if (r >= 1000.0 && k < last) {
        v /= 1000.0;
        k++;
        dec = sig3(v, &r);
    }
    if (r >= 1000.0)
        snprintf(tmp, n, "%s999%c", *sign ? "<-" : ">", suffix[k]);
    else
        snprintf(tmp, n, "%s%.*f%c", sign, dec, r, suffix[k]);
}

int format_rate(char *out, size_t size, double per_second, bool valid, unsigned flags)
{
    char num[48], tmp[64];

    if (!known(per_second, valid))
        return format_unknown(out, size, flags);
    if (per_second == 0.0)
        return emit(out, size, "0/s");
    const char *sign = per_second < 0 ? "-" : "";
    double v = fabs(per_second);
    const char *unit = "/s";
    if (v < 1.0) {
        v *= 60.0;
        unit = "/m";
        if (v < 1.0) {
            v *= 60.0;
            unit = "/h";
        }
    }
    if (v < 0.05)
        return emit(out, size, "<0.1/h"); /* magnitude only, like "<1µs" */
    short_number(num, sizeof num, sign, v, 1);
    snprintf(tmp, sizeof tmp, "%s%s", num, unit);
    return emit(out, size, tmp);
}

int format_count(char *out, size_t size, double count, bool valid, unsigned flags)
{
    char tmp[64];

    if (!known(count, valid))
        return format_unknown(out, size, flags);
    double v = fabs(count);
    const char *sign = (count < 0 && round(v) != 0.0) ? "-" : "";
    short_number(tmp, sizeof tmp, sign, v, 0);
    return emit(out, size, tmp);
}

/* Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's
 * civil_from_days). */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int format_timestamp(char *out, size_t size, double epoch, bool valid, unsigned flags)
{
    /* 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z */
    const double lo = -62167219200.0, hi = 253402300800.0;
    char tmp[64];

    if (!known(epoch, valid))
        return format_unknown(out, size, flags);
    double total = round(epoch * 1000.0);
    if (total < lo * 1000.0 || total >= hi * 1000.0)
        return format_unknown(out, size, flags);
    int64_t ms = (int64_t)total;
    int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int milli = (int)(ms - secs * 1000);
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int sod = (int)(secs - days * 86400);
    int64_t y;
    int mo, d;
    civil_from_days(days, &y, &mo, &d);
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (int)y, mo, d,
             sod / 3600, sod / 60 % 60, sod % 60, milli);
    return emit(out, size, tmp);
}
