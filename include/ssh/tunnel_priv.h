/* tunnel_priv.h — what the parts of the tunnel module share (src/ssh/tunnel*.c;
 * the design is at the top of tunnel.c): limits, the tunnel_t layout, the
 * caller-visible tables (under t->lock) and the tunnel thread's own state, and
 * the calls one part makes into another. Not for use outside src/ssh/tunnel*.c. */
#ifndef EM_TUNNEL_PRIV_H
#define EM_TUNNEL_PRIV_H

#include <netdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <libssh2.h>
#include "tunnel.h"
#include "tunnel_internal.h"
#include "util.h"

#define TUN_MAX_FWD        64            /* forwarded host:port pairs per tunnel */
#define TUN_MAX_CHAN       64            /* local connections at once per tunnel */
#define TUN_MAX_CMD        16            /* remote commands per tunnel */
#define TUN_BUF            16384         /* per connection and direction */
#define TUN_WINDOW         (256 * 1024)  /* SSH receive window per channel */
#define TUN_LINES          256           /* queued output lines per command */
#define TUN_LINE           512
#define TUN_EVENTS         32
#define TUN_ONCE_MAX       65536         /* output kept of a run-once command */
#define TUN_CMD_MAX        1024          /* command text */
#define TUN_SETUP_MS       15000         /* connect + handshake + authentication */
#define TUN_HOLD_MS        10000         /* a local connection waits for a session */
#define TUN_OPEN_MS        10000         /* one channel open (the remote connect) */
#define TUN_CLOSE_MS       5000          /* waiting for the server to close a channel */
#define TUN_BACKOFF_MIN_MS 1000
#define TUN_BACKOFF_MAX_MS 30000
#define TUN_STABLE_MS      10000         /* up this long: the backoff starts over */
#define TUN_COOL_MIN_MS    30000         /* a forward whose open hung: refused for this long */
#define TUN_COOL_MAX_MS    300000
#define TUN_CMD_BACKOFF_MIN_MS 2000      /* restart of an ended follow command */
#define TUN_CMD_BACKOFF_MAX_MS 60000
#define TUN_PROBE_ENV      "ETCD_MONITOR_PING"
#define REQ_NONE           (-2)          /* io.req: no channel request pending */
#define REQ_PROBE          (-1)          /* io.req: the liveness request */

/* ---- the caller-visible part (under t->lock) ---- */

typedef struct {
    char host[256];           /* immutable once published */
    int  port;
    int  listen_fd;           /* made by tunnel_forward, closed by tunnel_stop */
    int  lport;
} fwd_t;

typedef struct {
    char  *cmd;               /* owned; immutable once published */
    char  *wire;              /* owned: cmd as sent (tunnel_wrap_cmd); immutable */
    bool   follow;
    unsigned want;            /* run-once: runs asked for so far (under lock) */
    char (*lines)[TUN_LINE];  /* owned ring of TUN_LINES (under lock) */
    int    head, count;
    unsigned long dropped;    /* lines lost to a full queue, not yet reported */
} cmd_t;

/* ---- the tunnel thread's part ---- */

typedef enum { PH_WAIT, PH_CONNECT, PH_HANDSHAKE, PH_AUTH, PH_UP, PH_REFUSED } phase_t;
typedef enum { CH_PENDING, CH_OPENING, CH_OPEN, CH_CLOSING } chan_state_t;
typedef enum { EX_WAIT, EX_OPENING, EX_STARTING, EX_RUNNING, EX_CLOSING, EX_DONE } exec_state_t;
typedef enum { OP_NONE, OP_PROBE, OP_CHAN, OP_EXEC } open_kind_t;
typedef enum { AU_AGENT, AU_AGENT_NEXT, AU_AGENT_TRY, AU_KEY, AU_FAILED } auth_stage_t;

/* One accepted local connection and its direct-tcpip channel. */
typedef struct {
    chan_state_t st;
    int     fd;               /* local socket, -1 once closed */
    int     fwd;              /* index in t->fwd */
    LIBSSH2_CHANNEL *ch;
    int64_t since_ms;         /* accepted (pending), open started, close started */
    bool    local_eof, eof_sent, remote_eof;
    bool    fin_sent;         /* the remote EOF passed on: shutdown(SHUT_WR) */
    int64_t fin_ms;
    bool    write_inflight;   /* libssh2 holds l2r[l2r_off..]: keep it in place */
    size_t  l2r_off, l2r_len; /* local -> remote */
    size_t  r2l_off, r2l_len; /* remote -> local */
    char    l2r[TUN_BUF];
    char    r2l[TUN_BUF];
} chan_t;

/* A remote command's run. */
typedef struct {
    exec_state_t st;
    LIBSSH2_CHANNEL *ch;
    int64_t next_ms;          /* EX_WAIT: not before */
    int64_t started_ms;
    int64_t close_ms;
    int     backoff_ms;
    char    part[TUN_LINE];   /* stdout line being assembled */
    size_t  part_len;
    bool    part_cut;
    char    errpart[160];     /* stderr: the last complete line is kept */
    size_t  errpart_len;
    char    errlast[160];
    char   *once;             /* run-once output until the end (TUN_ONCE_MAX) */
    size_t  once_len;
    unsigned runs;            /* run-once: the cmd_t.want the last run answers */
} exec_t;

typedef struct {
    phase_t  phase;
    int      sock;
    LIBSSH2_SESSION *sess;
    LIBSSH2_AGENT   *agent;
    struct libssh2_agent_publickey *ident;
    auth_stage_t auth;
    char     auth_notes[200];
    struct addrinfo *ai, *ai_next;
    int64_t  setup_deadline;
    int64_t  next_try_ms;
    int      backoff_ms;
    int64_t  up_since_ms;
    int64_t  down_since_ms;   /* when the last session was lost (0: never up) */
    bool     failing;         /* in a streak of failed attempts (one event per streak) */
    bool     kill;            /* tearing down: the I/O wrappers report EOF */
    int64_t  last_rx_ms;
    uint64_t rx_bytes;
    char     sock_err[96];    /* why the socket failed, from the I/O wrappers */
    char     fail_why[160];   /* why a pass gave the session up, when not an error */
    char     last_fail[200];  /* the last attempt's failure, shown while retrying */
    LIBSSH2_CHANNEL *probe;
    int      req;             /* the channel request awaiting its reply: REQ_NONE,
                                 REQ_PROBE or a command id. libssh2 1.10 fails a wait
                                 that sees another channel's reply: one at a time. */
    bool     no_probe;        /* the server refused a session channel */
    open_kind_t op;
    int      op_idx;
    int64_t  op_since;
    char     op_msg[300];
    size_t   op_msg_len;
    unsigned char *pin;       /* host key trusted by accept_new (raw blob) */
    size_t   pin_len;
    int      pin_type;
    int      n_fwd;           /* forwards adopted from the table */
    int      n_cmd;
    int64_t  accept_pause_until; /* accept() failed (e.g. no fds left): wait a little */
    int64_t  cool_until[TUN_MAX_FWD];
    int      cool_ms[TUN_MAX_FWD];
    bool     fwd_failing[TUN_MAX_FWD];
    chan_t  *chans[TUN_MAX_CHAN];
    exec_t   ex[TUN_MAX_CMD];
} tun_io_t;

struct tunnel {
    /* configuration: immutable after tunnel_start */
    char    user[64];
    char    host[256];
    int     port;
    char    label[340];       /* user@host:port, for messages */
    char    known_name[280];  /* host or [host]:port, as in known_hosts */
    char    key_file[4096];   /* "" = agent only */
    char    known_hosts[4096];
    char    agent_sock[256];  /* $SSH_AUTH_SOCK at start, "" = no agent */
    bool    accept_new;
    int     keepalive_s;
    int     via_port;         /* > 0: connect to 127.0.0.1:via_port (a forward of the
                                 bastion tunnel) instead of host:port */
    int     wake_rd, wake_wr; /* self-pipe: the caller writes, the thread drains */
    pthread_t thread;

    pthread_mutex_t lock;     /* guards the fields below, up to io */
    bool    stop;
    tunnel_state_t state;
    char    why[320];
    char    events[TUN_EVENTS][CLUSTER_EVENT_LEN];
    int     ev_head, ev_count;
    unsigned long ev_dropped;
    fwd_t   fwd[TUN_MAX_FWD];
    int     n_fwd;
    cmd_t   cmd[TUN_MAX_CMD];
    int     n_cmd;

    tun_io_t io;              /* the tunnel thread's alone */
};

/* ---- tunnel.c: small helpers ---- */

/* Milliseconds on the monotonic clock. */
int64_t tun_now_ms(void);
/* Make fd non-blocking and close-on-exec; 0 or -1. */
int tun_nonblock(int fd) WARN_UNUSED_RESULT;
/* Close a local connection so that its client sees a reset at once. */
void tun_close_rst(int fd);
/* The text of the session's last libssh2 error (never contains secrets). */
const char *tun_ssh_error(LIBSSH2_SESSION *s);
/* Errors after which the session itself is unusable (not just one channel). */
bool tun_fatal(int rc);
/* Shorten text for an event line: "journalctl -u etcd -f ..." */
void tun_short(const char *s, char *out, size_t outlen);

/* ---- tunnel.c: shared state (each takes t->lock unless it says so) ---- */

/* Queue an event line; the oldest goes when the ring is full. Lock held. */
void tun_event_locked(tunnel_t *t, const char *line);
/* Queue an event line "ssh <label>: <fmt...>". */
void tun_event(tunnel_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Set the state the caller sees, with why (one line). */
void tun_set_state(tunnel_t *t, tunnel_state_t st, const char *why);
/* Wake the tunnel thread (new forward, new command, stop). */
void tun_wake(tunnel_t *t);

/* ---- tunnel_thread.c ---- */

/* The tunnel thread (arg: the tunnel_t); returns when t->stop is set. */
void *tun_main(void *arg);

/* ---- tunnel_session.c (tunnel thread) ---- */

/* Tear the session down: open forwards reset, connections still waiting for a
 * channel kept for the next session, commands to be restarted. */
void tun_sess_drop(tunnel_t *t, bool graceful);
/* The session (or the attempt) failed: tear down, report, back off. */
void tun_sess_fail(tunnel_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Advance connect/handshake/authentication; serve when up. True on progress. */
bool tun_sess_step(tunnel_t *t, short sock_revents, const short *chan_revents, int64_t now);

/* ---- tunnel_hostkey.c, tunnel_auth.c (tunnel thread) ---- */

/* After the key exchange: true to go on to authentication, false when the key
 * was refused (final) or the check failed (the session is then dropped). */
bool tun_sess_check_hostkey(tunnel_t *t);
/* Authenticate: 1 done, 0 again later, -1 failed (reported). */
int tun_sess_auth(tunnel_t *t);

/* ---- tunnel_forward.c (tunnel thread) ---- */

/* Free channel slot i and close its local socket (reset: with an RST). */
void tun_chan_free(tunnel_t *t, int i, bool reset);
/* Done with a channel: close the local side, then let libssh2 close it. */
void tun_chan_finish(chan_t *c, bool reset);
/* Read what the local client sent into l2r. True on progress. */
bool tun_chan_local_read(chan_t *c);
/* Move bytes and EOFs between an open channel and its local socket. True on
 * progress; *fatal set when the session failed. */
bool tun_chan_pump(chan_t *c, short revents, int64_t now, int *fatal);
/* Let libssh2 close a finished channel. True when slot i is free again. */
bool tun_chan_close_step(tunnel_t *t, int i, int64_t now);
/* Accept waiting connections of listener f. */
void tun_accept(tunnel_t *t, int f, int64_t now);

/* ---- tunnel_exec.c (tunnel thread) ---- */

/* Forget a command's run (its channel belongs to a dead session, or is freed). */
void tun_ex_reset(exec_t *e);
/* Drive command id: start it, read its output, close it when it ends. True on
 * progress; *fatal set when the session failed. */
bool tun_ex_step(tunnel_t *t, int id, int64_t now, int *fatal);

#endif
