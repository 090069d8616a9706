/* loop.h — the one event loop: one libcurl multi handle shared by everyone who
 * speaks HTTP (collector, later notifiers and commands), a registry of file
 * descriptors with callbacks (keyboard, signal self-pipe, later listening
 * sockets), and one-shot timers on the monotonic clock.
 *
 * loop_run_once() waits for the earliest of: network activity, a registered fd,
 * a due timer, or the caller's timeout; then moves every transfer along, calls
 * the done callback of each finished transfer, the callback of each ready fd,
 * and each due timer. Single-threaded: every callback runs on the caller's
 * thread, never inside a signal handler. */
#ifndef EM_LOOP_H
#define EM_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include "util.h"

typedef struct loop loop_t;

/* Events of a registered fd (the values of curl's CURL_WAIT_POLL* bits). */
#define LOOP_IN  0x0001
#define LOOP_PRI 0x0002
#define LOOP_OUT 0x0004

/* An fd is ready (revents: LOOP_* bits). */
typedef void (*loop_fd_fn)(void *ctx, int fd, short revents);

/* A one-shot timer; owned by the caller, armed with loop_timer_arm(). */
typedef struct loop_timer {
    double due;                          /* monotonic seconds */
    bool   armed;
    void (*fire)(void *ctx, double now);
    void  *ctx;
} loop_timer_t;

#define LOOP_MAX_FDS    16
#define LOOP_MAX_TIMERS 16

/* NULL when libcurl cannot make a multi handle. curl_global_init() first.
 * The transfer half of the API is in loop_xfer.h (only layers that may
 * speak curl include it). */
loop_t *loop_new(void) WARN_UNUSED_RESULT;
void loop_free(loop_t *l);

/* Let n connections stay open between polls (curl's connection cache, 256
 * by default: with fewer than the polls use, each poll closes and reopens
 * some). When n + LOOP_FD_RESERVE descriptors do not fit the soft open-file
 * limit, it is raised toward the hard one; when that is too low, connections
 * are capped below it (requests wait their turn) and why says so in one
 * line. The connections allowed (n, or fewer with why set). */
int  loop_reserve_connections(loop_t *l, int n, char *why, size_t whylen);
#define LOOP_FD_RESERVE 256              /* descriptors kept for all but connections */

/* Watch fd for events (LOOP_IN ...): fn(ctx, fd, revents). */
int  loop_fd_add(loop_t *l, int fd, short events, loop_fd_fn fn, void *ctx) WARN_UNUSED_RESULT;
void loop_fd_remove(loop_t *l, int fd);

/* Register t (caller-owned, lives until removed); then arm it as often as wanted. */
int  loop_timer_add(loop_t *l, loop_timer_t *t) WARN_UNUSED_RESULT;
void loop_timer_remove(loop_t *l, loop_timer_t *t);
void loop_timer_arm(loop_timer_t *t, double due);

/* Wait at most timeout_ms (less when a timer is due sooner), then dispatch. */
void loop_run_once(loop_t *l, int timeout_ms);

/* Clocks, in seconds. */
double loop_mono(void);
double loop_wall(void);

#endif
