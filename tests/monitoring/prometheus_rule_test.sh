#!/usr/bin/env bash
# deploy/monitoring/prometheus-rule.yaml against prometheus-operator's own
# PrometheusRule CRD (tests/monitoring/testdata), with the real kubectl and
# kubesim: it is accepted, and what the server stores is the plain rules
# file's groups, field for field (nothing pruned as unknown). A control
# shows the schema is enforced: a `for` that is no Prometheus duration is
# refused.
set -uo pipefail
source "$PWD/tests/testing/shell_checks.sh"

root="$PWD"
work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/promrule.XXXX")"
export KUBECONFIG="$work/kubeconfig"
k() { kubectl --cache-dir "$work/cache" "$@"; }

start_kubesim "$root/tools/kubesim/kubesim" "$work/kubesim.out" --kubeconfig-out "$KUBECONFIG"

check "the PrometheusRule CRD is created" \
  "customresourcedefinition.apiextensions.k8s.io/prometheusrules.monitoring.coreos.com created" \
  "$(k apply -f "$root/tests/monitoring/testdata/monitoring.coreos.com_prometheusrules.yaml" 2>&1)"
k wait --for=condition=Established --timeout=60s crd/prometheusrules.monitoring.coreos.com >/dev/null 2>&1
check "the namespace is created" "namespace/doris-operator created" \
  "$(k create namespace doris-operator 2>&1)"
check "kubectl apply accepts deploy/monitoring/prometheus-rule.yaml" \
  "^prometheusrule.monitoring.coreos.com/doris-operator created$" \
  "$(k apply -f "$root/deploy/monitoring/prometheus-rule.yaml" 2>&1)"

k get prometheusrule -n doris-operator doris-operator -o json >"$work/stored.json" 2>&1
check "the stored spec is the plain rules file's groups" "^same$" "$(
  /usr/bin/python3 - "$root/deploy/monitoring/doris-operator-rules.yml" "$work/stored.json" <<'PY' 2>&1
import json, sys, yaml
plain = yaml.safe_load(open(sys.argv[1]))
stored = json.load(open(sys.argv[2]))
print("same" if stored["spec"] == {"groups": plain["groups"]} else
      "differs:\n" + json.dumps(stored["spec"], indent=1)[:4000])
PY
)"

sed 's/^\(  *\)for: 30m$/\1for: 30min/' "$root/deploy/monitoring/prometheus-rule.yaml" >"$work/bad.yaml"
check "control: a for that is no duration is refused by the CRD's schema" \
  'for: Invalid value: "30min".*should match' \
  "$(k apply --dry-run=server -f "$work/bad.yaml" 2>&1)"

check_summary
