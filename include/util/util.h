/* util.h — small compiler helpers shared by every layer. */
#ifndef EM_UTIL_H
#define EM_UTIL_H

/* On a function whose result must be checked (as curl does). */
#if defined(__GNUC__) || defined(__clang__)
#define WARN_UNUSED_RESULT __attribute__((warn_unused_result))
#else
#define WARN_UNUSED_RESULT
#endif

#define ARRAY_LEN(a) ((int)(sizeof(a) / sizeof((a)[0])))

#endif
