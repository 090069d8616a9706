/* options_ops.c — the setters of the operator actions' flags (snapshot,
 * disk-test, benchmark, maintenance; config_t.ops). */
#include "config.h"
#include "config_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* A whole number within lo..hi; range says it in words. */
static int ops_int(const char *v, long long lo, long long hi, const char *range, long long *out,
                   char *why, size_t whylen)
{
    uint64_t n;
    option_num_t st = option_parse_u64(v, &n);
    if (st == NUM_BAD) {
        snprintf(why, whylen, "is not a whole number");
        return SET_BAD;
    }
    if (st == NUM_RANGE || n < (uint64_t)lo || n > (uint64_t)hi) {
        snprintf(why, whylen, "is out of range (%s)", range);
        return SET_BAD;
    }
    *out = (long long)n;
    return SET_OK;
}

/* A size in bytes with an optional k, m or g suffix (KiB, MiB, GiB). */
static int ops_size(const char *v, long long lo, long long hi, const char *range,
                    long long *out, char *why, size_t whylen)
{
    char digits[32];
    size_t len = strlen(v);
    uint64_t mult = 1, n;
    if (len > 0 && strchr("kKmMgG", v[len - 1])) {
        int s = toupper((unsigned char)v[len - 1]);
        mult = s == 'K' ? 1024u : s == 'M' ? 1024u * 1024 : 1024u * 1024 * 1024;
        len--;
    }
    if (len == 0 || len >= sizeof digits) {
        snprintf(why, whylen, "is not a size (e.g. 22m)");
        return SET_BAD;
    }
    memcpy(digits, v, len);
    digits[len] = '\0';
    option_num_t st = option_parse_u64(digits, &n);
    if (st == NUM_BAD) {
        snprintf(why, whylen, "is not a size (e.g. 22m)");
        return SET_BAD;
    }
    if (st == NUM_RANGE || n > (uint64_t)hi / mult || n * mult < (uint64_t)lo) {
        snprintf(why, whylen, "is out of range (%s)", range);
        return SET_BAD;
    }
    *out = (long long)(n * mult);
    return SET_OK;
}

#define SWITCH(fn, field)                                                        \
    int fn(config_t *cfg, const char *v, char *why, size_t whylen)               \
    {                                                                            \
        return option_parse_bool(v, &cfg->ops.field, why, whylen) ? SET_BAD : SET_OK; \
    }
SWITCH(option_set_yes, yes)
SWITCH(option_set_run_benchmark, run_benchmark)
SWITCH(option_set_keep, keep)
SWITCH(option_set_check, check)
SWITCH(option_set_cluster, cluster)
SWITCH(option_set_force, force)
SWITCH(option_set_dry_run, dry_run)
SWITCH(option_set_physical, physical)
SWITCH(option_set_prefix, prefix)
#undef SWITCH

#define WHOLE(fn, expr, lo, hi, range)                                           \
    int fn(config_t *cfg, const char *v, char *why, size_t whylen)               \
    {                                                                            \
        long long n;                                                             \
        if (ops_int(v, lo, hi, range, &n, why, whylen))                          \
            return SET_BAD;                                                      \
        expr;                                                                    \
        return SET_OK;                                                           \
    }
WHOLE(option_set_bench_ops, cfg->ops.bench_ops = (long)n, 1, 100000000, "1 to 100000000")
WHOLE(option_set_clients, cfg->ops.clients = (int)n, 1, 1000, "1 to 1000")
WHOLE(option_set_conns, cfg->ops.conns = (int)n, 1, 1000, "1 to 1000")
WHOLE(option_set_key_space, cfg->ops.key_space = (long)n, 1, 100000000, "1 to 100000000")
WHOLE(option_set_revision, cfg->ops.revision = n, 1, INT64_MAX, "1 or more")
WHOLE(option_set_retain, cfg->ops.retain = n, 1, INT64_MAX, "1 or more")
WHOLE(option_set_limit, cfg->ops.limit = (long)n, 0, 100000000, "0 to 100000000")
#undef WHOLE

int option_set_key_size(config_t *cfg, const char *v, char *why, size_t whylen)
{
    long long n;
    if (ops_size(v, 1, 1024, "1 to 1K", &n, why, whylen))
        return SET_BAD;
    cfg->ops.key_size = (int)n;
    return SET_OK;
}

int option_set_value_size(config_t *cfg, const char *v, char *why, size_t whylen)
{
    long long n;
    if (ops_size(v, 0, 1024 * 1024, "0 to 1M", &n, why, whylen))
        return SET_BAD;
    cfg->ops.value_size = (int)n;
    return SET_OK;
}

int option_set_bench_type(config_t *cfg, const char *v, char *why, size_t whylen)
{
    if (strcmp(v, "write") == 0)
        cfg->ops.bench_type = BENCH_WRITE;
    else if (strcmp(v, "read") == 0)
        cfg->ops.bench_type = BENCH_READ;
    else if (strcmp(v, "mixed") == 0)
        cfg->ops.bench_type = BENCH_MIXED;
    else {
        snprintf(why, whylen, "is not a benchmark type (write, read or mixed)");
        return SET_BAD;
    }
    return SET_OK;
}

int option_set_rate(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_number_in_range(v, 0, false, 1e7, "0 to 10000000 ops/s", &cfg->ops.rate,
                                  why, whylen) ? SET_BAD : SET_OK;
}

int option_set_read_ratio(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_number_in_range(v, 0, false, 1, "0 to 1", &cfg->ops.read_ratio, why,
                                  whylen) ? SET_BAD : SET_OK;
}

int option_set_directory(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_store_string(&cfg->ops.directory, v, why, whylen) ? SET_BAD : SET_OK;
}

int option_set_dump_at(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_store_string(&cfg->ops.dump_at, v, why, whylen) ? SET_BAD : SET_OK;
}

int option_set_dt_size(config_t *cfg, const char *v, char *why, size_t whylen)
{
    long long n;
    if (ops_size(v, 4096, 64LL << 30, "4K to 64G", &n, why, whylen))
        return SET_BAD;
    cfg->ops.dt_size = n;
    return SET_OK;
}

int option_set_dt_block(config_t *cfg, const char *v, char *why, size_t whylen)
{
    long long n;
    if (ops_size(v, 1, 64 << 20, "1 to 64M", &n, why, whylen))
        return SET_BAD;
    cfg->ops.dt_block = (int)n;
    return SET_OK;
}
