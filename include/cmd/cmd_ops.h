/* cmd_ops.h — what the operator commands (snapshot, disk-test, benchmark,
 * maintenance) share: a session to the cluster with the monitor's endpoints,
 * TLS, auth and SSH tunnels (the engine's loop and routing under an ops
 * client), the confirmation of a change, and their one-line failures. */
#ifndef EM_CMD_OPS_H
#define EM_CMD_OPS_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "config.h"
#include "engine.h"
#include "ops_client.h"

/* Static or calloc'd (the ops client is large); c is last: opening clears
 * only what is before its member array. */
typedef struct {
    engine_t     eng;
    bool         curl, engine, client;
    ops_client_t c;
} cmd_session_t;

/* Open the session and read the member list and statuses (when members).
 * 0, or the exit status after one line on stderr. */
int  cmd_session_open(cmd_session_t *s, const config_t *cfg, const char *cmd, bool members)
    WARN_UNUSED_RESULT;
void cmd_session_close(cmd_session_t *s);

/* May the command change the cluster? --yes, or "y" on a terminal. 0, or the
 * exit status after one line: 64 off a terminal without --yes, 1 declined. */
int  cmd_confirm(const config_t *cfg, const char *cmd, const char *what) WARN_UNUSED_RESULT;

/* The member to send cluster-wide requests to: the leader, else the first
 * member that answered; NULL when none did. */
const ops_member_t *cmd_any_member(const cmd_session_t *s);
/* The name of the member with id (its hex id when it is not listed). */
const char *cmd_member_name(const cmd_session_t *s, uint64_t id, char *buf, size_t len);
/* Print j (stolen) as one compact JSON line on stdout; 0, or 74 when stdout
 * cannot be written. */
int  cmd_json_out(json_t *j) WARN_UNUSED_RESULT;

/* "etcd-monitor: CMD: ..." on stderr; returns rc. */
int  cmd_fail(int rc, const char *cmd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Is stdout (fd 1) / stderr (fd 2) a terminal? */
bool cmd_tty(int fd);

#endif
