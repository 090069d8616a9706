/* tunnel.h — SSH access to members (libssh2): local loopback ports forwarded
 * over direct-tcpip channels of one SSH session, and read-only remote commands
 * (log following, df -P). All SSH work runs on the tunnel's own thread, so a
 * slow or dead SSH server never blocks the event loop or other members' polls;
 * the loop only reads states and takes events/lines through the calls below. */
#ifndef EM_TUNNEL_H
#define EM_TUNNEL_H

#include <stdbool.h>
#include <stddef.h>
#include "cluster.h"     /* event_list_t */
#include "util.h"

typedef struct tunnel tunnel_t;

typedef struct {
    const char *target;       /* [user@]host[:port]; user defaults to $USER, port 22 */
    const char *key_file;     /* tried after ssh-agent; NULL = agent only */
    const char *known_hosts;  /* NULL = ~/.ssh/known_hosts; never written */
    bool        accept_new;   /* trust an unknown (never a changed) host key */
    int         keepalive_s;  /* SSH keepalive interval; the watchdog declares the
                                 session dead after 3 missed answers */
    tunnel_t   *via;          /* reach target through this tunnel (a bastion, as
                                 OpenSSH's ProxyJump): TCP to target is a forward of
                                 via, while host key checks and authentication are
                                 end to end with target itself. Not owned; it must
                                 outlive this tunnel. NULL = connect directly. */
} tunnel_config_t;

typedef enum {
    TUNNEL_CONNECTING,        /* (re)connecting, or waiting out a backoff */
    TUNNEL_UP,
    TUNNEL_REFUSED            /* host key unknown or changed: no retry, no auth tried */
} tunnel_state_t;

/* Start the tunnel thread; it connects in the background. NULL with err when
 * the configuration is unusable (e.g. a malformed target). */
tunnel_t *tunnel_start(const tunnel_config_t *cfg, char *err, size_t errlen) WARN_UNUSED_RESULT;
/* Stop the thread, close every channel, listener and the session. */
void tunnel_stop(tunnel_t *t);
/* Forward host:port (as seen from the SSH server). Returns the loopback port
 * that accepts connections for it at once (held until the session is up), or
 * -1. The same host:port twice returns the same port. */
int tunnel_forward(tunnel_t *t, const char *host, int port) WARN_UNUSED_RESULT;
/* "user@host:port" (and " via user@bastion:port"), for messages. */
const char *tunnel_label(const tunnel_t *t);
/* The SSH host's name as the target gave it (no user, port or brackets). */
const char *tunnel_host(const tunnel_t *t);
/* The current state and, when not up, why (one line, e.g. "host key for
 * bastion:22 is not in known_hosts (SHA256:...)"). */
tunnel_state_t tunnel_state(tunnel_t *t, char *why, size_t whylen);
/* Move state changes since the last call (up, lost, refused, rebuilt) into out. */
void tunnel_take_events(tunnel_t *t, event_list_t *out);

/* Run cmd on the SSH host for as long as the tunnel lives, restarting it when
 * the session is rebuilt; its output lines are queued. Returns an id >= 0. */
int tunnel_exec_follow(tunnel_t *t, const char *cmd) WARN_UNUSED_RESULT;
/* Run cmd once (e.g. "df -P /var/lib/etcd"); its whole output is queued as
 * lines when it ends. Returns an id >= 0. */
int tunnel_exec_once(tunnel_t *t, const char *cmd) WARN_UNUSED_RESULT;
/* Take up to max queued output lines (each NUL-terminated, at most len bytes,
 * longer lines cut) of command id; returns how many. */
int tunnel_take_lines(tunnel_t *t, int id, char (*lines)[512], int max);

#endif
