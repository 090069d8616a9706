/* config_api.h — the embedded HTTP API's settings (--api-port, --api-host,
 * API_PORT, API_HOST, the config file's api: {host, port, ...} block; seed
 * 004's example with host 0.0.0.0 is taken as written). Stored in
 * config_t.api; read by the serve layer. Strings owned. */
#ifndef EM_CONFIG_API_H
#define EM_CONFIG_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define API_DEFAULT_HOST   "127.0.0.1"
#define API_DAEMON_PORT    8080      /* `etcd-monitor serve` without a port */

typedef struct {
    char   *host;                    /* --api-host; NULL = API_DEFAULT_HOST */
    bool    on;                      /* a port was given: serve the API */
    int     port;                    /* --api-port; 0 = one the kernel picks (logged) */
    char   *token_file;              /* --api-token-file: enables the key endpoints */
    bool    allow_writes;            /* --api-allow-writes: also POST .../etcdctl/put */
    char   *cert_file, *key_file;    /* --api-cert, --api-key: HTTPS */
    int64_t timeout_ms;              /* --api-timeout: a request must arrive in full
                                        within this long (slowloris); default 10s */
    int     max_connections;         /* --api-max-connections, default 4096 */
    bool    daemon;                  /* the serve command (not an option) */
} config_api_t;

struct config;
void api_config_free(config_api_t *a);

#endif
