/* interval.c — per-member figures between two consecutive scrapes. */
#include "interval.h"

#include <math.h>
#include <string.h>
#include "histogram.h"

double interval_quantile_ms(double q, const hist_t *prev, const hist_t *cur)
{
    hist_t inc;
    if (!hist_increase(prev, cur, &inc))
        return NAN;
    double v = hist_quantile(q, &inc);
    return isnan(v) ? NAN : v * 1000.0;
}

double interval_observations(const hist_t *prev, const hist_t *cur)
{
    hist_t inc;
    if (!hist_increase(prev, cur, &inc))
        return NAN;
    return hist_observations(&inc);
}

/* Increase of a counter that both scrapes reported; unknown otherwise. */
static mval_t interval_increase(const mval_t *prev, const mval_t *cur)
{
    mval_t r = { 0, false };
    if (prev && prev->ok && cur->ok) {
        r.v = counter_increase(prev->v, cur->v);
        r.ok = true;
    }
    return r;
}

void interval_derive(const metrics_sample_t *prev, double prev_t,
                     const metrics_sample_t *cur, double cur_t,
                     const status_sample_t *st, member_interval_t *out)
{
    memset(out, 0, sizeof(*out));
    out->wal_p50_ms = out->wal_p95_ms = out->wal_p99_ms = NAN;
    out->backend_p50_ms = out->backend_p95_ms = out->backend_p99_ms = NAN;
    out->peer_rtt_p99_ms = NAN;
    out->wal_n = out->backend_n = out->peer_rtt_n = NAN;

    if (st && st->ok) {
        out->db_size = (mval_t){ (double)st->db_size, true };
        out->db_size_in_use = (mval_t){ (double)st->db_size_in_use, true };
    } else if (cur) {
        out->db_size = cur->db_size;
        out->db_size_in_use = cur->db_size_in_use;
    }
    /* etcd before 3.4 has no in-use figure: fragmentation is then unknown. */
    if (out->db_size.ok && out->db_size_in_use.ok && out->db_size.v > 0 &&
        (!(st && st->ok) || st->db_size_in_use > 0)) {
        double f = (out->db_size.v - out->db_size_in_use.v) * 100.0 / out->db_size.v;
        out->fragmentation_pct = (mval_t){ f < 0 ? 0 : f, true };
    }
    if (!cur || !prev)
        return;

    out->seconds = cur_t - prev_t;
    out->wal_p50_ms = interval_quantile_ms(0.50, &prev->wal_fsync, &cur->wal_fsync);
    out->wal_p95_ms = interval_quantile_ms(0.95, &prev->wal_fsync, &cur->wal_fsync);
    out->wal_p99_ms = interval_quantile_ms(0.99, &prev->wal_fsync, &cur->wal_fsync);
    out->backend_p50_ms = interval_quantile_ms(0.50, &prev->backend_commit, &cur->backend_commit);
    out->backend_p95_ms = interval_quantile_ms(0.95, &prev->backend_commit, &cur->backend_commit);
    out->backend_p99_ms = interval_quantile_ms(0.99, &prev->backend_commit, &cur->backend_commit);
    out->peer_rtt_p99_ms = interval_quantile_ms(0.99, &prev->peer_rtt, &cur->peer_rtt);
    out->wal_n = interval_observations(&prev->wal_fsync, &cur->wal_fsync);
    out->backend_n = interval_observations(&prev->backend_commit, &cur->backend_commit);
    out->peer_rtt_n = interval_observations(&prev->peer_rtt, &cur->peer_rtt);
    out->leader_changes = interval_increase(&prev->leader_changes, &cur->leader_changes);
    out->proposals_failed = interval_increase(&prev->proposals_failed, &cur->proposals_failed);
    mval_t sa = interval_increase(&prev->slow_applies, &cur->slow_applies);
    mval_t sr = interval_increase(&prev->slow_read_indexes, &cur->slow_read_indexes);
    if (sa.ok || sr.ok)
        out->slow_ops = (mval_t){ (sa.ok ? sa.v : 0) + (sr.ok ? sr.v : 0), true };
}
