/* bbolt.c — read-only bbolt file reader and checker (bbolt.h). Layout (bbolt
 * page.go, node.go, db.go, all little-endian):
 *   page     id u64, flags u16, count u16, overflow u32, then its data
 *   meta     magic u32 0xED0CDAED, version u32 2, page size u32, flags u32,
 *            root bucket {root pgid u64, sequence u64}, freelist pgid u64,
 *            pgid u64 (high-water mark), txid u64, checksum u64 (FNV-1a 64 of
 *            the 56 bytes before it); pages 0 and 1, the valid one with the
 *            higher txid wins
 *   branch   elements {pos u32, ksize u32, pgid u64}; key at element + pos
 *   leaf     elements {flags u32, pos u32, ksize u32, vsize u32}; key at
 *            element + pos, value after it; flags 1 = a bucket, whose value is
 *            {root pgid u64, sequence u64} (root 0: an inline leaf page follows)
 *   freelist u64 page ids (count 0xFFFF: the real count is the first u64) */
#include "bbolt.h"
#include "digest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PG_BRANCH = 0x01, PG_LEAF = 0x02, PG_META = 0x04, PG_FREELIST = 0x10 };
enum { PAGE_HDR = 16, ELEM = 16, BUCKET_HDR = 16, MAX_DEPTH = 64 };
#define BOLT_MAGIC 0xED0CDAEDu
#define NO_FREELIST UINT64_MAX

typedef struct {
    const unsigned char *d;
    size_t               len;
    uint32_t             psize;
    uint64_t             hwm;          /* pages below it belong to the database */
    unsigned char       *seen;         /* one byte per page: reached */
    char                *why;
    size_t               whylen;
    /* the walk's output */
    uint32_t             crc;
    int64_t              keys;
    int64_t              rev;
    int                  buckets;
    bool                 key_bucket;   /* walking etcd's "key" bucket */
} bolt_t;

static uint16_t rd16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t rd64(const unsigned char *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

/* Record the first failure (printf style); always -1. */
static int fail(bolt_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(bolt_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->why, b->whylen, fmt, ap);
    va_end(ap);
    return -1;
}

typedef struct {
    uint32_t psize;
    uint64_t root, freelist, pgid, txid;
} meta_t;

/* The meta at byte offset off: 0 when valid. */
static int meta_read(const unsigned char *d, size_t len, size_t off, meta_t *m)
{
    if (off + PAGE_HDR + 64 > len)
        return -1;
    const unsigned char *p = d + off;
    if (!(rd16(p + 8) & PG_META))
        return -1;
    const unsigned char *q = p + PAGE_HDR;
    if (rd32(q) != BOLT_MAGIC || rd32(q + 4) != 2 || rd64(q + 56) != fnv1a64(q, 56))
        return -1;
    m->psize = rd32(q + 8);
    m->root = rd64(q + 16);
    m->freelist = rd64(q + 32);
    m->pgid = rd64(q + 40);
    m->txid = rd64(q + 48);
    return 0;
}

/* The page with id id (spanning its overflow), checked against the file and
 * the expected type; NULL with why. */
static const unsigned char *page_get(bolt_t *b, uint64_t id, unsigned want, size_t *span)
{
    if (id < 2 || id >= b->hwm) {
        fail(b, "page %llu: outside the database (high-water mark %llu)",
             (unsigned long long)id, (unsigned long long)b->hwm);
        return NULL;
    }
    const unsigned char *p = b->d + id * b->psize;
    uint64_t over = rd32(p + 12);
    if (rd64(p) != id) {
        fail(b, "page %llu: header says page %llu", (unsigned long long)id,
             (unsigned long long)rd64(p));
        return NULL;
    }
    if (id + over + 1 > b->hwm) {
        fail(b, "page %llu: overflow runs past the high-water mark", (unsigned long long)id);
        return NULL;
    }
    if (!(rd16(p + 8) & want)) {
        fail(b, "page %llu: unexpected page type 0x%x", (unsigned long long)id, rd16(p + 8));
        return NULL;
    }
    for (uint64_t i = id; i <= id + over; i++) {
        if (b->seen[i]) {
            fail(b, "page %llu: reached twice", (unsigned long long)i);
            return NULL;
        }
        b->seen[i] = 1;
    }
    *span = (size_t)(over + 1) * b->psize;
    return p;
}

/* Compare keys as bytes (Go's bytes.Compare). */
static int key_cmp(const unsigned char *a, size_t an, const unsigned char *c, size_t cn)
{
    int r = memcmp(a, c, an < cn ? an : cn);
    return r ? r : (an > cn) - (an < cn);
}

typedef struct {
    const unsigned char *k;
    size_t               kn;
    bool                 any;
} last_key_t;

/* Is key after the previous one of this bucket? Remembers it. */
static int key_order(bolt_t *b, last_key_t *last, const unsigned char *k, size_t kn)
{
    if (last->any && key_cmp(last->k, last->kn, k, kn) >= 0)
        return fail(b, "keys out of order");
    last->k = k;
    last->kn = kn;
    last->any = true;
    return 0;
}

/* One item of a bucket's leaf: visit(k, v, is_bucket). */
typedef int (*visit_fn)(bolt_t *b, const unsigned char *k, size_t kn, const unsigned char *v,
                        size_t vn, bool is_bucket);

static int walk_tree(bolt_t *b, uint64_t root, int depth, last_key_t *last, visit_fn visit);

/* The elements of a leaf page image p of span bytes, in order. */
static int walk_leaf(bolt_t *b, const unsigned char *p, size_t span, last_key_t *last,
                     visit_fn visit)
{
    unsigned n = rd16(p + 10);
    if (PAGE_HDR + (size_t)n * ELEM > span)
        return fail(b, "page %llu: %u elements do not fit", (unsigned long long)rd64(p), n);
    for (unsigned i = 0; i < n; i++) {
        const unsigned char *e = p + PAGE_HDR + (size_t)i * ELEM;
        uint32_t flags = rd32(e), pos = rd32(e + 4), kn = rd32(e + 8), vn = rd32(e + 12);
        size_t at = PAGE_HDR + (size_t)i * ELEM + pos;
        if (at > span || kn > span - at || vn > span - at - kn)
            return fail(b, "page %llu: element %u runs past the page",
                        (unsigned long long)rd64(p), i);
        if (key_order(b, last, p + at, kn) || visit(b, p + at, kn, p + at + kn, vn, flags & 1))
            return -1;
    }
    return 0;
}

/* The items of the B+tree under page root, in key order. */
static int walk_tree(bolt_t *b, uint64_t root, int depth, last_key_t *last, visit_fn visit)
{
    size_t span;
    if (depth > MAX_DEPTH)
        return fail(b, "tree deeper than %d levels", MAX_DEPTH);
    const unsigned char *p = page_get(b, root, PG_BRANCH | PG_LEAF, &span);
    if (!p)
        return -1;
    if (rd16(p + 8) & PG_LEAF)
        return walk_leaf(b, p, span, last, visit);
    unsigned n = rd16(p + 10);
    if (n == 0 || PAGE_HDR + (size_t)n * ELEM > span)
        return fail(b, "page %llu: bad element count %u", (unsigned long long)root, n);
    for (unsigned i = 0; i < n; i++) {
        const unsigned char *e = p + PAGE_HDR + (size_t)i * ELEM;
        uint32_t pos = rd32(e), kn = rd32(e + 4);
        size_t at = PAGE_HDR + (size_t)i * ELEM + pos;
        if (at > span || kn > span - at)
            return fail(b, "page %llu: element %u runs past the page",
                        (unsigned long long)root, i);
        if (walk_tree(b, rd64(e + 8), depth + 1, last, visit))
            return -1;
    }
    return 0;
}

/* An item of a bucket: hashed and counted as etcdctl does. */
static int visit_item(bolt_t *b, const unsigned char *k, size_t kn, const unsigned char *v,
                      size_t vn, bool is_bucket)
{
    b->crc = crc32c_update(b->crc, k, kn);
    if (!is_bucket)                        /* ForEach gives a nested bucket a nil value */
        b->crc = crc32c_update(b->crc, v, vn);
    if (b->key_bucket && kn >= 8) {
        int64_t main = 0;
        for (int i = 0; i < 8; i++)
            main = (int64_t)((uint64_t)main << 8 | k[i]);
        b->rev = main;
    }
    b->keys++;
    return 0;
}

/* A top-level item: a bucket, hashed with its contents. */
static int visit_bucket(bolt_t *b, const unsigned char *k, size_t kn, const unsigned char *v,
                        size_t vn, bool is_bucket)
{
    last_key_t last = { 0 };
    if (!is_bucket || vn < BUCKET_HDR)
        return fail(b, "cannot get hash of bucket %.*s", (int)(kn > 64 ? 64 : kn), k);
    b->crc = crc32c_update(b->crc, k, kn);
    b->buckets++;
    b->key_bucket = kn == 3 && memcmp(k, "key", 3) == 0;
    uint64_t root = rd64(v);
    int r;
    if (root == 0) {                        /* inline: a leaf page inside the value */
        if (vn < BUCKET_HDR + PAGE_HDR || !(rd16(v + BUCKET_HDR + 8) & PG_LEAF))
            return fail(b, "bucket %.*s: bad inline page", (int)(kn > 64 ? 64 : kn), k);
        r = walk_leaf(b, v + BUCKET_HDR, vn - BUCKET_HDR, &last, visit_item);
    } else {
        r = walk_tree(b, root, 1, &last, visit_item);
    }
    b->key_bucket = false;
    return r;
}

/* Mark the freelist's pages (and the freelist itself) as reached, once each. */
static int freelist_mark(bolt_t *b, uint64_t fl)
{
    size_t span;
    const unsigned char *p = page_get(b, fl, PG_FREELIST, &span);
    if (!p)
        return -1;
    uint64_t n = rd16(p + 10), first = 0;
    if (n == 0xFFFF) {
        if (span < PAGE_HDR + 8)
            return fail(b, "freelist: truncated");
        n = rd64(p + PAGE_HDR);
        first = 1;
    }
    if (n > (span - PAGE_HDR) / 8 - first)
        return fail(b, "freelist: %llu ids do not fit", (unsigned long long)n);
    for (uint64_t i = 0; i < n; i++) {
        uint64_t id = rd64(p + PAGE_HDR + (first + i) * 8);
        if (id < 2 || id >= b->hwm)
            return fail(b, "freelist: page %llu outside the database", (unsigned long long)id);
        if (b->seen[id])
            return fail(b, "page %llu: both free and in use", (unsigned long long)id);
        b->seen[id] = 1;
    }
    return 0;
}

/* Check a trailing SHA-256 when the file is the database plus 32 bytes. */
static int sha_check(bolt_t *b, size_t db_len, bool *has)
{
    *has = false;
    if (b->len > db_len && b->len < db_len + 32)
        return fail(b, "truncated: %zu bytes after the database, not the 32 of a SHA-256",
                    b->len - db_len);
    if (b->len != db_len + 32)
        return 0;
    sha256_t s;
    unsigned char sum[32];
    sha256_init(&s);
    sha256_update(&s, b->d, db_len);
    sha256_final(&s, sum);
    if (memcmp(sum, b->d + db_len, 32) != 0)
        return fail(b, "the snapshot's SHA-256 does not match its contents");
    *has = true;
    return 0;
}

int bbolt_status(const unsigned char *data, size_t len, bbolt_status_t *st, char *why,
                 size_t whylen)
{
    bolt_t b = { .d = data, .len = len, .why = why, .whylen = whylen };
    meta_t m0, m1, *m = NULL;
    memset(st, 0, sizeof *st);
    if (whylen)
        why[0] = '\0';
    if (len < PAGE_HDR + 64)
        return fail(&b, "not a bbolt database: %zu bytes", len);
    bool ok0 = meta_read(data, len, 0, &m0) == 0;
    uint32_t ps = ok0 ? m0.psize : 4096;
    if (ps < 1024 || ps > (1u << 20) || (ps & (ps - 1)))
        return fail(&b, "not a bbolt database: page size %u", ps);
    bool ok1 = meta_read(data, len, ps, &m1) == 0 && m1.psize == ps;
    if (ok0 && ok1)
        m = m1.txid > m0.txid ? &m1 : &m0;
    else if (ok0 || ok1)
        m = ok0 ? &m0 : &m1;
    else if (rd32(data + PAGE_HDR) != BOLT_MAGIC)
        return fail(&b, "not a bbolt database (bad magic)");
    else
        return fail(&b, "invalid database: no valid meta page");
    b.psize = m->psize;
    b.hwm = m->pgid;
    if (b.hwm < 3 || b.hwm > len / b.psize) {
        if (b.hwm >= 3 && b.hwm <= UINT64_MAX / b.psize)
            return fail(&b, "truncated: %zu bytes, the database needs %llu", len,
                        (unsigned long long)(b.hwm * b.psize));
        return fail(&b, "invalid database: high-water mark %llu", (unsigned long long)b.hwm);
    }
    if (!(b.seen = calloc((size_t)b.hwm, 1)))
        return fail(&b, "out of memory");
    b.seen[0] = b.seen[1] = 1;
    int r = sha_check(&b, (size_t)(b.hwm * b.psize), &st->has_sha256);
    if (r == 0 && m->freelist != NO_FREELIST)
        r = freelist_mark(&b, m->freelist);
    last_key_t last = { 0 };
    if (r == 0)
        r = walk_tree(&b, m->root, 0, &last, visit_bucket);
    /* With a freelist every page is either reached or free (bolt check). */
    for (uint64_t i = 2; r == 0 && m->freelist != NO_FREELIST && i < b.hwm; i++)
        if (!b.seen[i])
            r = fail(&b, "page %llu: unreachable and not freed", (unsigned long long)i);
    free(b.seen);
    if (r)
        return -1;
    st->hash = b.crc;
    st->revision = b.rev;
    st->total_keys = b.keys;
    st->total_size = (int64_t)(b.hwm * b.psize);
    st->page_size = b.psize;
    st->txid = m->txid;
    st->buckets = b.buckets;
    return 0;
}
