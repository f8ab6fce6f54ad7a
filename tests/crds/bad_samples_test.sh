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
# Every good DorisCluster of tests/translator/testdata is applied too and must
# be created without a warning (deploy/samples are tests/deploy's).
set -uo pipefail

crd="$PWD/crds/doris.selectdb.com_dorisclusters.yaml"
dorisctl="$PWD/tools/dorisctl/dorisctl"
kubesim="$PWD/tools/kubesim/kubesim"

work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/bad.XXXX")"
export KUBECONFIG="$work/kubeconfig"
k() { kubectl --cache-dir "$work/cache" "$@"; }
"$kubesim" --port 0 --kubeconfig-out "$KUBECONFIG" >"$work/kubesim.out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
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

check "the CRD applies" "customresourcedefinition.apiextensions.k8s.io/dorisclusters.doris.selectdb.com created" \
  "$(k apply -f "$crd" 2>&1)"

files=("$PWD"/tests/crds/bad/*.yaml)
[[ ${#files[@]} -ge 10 ]] || { echo "FAIL only ${#files[@]} bad samples found"; exit 1; }
refused=0
for f in "${files[@]}"; do
  b="$(basename "$f" .yaml)"
  err="$("$dorisctl" render -f "$f" 2>&1 >/dev/null)"
  rc=$?
  if want="$(header "$f" dorisctl-error)" && [[ -n "$want" ]]; then
    check "$b: dorisctl refuses it" "1" "$rc"
    check "$b: dorisctl says why" "error: $want" "$(echo "$err" | grep '^error: ')"
  elif want="$(header "$f" dorisctl-warning)" && [[ -n "$want" ]]; then
    check "$b: dorisctl renders it" "0" "$rc"
    check "$b: dorisctl warns" "warning: $want" "$(echo "$err" | grep '^warning: ')"
  else
    check "$b: has a dorisctl expectation" "dorisctl-error or dorisctl-warning" "neither"
  fi
  api="$(header "$f" apiserver)"
  cel="$(header "$f" apiserver-cel)"
  [[ -n "$cel" ]] && api="$cel"
  name="$(name_of "$f")"
  out="$(k apply -f "$f" 2>&1)"
  rc=$?
  created="doriscluster.doris.selectdb.com/$name created"
  if [[ "$api" == accepted* ]]; then
    check "$b: the API server accepts it (the operator refuses it)" "0 $created" "$rc $out"
  elif [[ -n "$api" ]]; then
    refused=$((refused + 1))
    check "$b: kubectl apply fails" "1" "$rc"
    if [[ "$api" == unknown\ field* ]]; then
      # Strict field validation (kubectl's default) refuses undeclared fields.
      want="Error from server (BadRequest): error when creating \"$f\": DorisCluster in version \"v1\" cannot be handled as a DorisCluster: strict decoding error: $api"
    elif [[ "$api" == *$'\n'* ]]; then
      # Several errors: kubectl lists them one per line.
      want="The DorisCluster \"$name\" is invalid: $(while IFS= read -r line; do printf '\n* %s' "$line"; done <<<"$api")"
    else
      want="The DorisCluster \"$name\" is invalid: $api"
    fi
    check "$b: the API server says why" "$want" "$out"
    check "$b: nothing is stored" "1" "$(k get dcr "$name" >/dev/null 2>&1; echo $?)"
  else
    check "$b: has an apiserver expectation" "apiserver or apiserver-cel" "neither"
  fi
done
check "the schema refuses at least 7 samples" "1" "$((refused >= 7))"

# The translator's inputs are valid DorisClusters (plus ConfigMaps).
k create namespace doris --dry-run=client -o yaml | k apply -f - >/dev/null 2>&1
for f in "$PWD"/tests/translator/testdata/*.yaml; do
  [[ "$f" == *.golden.yaml ]] && continue
  b="$(basename "$f" .yaml)"
  out="$(k apply -f "$f" 2>&1)"
  rc=$?
  check "testdata/$b: applies" "0" "$rc"
  check "testdata/$b: every object created, no warning" "" "$(echo "$out" | grep -v ' created$')"
  k delete -f "$f" >/dev/null 2>&1
done

echo "$((checks - failures)) passed, $failures failed"
[[ $failures == 0 ]]
