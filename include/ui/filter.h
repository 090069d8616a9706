/* filter.h — the `/` filter of the members table and the alerts list (pure):
 * a case-insensitive substring of any of a row's fields. */
#ifndef EM_FILTER_H
#define EM_FILTER_H

#include <stdbool.h>

/* Whether needle ("" = everything) is in one of fields[0..n) (NULL fields
 * are skipped), ignoring ASCII case. */
bool filter_match(const char *needle, const char *const *fields, int n);

#endif
