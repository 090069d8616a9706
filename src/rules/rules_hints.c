/* rules_hints.c — the troubleshooting hint of each built-in rule (seed 004's
 * Troubleshooting section: high latency, leader elections, database growth,
 * NOSPACE), carried by every notification. */
#include "rules_internal.h"

#include <string.h>

#define HINT_LATENCY "Check disk I/O (etcd wants SSDs and a dedicated disk for WAL and " \
    "data), network latency between members, write load and CPU/memory; consider " \
    "compaction if the database is large."
#define HINT_LEADER "Check network stability between members, tune --heartbeat-interval " \
    "and --election-timeout, look for resource contention, and keep member clocks in " \
    "sync (NTP)."
#define HINT_DB "Enable auto-compaction (--auto-compaction-retention), compact " \
    "(etcdctl compact <revision>) and defragment (etcdctl defrag); review data " \
    "retention and look for lease leaks."
#define HINT_NOSPACE "Check disk space (df -h /var/lib/etcd), raise --quota-backend-bytes " \
    "if there is room, compact and defragment, then etcdctl alarm disarm."
#define HINT_DOWN "Check that the member's etcd process runs (systemctl status etcd, " \
    "its log), that its host is reachable and its client port open; restart it or " \
    "replace the member."
#define HINT_QUORUM "Bring the unreachable members back first (process, host, network); " \
    "without quorum etcd accepts no writes. Do not remove members while quorum is lost."
#define HINT_ERRORS "Look at the member's log for the failing requests; check leader " \
    "elections, disk latency and client load."

static const struct { const char *rule, *hint; } hints[] = {
    { "SeedWalFsyncSlow", HINT_LATENCY },
    { "WalFsyncP99High", HINT_LATENCY },
    { "BackendCommitP99High", HINT_LATENCY },
    { "DatabaseQuotaUsageHigh", HINT_NOSPACE },
    { "ProposalFailureRateHigh", HINT_LEADER },
    { "DiskUsageHigh", HINT_NOSPACE },
    { "MemoryUsageHigh", "Look at the member's memory use (process_resident_memory_bytes): " \
      "a large database, many watchers or a leak; give the host more memory or move " \
      "other workloads off it." },
    { "SeedBackendCommitSlow", HINT_LATENCY },
    { "SeedHighFragmentation", HINT_DB },
    { "SeedLeaderInstability", HINT_LEADER },
    { "RequestLatencyHigh", HINT_LATENCY },
    { "DatabaseSizeHigh", HINT_DB },
    { "AvailableMembersLow", HINT_DOWN },
    { "LeaderChangesPerHourHigh", HINT_LEADER },
    { "ErrorRateHigh", HINT_ERRORS },
    { "QuotaSpaceLow", HINT_NOSPACE },
    { "MemberUnreachable", HINT_DOWN },
    { "QuorumLost", HINT_QUORUM },
    { "EtcdMembersDown", HINT_DOWN },
    { "EtcdInsufficientMembers", HINT_QUORUM },
    { "EtcdNoLeader", HINT_LEADER },
    { "EtcdHighNumberOfLeaderChanges", HINT_LEADER },
    { "EtcdHighNumberOfFailedGRPCRequests", HINT_ERRORS },
    { "EtcdHighNumberOfFailedGRPCRequestsCritical", HINT_ERRORS },
    { "EtcdMemberCommunicationSlow", "Check network latency and packet loss between " \
      "members (ping, mtr); members should be within 10 ms of each other." },
    { "EtcdHighNumberOfFailedProposals", HINT_LEADER },
    { "EtcdHighFsyncDurations", HINT_LATENCY },
    { "EtcdHighFsyncDurationsCritical", HINT_LATENCY },
    { "EtcdHighCommitDurations", HINT_LATENCY },
    { "EtcdDatabaseQuotaLowSpace", HINT_NOSPACE },
    { "EtcdExcessiveDatabaseGrowth", HINT_DB },
    { "EtcdDatabaseHighFragmentationRatio", HINT_DB },
    { "EtcdAlarm", HINT_NOSPACE },
    { "EtcdSplitView", "Possible network partition: check connectivity between every " \
      "pair of members and compare etcdctl endpoint status on each." },
    { "DiskSpaceLow", HINT_NOSPACE },
    { "AuthFailed", "Check etcd-monitor's user and password (--user, --password-file) and " \
      "that the user has read access (etcdctl user get)." },
    { "BackupFailed", "Read the backup lines of monitoring.log: check that --backup-dir is "
      "writable and has space, and that a member answers (etcd-monitor snapshot save)." },
    { "PrometheusUnavailable", "Check that Prometheus answers at --prometheus (curl "
      "URL/api/v1/query?query=up) and that --prometheus-selector matches its etcd targets." },
};

const char *rules_hint(const char *rule)
{
    for (size_t i = 0; rule && i < sizeof hints / sizeof hints[0]; i++)
        if (strcmp(hints[i].rule, rule) == 0)
            return hints[i].hint;
    return NULL;
}

const char *rules_summary(const char *rule)
{
    return rules_builtin_summary(rules_builtin_find(rule));
}
