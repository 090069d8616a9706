/* secmem.c — page-aligned blocks for secrets: no core dump, no swap, wiped. */
#include "secmem.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Each block starts with this header; the caller gets the bytes after it. */
typedef struct {
    size_t len;        /* of the whole mapping */
    bool   dontdump;   /* MADV_DONTDUMP took */
    bool   locked;     /* mlock took */
} secmem_hdr_t;

#define SECMEM_HDR ((sizeof(secmem_hdr_t) + 63) & ~(size_t)63)

static size_t secmem_page(void)
{
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? (size_t)p : 4096;
}

void *secmem_alloc(size_t n)
{
    size_t page = secmem_page();
    if (n > SIZE_MAX - SECMEM_HDR - page)
        return NULL;
    size_t len = (n + SECMEM_HDR + page - 1) / page * page;
    void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    secmem_hdr_t *h = m;
    h->len = len;
#ifdef MADV_DONTDUMP
    h->dontdump = madvise(m, len, MADV_DONTDUMP) == 0;
#endif
    h->locked = mlock(m, len) == 0;
    return (char *)m + SECMEM_HDR;
}

void secmem_free(void *p, size_t n)
{
    if (!p)
        return;
    secmem_hdr_t *h = (secmem_hdr_t *)((char *)p - SECMEM_HDR);
    size_t len = h->len;
    (void)n;                               /* the whole block is wiped, not only n bytes */
    explicit_bzero(p, len - SECMEM_HDR);
    if (h->locked)
        munlock(h, len);
    munmap(h, len);
}

bool secmem_dontdump(const void *p)
{
    return p && ((const secmem_hdr_t *)((const char *)p - SECMEM_HDR))->dontdump;
}
