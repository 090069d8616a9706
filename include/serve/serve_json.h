/* serve_json.h — a few JSON writers into a buf_t for the API's documents
 * (serve_text.c): unknown figures are written as null, never as 0. */
#ifndef EM_SERVE_JSON_H
#define EM_SERVE_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include "buf.h"
#include "sample.h"

void js_str(buf_t *b, const char *s);              /* NULL -> null */
void js_str_or_null(buf_t *b, const char *s);      /* "" -> null too */
void js_num(buf_t *b, double v);                   /* NAN, ±Inf -> null */
void js_mval(buf_t *b, mval_t m);
void js_bool(buf_t *b, int v);                     /* -1 -> null */
void js_id(buf_t *b, uint64_t id);                 /* hex string, 0 -> null */
void js_time(buf_t *b, double wall);               /* RFC 3339, <= 0 -> null */
/* ,"key": (the comma left out for the first member of an object). */
void js_key(buf_t *b, bool *first, const char *key);

#endif
