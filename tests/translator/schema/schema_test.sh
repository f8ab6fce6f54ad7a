#!/usr/bin/env bash
# Every object the translator renders for the samples must validate against
# the Kubernetes OpenAPI schema of its kind. The validator is npm's
# kubernetes-models, installed by tools/bootstrap next to package.json.
set -uo pipefail

dorisctl="tools/dorisctl/dorisctl"
schema_dir="$(dirname "$(readlink -f tests/translator/schema/package.json)")"
if [[ ! -d "$schema_dir/node_modules/kubernetes-models" ]]; then
  echo "kubernetes-models is not installed in $schema_dir; run tools/bootstrap" >&2
  exit 1
fi
validate() { (cd "$schema_dir" && node validate.mjs); }

# The validator must reject a broken object, or a pass means nothing.
bad='{"items":[{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"x"},"spec":{"replicas":"three","selector":{},"serviceName":"s","template":{}}}]}'
if echo "$bad" | validate >/dev/null; then
  echo "validator accepted an invalid StatefulSet; the schema check is broken" >&2
  exit 1
fi

failed=0
for sample in tests/translator/testdata/*.yaml; do
  [[ "$sample" == *.golden.yaml ]] && continue
  out=$("$dorisctl" render -o json -f "$sample" | validate)
  rc=$?
  echo "$(basename "$sample"): ${out##*$'\n'}"
  if [[ $rc -ne 0 ]]; then
    echo "$out" >&2
    failed=1
  fi
done
# The generated DorisCluster CRD is a valid CustomResourceDefinition.
out=$(tools/crdgen/crdgen -o json | validate)
rc=$?
echo "crds/doris.selectdb.com_dorisclusters.yaml: ${out##*$'\n'}"
if [[ $rc -ne 0 ]]; then
  echo "$out" >&2
  failed=1
fi
exit $failed
