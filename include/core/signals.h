/* signals.h — signals as flags. Handlers only set a flag and wake the loop
 * (through a self-pipe registered in it); the loop does the work.
 *
 * Stop signals: SIGINT, SIGTERM, SIGHUP, SIGQUIT (Ctrl-\) and SIGUSR1 all ask
 * for an orderly stop (terminal restored, summary printed, files flushed).
 * Crash signals (SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL): the crash hook puts
 * the terminal back (async-signal-safe), then the default action runs. */
#ifndef EM_SIGNALS_H
#define EM_SIGNALS_H

#include "loop.h"

/* Install the handlers and register the self-pipe with loop (NULL: none). */
int  signals_setup(loop_t *loop) WARN_UNUSED_RESULT;
/* Unregister from the loop and close the self-pipe (handlers stay). */
void signals_close(loop_t *loop);
/* Called first on a crash signal; must be async-signal-safe. */
void signals_set_crash_hook(void (*hook)(void));
/* How many stop signals arrived (a second one means: do not wait), and the last. */
int  signals_stop_count(void);
int  signals_last(void);
/* A SIGWINCH since the last call (clears the flag). */
bool signals_take_resize(void);

#endif
