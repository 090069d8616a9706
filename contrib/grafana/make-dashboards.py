#!/usr/bin/env python3
"""Write seed 004's three Grafana dashboards (importable JSON) over
etcd-monitor's exporter: python3 make-dashboards.py (in this directory).
Every query names only etcd_monitor_* series the exporter serves
(checked by tests/integration/test_serve_prometheus.sh)."""
import json

DS = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}


def panel(pid, title, exprs, x, y, w=12, h=8, kind="timeseries", unit="short", legend="{{member}}"):
    return {
        "id": pid, "type": kind, "title": title, "datasource": DS,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {},
        "targets": [{"refId": chr(65 + i), "datasource": DS, "expr": e,
                     "legendFormat": legend} for i, e in enumerate(exprs)],
    }


def dashboard(uid, title, panels):
    return {
        "__inputs": [{"name": "DS_PROMETHEUS", "label": "Prometheus", "type": "datasource",
                      "pluginId": "prometheus", "pluginName": "Prometheus"}],
        "uid": uid, "title": title, "tags": ["etcd", "etcd-monitor"], "timezone": "browser",
        "schemaVersion": 37, "version": 1, "refresh": "10s", "editable": True,
        "time": {"from": "now-1h", "to": "now"},
        "templating": {"list": []}, "annotations": {"list": []},
        "panels": panels,
    }


overview = dashboard("etcd-monitor-overview", "etcd Cluster Overview", [
    panel(1, "Members up", ["etcd_monitor_cluster_members_up", "etcd_monitor_cluster_members"],
          0, 0, 6, 4, "stat", legend=""),
    panel(2, "Quorum", ["etcd_monitor_cluster_has_quorum"], 6, 0, 6, 4, "stat", legend=""),
    panel(3, "Leader seen", ["etcd_monitor_cluster_has_leader"], 12, 0, 6, 4, "stat", legend=""),
    panel(4, "Health status (0 ok, 1 warning, 2 critical)", ["etcd_monitor_cluster_health_status"],
          18, 0, 6, 4, "stat", legend=""),
    panel(5, "Member up", ["etcd_monitor_member_up"], 0, 4),
    panel(6, "Leader", ["etcd_monitor_member_is_leader"], 12, 4),
    panel(7, "Leader changes (last hour)",
          ["max(increase(etcd_monitor_member_leader_changes_seen_total[1h]))"], 0, 12, legend="changes"),
    panel(8, "Raft term", ["etcd_monitor_cluster_raft_term"], 12, 12, legend="term"),
    panel(9, "Database size", ["etcd_monitor_member_db_size_bytes",
                               "etcd_monitor_member_db_size_in_use_bytes"], 0, 20, unit="bytes"),
    panel(10, "Quota used", ["etcd_monitor_member_db_quota_used_ratio"], 12, 20, unit="percentunit"),
    panel(11, "Active alarms", ["etcd_monitor_cluster_alarm"], 0, 28, 24, 6, "table", legend="{{alarm}}"),
])

perf = dashboard("etcd-monitor-performance", "Performance Metrics", [
    panel(1, "WAL fsync p99 (5m)",
          ['etcd_monitor_member_wal_fsync_duration_seconds{window="5m",q="0.99"}'], 0, 0, unit="s"),
    panel(2, "Backend commit p99 (5m)",
          ['etcd_monitor_member_backend_commit_duration_seconds{window="5m",q="0.99"}'], 12, 0, unit="s"),
    panel(3, "Read probe latency p50/p95/p99 (1m)",
          ['etcd_monitor_member_read_probe_duration_seconds{window="1m"}'], 0, 8, unit="s",
          legend="{{member}} q{{q}}"),
    panel(4, "Write probe latency p99 (1m)",
          ['etcd_monitor_member_write_probe_duration_seconds{window="1m",q="0.99"}'], 12, 8, unit="s"),
    panel(5, "Peer round trip p99 (5m)",
          ['etcd_monitor_member_peer_round_trip_time_seconds{window="5m"}'], 0, 16, unit="s"),
    panel(6, "Proposals committed / applied per second",
          ["rate(etcd_monitor_member_proposals_committed_total[5m])",
           "rate(etcd_monitor_member_proposals_applied_total[5m])"], 12, 16, unit="ops"),
    panel(7, "Proposals pending and failed",
          ["etcd_monitor_member_proposals_pending",
           "rate(etcd_monitor_member_proposals_failed_total[5m])"], 0, 24),
    panel(8, "Raft index lag behind the leader", ["etcd_monitor_member_raft_index_lag"], 12, 24),
    panel(9, "Fragmentation", ["etcd_monitor_member_db_fragmentation_ratio"], 0, 32, unit="percentunit"),
    panel(10, "Watchers", ["etcd_monitor_member_watchers", "etcd_monitor_member_watch_streams"], 12, 32),
    panel(11, "Poll duration", ["etcd_monitor_poll_duration_seconds"], 0, 40, unit="s", legend="poll"),
])

alerting = dashboard("etcd-monitor-alerting", "Alerting Dashboard", [
    panel(1, "Firing critical", ['etcd_monitor_alerts_firing{severity="critical"}'], 0, 0, 6, 4, "stat",
          legend=""),
    panel(2, "Firing warning", ['etcd_monitor_alerts_firing{severity="warning"}'], 6, 0, 6, 4, "stat",
          legend=""),
    panel(3, "Seconds without a leader", ["etcd_monitor_cluster_no_leader_seconds"], 12, 0, 6, 4, "stat",
          unit="s", legend=""),
    panel(4, "Polls completed (rate)", ["rate(etcd_monitor_polls_total[5m])"], 18, 0, 6, 4, "stat",
          legend=""),
    panel(5, "Firing and pending alerts", ['etcd_monitor_alerts'], 0, 4, 24, 10, "table",
          legend="{{alertname}} {{member}} {{alertstate}}"),
    panel(6, "Alerts over time", ['sum by (alertname) (etcd_monitor_alerts{alertstate="firing"})'],
          0, 14, 24, 8, legend="{{alertname}}"),
    panel(7, "Members down", ["etcd_monitor_cluster_members - etcd_monitor_cluster_members_up"],
          0, 22, legend="down"),
    panel(8, "Time since the last poll", ["time() - etcd_monitor_last_poll_timestamp_seconds"],
          12, 22, unit="s", legend="age"),
])

for name, d in (("etcd-cluster-overview.json", overview), ("performance-metrics.json", perf),
                ("alerting-dashboard.json", alerting)):
    with open(name, "w") as f:
        json.dump(d, f, indent=2)
        f.write("\n")
