/* auth.h — etcd authentication (--user): the token and its renewal.
 *
 * One auth_t per collector. It owns the password (wiped on free), the one
 * POST /v3/auth/authenticate request (at most one in flight) and the token it
 * returns. The collector sends the token with its requests (http_set_token),
 * reports a token etcd refused (auth_token_rejected) and asks for a new one
 * (auth_start); failures back off 1s, 2s, 4s ... 60s, and a refused token is
 * renewed at most once per AUTH_RENEW_GAP_S (auth_renew_allowed): one member
 * refusing every token never makes an authentication storm. The password, the
 * request body and the token never reach a log, an event, an error text or the
 * screen; neither does any text of an answer (only auth_error_message()'s fixed
 * phrases). They live on a secmem block (secmem.h).
 *
 * States:  NEED --auth_start--> IN_FLIGHT --token--> READY --rejected--> NEED
 *                                   |  \--"auth not enabled"--> UNUSED --rejected--> NEED
 *                                   \--refused / failed--> NEED with a backoff
 * The pure helpers below (body, token, classification, backoff) are unit-tested. */
#ifndef EM_AUTH_H
#define EM_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include "cluster.h"     /* event_list_t */
#include "http.h"
#include "util.h"

#define AUTH_SECRET_MAX 1024       /* longest password accepted */
#define AUTH_ERROR_LEN  160        /* = cluster_snapshot_t.auth_error */
#define AUTH_RENEW_GAP_S 2.0       /* a refused token: at most one renewal this often */

/* ---- pure helpers -------------------------------------------------------- */

/* What an etcd (gRPC gateway) answer says about authentication. Only etcd's
 * own error body counts (JSON with its message and gRPC code): a proxy's bare
 * 401 or 403 is AUTH_RESP_NONE, an ordinary failure of that member. */
typedef enum {
    AUTH_RESP_NONE = 0,         /* nothing about auth: success, or another failure */
    AUTH_RESP_TOKEN,            /* token missing, invalid or expired: authenticate again */
    AUTH_RESP_DENIED,           /* the user lacks the permission ("etcdserver: permission
                                   denied", code 7) */
    AUTH_RESP_BAD_CREDENTIALS,  /* wrong user name or password */
    AUTH_RESP_NOT_ENABLED       /* authentication is not enabled on the cluster */
} auth_resp_t;

/* Classify an answer by its HTTP status and body (len bytes, need not end in NUL). */
auth_resp_t auth_classify(long http_status, const char *body, size_t len);
/* The authenticate body {"name":...,"password":...} with JSON escaping into out.
 * Returns 0, or -1 when it does not fit (out is then wiped). */
int auth_build_body(const char *user, const char *password, char *out, size_t cap) WARN_UNUSED_RESULT;
/* The "token" of an authenticate answer. Returns 0, or -1 with why (no secret in it). */
int auth_parse_token(const char *body, size_t len, char *token, size_t cap,
                     char *why, size_t whylen) WARN_UNUSED_RESULT;
/* A fixed, known phrase for an error answer ("etcdserver: invalid auth token",
 * "etcdserver: authentication failed, invalid user ID or password", ...), or
 * "HTTP <status>": never text of the answer itself (it may echo the request,
 * and so the password or the token). */
void auth_error_message(long http_status, const char *body, size_t len, char *out, size_t cap);
/* Seconds to wait after the n-th consecutive failure (n >= 1): 1, 2, 4 ... 60. */
double auth_backoff_s(int failures);
/* Read the first line of path (no line end) into out; 0, or -1 with why. */
int auth_read_password_file(const char *path, char *out, size_t cap, char *why, size_t whylen) WARN_UNUSED_RESULT;

/* ---- the state machine ---------------------------------------------------- */

typedef enum { AUTH_NEED, AUTH_IN_FLIGHT, AUTH_READY, AUTH_UNUSED } auth_state_t;

typedef enum {
    AUTH_GOT_TOKEN,             /* a fresh token: auth_token() */
    AUTH_NOT_NEEDED,            /* the cluster has auth off: go on without a token */
    AUTH_REFUSED,               /* wrong credentials or another etcd error: backing off */
    AUTH_UNREACHABLE            /* no answer (transport): try another member */
} auth_outcome_t;

typedef struct auth auth_t;

/* user and the password (password, else the first line of password_file, read
 * now). NULL with err when no password is given or the file is unusable. The
 * request is an http_req_t of kind req_kind, owner NULL. */
auth_t *auth_new(const char *user, const char *password, const char *password_file,
                 size_t max_body, int req_kind, char *err, size_t errlen) WARN_UNUSED_RESULT;
void auth_free(auth_t *a, http_t *h);
auth_state_t auth_state(const auth_t *a);
/* May an authenticate start now (state NEED and the backoff over)? */
bool auth_can_start(const auth_t *a, double now);
/* May a refused token be given up for a new one now (the last authenticate
 * started AUTH_RENEW_GAP_S ago or more)? */
bool auth_renew_allowed(const auth_t *a, double now);
/* Start POST base_url/v3/auth/authenticate. 0, or -1 (not started). */
int auth_start(auth_t *a, http_t *h, const char *base_url, double now, long timeout_ms,
               long connect_timeout_ms) WARN_UNUSED_RESULT;
/* Is r the authenticate request? */
bool auth_owns(const auth_t *a, const http_req_t *r);
/* The authenticate request finished: new state; event lines when a problem
 * starts or ends, and at each authentication. */
auth_outcome_t auth_finish(auth_t *a, double now, event_list_t *ev);
/* etcd refused the token (expired, invalid) or now demands one: state NEED. */
void auth_token_rejected(auth_t *a);
/* Give up on an authenticate in flight (hard stop). */
void auth_cancel(auth_t *a, http_t *h);
const char *auth_token(const auth_t *a);     /* "" unless READY */
const char *auth_error(const auth_t *a);     /* the current problem, "" when none */
const char *auth_user(const auth_t *a);
long auth_attempts(const auth_t *a);         /* authenticate requests sent so far */

#endif
