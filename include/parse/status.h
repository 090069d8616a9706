/* status.h — parse the gRPC-gateway JSON answers of etcd (jansson).
 * int64/uint64 fields arrive as JSON strings and zero fields are omitted. */
#ifndef EM_STATUS_H
#define EM_STATUS_H

#include <stddef.h>
#include <stdint.h>
#include "sample.h"
#include "util.h"

#define STATUS_MAX_URLS 4

typedef struct {
    uint64_t id;
    char     name[64];
    char     client_urls[STATUS_MAX_URLS][256];
    int      n_client_urls;
    bool     is_learner;
} status_member_t;

typedef struct {
    uint64_t member_id;
    char     alarm[16];           /* "NOSPACE", "CORRUPT", ... */
} status_alarm_t;

/* Each returns 0, or -1 with a one-line reason in err (out left unchanged). */
int status_parse_maintenance(const char *body, size_t len, status_sample_t *out,
                             char *err, size_t errlen) WARN_UNUSED_RESULT;
/* Fills up to max members; *n gets the count kept. */
int status_parse_member_list(const char *body, size_t len, status_member_t *out, int max,
                             int *n, uint64_t *cluster_id, char *err, size_t errlen) WARN_UNUSED_RESULT;
int status_parse_alarms(const char *body, size_t len, status_alarm_t *out, int max, int *n,
                        char *err, size_t errlen) WARN_UNUSED_RESULT;
/* /health: {"health":"true"} -> 1, "false" -> 0, anything else -1. */
int status_parse_health(const char *body, size_t len, char *err, size_t errlen) WARN_UNUSED_RESULT;

#endif
