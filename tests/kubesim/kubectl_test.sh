#!/usr/bin/env bash
# Drives kubesim with the real kubectl (the preinstalled v1.32 dispatcher):
# every step asserts what kubectl printed, so a simulator that answers
# wrongly fails here, not in the operator's tests.
#
# With --tls the same checks run over HTTPS, kubectl verifying kubesim's
# generated CA and sending its bearer token, followed by the checks that
# only make sense there (401s, untrusted clients, keep-alive over TLS).
set -uo pipefail
source "$PWD/tests/testing/shell_checks.sh"

tls=()
[[ "${1:-}" == "--tls" ]] && tls=(--tls)

kubesim="$PWD/tools/kubesim/kubesim"
crd="$PWD/crds/doris.selectdb.com_dorisclusters.yaml"
work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/kubectl.XXXX")"
export KUBECONFIG="$work/kubeconfig"
cache="$work/cache"
k() { kubectl --cache-dir "$cache" "$@"; }

start_kubesim "$kubesim" "$work/kubesim.out" --kubeconfig-out "$KUBECONFIG" "${tls[@]}"


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

# How many watches on configmaps kubectl has had served so far.
cm_watches() {
  k get --raw '/kubesim/requests?userAgent=kubectl' 2>/dev/null | python3 -c '
import json, sys
print(sum(r["count"] for r in json.load(sys.stdin)["requests"]
          if r["verb"] == "watch" and r["group"] == "" and r["resource"] == "configmaps"))'
}
# until_true SECONDS COMMAND...: polls COMMAND until it succeeds, for at most
# SECONDS of wall time.
until_true() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do ((SECONDS > deadline)) && return 1; sleep 0.1; done
}

# Watch: an object created while `get -w` watches is printed as an event.
# The object is created only once kubectl's watch is open, so it cannot be
# in the initial list.
watches="$(cm_watches)"
kubectl --cache-dir "$cache" get cm -w --output-watch-events >"$work/watch.out" 2>&1 &
watcher=$!
pids+=($watcher)
check "get -w opens a watch" "^ok$" "$(until_true 30 eval '(( $(cm_watches) > watches ))' && echo ok)"
k create configmap watched --dry-run=client -o yaml | k apply -f - >/dev/null 2>&1
check "get -w prints the event of a new object" "^ok$" \
  "$(until_true 30 grep -Eq '^ADDED +watched ' "$work/watch.out" && echo ok || cat "$work/watch.out")"
kill "$watcher" 2>/dev/null

# wait --for=jsonpath uses a field-selected watch: the change comes only once
# that watch is open, so only a watch event can satisfy the wait.
watches="$(cm_watches)"
k wait --for=jsonpath='{.data.ready}'=yes cm/ssa --timeout=60s >"$work/wait.out" 2>&1 &
waiter=$!
check "wait --for=jsonpath opens a watch" "^ok$" "$(until_true 30 eval '(( $(cm_watches) > watches ))' && echo ok)"
k patch cm ssa --type merge -p '{"data":{"ready":"yes"}}' >/dev/null 2>&1
wait "$waiter"
check "wait --for=jsonpath" "condition met" "$(cat "$work/wait.out")"

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
k scale sts web --replicas=2 >/dev/null 2>&1
# (wait --for=delete succeeds silently if the pod is gone already.)
check "scale in deletes the highest pod" "^0$" "$(k wait --for=delete pod/web-2 --timeout=60s >/dev/null 2>&1; echo $?)"
check "and only that one" "^web-0 web-1$" "$(k get pods -o jsonpath='{.items[*].metadata.name}' 2>&1)"

# One HPA, visible through autoscaling/v1 and v2 alike. (kubectl autoscale:
# see the dry-run/HPA Events section at the end.)
cat >"$work/hpa.yaml" <<'YAML'
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: web}
  minReplicas: 2
  maxReplicas: 4
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
YAML
check "apply creates an HPA" "horizontalpodautoscaler.autoscaling/web created" "$(k apply -f "$work/hpa.yaml" 2>&1)"
check "the HPA through autoscaling/v1" "^autoscaling/v1 50 2 4$" \
  "$(k get horizontalpodautoscalers.v1.autoscaling web -o jsonpath='{.apiVersion} {.spec.targetCPUUtilizationPercentage} {.spec.minReplicas} {.spec.maxReplicas}' 2>&1)"
check "the HPA through autoscaling/v2" "^autoscaling/v2 cpu 50$" \
  "$(k get horizontalpodautoscalers.v2.autoscaling web -o jsonpath='{.apiVersion} {.spec.metrics[0].resource.name} {.spec.metrics[0].resource.target.averageUtilization}' 2>&1)"
cat >"$work/bad-hpa.yaml" <<'YAML'
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: bad}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: web}
  minReplicas: 3
  maxReplicas: 1
YAML
check "an HPA with max below min is refused" '"bad" is invalid: spec.maxReplicas: Invalid value: 1: must be greater than or equal to `minReplicas`$' \
  "$(k apply -f "$work/bad-hpa.yaml" 2>&1)"

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
  start_kubesim "$kubesim" "$work/other.out" --kubeconfig-out "$work/other.kubeconfig" --tls --seed 7
  sed -n 's/^ *certificate-authority-data: //p' "$work/other.kubeconfig" | base64 -d >"$work/other-ca.pem"
  check "a client trusting another kubesim's CA fails the handshake" "^60$" \
    "$(curl -sS -o /dev/null --cacert "$work/other-ca.pem" -H "Authorization: Bearer $token" \
         "$server/version" 2>/dev/null; echo $?)"
  check "still serving after failed handshakes" "default" "$(k get ns 2>&1)"
  start_kubesim "$kubesim" "$work/same-seed.out" --kubeconfig-out "$work/same-seed.kubeconfig" --tls --seed 7
  start_kubesim "$kubesim" "$work/other-seed.out" --kubeconfig-out "$work/other-seed.kubeconfig" --tls --seed 8
  seeded() { sed -n 's/^ *token: //p' "$1"; }
  check "--seed fixes the token" "^same different$" \
    "$([[ "$(seeded "$work/other.kubeconfig")" == "$(seeded "$work/same-seed.kubeconfig")" ]] && echo -n same
       echo -n " "
       [[ "$(seeded "$work/other.kubeconfig")" != "$(seeded "$work/other-seed.kubeconfig")" ]] && echo different)"
  check "a seeded kubesim accepts its token" "default" \
    "$(kubectl --kubeconfig "$work/same-seed.kubeconfig" --cache-dir "$work/cache4" get ns 2>&1)"
fi

# --- Admission of built-in objects and CRD status (docs/kubesim.md, "Admission") ---
check "wait --for condition=established on a CRD" \
  "customresourcedefinition.apiextensions.k8s.io/dorisclusters.doris.selectdb.com condition met" \
  "$(k wait --for condition=established --timeout=30s crd/dorisclusters.doris.selectdb.com 2>&1)"
check "a CRD's stored versions" '^\["v1"\]$' \
  "$(k get crd dorisclusters.doris.selectdb.com -o jsonpath='{.status.storedVersions}' 2>&1)"
cat >"$work/svc.yaml" <<'YAML'
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector: {app: web}
  ports:
  - {name: http, port: 80}
YAML
check "apply a NodePort Service" "service/web created" "$(k apply -f "$work/svc.yaml" 2>&1)"
web_ip="$(k get svc web -o jsonpath='{.spec.clusterIP}' 2>&1)"
check "it gets a clusterIP from 10.96.0.0/12" '^10\.(9[6-9]|10[0-9]|11[01])\.[0-9]+\.[0-9]+$' "$web_ip"
check "and a nodePort from 30000-32767" '^3[0-2][0-9]{3}$' \
  "$(k get svc web -o jsonpath='{.spec.ports[0].nodePort}' 2>&1)"
check "replace without clusterIP keeps it" "service/web replaced" "$(k replace -f "$work/svc.yaml" 2>&1)"
check "the clusterIP after replace" "^$web_ip\$" "$(k get svc web -o jsonpath='{.spec.clusterIP}' 2>&1)"
check "changing the clusterIP is refused" \
  'The Service "web" is invalid: spec.clusterIPs\[0\]: Invalid value: \[\]string\{"10.96.250.250"\}: may not change once set' \
  "$(k patch svc web --type merge -p '{"spec":{"clusterIP":"10.96.250.250"}}' 2>&1)"
cat >"$work/sts.yaml" <<'YAML'
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: q
spec:
  serviceName: q
  replicas: 0
  selector: {matchLabels: {app: q}}
  template:
    metadata: {labels: {app: q}}
    spec:
      containers:
      - name: c
        image: nginx
        resources:
          requests: {cpu: 0.5, memory: 1024Mi}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 2000Mi}}
YAML
check "apply a StatefulSet" "statefulset.apps/q created" "$(k apply -f "$work/sts.yaml" 2>&1)"
check "its quantities come back canonical" '^500m 1Gi 2000Mi$' \
  "$(k get sts q -o jsonpath='{.spec.template.spec.containers[0].resources.requests.cpu} {.spec.template.spec.containers[0].resources.requests.memory} {.spec.volumeClaimTemplates[0].spec.resources.requests.storage}' 2>&1)"
# kubectl's three-way patch sends the non-canonical 0.5 again (so it says
# "configured", as against a real server); the stored object is unchanged.
q_rv="$(k get sts q -o jsonpath='{.metadata.resourceVersion}' 2>&1)"
check "apply again re-sends the non-canonical value" "statefulset.apps/q configured" "$(k apply -f "$work/sts.yaml" 2>&1)"
check "which changes nothing" "^$q_rv\$" "$(k get sts q -o jsonpath='{.metadata.resourceVersion}' 2>&1)"
check "a new StatefulSet reports status.replicas 0" '^0$' "$(k get sts q -o jsonpath='{.status.replicas}' 2>&1)"
check "a StatefulSet update outside the mutable fields is refused" \
  'The StatefulSet "q" is invalid: spec: Forbidden: updates to statefulset spec for fields other than '"'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden" \
  "$(k patch sts q --type merge -p '{"spec":{"serviceName":"other"}}' 2>&1)"
sed 's/cpu: 0.5/cpu: eight/; s/name: q$/name: q2/' "$work/sts.yaml" >"$work/bad-sts.yaml"
check "a malformed quantity is refused as the decoder refuses it" \
  "Error from server \(BadRequest\): error when creating \".*bad-sts.yaml\": StatefulSet in version \"v1\" cannot be handled as a StatefulSet: quantities must match the regular expression" \
  "$(k apply -f "$work/bad-sts.yaml" 2>&1)"
check "create configmap (protobuf, empty generateName)" "configmap/gen-check created" \
  "$(k create configmap gen-check --from-literal=a=1 2>&1)"
check "a ConfigMap has no generation and no empty generateName" '^0$' \
  "$(k get cm gen-check -o json 2>&1 | grep -c -E '"generation"|"generateName"')"

# Built-in kinds are decoded and validated as kube-apiserver does
# (kubectl's default --validate=strict sends fieldValidation=Strict).
k create namespace schemas >/dev/null 2>&1
cat >"$work/sts.yaml" <<'YAML'
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
  namespace: schemas
spec:
  replicas: 1
  serviceName: web
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx
        ports: [{name: http, containerPort: 80}]
        readinesProbe:
          httpGet: {port: http}
YAML
check "a misspelled field in a StatefulSet is refused" \
  'StatefulSet in version "v1" cannot be handled as a StatefulSet: strict decoding error: unknown field "spec.template.spec.containers\[0\].readinesProbe"' \
  "$(k apply -f "$work/sts.yaml" 2>&1)"
check "--validate=warn creates it with a warning" \
  'Warning: unknown field "spec.template.spec.containers\[0\].readinesProbe".*statefulset.apps/web created' \
  "$(k apply --validate=warn -f "$work/sts.yaml" 2>&1)"
sed 's/readinesProbe/readinessProbe/; s/replicas: 1/replicas: "1"/' "$work/sts.yaml" >"$work/sts-type.yaml"
check "a wrong type is the decoder's error" \
  'json: cannot unmarshal string into Go struct field StatefulSetSpec.spec.replicas of type int32' \
  "$(k apply -f "$work/sts-type.yaml" 2>&1)"
sed 's/readinesProbe/readinessProbe/; s/- name: web/- name: Web/; s/containerPort: 80/containerPort: 70000/' \
  "$work/sts.yaml" >"$work/sts-invalid.yaml"
check "container names and ports are validated" \
  'The StatefulSet "web" is invalid: .*containers\[0\].name: Invalid value: "Web": a lowercase RFC 1123 label must consist of.*containers\[0\].ports\[0\].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive' \
  "$(k apply -f "$work/sts-invalid.yaml" 2>&1)"
check "explain shows Kubernetes' own schema" \
  'FIELD: +readinessProbe <Probe>.*Periodic probe of container service readiness.*httpGet.*<HTTPGetAction>' \
  "$(k explain statefulset.spec.template.spec.containers.readinessProbe 2>&1 | tr '\n' ' ')"

# Tables with kube-apiserver's columns; priority columns only with -o wide.
cat >"$work/svc.yaml" <<'YAML'
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: schemas
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
YAML
k apply -f "$work/svc.yaml" >/dev/null 2>&1
k -n schemas rollout status sts/web --timeout=60s >/dev/null 2>&1
header() { echo "$1" | head -1; }
check "get svc columns" '^NAME +TYPE +CLUSTER-IP +EXTERNAL-IP +PORT\(S\) +AGE$' "$(header "$(k -n schemas get svc 2>&1)")"
check "get svc row" '^web +ClusterIP +[^ ]+ +<none> +80/TCP +[0-9]+s$' "$(k -n schemas get svc --no-headers 2>&1)"
check "get svc -o wide adds SELECTOR" '^NAME +TYPE +CLUSTER-IP +EXTERNAL-IP +PORT\(S\) +AGE +SELECTOR$' \
  "$(header "$(k -n schemas get svc -o wide 2>&1)")"
check "get pods columns" '^NAME +READY +STATUS +RESTARTS +AGE$' "$(header "$(k -n schemas get pods 2>&1)")"
check "get pods row" '^web-0 +1/1 +Running +0 +[0-9]+s$' "$(k -n schemas get pods --no-headers 2>&1)"
check "get pods -o wide columns" '^NAME +READY +STATUS +RESTARTS +AGE +IP +NODE +NOMINATED NODE +READINESS GATES$' \
  "$(header "$(k -n schemas get pods -o wide 2>&1)")"
check "get sts columns" '^NAME +READY +AGE$' "$(header "$(k -n schemas get sts 2>&1)")"
check "get sts -o wide columns and cells" '^NAME +READY +AGE +CONTAINERS +IMAGES web +1/1 +[0-9]+s +web +nginx$' \
  "$(k -n schemas get sts -o wide 2>&1 | tr -s '\n' ' ' | sed 's/ $//')"
k -n schemas create configmap conf --from-literal=a=1 --from-literal=b=2 >/dev/null 2>&1
k -n schemas create secret generic pw --type=Opaque --from-literal=p=x >/dev/null 2>&1
check "get cm columns" '^NAME +DATA +AGE conf +2 +' "$(k -n schemas get cm conf 2>&1 | tr '\n' ' ')"
check "get secret columns" '^NAME +TYPE +DATA +AGE pw +Opaque +1 +' "$(k -n schemas get secret pw 2>&1 | tr '\n' ' ')"
cat >"$work/pvc.yaml" <<'YAML'
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
  namespace: schemas
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests: {storage: 1Gi}
YAML
k apply -f "$work/pvc.yaml" >/dev/null 2>&1
check "get pvc columns" '^NAME +STATUS +VOLUME +CAPACITY +ACCESS MODES +STORAGECLASS +VOLUMEATTRIBUTESCLASS +AGE data ' \
  "$(k -n schemas get pvc 2>&1 | tr '\n' ' ')"
check "get endpoints columns" '^NAME +ENDPOINTS +AGE' "$(k -n schemas get endpoints 2>&1)"
check "get controllerrevisions columns" '^NAME +CONTROLLER +REVISION +AGE.*statefulset.apps/web +1 ' \
  "$(k -n schemas get controllerrevisions 2>&1 | tr '\n' ' ')"
check "get crd columns" '^NAME +CREATED AT' "$(k get crd 2>&1)"

# --- kubectl create <generator>: protobuf bodies (kubesim decodes them with
# the upstream generated.proto). Each object must come back with every field
# `--dry-run=client -o json` printed (the server may add defaults); kinds
# kubesim does not serve answer as kube-apiserver does for a resource it
# does not have. Not repeated with --tls: decoding does not depend on it.
if [[ ${#tls[@]} -eq 0 ]]; then
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/tls.key" -out "$work/tls.crt" \
  -subj /CN=kubesim-test -days 1 >/dev/null 2>&1
same_fields() {  # same_fields CLIENT.json SERVER.json: "same" or the differing fields
  python3 - "$1" "$2" <<'PY'
import json, sys
want, got = (json.load(open(f)) for f in sys.argv[1:3])
diffs = []
def walk(w, g, path):
    if w is None or w == {} or w == []:
        return  # Go's zero values, not sent
    if isinstance(w, dict) and isinstance(g, dict):
        for k, v in w.items():
            if path != "metadata" or k != "creationTimestamp":
                walk(v, g.get(k), path + "." + k if path else k)
    elif isinstance(w, list) and isinstance(g, list) and len(w) == len(g):
        for i, (a, b) in enumerate(zip(w, g)):
            walk(a, b, "%s[%d]" % (path, i))
    elif w != g:
        diffs.append("%s: sent %s, stored %s" % (path, json.dumps(w), json.dumps(g)))
walk(want, got, "")
print("\n".join(diffs) if diffs else "same")
PY
}
generators=(
  "clusterrole gen-cr --verb=get,list --resource=pods,statefulsets.apps --resource-name=x"
  "clusterrole gen-cr-urls --verb=get --non-resource-url=/healthz"
  "clusterrole gen-agg --aggregation-rule=rbac.example.com/aggregate=true"
  "clusterrolebinding gen-crb --clusterrole=gen-cr --user=alice --group=devs --serviceaccount=default:gen-sa"
  "configmap gen-cm --from-literal=a=1 --from-literal=b=two"
  "namespace gen-ns"
  "poddisruptionbudget gen-pdb --selector=app=x --min-available=50%"
  "poddisruptionbudget gen-pdb2 --selector=app=y --max-unavailable=1"
  "role gen-role --verb=get,watch --resource=configmaps --resource-name=c1"
  "rolebinding gen-rb --role=gen-role --user=bob --serviceaccount=default:gen-sa"
  "rolebinding gen-rb2 --clusterrole=gen-cr --group=devs"
  "secret generic gen-secret --from-literal=password=s3cret --type=Opaque"
  "secret generic gen-secret2 --from-literal=k=v"
  "secret tls gen-tls --cert=$work/tls.crt --key=$work/tls.key"
  "secret docker-registry gen-docker --docker-server=r.example.com --docker-username=u --docker-password=p"
  "service clusterip gen-svc --tcp=5678:8080"
  "service clusterip gen-headless --clusterip=None"
  "service nodeport gen-np --tcp=5678:8080 --node-port=30080"
  "service loadbalancer gen-lb --tcp=80:8080"
  "service externalname gen-ext --external-name=example.com"
  "serviceaccount gen-sa"
)
for g in "${generators[@]}"; do
  read -r -a args <<<"$g"
  k create "${args[@]}" --dry-run=client -o json >"$work/client.json" 2>&1
  # -o json prints the object the server answered with (after storing it).
  k create "${args[@]}" -o json >"$work/server.json" 2>&1
  check "create ${args[*]:0:3}: stored as kubectl built it" "^same$" \
    "$(same_fields "$work/client.json" "$work/server.json" 2>&1 || cat "$work/server.json")"
done
check "create secret generic without --type: defaulted to Opaque" "^Opaque$" \
  "$(k get secret gen-secret2 -o jsonpath='{.type}' 2>&1)"
check "create service clusterip --clusterip=None: headless" "^None$" \
  "$(k get svc gen-headless -o jsonpath='{.spec.clusterIP}' 2>&1)"
# Kinds kubesim does not serve: kube-apiserver's answer for a resource it
# does not have (404 NotFound Status), which kubectl prints after its typed
# client's prefix.
for g in "deployment gen-d --image=nginx" "job gen-j --image=busybox" \
         "cronjob gen-cj --image=busybox --schedule=@hourly" "ingress gen-ing --rule=a.example.com/=svc:80" \
         "priorityclass gen-pc --value=1000" "quota gen-q --hard=pods=2" "token gen-sa"; do
  read -r -a args <<<"$g"
  what="${args[0]}"
  check "create $what: not served" "^error: failed to create $what: the server could not find the requested resource$" \
    "$(k create "${args[@]}" 2>&1)"
done
fi

# Field ownership (metadata.managedFields) and server-side apply as kubectl
# shows them: entries per manager and operation, list items by merge key,
# the real conflict message, --force-conflicts, pruning of what an applier
# stopped sending, and fields a create set staying with its Update entry.
sts_yaml() {  # sts_yaml REPLICAS ENV-NAMES...
  local replicas="$1"; shift
  printf 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: fm}\nspec:\n  replicas: %s\n  serviceName: fm\n' "$replicas"
  printf '  selector: {matchLabels: {app: fm}}\n  template:\n    metadata: {labels: {app: fm}}\n    spec:\n'
  printf '      containers:\n      - name: app\n        image: img\n        ports: [{containerPort: 9030}]\n        env:\n'
  for e in "$@"; do printf '        - {name: %s, value: "1"}\n' "$e"; done
}
check "ssa: statefulset applied" "statefulset.apps/fm serverside-applied" \
  "$(sts_yaml 1 A B | k apply --server-side -f - 2>&1)"
mf="$(k get sts fm -o yaml --show-managed-fields 2>&1)"
check "ssa: managedFields entry of kubectl, Apply" "manager: kubectl"$'\n'" +operation: Apply" "$mf"
check "ssa: containers owned by name" 'k:\{"name":"app"\}:' "$mf"
check "ssa: env owned by name" 'k:\{"name":"A"\}:' "$mf"
check "ssa: container ports by containerPort and protocol" 'k:\{"containerPort":9030,"protocol":"TCP"\}:' "$mf"
check "ssa: -o yaml hides managedFields by default" "^0$" "$(k get sts fm -o yaml 2>&1 | grep -c managedFields)"
check "ssa: conflict with the real message" \
  'error: Apply failed with 1 conflict: conflict with "kubectl": \.spec\.replicas' \
  "$(sts_yaml 5 A B | k apply --server-side --field-manager=other -f - 2>&1)"
check "ssa: --force-conflicts takes the field" "statefulset.apps/fm serverside-applied" \
  "$(sts_yaml 5 A B | k apply --server-side --field-manager=other --force-conflicts -f - 2>&1)"
check "ssa: conflict with an Update manager names its apiVersion" \
  'conflict with "kubectl-patch" using apps/v1: \.spec\.replicas' \
  "$(k patch sts fm --type merge -p '{"spec":{"replicas":4}}' >/dev/null 2>&1
     sts_yaml 5 A B | k apply --server-side --field-manager=other -f - 2>&1)"
check "ssa: an env var both appliers sent stays when one drops it" "^A B 4$" \
  "$(sts_yaml 4 B | k apply --server-side --force-conflicts -f - >/dev/null 2>&1
     k get sts fm -o jsonpath='{.spec.template.spec.containers[0].env[*].name} {.spec.replicas}' 2>&1)"
check "ssa: dropped by every applier, it goes" "^B$" \
  "$(sts_yaml 5 B | k apply --server-side --field-manager=other --force-conflicts -f - >/dev/null 2>&1
     k get sts fm -o jsonpath='{.spec.template.spec.containers[0].env[*].name}' 2>&1)"
check "strategic merge patch merges env by name" "^B C$" \
  "$(k patch sts fm -p '{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"C","value":"3"}]}]}}}}' >/dev/null 2>&1
     k get sts fm -o jsonpath='{.spec.template.spec.containers[0].env[*].name}' 2>&1)"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owned, labels: {keep: "1", drop: "1"}}\n' >"$work/owned.yaml"
check "create, then apply under the same manager name" "configmap/owned serverside-applied" \
  "$(k create -f "$work/owned.yaml" >/dev/null 2>&1
     sed '/drop/s/, drop: "1"//' "$work/owned.yaml" | k apply --server-side --field-manager=kubectl-create -f - 2>&1)"
check "a label the create set stays (its Update entry owns it)" "^1 1$" \
  "$(k get cm owned -o jsonpath='{.metadata.labels.keep} {.metadata.labels.drop}' 2>&1)"
check "both entries of kubectl-create are shown" "Apply.*Update" \
  "$(k get cm owned -o jsonpath='{range .metadata.managedFields[*]}{.manager}/{.operation} {end}' --show-managed-fields 2>&1 | tr -d '\n' | sed 's#kubectl-create/##g')"
check "strategic merge patch on a custom resource is refused (415)" \
  "is not supported by doris.selectdb.com/v1, Kind=DorisCluster: the body of the request was in an unknown format" \
  "$(k patch dcr sample -p '{"spec":{"beSpec":{"replicas":2}}}' 2>&1)"

# --- dryRun=All (--dry-run=server), the HPA controller's Events and kubectl
# autoscale (docs/kubesim.md, "Fidelity: dry run, HPA Events, kubectl
# autoscale"), on a kubesim of their own whose HPA controller syncs every
# second. ---
start_kubesim "$kubesim" "$work/api.out" --kubeconfig-out "$work/api.kubeconfig" "${tls[@]}" --hpa-sync-period-ms 1000
ka() { kubectl --kubeconfig "$work/api.kubeconfig" --cache-dir "$work/cache-api" "$@"; }
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dry}\ndata: {k: v}\n' >"$work/dry.yaml"
check "dry run: apply" "^configmap/dry created \(server dry run\)$" "$(ka apply --dry-run=server -f "$work/dry.yaml" 2>&1)"
check "dry run: create -f" "^configmap/dry created \(server dry run\)$" "$(ka create --dry-run=server -f "$work/dry.yaml" 2>&1)"
check "dry run: server-side apply" "^configmap/dry serverside-applied \(server dry run\)$" \
  "$(ka apply --server-side --dry-run=server -f "$work/dry.yaml" 2>&1)"
check "dry run: a typed create (protobuf) answers uid and creationTimestamp, no resourceVersion" \
  "^[0-9a-f-]{36}//20[0-9-]+T" \
  "$(ka create configmap dry --from-literal=a=1 --dry-run=server \
       -o jsonpath='{.metadata.uid}/{.metadata.resourceVersion}/{.metadata.creationTimestamp}' 2>&1)"
check "dry run: nothing was stored" 'Error from server \(NotFound\): configmaps "dry" not found' "$(ka get cm dry 2>&1)"
check "a real create after the dry runs" "^configmap/dry created$" "$(ka create -f "$work/dry.yaml" 2>&1)"
check "dry run: a change is configured, the live object stays" "configmap/dry configured \(server dry run\) v$" \
  "$(sed 's/k: v/k: v2/' "$work/dry.yaml" | ka apply --dry-run=server -f - 2>&1 | tr '\n' ' '
     ka get cm dry -o jsonpath='{.data.k}' 2>&1)"
check "dry run: delete" "^configmap \"dry\" deleted \(server dry run\) v$" \
  "$(ka delete cm dry --dry-run=server 2>&1 | tr '\n' ' '; ka get cm dry -o jsonpath='{.data.k}' 2>&1)"
check "dry run: a NodePort Service gets the dry-run allocators' values" "^10\.96\.0\.0 32769$" \
  "$(ka create service nodeport dry --tcp=80 --dry-run=server -o jsonpath='{.spec.clusterIP} {.spec.ports[0].nodePort}' 2>&1)"
check "and a real one the first free ones" "^10\.96\.1\.1 30086$" \
  "$(ka create service nodeport dry --tcp=80 -o jsonpath='{.spec.clusterIP} {.spec.ports[0].nodePort}' 2>&1)"
printf '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"odd"}}' >"$work/odd.json"
check "dry run: an unsupported value is 422 on CreateOptions" \
  'The CreateOptions "" is invalid: dryRun: Unsupported value: \[\]string\{"Some"\}: supported values: "All"' \
  "$(ka create --raw '/api/v1/namespaces/default/configmaps?dryRun=Some' -f "$work/odd.json" 2>&1)"

# kubectl autoscale (what it sends: docs/kubesim.md) and the HPA controller
# acting on the HPA it made, with the Events `kubectl describe` shows. The
# StatefulSets start at 0 replicas, where the controller does not scale and
# records nothing, and get 1 once their metric is set: a slow machine cannot
# use up the recorder's burst of 25 events on "no metrics" before that.
as_sts() {  # as_sts NAME [CPU]: 0 replicas, its container requesting CPU (none without)
  local requests=""
  [[ -n "${2:-}" ]] && requests=", resources: {requests: {cpu: $2}}"
  printf 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: %s}\nspec:\n  replicas: 0\n  serviceName: %s\n  selector: {matchLabels: {app: %s}}\n  template:\n    metadata: {labels: {app: %s}}\n    spec: {containers: [{name: app, image: nginx%s}]}\n' \
    "$1" "$1" "$1" "$1" "$requests"
}
as_sts as 500m | ka apply -f - >/dev/null 2>&1
check "kubectl autoscale" "^horizontalpodautoscaler.autoscaling/as autoscaled$" \
  "$(ka autoscale statefulset as --min=1 --max=3 --cpu-percent=50 2>&1)"
check "the HPA kubectl autoscale made" "^autoscaling/v1 StatefulSet as apps/v1 1 3 50$" \
  "$(ka get horizontalpodautoscalers.v1.autoscaling as -o jsonpath='{.apiVersion} {.spec.scaleTargetRef.kind} {.spec.scaleTargetRef.name} {.spec.scaleTargetRef.apiVersion} {.spec.minReplicas} {.spec.maxReplicas} {.spec.targetCPUUtilizationPercentage}' 2>&1)"
check "and through autoscaling/v2" "^cpu Utilization 50$" \
  "$(ka get horizontalpodautoscalers.v2.autoscaling as -o jsonpath='{.spec.metrics[0].resource.name} {.spec.metrics[0].resource.target.type} {.spec.metrics[0].resource.target.averageUtilization}' 2>&1)"
printf '{"namespace":"default","name":"as","value":100}' >"$work/as-metric.json"
ka create --raw /kubesim/hpa-metric -f "$work/as-metric.json" >/dev/null 2>&1
ka scale sts as --replicas=1 >/dev/null 2>&1
# Every pod reports twice the target: 1 -> 2 -> 3, the maximum, where it stays.
as_at_max() { [[ "$(ka get sts as -o jsonpath='{.spec.replicas}' 2>/dev/null)" == 3 ]]; }
check "the HPA controller scales the StatefulSet to the HPA's maximum" "^0$" "$(until_true 60 as_at_max; echo $?)"
as_described="$(ka describe hpa as 2>&1)"
check "describe hpa shows the SuccessfulRescale Events" \
  "Normal +SuccessfulRescale +[0-9a-z]+ +horizontal-pod-autoscaler +New size: 2; reason: cpu resource utilization \(percentage of request\) above target.*New size: 3; reason: cpu" \
  "$(echo "$as_described" | tr '\n' ' ')"
check "and the HPA's status" "Min replicas: +1 .*Max replicas: +3 .*ScalingLimited +True +TooManyReplicas" \
  "$(echo "$as_described" | tr '\n' ' ')"
as_sts noreq | ka apply -f - >/dev/null 2>&1
ka autoscale statefulset noreq --min=1 --max=3 --cpu-percent=50 >/dev/null 2>&1
printf '{"namespace":"default","name":"noreq","value":100}' >"$work/noreq-metric.json"
ka create --raw /kubesim/hpa-metric -f "$work/noreq-metric.json" >/dev/null 2>&1
ka scale sts noreq --replicas=1 >/dev/null 2>&1
noreq_warned() { ka describe hpa noreq 2>/dev/null | grep -q "FailedComputeMetricsReplicas.*missing request"; }
until_true 60 noreq_warned
check "describe hpa shows why it cannot scale" \
  "Warning +FailedGetResourceMetric +.* +horizontal-pod-autoscaler +failed to get cpu utilization: missing request for cpu in container app of Pod noreq-0" \
  "$(ka describe hpa noreq 2>&1)"
check "and FailedComputeMetricsReplicas" \
  "Warning +FailedComputeMetricsReplicas +.* +horizontal-pod-autoscaler +invalid metrics \(1 invalid out of 1\), first error is: failed to get cpu resource metric value: failed to get cpu utilization: missing request" \
  "$(ka describe hpa noreq 2>&1)"

# --- StorageClasses and claim resize (docs/kubesim.md) -----------------------
cat >"$work/sc.yaml" <<'YAML'
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fixed
provisioner: kubesim.io/fake
allowVolumeExpansion: false
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: vol}
spec:
  replicas: 1
  serviceName: vol
  selector: {matchLabels: {app: vol}}
  template:
    metadata: {labels: {app: vol}}
    spec: {containers: [{name: app, image: nginx}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {storageClassName: fixed, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
YAML
k apply -f "$work/sc.yaml" >/dev/null 2>&1
check "get sc" "fixed +kubesim.io/fake +Delete +Immediate +false" "$(k get sc fixed 2>&1)"
vol_bound() { [[ "$(k get pvc data-vol-0 -o jsonpath='{.status.phase}' 2>/dev/null)" == Bound ]]; }
until_true 30 vol_bound
# (kubectl prints CAPACITY only for a claim with spec.volumeName, which
# kubesim's claims lack: there are no PersistentVolume objects.)
check "a bound claim's capacity and class" "^Bound 1Gi fixed$" \
  "$(k get pvc data-vol-0 -o jsonpath='{.status.phase} {.status.capacity.storage} {.spec.storageClassName}' 2>&1)"
check "a class without allowVolumeExpansion refuses growth" \
  "Error from server \(Forbidden\): persistentvolumeclaims \"data-vol-0\" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize" \
  "$(k patch pvc data-vol-0 -p '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}' 2>&1)"
check "a claim never shrinks below its capacity" \
  "The PersistentVolumeClaim \"data-vol-0\" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than status.capacity" \
  "$(k patch pvc data-vol-0 -p '{"spec":{"resources":{"requests":{"storage":"512Mi"}}}}' 2>&1)"
check "a class's provisioner is immutable" "Forbidden: updates to provisioner are forbidden" \
  "$(k patch sc fixed -p '{"provisioner":"other.io/x"}' 2>&1)"
k patch sc fixed -p '{"allowVolumeExpansion":true}' >/dev/null 2>&1
check "an expandable class lets it grow" "persistentvolumeclaim/data-vol-0 patched" \
  "$(k patch pvc data-vol-0 -p '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}' 2>&1)"
vol_grown() { [[ "$(k get pvc data-vol-0 -o jsonpath='{.status.capacity.storage}' 2>/dev/null)" == 2Gi ]]; }
check "the running pod's kubelet grows the file system: capacity follows" "^0$" "$(until_true 30 vol_grown; echo $?)"
check "claim templates cannot follow by an update" "Forbidden: updates to statefulset spec for fields other than" \
  "$(k patch sts vol --type json -p '[{"op":"replace","path":"/spec/volumeClaimTemplates/0/spec/resources/requests/storage","value":"2Gi"}]' 2>&1)"
vol_uid="$(k get pod vol-0 -o jsonpath='{.metadata.uid}' 2>&1)"
check "delete --cascade=orphan" 'statefulset.apps "vol" deleted' "$(k delete sts vol --cascade=orphan 2>&1)"
check "leaves the pod running, without an owner" "^$vol_uid Running $" \
  "$(k get pod vol-0 -o jsonpath='{.metadata.uid} {.status.phase} {.metadata.ownerReferences}' 2>&1)"
sed -i 's/storage: 1Gi/storage: 2Gi/' "$work/sc.yaml"
k apply -f "$work/sc.yaml" >/dev/null 2>&1
vol_adopted() { [[ "$(k get pod vol-0 -o jsonpath='{.metadata.ownerReferences[0].kind}' 2>/dev/null)" == StatefulSet ]]; }
check "a re-created StatefulSet adopts the same pod" "^0 $vol_uid$" \
  "$(until_true 30 vol_adopted; echo "$? $(k get pod vol-0 -o jsonpath='{.metadata.uid}' 2>&1)")"

# --- Request limits (kube-apiserver's --max-request-bytes default, 3 MiB) ---
python3 -c 'import json; print(json.dumps({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"huge"},"data":{"k":"x"*(3*1024*1024)}}))' >"$work/huge-cm.json"
check "a body over 3 MiB is refused with kube-apiserver's 413" \
  "RequestEntityTooLarge.*Request entity too large: limit is 3145728" \
  "$(ka create -f "$work/huge-cm.json" 2>&1 | tr '\n' ' ')"
echo
check_summary
