#!/usr/bin/env bash
# Drives kubesim with the real kubectl (the preinstalled v1.32 dispatcher):
# every step asserts what kubectl printed, so a simulator that answers
# wrongly fails here, not in the operator's tests.
#
# With --tls the same checks run over HTTPS, kubectl verifying kubesim's
# generated CA and sending its bearer token, followed by the checks that
# only make sense there (401s, untrusted clients, keep-alive over TLS).
set -uo pipefail

tls=()
[[ "${1:-}" == "--tls" ]] && tls=(--tls)

kubesim="$PWD/tools/kubesim/kubesim"
crd="$PWD/crds/doris.selectdb.com_dorisclusters.yaml"
work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/kubectl.XXXX")"
export KUBECONFIG="$work/kubeconfig"
cache="$work/cache"
k() { kubectl --cache-dir "$cache" "$@"; }

pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; wait $p 2>/dev/null; done' EXIT
start_kubesim() {  # start_kubesim OUT KUBECONFIG ARGS...
  local out="$1" kubeconfig="$2"
  shift 2
  "$kubesim" --port 0 --kubeconfig-out "$kubeconfig" "$@" >"$out" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -q "serving on" "$out" && break; sleep 0.05; done
  grep -q "serving on" "$out" || { echo "kubesim did not start"; cat "$out"; exit 1; }
}
start_kubesim "$work/kubesim.out" "$KUBECONFIG" "${tls[@]}"

failures=0
check() {  # check NAME EXPECTED-REGEX ACTUAL
  if [[ "$3" =~ $2 ]]; then
    echo "ok   $1"
  else
    echo "FAIL $1: expected /$2/, got:"; echo "$3" | sed 's/^/     /'
    failures=$((failures + 1))
  fi
}

check "version" "Server Version: v1.32" "$(k version 2>&1)"
check "api-resources lists statefulsets" "statefulsets +sts +apps/v1 +true +StatefulSet" "$(k api-resources 2>&1)"

cat >"$work/cm.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: fe-conf
data:
  fe.conf: |
    http_port = 8030
YAML
check "apply creates" "configmap/fe-conf created" "$(k apply -f "$work/cm.yaml" 2>&1)"
check "apply again is unchanged" "configmap/fe-conf unchanged" "$(k apply -f "$work/cm.yaml" 2>&1)"
sed -i 's/8030/18030/' "$work/cm.yaml"
check "apply a change configures" "configmap/fe-conf configured" "$(k apply -f "$work/cm.yaml" 2>&1)"
check "get -o jsonpath" "http_port = 18030" "$(k get cm fe-conf -o jsonpath='{.data.fe\.conf}' 2>&1)"
check "get lists" "fe-conf" "$(k get cm 2>&1)"
check "NotFound is reported like the API server" 'Error from server \(NotFound\): configmaps "nope" not found' "$(k get cm nope 2>&1)"
check "label selector" "No resources found" "$(k get cm -l app=other 2>&1)"

echo "x = 1" >"$work/be.conf"
check "create configmap --from-file (via apply)" "configmap/be-conf created" \
  "$(k create configmap be-conf --from-file="$work/be.conf" --dry-run=client -o yaml | k apply -f - 2>&1)"

# Typed generators send protobuf bodies.
printf 'a = 1\nb = 2\n' >"$work/fe.conf"
check "create configmap --from-file (protobuf body)" "configmap/typed-conf created" \
  "$(k create configmap typed-conf --from-file="$work/fe.conf" --from-literal=mode=x 2>&1)"
check "its data arrived" "^a = 1.b = 2.x$" \
  "$(k get cm typed-conf -o jsonpath='{.data.fe\.conf}{.data.mode}' 2>&1 | tr '\n' '.')"
check "create configmap again is AlreadyExists" 'failed to create configmap: configmaps "typed-conf" already exists' \
  "$(k create configmap typed-conf --from-literal=a=1 2>&1)"
check "create secret generic (protobuf, bytes data)" "secret/typed-secret created" \
  "$(k create secret generic typed-secret --from-literal=password=s3cret 2>&1)"
check "secret data is base64 of the value" "^czNjcmV0$" \
  "$(k get secret typed-secret -o jsonpath='{.data.password}' 2>&1)"
# stringData is write-only: merged into data, never stored (core/v1 conversion).
check "apply a Secret with stringData" "secret/string-secret created" \
  "$(printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: string-secret\nstringData:\n  password: s3cret\n' | k apply -f - 2>&1)"
check "stringData arrives as base64 data" "^czNjcmV0.$" \
  "$(k get secret string-secret -o jsonpath='{.data.password}.{.stringData}' 2>&1)"
check "create namespace (protobuf)" "namespace/typed-ns created" "$(k create namespace typed-ns 2>&1)"
check "the namespace is usable" "configmap/in-typed-ns created" \
  "$(k -n typed-ns create configmap in-typed-ns --from-literal=a=1 2>&1)"

check "server-side apply" "configmap/ssa serverside-applied" \
  "$(printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa}\ndata: {a: "1"}\n' | k apply --server-side -f - 2>&1)"

check "patch (merge)" "configmap/ssa patched" "$(k patch cm ssa --type merge -p '{"data":{"b":"2"}}' 2>&1)"
check "patch (json)" "configmap/ssa patched" "$(k patch cm ssa --type json -p '[{"op":"remove","path":"/data/a"}]' 2>&1)"
check "patched content" '^\{"b":"2"\}$' "$(k get cm ssa -o jsonpath='{.data}' 2>&1)"

# A CRD makes a new resource appear, with its short name.
check "apply CRD" "customresourcedefinition.apiextensions.k8s.io/dorisclusters.doris.selectdb.com created" \
  "$(k apply -f "$crd" 2>&1)"
check "CRD resource in discovery" "dorisclusters +dcr +doris.selectdb.com/v1 +true +DorisCluster" "$(k api-resources 2>&1)"
cat >"$work/dcr.yaml" <<'YAML'
apiVersion: doris.selectdb.com/v1
kind: DorisCluster
metadata:
  name: sample
spec:
  feSpec: {replicas: 3, image: apache/doris:fe-2.1.8}
  beSpec: {replicas: 3, image: apache/doris:be-2.1.8}
YAML
check "apply DorisCluster" "doriscluster.doris.selectdb.com/sample created" "$(k apply -f "$work/dcr.yaml" 2>&1)"
check "get dcr prints the CRD's printer columns" "NAME +FESTATUS +BESTATUS +CNSTATUS +BROKERSTATUS +AGE" "$(k get dcr 2>&1)"
check "get dcr by short name" "sample" "$(k get dcr 2>&1)"
check "explain a CRD field" "KIND: +DorisCluster.*FIELD: +replicas <integer>" \
  "$(k explain dcr.spec.feSpec.replicas 2>&1 | tr '\n' ' ')"
check "explain a built-in kind" "KIND: +StatefulSet" "$(k explain statefulset 2>&1 | tr '\n' ' ')"
check "patch spec bumps generation" "5 2" \
  "$(k patch dcr sample --type merge -p '{"spec":{"beSpec":{"replicas":5}}}' >/dev/null 2>&1; k get dcr sample -o jsonpath='{.spec.beSpec.replicas} {.metadata.generation}' 2>&1)"

# Watch: an object created while `get -w` runs is printed.
(timeout 4 kubectl --cache-dir "$cache" get cm -w >"$work/watch.out" 2>&1 &)
sleep 1
k create configmap watched --dry-run=client -o yaml | k apply -f - >/dev/null 2>&1
sleep 1.5
check "get -w sees a new object" "watched" "$(cat "$work/watch.out")"

# wait --for=jsonpath uses a field-selected watch.
(sleep 1; k patch cm ssa --type merge -p '{"data":{"ready":"yes"}}' >/dev/null 2>&1) &
check "wait --for=jsonpath" "condition met" "$(k wait --for=jsonpath='{.data.ready}'=yes cm/ssa --timeout=10s 2>&1)"

# StatefulSet scale subresource.
cat >"$work/sts.yaml" <<'YAML'
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  replicas: 1
  serviceName: web
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
YAML
k apply -f "$work/sts.yaml" >/dev/null 2>&1
check "scale" "statefulset.apps/web scaled" "$(k scale sts web --replicas=3 2>&1)"
check "scaled replicas" "^3$" "$(k get sts web -o jsonpath='{.spec.replicas}' 2>&1)"
check "rollout status waits for the simulated pods" "roll ?out complete: 3 new pods" \
  "$(k rollout status sts/web --timeout=30s 2>&1)"
check "pod table" "web-2 +1/1 +Running" "$(k get pods 2>&1)"
check "pods exist and run" "^Running True$" \
  "$(k get pod web-2 -o jsonpath='{.status.phase} {.status.conditions[?(@.type=="Ready")].status}' 2>&1)"
check "scale in removes the highest pod" "web-0 web-1$" \
  "$(k scale sts web --replicas=2 >/dev/null 2>&1; sleep 0.5; k get pods -o jsonpath='{.items[*].metadata.name}' 2>&1)"

check "describe" "Name: +fe-conf.*Data" "$(k describe cm fe-conf 2>&1 | tr '\n' ' ')"
check "delete" 'configmap "fe-conf" deleted' "$(k delete cm fe-conf 2>&1)"
check "deleted is gone" "NotFound" "$(k get cm fe-conf 2>&1)"
check "create in a missing namespace is refused" 'namespaces "nowhere" not found' \
  "$(k -n nowhere create configmap z --dry-run=client -o yaml | k apply -n nowhere -f - 2>&1)"

server="$(sed -n 's/^ *server: //p' "$KUBECONFIG")"
if [[ ${#tls[@]} -eq 0 ]]; then
  check "plain HTTP needs no token" '"kind":"NamespaceList"' "$(curl -sS "$server/api/v1/namespaces" 2>&1)"
else
  check "serves https" "serving on https://127.0.0.1:" "$(cat "$work/kubesim.out")"
  check "kubeconfig is private (it holds the token)" "^600$" "$(stat -c %a "$KUBECONFIG")"
  token="$(sed -n 's/^ *token: //p' "$KUBECONFIG")"
  check "kubeconfig has a token" "^[0-9a-f]{64}$" "$token"
  sed -n 's/^ *certificate-authority-data: //p' "$KUBECONFIG" | base64 -d >"$work/ca.pem"
  check "kubeconfig has the CA" "CA:TRUE" "$(openssl x509 -in "$work/ca.pem" -noout -text 2>&1)"
  check "server certificate chains to the CA, for 127.0.0.1 and localhost" \
    "Verify return code: 0 \(ok\)" \
    "$(openssl s_client -connect "${server#https://}" -CAfile "$work/ca.pem" -verify_return_error \
         -verify_ip 127.0.0.1 </dev/null 2>&1; openssl s_client -connect "${server#https://}" \
         -CAfile "$work/ca.pem" -verify_return_error -verify_hostname localhost </dev/null 2>&1)"
  unauthorized='^\{.*"code":401.*"kind":"Status".*"reason":"Unauthorized".*\} 401$'
  check "no token: 401 Status" "$unauthorized" \
    "$(curl -sS --cacert "$work/ca.pem" -w ' %{http_code}' "$server/api/v1/namespaces" 2>&1)"
  check "wrong token: 401 Status" "$unauthorized" \
    "$(curl -sS --cacert "$work/ca.pem" -H "Authorization: Bearer x$token" -w ' %{http_code}' \
         "$server/api/v1/namespaces" 2>&1)"
  check "control endpoints need the token too" "$unauthorized" \
    "$(curl -sS --cacert "$work/ca.pem" -X POST -w ' %{http_code}' "$server/kubesim/expire-history" 2>&1)"
  sed "s/^\( *token: \).*/\1wrong/" "$KUBECONFIG" >"$work/wrong-token.kubeconfig"
  check "kubectl with a wrong token" "error: You must be logged in to the server" \
    "$(kubectl --kubeconfig "$work/wrong-token.kubeconfig" --cache-dir "$work/cache2" get ns 2>&1)"
  # Requests on one kept-alive TLS connection, the service proxy among them.
  check "keep-alive over TLS, through the service proxy too" "^200 1 200 0 503 0 200 0 $" \
    "$(curl -sS --cacert "$work/ca.pem" -H "Authorization: Bearer $token" \
         -o /dev/null -o /dev/null -o /dev/null -o /dev/null -w '%{http_code} %{num_connects} ' "$server/version" "$server/api/v1/namespaces" \
         "$server/api/v1/namespaces/default/services/none-fe-service:8030/proxy/api/health" \
         "$server/api/v1/namespaces/default/configmaps" 2>&1)"
  check "a client without the CA fails the handshake" "^60$" \
    "$(curl -sS -o /dev/null -H "Authorization: Bearer $token" "$server/version" 2>/dev/null; echo $?)"
  grep -v certificate-authority-data "$KUBECONFIG" >"$work/no-ca.kubeconfig"
  check "kubectl without the CA refuses the server" "x509: certificate signed by unknown authority" \
    "$(kubectl --kubeconfig "$work/no-ca.kubeconfig" --cache-dir "$work/cache3" get ns 2>&1)"
  # Another kubesim's CA must not do: every run makes its own.
  start_kubesim "$work/other.out" "$work/other.kubeconfig" --tls --seed 7
  sed -n 's/^ *certificate-authority-data: //p' "$work/other.kubeconfig" | base64 -d >"$work/other-ca.pem"
  check "a client trusting another kubesim's CA fails the handshake" "^60$" \
    "$(curl -sS -o /dev/null --cacert "$work/other-ca.pem" -H "Authorization: Bearer $token" \
         "$server/version" 2>/dev/null; echo $?)"
  check "still serving after failed handshakes" "default" "$(k get ns 2>&1)"
  start_kubesim "$work/same-seed.out" "$work/same-seed.kubeconfig" --tls --seed 7
  start_kubesim "$work/other-seed.out" "$work/other-seed.kubeconfig" --tls --seed 8
  seeded() { sed -n 's/^ *token: //p' "$1"; }
  check "--seed fixes the token" "^same different$" \
    "$([[ "$(seeded "$work/other.kubeconfig")" == "$(seeded "$work/same-seed.kubeconfig")" ]] && echo -n same
       echo -n " "
       [[ "$(seeded "$work/other.kubeconfig")" != "$(seeded "$work/other-seed.kubeconfig")" ]] && echo different)"
  check "a seeded kubesim accepts its token" "default" \
    "$(kubectl --kubeconfig "$work/same-seed.kubeconfig" --cache-dir "$work/cache4" get ns 2>&1)"
fi

echo
echo "$failures failed"
exit $((failures > 0))
