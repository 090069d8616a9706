/* promsource.h — the cluster's figures read from Prometheus' HTTP API instead
 * of scraping the members (--prometheus, --prometheus-selector). Per poll a
 * fixed set of instant queries over the selector, each grouped by instance, so
 * the cost does not grow with the members: up, the raw families the scrape
 * reads (gauges, counters, cumulative buckets), and per window the mixin's
 * histogram_quantile(q, sum by (instance, le) (rate(..._bucket[w]))) with
 * increase(..._count[w]). The answer fills the same cluster_snapshot_t as the
 * collector's own scrape; a failed, timed-out or empty answer is a clear
 * source_error and empty member fields, never zeros. One selector per source:
 * a list of clusters is a list of sources. */
#ifndef EM_PROMSOURCE_H
#define EM_PROMSOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cluster.h"
#include "http.h"
#include "loop.h"
#include "util.h"

typedef struct promsource promsource_t;

/* What a source needs; strings borrowed (they must outlive the source). */
typedef struct {
    const char    *url;                /* Prometheus' base URL, http:// or https:// */
    const char    *selector;           /* "{job=\"etcd\"}" */
    int            n_windows;
    const int64_t *window_ms;
    long           timeout_ms;         /* each query ends by then */
    long           connect_timeout_ms;
    size_t         max_body;           /* bytes of one answer */
    http_tls_t     tls;                /* verification on unless tls.insecure */
    bool           use_proxy_env;
} promsource_config_t;

/* NULL with err (a bad selector or URL, out of memory). */
promsource_t *promsource_new(const promsource_config_t *pc, loop_t *loop, char *err,
                             size_t errlen) WARN_UNUSED_RESULT;
void promsource_free(promsource_t *p);
/* Start the poll's queries; false while the previous poll is in flight. */
bool promsource_start_poll(promsource_t *p, double wall, double mono);
bool promsource_in_flight(const promsource_t *p);
/* When every query has ended: fill *snap (as collector_take_snapshot) and true. */
bool promsource_take_snapshot(promsource_t *p, cluster_snapshot_t *snap);
void promsource_abort(promsource_t *p);
void promsource_counters(const promsource_t *p, long *connects, long *transfers);
/* The query text of query i of this source (for tests and the man page's
 * examples); NULL past the last. */
const char *promsource_query(const promsource_t *p, int i);

#endif
