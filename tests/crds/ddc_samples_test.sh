#!/usr/bin/env bash
# The DorisDisaggregatedCluster CRD (crds/disaggregated.cluster.doris.com_
# dorisdisaggregatedclusters.yaml) with the real kubectl against kubesim:
# - it applies, and `ddc` is its short name;
# - our samples (deploy/samples/disaggregated) and the Go operator's examples
#   (tests/crds/testdata/reference_ddc, unchanged) are created;
# - the printer columns show the status, written through the status
#   subresource (a main-resource write does not change status);
# - every DorisDisaggregatedCluster in tests/crds/bad_ddc is refused with the
#   messages its header names (`# apiserver:` for the structural schema,
#   `# apiserver-cel:` for x-kubernetes-validations rules; one line per
#   error, in order), and created once `# fix:` (a jq program) mends it.
# The operator does not reconcile ddc yet, so there is no dorisctl column
# (bad_samples_test has one for DorisCluster).
set -uo pipefail
source "$PWD/tests/testing/shell_checks.sh"
source "$PWD/tests/crds/sample_headers.sh"

crd="$PWD/crds/disaggregated.cluster.doris.com_dorisdisaggregatedclusters.yaml"
kubesim="$PWD/tools/kubesim/kubesim"

work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/ddc.XXXX")"
export KUBECONFIG="$work/kubeconfig"
k() { kubectl --cache-dir "$work/cache" "$@"; }
start_kubesim "$kubesim" "$work/kubesim.out" --kubeconfig-out "$KUBECONFIG"

kind_ref="dorisdisaggregatedcluster.disaggregated.cluster.doris.com"

check_equal "the CRD applies" \
  "customresourcedefinition.apiextensions.k8s.io/dorisdisaggregatedclusters.disaggregated.cluster.doris.com created" \
  "$(k apply -f "$crd" 2>&1)"
check_equal "ddc is its short name" "No resources found in default namespace." "$(k get ddc 2>&1)"

# --- good samples ---------------------------------------------------------------
samples=("$PWD"/deploy/samples/disaggregated/*.yaml)
check_equal "there are ddc samples" "1" "$((${#samples[@]} >= 3))"
for f in "${samples[@]}"; do
  b="$(basename "$f" .yaml)"
  out="$(k apply -f "$f" 2>&1)"
  check_equal "samples/$b: created" "1" "$(grep -Fxc "$kind_ref/$(name_of "$f") created" <<<"$out")"
  check_equal "samples/$b: nothing but created objects" "" "$(grep -v ' created$' <<<"$out")"
done

refs=("$PWD"/tests/crds/testdata/reference_ddc/*.yaml)
check_equal "there are reference examples" "1" "$((${#refs[@]} >= 10))"
i=0
for f in "${refs[@]}"; do
  b="$(basename "$f" .yaml)"
  i=$((i + 1))
  # They all share one name: a namespace each.
  k create namespace "ref-$i" >/dev/null 2>&1
  check_equal "reference $b: created unchanged" "$kind_ref/$(name_of "$f") created" \
    "$(k apply -n "ref-$i" -f "$f" 2>&1)"
done

# --- status subresource and printer columns ---------------------------------------
status='{"status":{"clusterHealth":{"health":"yellow","cgCount":2,"cgAvailableCount":2,"cgFullAvailableCount":1},"metaServiceStatus":{"phase":"Ready"},"feStatus":{"phase":"Reconciling"}}}'
check_equal "a main-resource patch does not write status" "$kind_ref/ddc-sample patched (no change)" \
  "$(k patch ddc ddc-sample --type=merge -p "$status" 2>&1)"
check_equal "the status subresource writes it" "$kind_ref/ddc-sample patched" \
  "$(k patch ddc ddc-sample --subresource=status --type=merge -p "$status" 2>&1)"
check_equal "the printer columns" \
  "NAME CLUSTERHEALTH MSPHASE FEPHASE CGCOUNT CGAVAILABLECOUNT CGFULLAVAILABLECOUNT AGE|ddc-sample yellow Ready Reconciling 2 2 1" \
  "$(k get ddc ddc-sample 2>&1 | awk 'NR == 1 {print; next} {NF--; print}' | tr -s ' ' | paste -sd '|')"
check_equal "a status write leaves the generation alone" "1" \
  "$(k get ddc ddc-sample -o jsonpath='{.metadata.generation}' 2>&1)"
check_equal "the status schema is enforced" \
  "The DorisDisaggregatedCluster \"ddc-sample\" is invalid: $(printf '\n* %s' \
    'status.clusterHealth.cgCount: Invalid value: "string": status.clusterHealth.cgCount in body must be of type integer: "string"' \
    '<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation')" \
  "$(k patch ddc ddc-sample --subresource=status --type=merge -p '{"status":{"clusterHealth":{"cgCount":"two"}}}' 2>&1)"

# --- bad samples ---------------------------------------------------------------------
files=("$PWD"/tests/crds/bad_ddc/*.yaml)
check_equal "there are bad ddc samples" "1" "$((${#files[@]} >= 8))"
fixed_files=()
for f in "${files[@]}"; do
  b="$(basename "$f" .yaml)"
  name="$(name_of "$f")"
  api="$(apiserver_expectation "$f")"
  if [[ -z "$api" ]]; then
    check_equal "$b: has an apiserver expectation" "apiserver or apiserver-cel" "neither"
    continue
  fi
  out="$(k apply -f "$f" 2>&1)"
  rc=$?
  check_equal "$b: kubectl apply fails" "1" "$rc"
  check_equal "$b: the API server says why" "$(kubectl_refusal DorisDisaggregatedCluster "$f" "$name" "$api")" "$out"
  check_equal "$b: not stored" "" "$(k get ddc "$name" -o name 2>/dev/null)"
  fix="$(header "$f" fix)"
  if [[ -z "$fix" ]]; then
    check_equal "$b: has a fix" "a jq program" "none"
    continue
  fi
  fixed="$work/$b.fixed.json"
  python3 -c 'import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)' "$f" |
    jq "$fix" >"$fixed"
  fixed_files+=("$fixed")
done
# Mended, each is created: it was refused for that defect and no other.
created="$(k apply $(printf -- '-f %s ' "${fixed_files[@]}") 2>&1)"
check_equal "every mended sample is created, nothing else printed" "${#fixed_files[@]}" \
  "$(grep -c "^$kind_ref/.* created$" <<<"$created")"
check_equal "no other output for the mended samples" "" "$(grep -v ' created$' <<<"$created")"

check_summary
