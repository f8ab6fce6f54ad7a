#!/usr/bin/env bash
# promtool check rules and promtool test rules over the alert rules and the
# fixtures in tests/monitoring/*.test.yml (series -> expected alerts), and
# deploy/monitoring/prometheus-rule.yaml is what
# tools/monitoring/gen-prometheus-rule makes of the plain file.
set -euo pipefail
command -v promtool >/dev/null || { echo "promtool is missing: run tools/bootstrap (Debian's prometheus)" >&2; exit 1; }
rules=deploy/monitoring/doris-operator-rules.yml
crd=deploy/monitoring/prometheus-rule.yaml
work="${TEST_TMPDIR:-$(mktemp -d)}"

promtool check rules "$rules"
promtool test rules tests/monitoring/*.test.yml

tools/monitoring/gen-prometheus-rule "$rules" >"$work/prometheus-rule.yaml"
if ! diff -u "$crd" "$work/prometheus-rule.yaml"; then
  echo "FAIL: $crd is not what tools/monitoring/gen-prometheus-rule makes of $rules;" \
       "run: tools/monitoring/gen-prometheus-rule > $crd" >&2
  exit 1
fi
# The resource's groups are the plain file's, and promtool accepts them.
/usr/bin/python3 - "$rules" "$crd" "$work/spec.yml" <<'PY'
import sys, yaml
plain = yaml.safe_load(open(sys.argv[1]))
res = yaml.safe_load(open(sys.argv[2]))
assert res["apiVersion"] == "monitoring.coreos.com/v1", res["apiVersion"]
assert res["kind"] == "PrometheusRule", res["kind"]
assert res["metadata"]["name"] and res["metadata"]["namespace"], res["metadata"]
assert list(res) == ["apiVersion", "kind", "metadata", "spec"], list(res)
assert res["spec"] == {"groups": plain["groups"]}, "spec.groups differ from the plain file's groups"
yaml.safe_dump(res["spec"], open(sys.argv[3], "w"))
PY
promtool check rules "$work/spec.yml"
echo "PASS"
