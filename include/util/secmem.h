/* secmem.h — memory for secrets (the etcd password, the authenticate body, the
 * token and its Authorization header).
 *
 * A secmem block is its own page-aligned anonymous mapping: zeroed, kept out of
 * core dumps where the platform allows (madvise MADV_DONTDUMP, Linux 3.4+) and
 * out of swap when the memlock limit permits (mlock, best effort), and wiped
 * (explicit_bzero) before it is unmapped. Covered: what lives in such a block.
 * Not covered: copies made elsewhere — libcurl's own copies of the request
 * headers and body, jansson's while it parses the token, the answer buffer
 * (wiped after the token is read, but ordinary heap), the configuration's copy
 * of the password until it is handed over, and the process environment
 * (ETCDCTL_PASSWORD). */
#ifndef EM_SECMEM_H
#define EM_SECMEM_H

#include <stdbool.h>
#include <stddef.h>

/* n zeroed bytes on pages of their own; NULL when the mapping fails. */
void *secmem_alloc(size_t n);
/* Wipe and unmap a block of n bytes from secmem_alloc() (NULL is fine). */
void secmem_free(void *p, size_t n);
/* Was p's block kept out of core dumps? (false where MADV_DONTDUMP is missing) */
bool secmem_dontdump(const void *p);

#endif
