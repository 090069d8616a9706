/* config_net.c — setters of the network options that are kept out of
 * options.c (the option table there names them): --use-proxy-env. */
#include "config.h"
#include "config_internal.h"

#include <stdio.h>
#include <strings.h>

/* --use-proxy-env: a switch (true when given as a flag). */
int config_set_use_proxy_env(config_t *cfg, const char *v, char *why, size_t whylen)
{
    if (!v || strcasecmp(v, "true") == 0)
        cfg->use_proxy_env = true;
    else if (strcasecmp(v, "false") == 0)
        cfg->use_proxy_env = false;
    else {
        snprintf(why, whylen, "is not a boolean (true or false)");
        return SET_BAD;
    }
    return SET_OK;
}
