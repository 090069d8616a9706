/* collector.h — polls every member of the cluster and produces one snapshot
 * per poll. Owns the HTTP layer and the member set (discovery via the member
 * list unless --no-discover). Never touches the terminal or any output file.
 *
 * Security comes from the config: TLS files and verification (http.h), the
 * scheme of bare host:port endpoints (https with a CA or client certificate,
 * unless --insecure-transport), /metrics from --metrics-endpoints, and etcd
 * authentication (auth.h) with --user. */
#ifndef EM_COLLECTOR_H
#define EM_COLLECTOR_H

#include <stdbool.h>
#include <curl/curl.h>
#include "cluster.h"
#include "config.h"
#include "http.h"
#include "loop.h"
#include "util.h"

typedef struct collector collector_t;

/* Create a collector for cfg (which must outlive it) whose transfers run on
 * loop. NULL with err on failure. */
collector_t *collector_new(const config_t *cfg, loop_t *loop, char *err, size_t errlen) WARN_UNUSED_RESULT;
void collector_free(collector_t *c);
/* Start one poll of every member; false (and nothing started) while the
 * previous poll is still in flight. wall and mono are the current clocks. */
bool collector_start_poll(collector_t *c, double wall, double mono);
bool collector_in_flight(const collector_t *c);
/* When every transfer of the poll in flight has ended (the loop runs them),
 * fill *snap and return true; otherwise false. */
bool collector_take_snapshot(collector_t *c, cluster_snapshot_t *snap);
/* Abort whatever is in flight (used on a hard stop). */
void collector_abort(collector_t *c);
/* With --probe-write: delete the probe keys this session wrote, waiting at
 * most timeout_ms (called once at the end of the session). */
void collector_delete_probe_keys(collector_t *c, int timeout_ms);
/* Send every request through fn (an SSH tunnel's router); see http.h. */
void collector_set_route(collector_t *c, http_route_fn fn, void *ctx);
/* Connections opened and transfers completed so far (keep-alive check). */
void collector_counters(const collector_t *c, long *connects, long *transfers);
/* Do endpoints without a scheme use TLS under cfg? (a CA or client certificate
 * is set and --insecure-transport is not) */
bool collector_default_tls(const config_t *cfg);
/* The endpoint_parse() flags (endpoint.h) every endpoint is checked with under
 * cfg, given or discovered: ENDPOINT_CHECK, and https for a bare host:port
 * when collector_default_tls(). */
unsigned collector_endpoint_flags(const config_t *cfg);
/* Check cfg's endpoints and metrics endpoints as collector_new() will, before
 * anything is created: 0, or -1 with err naming the flag and the problem
 * ("--endpoints: host too long (300 characters, at most 253)"). */
int collector_check_endpoints(const config_t *cfg, char *err, size_t errlen) WARN_UNUSED_RESULT;

#endif
