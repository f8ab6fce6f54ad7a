#!/usr/bin/env bash
# Every DorisCluster in tests/crds/bad must be refused, with the messages its
# header names:
#   dorisctl-error:   `dorisctl render` exits 1 printing "error: <message>" (the
#                     operator's own validation: Ready=False, InvalidSpec)
#   dorisctl-warning: `dorisctl render` prints "warning: <message>"
#   apiserver:        the CRD's structural schema gives exactly this error, or
#                     "accepted ..." when the schema has nothing against it
#   apiserver-cel:    the CRD holds an x-kubernetes-validations rule with this
#                     path and message (present; CEL is not evaluated here)
# kubesim does not validate custom resources against the CRD yet
# (docs/kubesim.md), so crd_schema_check.py stands in for the API server's
# schema step.
set -uo pipefail

crd="$PWD/crds/doris.selectdb.com_dorisclusters.yaml"
dorisctl="$PWD/tools/dorisctl/dorisctl"
schema_check() { python3 "$PWD/tests/crds/crd_schema_check.py" "$crd" "$@"; }
cel_rules="$(schema_check --cel-rules)"

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

files=("$PWD"/tests/crds/bad/*.yaml)
[[ ${#files[@]} -ge 10 ]] || { echo "FAIL only ${#files[@]} bad samples found"; exit 1; }
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
  got="$(schema_check "$f")"
  if [[ -n "$cel" ]]; then
    check "$b: no schema error (the CEL rule refuses it)" "" "$got"
    check "$b: the CRD has the CEL rule" "$cel" "$(echo "$cel_rules" | grep -Fx -- "$cel")"
  elif [[ "$api" == accepted* ]]; then
    check "$b: the schema accepts it (the operator refuses it)" "" "$got"
  elif [[ -n "$api" ]]; then
    check "$b: the schema refuses it" "$api" "$got"
  else
    check "$b: has an apiserver expectation" "apiserver or apiserver-cel" "neither"
  fi
done

echo "$((checks - failures)) passed, $failures failed"
[[ $failures == 0 ]]
