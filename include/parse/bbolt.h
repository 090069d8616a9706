/* bbolt.h — a pure, read-only reader of bbolt database files (etcd's backend
 * and its snapshots), enough for `snapshot status`: it checks the file the way
 * `bolt check` does (meta pages, page bounds, types, every page reached once,
 * keys in order) and computes what etcdctl snapshot status prints:
 *   hash       CRC-32C over every top-level bucket's name, then each of its
 *              keys and values, in key order
 *   revision   the main revision of the "key" bucket's last key
 *   total_keys the keys of all buckets
 *   total_size the database's high-water mark (meta pgid x page size)
 * A file ending in the 32-byte SHA-256 etcd appends to a snapshot has it
 * verified too. */
#ifndef EM_BBOLT_H
#define EM_BBOLT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util.h"

typedef struct {
    uint32_t hash;
    int64_t  revision;
    int64_t  total_keys;
    int64_t  total_size;
    uint32_t page_size;
    uint64_t txid;
    int      buckets;
    bool     has_sha256;       /* the file carried etcd's trailing SHA-256 (verified) */
} bbolt_status_t;

/* Read the database in data[0..len) (a whole file, e.g. mmapped). 0 with *st
 * filled, or -1 with one line in why ("truncated: ...", "page 7: ..."). */
int bbolt_status(const unsigned char *data, size_t len, bbolt_status_t *st,
                 char *why, size_t whylen) WARN_UNUSED_RESULT;

#endif
