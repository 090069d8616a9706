/* format.h — fixed-width human formatting of numbers into caller buffers (pure).
 *
 * Every formatter takes the value, a validity flag and FORMAT_* flags. When the
 * value is not valid (valid == false, NAN or ±Inf) the output is the unknown
 * marker: "—" with FORMAT_UTF8, "-" without — never "0".
 *
 * Every formatter writes a NUL-terminated string into out (size bytes) and
 * returns the number of terminal cells it takes, or -1 when size is too small
 * (out is then "" when size > 0). FORMAT_BUF bytes are always enough.
 *
 * Widths (cells, sign included): bytes <= 9, duration <= 8, latency <= 8,
 * percent <= 6, rate <= 8, count <= 6, timestamp 24 (or 1 when unknown). */
#ifndef EM_FORMAT_H
#define EM_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#define FORMAT_BUF 32          /* enough for any formatter below, NUL included */
#define FORMAT_UTF8 1u         /* flags: UTF-8 output ("—", "µs"); else ASCII */

#define FORMAT_BYTES_WIDTH     9
#define FORMAT_DURATION_WIDTH  8
#define FORMAT_LATENCY_WIDTH   8
#define FORMAT_PERCENT_WIDTH   6
#define FORMAT_RATE_WIDTH      8
#define FORMAT_COUNT_WIDTH     6
#define FORMAT_TIMESTAMP_WIDTH 24

/* The unknown marker alone: "—" (UTF-8) or "-". */
int format_unknown(char *out, size_t size, unsigned flags);

/* IEC sizes with three significant digits: "512 B", "1.50 KiB", "20.0 MiB",
 * "8.00 GiB", "1023 KiB". Negative values keep their sign. */
int format_bytes(char *out, size_t size, double bytes, bool valid, unsigned flags);

/* A duration in seconds: "850µs" ("850us" in ASCII), "12.3ms", "1.20s", "12.3s",
 * "3m05s", "2h10m", "4d03h", "365d"; "0s" for zero, "<1µs" for any magnitude
 * below half a microsecond. */
int format_duration(char *out, size_t size, double seconds, bool valid, unsigned flags);

/* A latency given in milliseconds: "0.42ms", "12.3ms", "850ms", "<0.01ms";
 * from one second up it is shown as a duration ("1.20s"). */
int format_latency_ms(char *out, size_t size, double ms, bool valid, unsigned flags);

/* A percentage given as 0..100: "37.5%", "0.0%", "100%", "250%". */
int format_percent(char *out, size_t size, double percent, bool valid, unsigned flags);

/* An event rate given per second, in the largest of /s, /m, /h that reads >= 1:
 * "1.2/s", "45/s", "1.23k/s", "3/m", "3/h", "0.5/h", "0/s", "<0.1/h" (any
 * magnitude below 0.05/h, either sign). */
int format_rate(char *out, size_t size, double per_second, bool valid, unsigned flags);

/* A count rounded to a whole number, with k/M/G/T/P/E suffixes from 1000 on:
 * "999", "1.23k", "12.3k", "123k", "4.56M". */
int format_count(char *out, size_t size, double count, bool valid, unsigned flags);

/* RFC 3339 UTC with milliseconds from seconds since the epoch:
 * "2026-11-23T14:05:09.123Z" (rounded to the nearest millisecond). Times
 * outside years 0000..9999 are shown as unknown. */
int format_timestamp(char *out, size_t size, double epoch, bool valid, unsigned flags);

/* Terminal cells taken by a UTF-8 string made by these formatters (or by the
 * sparkline module): one per code point. */
int format_cells(const char *s);

#endif
