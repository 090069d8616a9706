#!/usr/bin/env bash
# contrib/ deployment files, checked as far as this machine can (no container
# engine, no Kubernetes): the systemd unit passes `systemd-analyze verify`
# (ExecStart pointed at the built binary) and is hardened; the compose file,
# the Kubernetes manifests and the Helm chart's values parse as YAML and hold
# seed 004's services, environment and values; the Dockerfile is multi-stage
# on debian:12-slim and runs as a non-root user.
. "$(dirname "$0")/../lib/itest.sh"
PY=/usr/bin/python3
u=contrib/systemd/etcd-monitor.service

if command -v systemd-analyze >/dev/null; then
    sed -e "s|/usr/local/bin/etcd-monitor|$PWD/etcd-monitor|" -e '/^Documentation=/d' "$u" > "$T/etcd-monitor.service"
    out=$(systemd-analyze verify "$T/etcd-monitor.service" 2>&1); rc=$?
    t_eq "systemd-analyze verify: exit 0" 0 "$rc"
    t_eq "systemd-analyze verify: nothing to say" "" "$out"
else
    t_ok "systemd-analyze not installed: unit not verified (said in README)"
fi
for k in DynamicUser=yes ProtectSystem=strict StateDirectory=etcd-monitor NoNewPrivileges=yes \
         'CapabilityBoundingSet=$'; do
    t_assert "unit: $k" grep -q "^$k" "$u"
done
t_assert "unit: runs the serve command" grep -q '^ExecStart=.* serve ' "$u"

yaml_check() {   # DESC FILE PYTHON-EXPR (d = the documents, a list)
    t_assert "$1" "$PY" -c "
import sys, yaml
d = [x for x in yaml.safe_load_all(open('$2')) if x is not None]
assert $3, d" 
}
yaml_check "compose: seed 004's services" contrib/docker/docker-compose.yml \
    "set(d[0]['services']) == {'etcd', 'etcd-monitor'} and d[0]['services']['etcd-monitor']['ports'] == ['8080:8080']"
yaml_check "compose: seed 004's environment" contrib/docker/docker-compose.yml \
    "d[0]['services']['etcd-monitor']['environment'] == ['ENDPOINTS=etcd:2379', 'API_PORT=8080', 'HEALTH_CHECK_INTERVAL=30s', 'METRICS_INTERVAL=10s']"
yaml_check "kubernetes: Deployment, Service, ConfigMap, Secret" contrib/kubernetes/etcd-monitor.yaml \
    "sorted(x['kind'] for x in d) == ['ConfigMap', 'Deployment', 'Secret', 'Service']"
yaml_check "kubernetes: non-root, read-only root file system" contrib/kubernetes/etcd-monitor.yaml \
    "[x for x in d if x['kind'] == 'Deployment'][0]['spec']['template']['spec']['containers'][0]['securityContext']['readOnlyRootFilesystem'] is True"
yaml_check "kubernetes: the ConfigMap's config.yaml parses, api on 8080" contrib/kubernetes/etcd-monitor.yaml \
    "yaml.safe_load([x for x in d if x['kind'] == 'ConfigMap'][0]['data']['config.yaml'])['api']['port'] == 8080"
yaml_check "helm: Chart.yaml" contrib/helm/etcd-monitor/Chart.yaml "d[0]['name'] == 'etcd-monitor'"
yaml_check "helm: values etcd.endpoints and api.port" contrib/helm/etcd-monitor/values.yaml \
    "d[0]['etcd']['endpoints'] and d[0]['api']['port'] == 8080"
# The ConfigMap's file is one etcd-monitor itself accepts.
"$PY" -c "
import yaml
d = [x for x in yaml.safe_load_all(open('contrib/kubernetes/etcd-monitor.yaml')) if x]
c = [x for x in d if x['kind'] == 'ConfigMap'][0]['data']['config.yaml']
c = c.replace('/etc/etcd-monitor/tls/tls.crt', '/dev/null').replace('/etc/etcd-monitor/tls/tls.key', '/dev/null').replace('/etc/etcd-monitor/tls/ca.crt', '/dev/null')
open('$T/k8s-config.yaml', 'w').write(c)"
"$EM" status --config "$T/k8s-config.yaml" --endpoints 127.0.0.1:1 >/dev/null 2>"$T/e"
t_assert "etcd-monitor reads the ConfigMap's config.yaml (no key refused)" bash -c "! grep -q 'unknown key' '$T/e'"

d=contrib/docker/Dockerfile
t_eq "Dockerfile: two stages on debian:12-slim" 2 "$(grep -c '^FROM debian:12-slim' "$d")"
t_assert "Dockerfile: runs as a non-root user" grep -q '^USER 10001' "$d"
t_assert "Dockerfile: entrypoint is serve" grep -q 'ENTRYPOINT.*"serve"' "$d"
t_done
