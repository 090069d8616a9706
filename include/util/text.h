/* text.h — make untrusted text (member names, errors, anything read from the
 * network) safe for a terminal, a log line or a CSV field (pure).
 *
 * text_clean() copies printable ASCII and valid UTF-8 and escapes the rest, so
 * the result is one line of valid UTF-8 that a terminal shows as plain text:
 *   \n \r \t              for LF, CR, TAB
 *   \xNN                  for the other C0 controls and DEL (0x00-0x1f, 0x7f)
 *   \uNNNN                for C1 controls (U+0080-U+009F), the line and paragraph
 *                         separators and the bidirectional overrides and isolates
 *                         (U+2028-U+202E, U+2066-U+2069)
 *   U+FFFD                for each byte that is not part of valid UTF-8 (stray
 *                         continuation bytes, overlong forms, surrogates, > U+10FFFF)
 * A backslash is kept as it is. The output is cut (never inside an escape or a
 * UTF-8 sequence) to fit in size bytes, NUL included. */
#ifndef EM_TEXT_H
#define EM_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Clean the NUL-terminated s (NULL is "") into out; returns the bytes written
 * (without the NUL). */
size_t text_clean(char *out, size_t size, const char *s);
/* The same for len bytes of s (which may hold NULs: each becomes \x00). */
size_t text_clean_n(char *out, size_t size, const char *s, size_t len);
/* True when text_clean() would return s unchanged. */
bool   text_is_clean(const char *s);

#endif
