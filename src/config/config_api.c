/* config_api.c — setters of the API server's options (config_api.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_internal.h"

void api_config_free(config_api_t *a)
{
    free(a->host);
    free(a->token_file);
    free(a->cert_file);
    free(a->key_file);
    memset(a, 0, sizeof *a);
}

/* A host name or address to listen on: printable, no spaces, 1 to 253 bytes
 * ("[::1]" taken without its brackets). */
int api_set_host(config_t *cfg, const char *v, char *why, size_t whylen)
{
    char host[256];
    size_t n = strlen(v);
    if (n >= 2 && v[0] == '[' && v[n - 1] == ']') {
        v++;
        n -= 2;
    }
    if (n == 0 || n > 253) {
        snprintf(why, whylen, "must be a host name or address of 1 to 253 bytes");
        return SET_BAD;
    }
    memcpy(host, v, n);
    host[n] = '\0';
    for (const char *p = host; *p; p++) {
        if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f || *p == '/') {
            snprintf(why, whylen, "is not a host name or address");
            return SET_BAD;
        }
    }
    return option_store_string(&cfg->api.host, host, why, whylen);
}

int api_set_port(config_t *cfg, const char *v, char *why, size_t whylen)
{
    uint64_t n = 0;
    if (option_parse_u64(v, &n) != NUM_OK || n > 65535) {
        snprintf(why, whylen, "is not a port (1 to 65535, or 0: any free port)");
        return SET_BAD;
    }
    cfg->api.on = true;
    cfg->api.port = (int)n;
    return SET_OK;
}

int api_set_token_file(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_store_readable(&cfg->api.token_file, v, why, whylen);
}

int api_set_allow_writes(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_parse_bool(v, &cfg->api.allow_writes, why, whylen);
}

int api_set_cert(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_store_readable(&cfg->api.cert_file, v, why, whylen);
}

int api_set_key(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_store_readable(&cfg->api.key_file, v, why, whylen);
}

int api_set_timeout(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_duration_in_range(v, 1000, 1000, 300000, "1s to 5m", &cfg->api.timeout_ms,
                                    why, whylen);
}

int api_set_max_connections(config_t *cfg, const char *v, char *why, size_t whylen)
{
    uint64_t n = 0;
    if (option_parse_u64(v, &n) != NUM_OK || n < 16 || n > 60000) {
        snprintf(why, whylen, "is out of range (16 to 60000)");
        return SET_BAD;
    }
    cfg->api.max_connections = (int)n;
    return SET_OK;
}
