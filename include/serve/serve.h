/* serve.h — the embedded HTTP API and Prometheus exporter (seed 004's port
 * 8080 API), as an output: each completed poll is rendered into documents
 * that a libmicrohttpd thread serves (docs/architecture.md, "The API server").
 * Also the daemon's event log on stderr (`etcd-monitor serve`). */
#ifndef EM_SERVE_H
#define EM_SERVE_H

#include <stdbool.h>
#include "config.h"
#include "output.h"

/* Is the API asked for (--api-port, API_PORT, api.port, the serve command)? */
bool serve_wanted(const config_t *cfg);

/* The API server; open() fails (with a one-line err) when it cannot listen. */
extern const output_ops_t output_serve;
/* serve's stderr log: one line per event (alerts, member changes, notices). */
extern const output_ops_t output_serve_log;

#endif
