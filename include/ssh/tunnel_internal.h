/* tunnel_internal.h — the pure parts of the tunnel module (target parsing in
 * tunnel.c; fingerprint formatting and the known_hosts policy in
 * tunnel_hostkey.c; the command wrapper in tunnel_exec.c), exposed for the unit
 * tests only. The parts' shared internals are in tunnel_priv.h. */
#ifndef EM_TUNNEL_INTERNAL_H
#define EM_TUNNEL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <libssh2.h>
#include "util.h"

typedef struct {
    char user[64];            /* "" when the target names none */
    char host[256];           /* without brackets for an IPv6 literal */
    int  port;                /* 22 unless given */
} tunnel_target_t;

/* Parse "[user@]host[:port]" (also "[v6addr]:port" and a bare v6 address).
 * 0, or -1 with a one-line reason in err. */
int tunnel_parse_target(const char *s, tunnel_target_t *out, char *err, size_t errlen) WARN_UNUSED_RESULT;

/* "SHA256:" and the unpadded base64 of a SHA-256 digest, as OpenSSH shows it. */
void tunnel_fingerprint(const unsigned char digest[32], char *out, size_t outlen);

/* The name known_hosts uses: "host" for port 22, "[host]:port" otherwise. */
void tunnel_known_name(const char *host, int port, char *out, size_t outlen);

typedef enum {
    TUN_HK_MATCH,             /* listed with this very key */
    TUN_HK_UNKNOWN,           /* no entry at all for host:port */
    TUN_HK_CHANGED,           /* listed, but with other keys (of this or another type) */
    TUN_HK_ERROR              /* unsupported key type, or libssh2 failed */
} tunnel_hostkey_t;

/* Load known_hosts (never written). A missing file is an empty list. Returns
 * 0 when the file was read completely, 1 when it could not be (unreadable or
 * a line libssh2 cannot parse: entries after it are missing, so "unknown"
 * proves nothing; err says why), -1 on failure (no list). *out is freed with
 * libssh2_knownhost_free(). */
int tunnel_known_load(LIBSSH2_SESSION *s, const char *path, LIBSSH2_KNOWNHOSTS **out,
                      char *err, size_t errlen) WARN_UNUSED_RESULT;
/* Check a server's raw host key (libssh2_session_hostkey) for host:port. Only
 * entries for exactly that name count (a key for host:22 does not vouch for
 * host:2222, as in OpenSSH). */
tunnel_hostkey_t tunnel_known_check(LIBSSH2_KNOWNHOSTS *kh, const char *host, int port,
                                    const char *key, size_t keylen, int hostkey_type);
/* Host key algorithm preference with the key types known_hosts lists for
 * host:port first (as OpenSSH orders them), so the server presents a key we
 * can check. NULL when none is listed (keep libssh2's default). */
const char *tunnel_known_prefs(LIBSSH2_SESSION *s, LIBSSH2_KNOWNHOSTS *kh, const char *host,
                               int port, char *out, size_t outlen);

/* The command line sent for a remote command. sshd runs it with the user's
 * login shell and does not stop it when the session ends (tail -F on a quiet
 * file would stay forever), so cmd runs under a POSIX sh that watches its
 * stdin (the channel): at EOF (channel or connection closed) it stops the
 * session's process group — led by that sh, or by the login shell that
 * started it (OpenSSH starts each session in its own group) — else cmd
 * itself. The exit status is cmd's. NULL on ENOMEM; the caller frees. */
char *tunnel_wrap_cmd(const char *cmd);

#endif
