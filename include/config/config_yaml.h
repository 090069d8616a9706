/* config_yaml.h — the YAML reader that config_file.c and config_clusters.c
 * share: its state and the primitives the clusters: block reuses (so a
 * cluster's endpoints, members, tls, auth and ssh keys go through the very
 * code that reads them at the top level). Not part of the public contract. */
#ifndef EM_CONFIG_YAML_H
#define EM_CONFIG_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>
#include "config.h"
#include "config_internal.h"

typedef struct {
    yaml_parser_t   parser;
    yaml_event_t    ev;          /* the current event, valid while have_ev */
    bool            have_ev;
    const char     *path;
    config_t       *cfg;         /* the config keys go into (a cluster's own while
                                    its clusters: entry is read) */
    char           *err;
    size_t          errlen;
    const option_t *tab;
    size_t          n_tab;
    bool           *seen;        /* per table row: key present in the mapping */
    bool            seen_block[8];   /* nested blocks (config_nested_blocks) seen */
    int             depth;       /* lists and mappings open at the current event */
    bool            secret_seen; /* some mapping held auth.password */
} yfile_t;

unsigned long yf_line(const yaml_event_t *ev);
/* Write "path:line: <message>" to the error buffer; returns -1. */
int  yf_error(yfile_t *y, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Move to the next event (syntax errors become "path:line: ..."). */
int  yf_next(yfile_t *y);
bool yf_is_null(const yaml_event_t *ev);
/* "a mapping", "a list", "an alias" or "a value", for messages. */
const char *yf_kind(const yaml_event_t *ev);
/* Move to the next key of the mapping being read: 1 at its end, 0 with the
 * key (a scalar) as the current event, -1 on error (what prefixes the message). */
int  yf_next_key(yfile_t *y, const char *what);
/* The current event is a key (a scalar) of a top-level mapping: read its value
 * as the top level does (nested blocks, lists, members:, ...). 0 or -1. */
int  yf_key(yfile_t *y);
/* The clusters: block (config_clusters.c): its value is the current event. */
int  yf_clusters(yfile_t *y);

#endif
