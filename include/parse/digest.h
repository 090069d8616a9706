/* digest.h — the checksums operator actions need, pure and unit-tested:
 * CRC-32C (Castagnoli, as Go's crc32.MakeTable(crc32.Castagnoli)), SHA-256
 * (FIPS 180-4, as etcd appends to a snapshot) and FNV-1a 64 (bbolt's meta page
 * checksum). Streaming: init, update any number of times, final. */
#ifndef EM_DIGEST_H
#define EM_DIGEST_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32C of len bytes, continuing from crc (0 to start). */
uint32_t crc32c_update(uint32_t crc, const void *p, size_t len);

typedef struct {
    uint32_t h[8];
    uint64_t bytes;            /* message length so far */
    unsigned char blk[64];
    size_t   used;             /* bytes in blk */
} sha256_t;

void sha256_init(sha256_t *s);
void sha256_update(sha256_t *s, const void *p, size_t len);
void sha256_final(sha256_t *s, unsigned char out[32]);

/* FNV-1a 64 of len bytes. */
uint64_t fnv1a64(const void *p, size_t len);

#endif
