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

crd="$PWD/crds/disaggregated.cluster.doris.com_dorisdisaggregatedclusters.yaml"
kubesim="$PWD/tools/kubesim/kubesim"

work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/ddc.XXXX")"
export KUBECONFIG="$work/kubeconfig"
k() { kubectl --cache-dir "$work/cache" "$@"; }
pid=""
trap '[[ -n "$pid" ]] && { kill $pid 2>/dev/null; wait $pid 2>/dev/null; }' EXIT
"$kubesim" --port 0 --kubeconfig-out "$KUBECONFIG" >"$work/kubesim.out" 2>&1 &
pid=$!
deadline=$((SECONDS + 30))  # wall time: a loaded machine starts it slowly
until grep -q "serving on" "$work/kubesim.out" || ((SECONDS > deadline)); do sleep 0.05; done
grep -q "serving on" "$work/kubesim.out" || { echo "kubesim did not start"; cat "$work/kubesim.out"; exit 1; }

failures=0
checks=0
check() {  # check NAME EXPECTED ACTUAL (literal comparison)
  checks=$((checks + 1))
  if [[ "$3" == "$2" ]]; then
    echo "ok   $1"
  else
    echo "FAIL $1"; echo "     expected: $2"; echo "     got:      $3"
    failures=$((failures + 1))
  fi
}
header() { sed -n "s/^# $2: //p" "$1"; }
name_of() { sed -n 's/^  name: //p' "$1" | head -1; }
kind_ref="dorisdisaggregatedcluster.disaggregated.cluster.doris.com"

check "the CRD applies" \
  "customresourcedefinition.apiextensions.k8s.io/dorisdisaggregatedclusters.disaggregated.cluster.doris.com created" \
  "$(k apply -f "$crd" 2>&1)"
check "ddc is its short name" "No resources found in default namespace." "$(k get ddc 2>&1)"

# --- good samples ---------------------------------------------------------------
samples=("$PWD"/deploy/samples/disaggregated/*.yaml)
check "there are ddc samples" "1" "$((${#samples[@]} >= 3))"
for f in "${samples[@]}"; do
  b="$(basename "$f" .yaml)"
  out="$(k apply -f "$f" 2>&1)"
  check "samples/$b: created" "1" "$(grep -Fxc "$kind_ref/$(name_of "$f") created" <<<"$out")"
  check "samples/$b: nothing but created objects" "" "$(grep -v ' created$' <<<"$out")"
done

refs=("$PWD"/tests/crds/testdata/reference_ddc/*.yaml)
check "there are reference examples" "1" "$((${#refs[@]} >= 10))"
i=0
for f in "${refs[@]}"; do
  b="$(basename "$f" .yaml)"
  i=$((i + 1))
  # They all share one name: a namespace each.
  k create namespace "ref-$i" >/dev/null 2>&1
  check "reference $b: created unchanged" "$kind_ref/$(name_of "$f") created" \
    "$(k apply -n "ref-$i" -f "$f" 2>&1)"
done

# --- status subresource and printer columns ---------------------------------------
status='{"status":{"clusterHealth":{"health":"yellow","cgCount":2,"cgAvailableCount":2,"cgFullAvailableCount":1},"metaServiceStatus":{"phase":"Ready"},"feStatus":{"phase":"Reconciling"}}}'
check "a main-resource patch does not write status" "$kind_ref/ddc-sample patched (no change)" \
  "$(k patch ddc ddc-sample --type=merge -p "$status" 2>&1)"
check "the status subresource writes it" "$kind_ref/ddc-sample patched" \
  "$(k patch ddc ddc-sample --subresource=status --type=merge -p "$status" 2>&1)"
check "the printer columns" \
  "NAME CLUSTERHEALTH MSPHASE FEPHASE CGCOUNT CGAVAILABLECOUNT CGFULLAVAILABLECOUNT AGE|ddc-sample yellow Ready Reconciling 2 2 1" \
  "$(k get ddc ddc-sample 2>&1 | awk 'NR == 1 {print; next} {NF--; print}' | tr -s ' ' | paste -sd '|')"
check "a status write leaves the generation alone" "1" \
  "$(k get ddc ddc-sample -o jsonpath='{.metadata.generation}' 2>&1)"
check "the status schema is enforced" \
  "The DorisDisaggregatedCluster \"ddc-sample\" is invalid: $(printf '\n* %s' \
    'status.clusterHealth.cgCount: Invalid value: "string": status.clusterHealth.cgCount in body must be of type integer: "string"' \
    '<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation')" \
  "$(k patch ddc ddc-sample --subresource=status --type=merge -p '{"status":{"clusterHealth":{"cgCount":"two"}}}' 2>&1)"

# --- bad samples ---------------------------------------------------------------------
files=("$PWD"/tests/crds/bad_ddc/*.yaml)
check "there are bad ddc samples" "1" "$((${#files[@]} >= 8))"
fixed_files=()
for f in "${files[@]}"; do
  b="$(basename "$f" .yaml)"
  name="$(name_of "$f")"
  api="$(header "$f" apiserver)"
  cel="$(header "$f" apiserver-cel)"
  [[ -n "$cel" ]] && api="$cel"
  if [[ -z "$api" ]]; then
    check "$b: has an apiserver expectation" "apiserver or apiserver-cel" "neither"
    continue
  fi
  if [[ "$api" == unknown\ field* ]]; then
    want="Error from server (BadRequest): error when creating \"$f\": DorisDisaggregatedCluster in version \"v1\" cannot be handled as a DorisDisaggregatedCluster: strict decoding error: $api"
  elif [[ "$api" == *$'\n'* ]]; then
    want="The DorisDisaggregatedCluster \"$name\" is invalid: $(while IFS= read -r line; do printf '\n* %s' "$line"; done <<<"$api")"
  else
    want="The DorisDisaggregatedCluster \"$name\" is invalid: $api"
  fi
  out="$(k apply -f "$f" 2>&1)"
  rc=$?
  check "$b: kubectl apply fails" "1" "$rc"
  check "$b: the API server says why" "$want" "$out"
  check "$b: not stored" "" "$(k get ddc "$name" -o name 2>/dev/null)"
  fix="$(header "$f" fix)"
  if [[ -z "$fix" ]]; then
    check "$b: has a fix" "a jq program" "none"
    continue
  fi
  fixed="$work/$b.fixed.json"
  python3 -c 'import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)' "$f" |
    jq "$fix" >"$fixed"
  fixed_files+=("$fixed")
done
# Mended, each is created: it was refused for that defect and no other.
created="$(k apply $(printf -- '-f %s ' "${fixed_files[@]}") 2>&1)"
check "every mended sample is created, nothing else printed" "${#fixed_files[@]}" \
  "$(grep -c "^$kind_ref/.* created$" <<<"$created")"
check "no other output for the mended samples" "" "$(grep -v ' created$' <<<"$created")"

echo "$((checks - failures)) passed, $failures failed"
[[ $failures == 0 ]]
