/* filter.c — case-insensitive substring match for the `/` filter (see filter.h). */
#include "filter.h"

#include <ctype.h>
#include <string.h>

/* Whether needle is in hay, ignoring ASCII case. */
static bool contains(const char *hay, const char *needle)
{
    size_t nl = strlen(needle);
    for (const char *h = hay; *h; h++) {
        size_t i = 0;
        while (i < nl && h[i] &&
               tolower((unsigned char)h[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == nl)
            return true;
    }
    return nl == 0;
}

bool filter_match(const char *needle, const char *const *fields, int n)
{
    if (!needle || !needle[0])
        return true;
    for (int i = 0; i < n; i++)
        if (fields[i] && contains(fields[i], needle))
            return true;
    return false;
}
