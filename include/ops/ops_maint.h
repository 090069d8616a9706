/* ops_maint.h — the maintenance commands' pieces that do not talk to the
 * cluster (pure, unit-tested): how a key or value is shown, a prefix's range
 * end, the fragmentation of a member, and the rolling defrag's plan and
 * margin check. */
#ifndef EM_OPS_MAINT_H
#define EM_OPS_MAINT_H

#include <stdbool.h>
#include <stddef.h>
#include "ops_client.h"

/* The marker before a value shown as base64 because it is not printable. */
#define OPS_B64_MARK "(base64) "

/* Is p[0..n) valid UTF-8 without control characters (C0, DEL, C1)? */
bool ops_printable(const unsigned char *p, size_t n);
/* p[0..n) as text when printable, else OPS_B64_MARK and its base64; a new
 * string (caller frees), NULL when out of memory. */
char *ops_show_bytes(const unsigned char *p, size_t n);
/* The range end of every key starting with key[0..n) into out (n bytes
 * room): the prefix with its last byte below 0xff incremented; *outn 1 with
 * out[0] 0 ("\0": every key) when there is none. */
void ops_prefix_end(const unsigned char *key, size_t n, unsigned char *out, size_t *outn);
/* Percent of the db file not in use (0 when unknown). */
double ops_frag_pct(int64_t db_size, int64_t in_use);

/* The members that can be spared: voting members up minus the quorum of
 * the voting members (< 1: taking one member away loses quorum or leaves
 * none to spare). */
int  ops_margin(const ops_client_t *c);
/* The rolling order of c's members: followers (in member-list order), then
 * the leader last; learners and members without a client URL included, down
 * members not. Fills order[] with indexes into c->m; returns how many. */
int  ops_defrag_order(const ops_client_t *c, int *order);

#endif
