/* remote.h — what reaches the member hosts beyond HTTP: the SSH tunnels (the
 * cluster's --ssh host and each `members:` entry's own host, reached through
 * the former when both are given), the router that sends every member's HTTP
 * through its tunnel, the followed logs, df -P of the data directories, and a
 * local log file (--log-file).
 *
 * Where commands run: with members: ssh blocks, on each member's own host, and
 * their figures are that member's (members.csv disk_free_pct, log_slow_ops,
 * host_mem_bytes; DiskSpaceLow@member, MemoryUsageHigh@member). With --ssh alone, on that one host: its figures go to
 * the members that run there (an endpoint on a loopback address or on the SSH
 * host's own name); a bastion that runs no member gets no df -P.
 *
 * Never touches the terminal or the output files: remote_poll() fills the
 * snapshot (per-member figures, slow_ops, events). */
#ifndef EM_REMOTE_H
#define EM_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include "cluster.h"
#include "collector.h"
#include "config.h"
#include "logwatch.h"
#include "util.h"

typedef struct remote remote_t;

/* The event loop's longest wait while remote_pump() says more is waiting: soon,
 * yet an endless log (/dev/zero) is not read flat out. */
#define REMOTE_PUMP_AGAIN_MS 10

/* Start the tunnels, their commands and the local log file for cfg (which must
 * outlive r) and route c's requests through the tunnels. NULL with a one-line
 * err when the configuration cannot work (e.g. --log-source without any SSH
 * host); a configuration with nothing remote gives an idle remote_t. */
remote_t *remote_open(const config_t *cfg, collector_t *c, char *err, size_t errlen) WARN_UNUSED_RESULT;
/* Read the followed logs a bounded piece at a time: at most 64 lines from each
 * tunnel's log command and one logwatch_read_lines() (at most 64 KiB) of the
 * log file, classified and kept for the next remote_poll(). The event loop
 * calls it every turn; true when more is waiting, and the loop then comes back
 * within REMOTE_PUMP_AGAIN_MS instead of sleeping until its next poll. */
bool remote_pump(remote_t *r);
/* This poll's remote figures into snap: tunnel events, the log lines taken
 * since the last poll (slow_ops, events, per-member log_slow; it pumps once
 * more first), df -P answers (per-member disk_free_pct, a new df -P every
 * health-check interval), and for a member that is down behind a tunnel that
 * is not up, the tunnel's reason as its error. */
void remote_poll(remote_t *r, cluster_snapshot_t *snap);
/* Classified log lines since the start (for the session's last log line);
 * NULL when no log is watched. */
const log_counts_t *remote_log_counts(const remote_t *r);
/* Stop every tunnel (members' first, then the bastion) and close the log file.
 * Call after the collector's last request. NULL is fine. */
void remote_close(remote_t *r);

/* Does a member at url run on the SSH host ssh_host? True for a loopback
 * address or "localhost", or when url's host is ssh_host (pure; unit-tested). */
bool remote_url_on_host(const char *url, const char *ssh_host);
/* The free-space figure of "df -P" output lines: free percent of the last data
 * line (available / total 1024-blocks * 100), or NAN (pure; unit-tested). */
double remote_parse_df(char (*lines)[512], int n);
/* The host's memory in bytes from a "MemTotal: N kB" line (/proc/meminfo), 0
 * when there is none (pure; unit-tested). */
double remote_parse_memtotal(char (*lines)[512], int n);

#endif
