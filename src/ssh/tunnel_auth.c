/* tunnel_auth.c — SSH user authentication on the tunnel thread: the
 * ssh-agent's identities, then the key file (no passphrase); never a password. */
#include "tunnel_priv.h"

#include <stdio.h>
#include <string.h>

/* Authenticate: ssh-agent identities, then the key file (no passphrase). Never
 * a password. Returns 1 done, 0 again later, -1 failed (reported). */
int tun_sess_auth(tunnel_t *t)
{
    tun_io_t *io = &t->io;
    for (;;) {
        switch (io->auth) {
        case AU_AGENT:
            io->auth = AU_KEY;
            if (t->agent_sock[0] == '\0') {
                snprintf(io->auth_notes, sizeof io->auth_notes, "no ssh-agent");
                break;
            }
            io->agent = libssh2_agent_init(io->sess);
            if (io->agent != NULL)
                libssh2_agent_set_identity_path(io->agent, t->agent_sock);
            if (io->agent == NULL || libssh2_agent_connect(io->agent) != 0 ||
                libssh2_agent_list_identities(io->agent) != 0) {
                snprintf(io->auth_notes, sizeof io->auth_notes, "ssh-agent unreachable");
                break;
            }
            snprintf(io->auth_notes, sizeof io->auth_notes, "ssh-agent has no key");
            io->ident = NULL;
            io->auth = AU_AGENT_NEXT;
            break;
        case AU_AGENT_NEXT: {
            struct libssh2_agent_publickey *next = NULL;
            if (libssh2_agent_get_identity(io->agent, &next, io->ident) != 0) {
                io->auth = AU_KEY;
                break;
            }
            io->ident = next;
            io->auth = AU_AGENT_TRY;
            break;
        }
        case AU_AGENT_TRY: {
            int rc = libssh2_agent_userauth(io->agent, t->user, io->ident);
            if (rc == LIBSSH2_ERROR_EAGAIN)
                return 0;
            if (rc == 0)
                return 1;
            if (tun_fatal(rc)) {
                tun_sess_fail(t, "authentication: %s", tun_ssh_error(io->sess));
                return -1;
            }
            snprintf(io->auth_notes, sizeof io->auth_notes, "ssh-agent keys refused");
            io->auth = AU_AGENT_NEXT;
            break;
        }
        case AU_KEY: {
            if (t->key_file[0] == '\0') {
                io->auth = AU_FAILED;
                break;
            }
            int rc = libssh2_userauth_publickey_fromfile_ex(io->sess, t->user,
                                                            (unsigned)strlen(t->user), NULL,
                                                            t->key_file, NULL);
            if (rc == LIBSSH2_ERROR_EAGAIN)
                return 0;
            if (rc == 0)
                return 1;
            if (tun_fatal(rc)) {
                tun_sess_fail(t, "authentication: %s", tun_ssh_error(io->sess));
                return -1;
            }
            size_t l = strlen(io->auth_notes);
            snprintf(io->auth_notes + l, sizeof io->auth_notes - l, "%skey file %s: %s",
                     l ? "; " : "", t->key_file,
                     rc == LIBSSH2_ERROR_FILE ? "unreadable or needs a passphrase" :
                     "refused by the server");
            io->auth = AU_FAILED;
            break;
        }
        case AU_FAILED:
        default:
            tun_sess_fail(t, "authentication as %s failed (%s)", t->user, io->auth_notes);
            return -1;
        }
    }
}
