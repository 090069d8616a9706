/* tunnel_hostkey.c — is this the server we know? known_hosts (read with
 * libssh2's parser, never written), SHA256 fingerprints as OpenSSH shows them,
 * the host key algorithm order, and the check made after the key exchange,
 * before any authentication (the policy: the top of tunnel.c). */
#include "tunnel_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- pure parts (tunnel_internal.h) ---- */

void tunnel_fingerprint(const unsigned char digest[32], char *out, size_t outlen)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char enc[48];
    size_t o = 0;
    for (size_t i = 0; i < 32; i += 3) {
        unsigned v = (unsigned)digest[i] << 16;
        if (i + 1 < 32)
            v |= (unsigned)digest[i + 1] << 8;
        if (i + 2 < 32)
            v |= digest[i + 2];
        enc[o++] = b64[(v >> 18) & 63];
        enc[o++] = b64[(v >> 12) & 63];
        if (i + 1 < 32)
            enc[o++] = b64[(v >> 6) & 63];
        if (i + 2 < 32)
            enc[o++] = b64[v & 63];
    }
    enc[o] = '\0';                           /* 43 characters, no padding */
    snprintf(out, outlen, "SHA256:%s", enc);
}

void tunnel_known_name(const char *host, int port, char *out, size_t outlen)
{
    if (port == 22)
        snprintf(out, outlen, "%s", host);
    else
        snprintf(out, outlen, "[%s]:%d", host, port);
}

int tunnel_known_load(LIBSSH2_SESSION *s, const char *path, LIBSSH2_KNOWNHOSTS **out,
                      char *err, size_t errlen)
{
    *out = libssh2_knownhost_init(s);
    if (*out == NULL) {
        snprintf(err, errlen, "known_hosts: out of memory");
        return -1;
    }
    struct stat st;
    if (stat(path, &st) != 0 && errno == ENOENT)
        return 0;                            /* no file: nothing is known */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "known_hosts %s is not a file", path);
        return 1;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "known_hosts %s cannot be read: %s", path, strerror(errno));
        return 1;
    }
    fclose(f);
    if (libssh2_knownhost_readfile(*out, path, LIBSSH2_KNOWNHOST_FILE_OPENSSH) < 0) {
        snprintf(err, errlen, "known_hosts %s has a line libssh2 cannot parse "
                 "(entries after it are ignored)", path);
        return 1;
    }
    return 0;
}

/* The known_hosts key type of a libssh2 host key type, 0 if unsupported. */
static int tun_kh_type(int hostkey_type)
{
    switch (hostkey_type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA: return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
    case LIBSSH2_HOSTKEY_TYPE_DSS: return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
    case LIBSSH2_HOSTKEY_TYPE_ED25519: return LIBSSH2_KNOWNHOST_KEY_ED25519;
    default: return 0;
    }
}

static const char *tun_key_name(int hostkey_type)
{
    switch (hostkey_type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA: return "ssh-rsa";
    case LIBSSH2_HOSTKEY_TYPE_DSS: return "ssh-dss";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return "ecdsa-sha2-nistp256";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return "ecdsa-sha2-nistp384";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return "ecdsa-sha2-nistp521";
    case LIBSSH2_HOSTKEY_TYPE_ED25519: return "ssh-ed25519";
    default: return "unknown-type";
    }
}

tunnel_hostkey_t tunnel_known_check(LIBSSH2_KNOWNHOSTS *kh, const char *host, int port,
                                    const char *key, size_t keylen, int hostkey_type)
{
    int kt = tun_kh_type(hostkey_type);
    if (kh == NULL || key == NULL || keylen == 0 || kt == 0)
        return TUN_HK_ERROR;
    char name[280];
    tunnel_known_name(host, port, name, sizeof name);
    /* port -1: exactly this name. libssh2 given a port would also accept an
     * entry for the bare host, and a bare-host match would even win over a
     * different key listed for [host]:port. */
    const int base = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW;
    int rc = libssh2_knownhost_checkp(kh, name, -1, key, keylen, base | kt, NULL);
    if (rc == LIBSSH2_KNOWNHOST_CHECK_MATCH)
        return TUN_HK_MATCH;
    if (rc == LIBSSH2_KNOWNHOST_CHECK_MISMATCH)
        return TUN_HK_CHANGED;
    if (rc != LIBSSH2_KNOWNHOST_CHECK_NOTFOUND)
        return TUN_HK_ERROR;
    /* nothing of this type: is the host listed with a key of another type? */
    rc = libssh2_knownhost_checkp(kh, name, -1, key, keylen, base, NULL);
    if (rc == LIBSSH2_KNOWNHOST_CHECK_NOTFOUND)
        return TUN_HK_UNKNOWN;
    if (rc == LIBSSH2_KNOWNHOST_CHECK_FAILURE)
        return TUN_HK_ERROR;
    return TUN_HK_CHANGED;
}

/* The known_hosts key type a host key algorithm produces, 0 for others. */
static int tun_alg_type(const char *alg)
{
    static const struct { const char *alg; int kt; } map[] = {
        { "ssh-ed25519", LIBSSH2_KNOWNHOST_KEY_ED25519 },
        { "ecdsa-sha2-nistp256", LIBSSH2_KNOWNHOST_KEY_ECDSA_256 },
        { "ecdsa-sha2-nistp384", LIBSSH2_KNOWNHOST_KEY_ECDSA_384 },
        { "ecdsa-sha2-nistp521", LIBSSH2_KNOWNHOST_KEY_ECDSA_521 },
        { "rsa-sha2-512", LIBSSH2_KNOWNHOST_KEY_SSHRSA },
        { "rsa-sha2-256", LIBSSH2_KNOWNHOST_KEY_SSHRSA },
        { "ssh-rsa", LIBSSH2_KNOWNHOST_KEY_SSHRSA },
        { "ssh-dss", LIBSSH2_KNOWNHOST_KEY_SSHDSS },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(alg, map[i].alg) == 0)
            return map[i].kt;
    return 0;
}

const char *tunnel_known_prefs(LIBSSH2_SESSION *s, LIBSSH2_KNOWNHOSTS *kh, const char *host,
                               int port, char *out, size_t outlen)
{
    char name[280];
    tunnel_known_name(host, port, name, sizeof name);
    const char **algs = NULL;
    int n = libssh2_session_supported_algs(s, LIBSSH2_METHOD_HOSTKEY, &algs);
    if (n <= 0 || kh == NULL)
        return NULL;
    /* which supported algorithms produce a key type listed for this host?
     * (an impossible empty key only tells whether an entry exists) */
    bool known[32] = { false };
    bool any = false;
    for (int i = 0; i < n && i < 32; i++) {
        int kt = tun_alg_type(algs[i]);
        if (kt == 0)
            continue;
        int rc = libssh2_knownhost_checkp(kh, name, -1, "", 0, LIBSSH2_KNOWNHOST_TYPE_PLAIN |
                                          LIBSSH2_KNOWNHOST_KEYENC_BASE64 | kt, NULL);
        known[i] = rc == LIBSSH2_KNOWNHOST_CHECK_MISMATCH || rc == LIBSSH2_KNOWNHOST_CHECK_MATCH;
        any |= known[i];
    }
    size_t o = 0;
    out[0] = '\0';
    for (int pass = 0; any && pass < 2; pass++) {
        for (int i = 0; i < n && i < 32; i++) {
            if (known[i] != (pass == 0))
                continue;
            int w = snprintf(out + o, outlen - o, "%s%s", o > 0 ? "," : "", algs[i]);
            if (w < 0 || (size_t)w >= outlen - o) {
                any = false;                 /* does not fit: keep the default */
                break;
            }
            o += (size_t)w;
        }
    }
    libssh2_free(s, algs);
    return any ? out : NULL;
}

/* ---- the check (tunnel thread) ---- */

/* Host key refused: final. Pending connections are reset. */
static void tun_sess_refuse(tunnel_t *t, const char *why)
{
    tun_sess_drop(t, false);
    for (int i = 0; i < TUN_MAX_CHAN; i++)
        tun_chan_free(t, i, true);
    t->io.phase = PH_REFUSED;
    tun_set_state(t, TUNNEL_REFUSED, why);
    tun_event(t, "refused: %s", why);
}

/* After the key exchange: is this the server we know? Returns true to go on
 * (authentication), false when refused or failed. */
bool tun_sess_check_hostkey(tunnel_t *t)
{
    tun_io_t *io = &t->io;
    size_t klen = 0;
    int ktype = 0;
    const char *key = libssh2_session_hostkey(io->sess, &klen, &ktype);
    const char *hash = libssh2_hostkey_hash(io->sess, LIBSSH2_HOSTKEY_HASH_SHA256);
    char fp[64] = "SHA256:?", why[320], err[200] = "";
    if (hash != NULL)
        tunnel_fingerprint((const unsigned char *)hash, fp, sizeof fp);
    if (key == NULL || tun_kh_type(ktype) == 0) {
        snprintf(why, sizeof why, "host key for %.80s has an unsupported type (%.50s)",
                 t->known_name, fp);
        tun_sess_refuse(t, why);
        return false;
    }
    LIBSSH2_KNOWNHOSTS *kh = NULL;
    int partial = tunnel_known_load(io->sess, t->known_hosts, &kh, err, sizeof err);
    tunnel_hostkey_t v = partial < 0 ? TUN_HK_ERROR :
                         tunnel_known_check(kh, t->host, t->port, key, klen, ktype);
    if (kh != NULL)
        libssh2_knownhost_free(kh);
    const char *kname = tun_key_name(ktype);
    bool pin_differs = false;
    if (v == TUN_HK_UNKNOWN && io->pin != NULL) {
        /* accepted earlier in this run: it must be the very same key */
        pin_differs = io->pin_type != ktype || io->pin_len != klen ||
                      memcmp(io->pin, key, klen) != 0;
        v = pin_differs ? TUN_HK_CHANGED : TUN_HK_MATCH;
    } else if (v == TUN_HK_UNKNOWN && t->accept_new && partial == 0) {
        io->pin = malloc(klen);
        if (io->pin != NULL) {
            memcpy(io->pin, key, klen);
            io->pin_len = klen;
            io->pin_type = ktype;
            tun_event(t, "accepted new host key %s %s (not written to known_hosts)", kname, fp);
            v = TUN_HK_MATCH;
        }
    }
    switch (v) {
    case TUN_HK_MATCH:
        return true;
    case TUN_HK_UNKNOWN:
        if (t->accept_new && partial != 0)
            snprintf(why, sizeof why, "host key for %.80s is not in known_hosts (%.20s %.50s), "
                     "and not accepted as new: %.80s", t->known_name, kname, fp, err);
        else
            snprintf(why, sizeof why, "host key for %.80s is not in known_hosts (%.20s %.50s)",
                     t->known_name, kname, fp);
        tun_sess_refuse(t, why);
        return false;
    case TUN_HK_CHANGED:
        snprintf(why, sizeof why, "host key for %.80s has CHANGED (now %.20s %.50s): it does "
                 "not match %s; possible man-in-the-middle", t->known_name, kname, fp,
                 pin_differs ? "the key accepted earlier" : "known_hosts");
        tun_sess_refuse(t, why);
        return false;
    case TUN_HK_ERROR:
    default:
        tun_sess_fail(t, "host key check failed: %.150s", err[0] ? err : tun_ssh_error(io->sess));
        return false;
    }
}
