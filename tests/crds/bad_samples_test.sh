#!/usr/bin/env bash
# Every DorisCluster in tests/crds/bad must be refused, with the messages its
# header names:
#   dorisctl-error:   `dorisctl render` exits 1 printing "error: <message>" (the
#                     operator's own validation: Ready=False, InvalidSpec)
#   dorisctl-warning: `dorisctl render` prints "warning: <message>"
#   apiserver:        `kubectl apply -f` against kubesim (which validates custom
#                     resources against the CRD's structural schema) fails
#                     with this message (one line per error, in order), or
#                     creates it when the header says "accepted ..."
#   apiserver-cel:    the same, for an error of the CRD's x-kubernetes-validations
#                     (CEL) rules, which kubesim evaluates (cel_rules_test
#                     evaluates every rule on every sample without kubesim)
#   fix:              a jq program that mends just that defect: the mended
#                     object must be rendered by dorisctl without an error or
#                     warning and created by the API server, so each sample
#                     is refused for the one reason it is meant for (and a
#                     rule that refused everything would fail here)
# The rules are evaluated by kubesim's CEL evaluator (tools/kubesim/cel, a
# real CEL implementation): a kubesim without it must refuse every
# DorisCluster write (500), good or bad, rather than pass it unchecked.
# Every good DorisCluster of tests/translator/testdata is applied too and must
# be created without a warning (deploy/samples are tests/deploy's).
set -uo pipefail
source "$PWD/tests/testing/shell_checks.sh"
source "$PWD/tests/crds/sample_headers.sh"

crd="$PWD/crds/doris.selectdb.com_dorisclusters.yaml"
dorisctl="$PWD/tools/dorisctl/dorisctl"
kubesim="$PWD/tools/kubesim/kubesim"

work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/bad.XXXX")"
export KUBECONFIG="$work/kubeconfig"
k() { kubectl --cache-dir "$work/cache" "$@"; }
start_kubesim "$kubesim" "$work/kubesim.out" --kubeconfig-out "$KUBECONFIG"

check_equal "the CRD applies" "customresourcedefinition.apiextensions.k8s.io/dorisclusters.doris.selectdb.com created" \
  "$(k apply -f "$crd" 2>&1)"

files=("$PWD"/tests/crds/bad/*.yaml)
[[ ${#files[@]} -ge 10 ]] || { echo "FAIL only ${#files[@]} bad samples found"; exit 1; }
refused=0
not_stored=()
fixed_files=()
fixed_names=()
# Each sample as JSON, for jq (one python run for all).
mkdir -p "$work/json"
python3 - "$work/json" "${files[@]}" <<'PY'
import json, os, sys, yaml
for f in sys.argv[2:]:
    with open(os.path.join(sys.argv[1], os.path.basename(f)[:-len(".yaml")] + ".json"), "w") as out:
        json.dump(yaml.safe_load(open(f)), out)
PY
for f in "${files[@]}"; do
  b="$(basename "$f" .yaml)"
  err="$("$dorisctl" render -f "$f" 2>&1 >/dev/null)"
  rc=$?
  if want="$(header "$f" dorisctl-error)" && [[ -n "$want" ]]; then
    check_equal "$b: dorisctl refuses it" "1" "$rc"
    check_equal "$b: dorisctl says why" "error: $want" "$(echo "$err" | grep '^error: ')"
  elif want="$(header "$f" dorisctl-warning)" && [[ -n "$want" ]]; then
    check_equal "$b: dorisctl renders it" "0" "$rc"
    check_equal "$b: dorisctl warns" "warning: $want" "$(echo "$err" | grep '^warning: ')"
  else
    check_equal "$b: has a dorisctl expectation" "dorisctl-error or dorisctl-warning" "neither"
  fi
  api="$(apiserver_expectation "$f")"
  name="$(name_of "$f")"
  out="$(k apply -f "$f" 2>&1)"
  rc=$?
  created="doriscluster.doris.selectdb.com/$name created"
  if [[ "$api" == accepted* ]]; then
    check_equal "$b: the API server accepts it (the operator refuses it)" "0 $created" "$rc $out"
  elif [[ -n "$api" ]]; then
    refused=$((refused + 1))
    check_equal "$b: kubectl apply fails" "1" "$rc"
    check_equal "$b: the API server says why" "$(kubectl_refusal DorisCluster "$f" "$name" "$api")" "$out"
    not_stored+=("$name")
  else
    check_equal "$b: has an apiserver expectation" "apiserver or apiserver-cel" "neither"
  fi
  # Mended, it is good: the refusal was for that defect and no other.
  fix="$(header "$f" fix)"
  if [[ -z "$fix" ]]; then
    check_equal "$b: has a fix" "a jq program" "none"
    continue
  fi
  fixed="$work/$b.fixed.json"
  jq --arg name "$name" "$fix"' | if .metadata.name == $name then .metadata.name += "-fixed" else . end' \
    "$work/json/$b.json" >"$fixed" 2>&1
  check_equal "$b: mended, dorisctl renders it cleanly" "0 " "$("$dorisctl" render -f "$fixed" 2>&1 >/dev/null; echo $?) "
  fixed_files+=("$fixed")
  fixed_names+=("$(jq -r .metadata.name "$fixed")")
done
# Read back and created in one kubectl run each (every run costs seconds on
# a loaded machine).
check_equal "no refused sample is stored" "" \
  "$(k get dcr -o name 2>&1 | sed 's|^doriscluster.doris.selectdb.com/||' | grep -Fx -f <(printf '%s\n' "${not_stored[@]}"))"
created="$(k apply $(printf -- '-f %s ' "${fixed_files[@]}") 2>&1)"
for name in "${fixed_names[@]}"; do
  check_equal "$name: mended, the API server creates it" "1" \
    "$(grep -Fxc "doriscluster.doris.selectdb.com/$name created" <<<"$created")"
done
check_equal "every mended sample is created, nothing else printed" "${#fixed_files[@]}" "$(grep -c ' created$' <<<"$created")"
check_equal "the schema refuses at least 7 samples" "1" "$((refused >= 7))"

# No evaluator, no unchecked writes: a kubesim whose CEL evaluator is missing
# refuses a good DorisCluster and a bad one alike, so the refusals above came
# from evaluating the rules.
export KUBECONFIG="$work/no-cel.kubeconfig"
start_kubesim "$kubesim" "$work/no-cel.out" --kubeconfig-out "$KUBECONFIG" --cel-evaluator "$work/missing/cel_server.mjs"
k apply -f "$crd" >/dev/null 2>&1
for b in even-election-number even-election-number.fixed; do
  f="$PWD/tests/crds/bad/$b.yaml"
  [[ -f "$f" ]] || f="$work/$b.json"
  out="$(k apply -f "$f" 2>&1)"
  check_equal "without an evaluator, $b is refused with why" \
    "1 Error from server (InternalError): error when creating \"$f\": kubesim cannot evaluate the x-kubernetes-validations rules of dorisclusters.doris.selectdb.com: no CEL evaluator at \"$work/missing/cel_server.mjs\" (run tools/bootstrap)" \
    "$([[ "$out" == *created* ]] && echo 0 || echo 1) $out"
done
export KUBECONFIG="$work/kubeconfig"

# The translator's inputs are valid DorisClusters (plus ConfigMaps).
k create namespace doris --dry-run=client -o yaml | k apply -f - >/dev/null 2>&1
for f in "$PWD"/tests/translator/testdata/*.yaml; do
  [[ "$f" == *.golden.yaml ]] && continue
  b="$(basename "$f" .yaml)"
  out="$(k apply -f "$f" 2>&1)"
  rc=$?
  check_equal "testdata/$b: applies" "0" "$rc"
  check_equal "testdata/$b: every object created, no warning" "" "$(echo "$out" | grep -v ' created$')"
  k delete -f "$f" >/dev/null 2>&1
done

check_summary
