/* signals.c — signal handlers that only set flags and poke the self-pipe. */
#include "signals.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requests;
static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t resize_requested;
static int wake_pipe[2] = { -1, -1 };
static void (*crash_hook)(void);

/* Wake the loop: a byte on the self-pipe (its read end is in the loop's fds). */
static void signals_poke(void)
{
    if (wake_pipe[1] >= 0)
        (void)!write(wake_pipe[1], "", 1);
}

static void on_stop_signal(int sig)
{
    int saved = errno;
    stop_requests++;
    stop_signal = sig;
    signals_poke();
    errno = saved;
}

static void on_winch(int sig)
{
    (void)sig;
    int saved = errno;
    resize_requested = 1;
    signals_poke();
    errno = saved;
}

/* A crash: put the terminal back (async-signal-safe), then let the default
 * action (core dump, sanitizer report) happen. */
static void on_crash(int sig)
{
    if (crash_hook)
        crash_hook();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* The loop's callback: empty the self-pipe (the flags say what happened). */
static void signals_drain(void *ctx, int fd, short revents)
{
    (void)ctx;
    (void)revents;
    char drain[64];
    while (read(fd, drain, sizeof(drain)) > 0)
        ;
}

/* Non-blocking and close-on-exec; -1 when either cannot be set. */
static int signals_fd_flags(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)
        return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 ? 0 : -1;
}

int signals_setup(loop_t *loop)
{
    if (wake_pipe[0] < 0) {
        if (pipe(wake_pipe) != 0)
            return -1;
        if (signals_fd_flags(wake_pipe[0]) != 0 || signals_fd_flags(wake_pipe[1]) != 0)
            return -1;
    }
    if (loop && loop_fd_add(loop, wake_pipe[0], LOOP_IN, signals_drain, NULL) != 0)
        return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGXFSZ, &sa, NULL);   /* a file-size limit is an EFBIG, not a death */
    sa.sa_handler = on_stop_signal;
    static const int stops[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 };
    for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
        sigaction(stops[i], &sa, NULL);
    sa.sa_handler = on_winch;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGWINCH, &sa, NULL);
    sa.sa_handler = on_crash;
    sa.sa_flags = SA_RESETHAND;
    static const int crashes[] = { SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL };
    for (size_t i = 0; i < sizeof(crashes) / sizeof(crashes[0]); i++)
        sigaction(crashes[i], &sa, NULL);
    return 0;
}

void signals_close(loop_t *loop)
{
    if (wake_pipe[0] < 0)
        return;
    if (loop)
        loop_fd_remove(loop, wake_pipe[0]);
    int r = wake_pipe[0], w = wake_pipe[1];
    wake_pipe[0] = wake_pipe[1] = -1;   /* a late signal no longer writes */
    close(w);
    close(r);
}

void signals_set_crash_hook(void (*hook)(void))
{
    crash_hook = hook;
}

int signals_stop_count(void)
{
    return stop_requests;
}

int signals_last(void)
{
    return stop_signal;
}

bool signals_take_resize(void)
{
    if (!resize_requested)
        return false;
    resize_requested = 0;
    return true;
}
