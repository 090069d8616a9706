/* options_sched.c — the setters of the schedules that monitor and serve run
 * beside polling: scheduled backups (backup:, --backup-*) and the scheduled
 * benchmark (benchmark:). */
#include "config.h"
#include "config_internal.h"

#include <stdio.h>

#define MONTH_MS (30 * OPTION_DAY_MS)

int option_set_backup_dir(config_t *cfg, const char *v, char *why, size_t whylen)
{
    if (!*v) {
        snprintf(why, whylen, "is empty");
        return SET_BAD;
    }
    return option_store_string(&cfg->ops.backup_dir, v, why, whylen) ? SET_BAD : SET_OK;
}

int option_set_backup_interval(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_duration_in_range(v, 1000, 1000, MONTH_MS, "1s to 30 days",
                                    &cfg->ops.backup_interval_ms, why, whylen);
}

int option_set_bench_interval(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_duration_in_range(v, 1000, 1000, MONTH_MS, "1s to 30 days",
                                    &cfg->ops.bench_interval_ms, why, whylen);
}

/* A whole number within lo..hi. */
static int sched_whole(const char *v, uint64_t lo, uint64_t hi, const char *range, uint64_t *out,
                       char *why, size_t whylen)
{
    option_num_t st = option_parse_u64(v, out);
    if (st == NUM_BAD) {
        snprintf(why, whylen, "is not a whole number");
        return SET_BAD;
    }
    if (st == NUM_RANGE || *out < lo || *out > hi) {
        snprintf(why, whylen, "is out of range (%s)", range);
        return SET_BAD;
    }
    return SET_OK;
}

int option_set_backup_keep(config_t *cfg, const char *v, char *why, size_t whylen)
{
    uint64_t n;
    if (sched_whole(v, 1, 1000, "1 to 1000", &n, why, whylen))
        return SET_BAD;
    cfg->ops.backup_keep = (int)n;
    return SET_OK;
}

int option_set_bench_sched_ops(config_t *cfg, const char *v, char *why, size_t whylen)
{
    uint64_t n;
    if (sched_whole(v, 1, 100000, "1 to 100000", &n, why, whylen))
        return SET_BAD;
    cfg->ops.bench_sched_ops = (long)n;
    return SET_OK;
}

int option_set_bench_enabled(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_parse_bool(v, &cfg->ops.bench_enabled, why, whylen) ? SET_BAD : SET_OK;
}
