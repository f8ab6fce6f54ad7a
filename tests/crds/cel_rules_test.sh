#!/usr/bin/env bash
# Runs cel_rules_test.mjs on the source tree (crds/*.yaml, deploy/samples,
# tests/translator/testdata, tests/crds/bad), found through the runfiles'
# symlinks so every CRD file of crds/ is read, not only those Bazel lists.
# The CEL evaluator is npm's @bufbuild/cel, installed by tools/bootstrap.
set -uo pipefail
root="$(dirname "$(dirname "$(readlink -f crds/doris.selectdb.com_dorisclusters.yaml)")")"
cel_dir="$root/tools/kubesim/cel"
if [[ ! -d "$cel_dir/node_modules/@bufbuild/cel" ]]; then
  echo "@bufbuild/cel is not installed in $cel_dir; run tools/bootstrap" >&2
  exit 1
fi
exec node "$root/tests/crds/cel_rules_test.mjs" "$root"
