#!/usr/bin/env bash
# The operator's install path, checked with the real kubectl against kubesim:
# `kubectl apply -k deploy/` creates everything (and is idempotent), the
# StatefulSet, Service and Namespace say what docs/install.md promises, the
# RBAC rules are exactly the calls listed in operator_api_calls.txt, every
# flag in the manifest is one the binary knows, every sample in
# deploy/samples is accepted by kubectl and rendered by dorisctl, and the
# Dockerfile's runtime packages provide every library the binaries link.
set -uo pipefail

root="$PWD"
kubesim="$root/tools/kubesim/kubesim"
dorisctl="$root/tools/dorisctl/dorisctl"
operator="$root/operator/doris-operator"
work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/deploy.XXXX")"
export KUBECONFIG="$work/kubeconfig"
k() { kubectl --cache-dir "$work/cache" "$@"; }

# kustomize insists that ../crds lies inside a real tree; Bazel's runfiles
# are symlinks into the source tree, so work on a copy.
mkdir -p "$work/repo"
cp -rL "$root/deploy" "$root/crds" "$work/repo/"

pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; wait $p 2>/dev/null; done' EXIT
"$kubesim" --port 0 --kubeconfig-out "$KUBECONFIG" >"$work/kubesim.out" 2>&1 &
pids+=($!)
deadline=$((SECONDS + 30))  # wall time: a loaded machine starts it slowly
until grep -q "serving on" "$work/kubesim.out" || ((SECONDS > deadline)); do sleep 0.05; done
grep -q "serving on" "$work/kubesim.out" || { echo "kubesim did not start"; cat "$work/kubesim.out"; exit 1; }

failures=0
checks=0
check() {  # check NAME EXPECTED-REGEX ACTUAL
  checks=$((checks + 1))
  if [[ "$3" =~ $2 ]]; then
    echo "ok   $1"
  else
    echo "FAIL $1: expected /$2/, got:"; echo "$3" | sed 's/^/     /'
    failures=$((failures + 1))
  fi
}

# --- kubectl apply -k deploy/ ----------------------------------------------
out="$(k apply -k "$work/repo/deploy" 2>&1)"
for created in \
    "namespace/doris-operator" \
    "customresourcedefinition.apiextensions.k8s.io/dorisclusters.doris.selectdb.com" \
    "serviceaccount/doris-operator" \
    "role.rbac.authorization.k8s.io/doris-operator-leader-election" \
    "clusterrole.rbac.authorization.k8s.io/doris-operator" \
    "rolebinding.rbac.authorization.k8s.io/doris-operator-leader-election" \
    "clusterrolebinding.rbac.authorization.k8s.io/doris-operator" \
    "service/doris-operator" \
    "statefulset.apps/doris-operator"; do
  check "apply -k creates $created" "(^|"$'\n'")$created created" "$out"
done
check "apply -k prints creations only" "^0$" "$(echo "$out" | grep -vc ' created$')"
again="$(k apply -k "$work/repo/deploy" 2>&1)"
check "apply -k again changes nothing" "^9 0$" \
  "$(echo "$again" | grep -c ' unchanged$') $(echo "$again" | grep -vc ' unchanged$')"
# crds/Kustomization has no .yaml suffix so that apply -f crds/ skips it.
check "apply -f crds/ still applies just the CRD" \
  "^customresourcedefinition.apiextensions.k8s.io/dorisclusters.doris.selectdb.com unchanged$" \
  "$(k apply -f "$work/repo/crds/" 2>&1)"

ns=(-n doris-operator)
check "namespace enforces the restricted pod security standard" "^restricted$" \
  "$(k get ns doris-operator -o jsonpath='{.metadata.labels.pod-security\.kubernetes\.io/enforce}' 2>&1)"
sts() { k "${ns[@]}" get sts doris-operator -o jsonpath="$1" 2>&1; }
pod='{.spec.template.spec'
ctr='{.spec.template.spec.containers[0]'
check "two replicas, one leader" "^2 .*--leader-elect" "$(sts '{.spec.replicas} {.spec.template.spec.containers[0].args}')"
check "runs as its service account" "^doris-operator$" "$(sts "$pod.serviceAccountName}")"
check "image from the kustomization" "^doris-operator:latest$" "$(sts "$ctr.image}")"
check "pod: non-root uid 65532, RuntimeDefault seccomp" "^true 65532 65532 RuntimeDefault$" \
  "$(sts "$pod.securityContext.runAsNonRoot} $pod.securityContext.runAsUser} $pod.securityContext.fsGroup} $pod.securityContext.seccompProfile.type}")"
check "container: read-only root, no escalation, no capabilities" '^true false \["ALL"\] true RuntimeDefault$' \
  "$(sts "$ctr.securityContext.readOnlyRootFilesystem} $ctr.securityContext.allowPrivilegeEscalation} $ctr.securityContext.capabilities.drop} $ctr.securityContext.runAsNonRoot} $ctr.securityContext.seccompProfile.type}")"
check "liveness /healthz, readiness /readyz, startup /healthz on the metrics port" \
  "^/healthz metrics /readyz metrics /healthz metrics$" \
  "$(sts "$ctr.livenessProbe.httpGet.path} $ctr.livenessProbe.httpGet.port} $ctr.readinessProbe.httpGet.path} $ctr.readinessProbe.httpGet.port} $ctr.startupProbe.httpGet.path} $ctr.startupProbe.httpGet.port}")"
check "ports: metrics 8080, admin 9443" "^metrics=8080 admin=9443 $" \
  "$(sts "{range .spec.template.spec.containers[0].ports[*]}{.name}={.containerPort} {end}")"
check "resource requests and limits" "^100m 256Mi 1 1Gi$" \
  "$(sts "$ctr.resources.requests.cpu} $ctr.resources.requests.memory} $ctr.resources.limits.cpu} $ctr.resources.limits.memory}")"
check "event log on the data volume claim" "^data /var/lib/doris-operator data 10Gi$" \
  "$(sts "$ctr.volumeMounts[0].name} $ctr.volumeMounts[0].mountPath} {.spec.volumeClaimTemplates[0].metadata.name} {.spec.volumeClaimTemplates[0].spec.resources.requests.storage}")"
args="$(sts "$ctr.args}")"
check "--data-dir is the mounted volume" '"--data-dir=/var/lib/doris-operator"' "$args"
check "metrics served on all addresses (probes and Prometheus)" '"--metrics-address=0.0.0.0:8080"' "$args"

# Every flag in the manifest exists: abseil refuses unknown flags at start.
helpfull="$("$operator" --helpfull 2>&1)"
for flag in $(echo "$args" | tr -d '[]"' | tr ',' '\n' | sed 's/=.*//'); do
  check "the binary knows $flag" "--${flag:2} " "$(echo "$helpfull" | tr '_' '-')"
done

# kubesim's StatefulSet controller runs the pods (it does not run the image):
# the claims come from the template and the Service selects the pods. Wait
# for every replica the manifest asks for, however many that is: the ready
# count may jump past any intermediate value within one controller tick.
replicas="$(sts '{.spec.replicas}')"
check "the manifest asks for replicas" "^[1-9][0-9]*$" "$replicas"
check "every pod becomes ready" "condition met" \
  "$(k "${ns[@]}" wait --for=jsonpath='{.status.readyReplicas}'="$replicas" sts/doris-operator --timeout=120s 2>&1)"
want_pods="$(for ((i = 0; i < replicas; i++)); do echo "doris-operator-$i"; done | tr '\n' ' ')"
check "a claim for every pod exists" "^${want_pods// /-claim }$" \
  "$(k "${ns[@]}" get pvc -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' 2>&1 |
     sed -n 's/^data-\(.*\)/\1-claim/p' | sort | tr '\n' ' ')"
check "the Service is a ClusterIP with metrics and admin ports" "^ClusterIP metrics:8080->metrics admin:9443->admin $" \
  "$(k "${ns[@]}" get svc doris-operator -o jsonpath='{.spec.type} {range .spec.ports[*]}{.name}:{.port}->{.targetPort} {end}' 2>&1)"
# The endpoints controller follows readiness on its own tick: poll (bounded
# by wall time) until it lists every ready pod.
endpoints() {
  k "${ns[@]}" get endpoints doris-operator \
    -o jsonpath='{range .subsets[*].addresses[*]}{.targetRef.name}{"\n"}{end}' 2>&1 | sort | tr '\n' ' '
}
deadline=$((SECONDS + 60))
until [[ "$(endpoints)" == "$want_pods" ]] || ((SECONDS > deadline)); do sleep 0.2; done
check "the Service's selector finds every operator pod" "^${want_pods}$" "$(endpoints)"

# --- RBAC: exactly the calls the operator makes ------------------------------
k get clusterrole doris-operator -o json >"$work/clusterrole.json" 2>&1
k "${ns[@]}" get role doris-operator-leader-election -o json >"$work/role.json" 2>&1
granted="$(python3 - "$work/clusterrole.json" "$work/role.json" <<'PY'
import json, sys
out = set()
for path, prefix in ((sys.argv[1], ""), (sys.argv[2], "role ")):
    for rule in json.load(open(path)).get("rules", []):
        for g in rule.get("apiGroups", []):
            for r in rule.get("resources", []):
                for v in rule.get("verbs", []):
                    out.add("%s%s %s %s" % (prefix, g or "core", r, v))
print("\n".join(sorted(out)))
PY
)"
wanted="$(grep -v '^#' "$root/tests/deploy/operator_api_calls.txt" | grep -v '^$' | sort -u)"
check "the API call list is not empty" "[0-9]" "$(echo "$wanted" | wc -l)"
check "no call the operator makes is missing from the RBAC rules" "^$" \
  "$(comm -23 <(echo "$wanted") <(echo "$granted"))"
check "no RBAC rule grants more than the operator uses" "^$" \
  "$(comm -13 <(echo "$wanted") <(echo "$granted"))"
check "the bindings name the operator's service account" "^ServiceAccount/doris-operator/doris-operator ServiceAccount/doris-operator/doris-operator$" \
  "$(k get clusterrolebinding doris-operator -o jsonpath='{.subjects[0].kind}/{.subjects[0].name}/{.subjects[0].namespace}' 2>&1) $(k "${ns[@]}" get rolebinding doris-operator-leader-election -o jsonpath='{.subjects[0].kind}/{.subjects[0].name}/{.subjects[0].namespace}' 2>&1)"

# --- samples --------------------------------------------------------------------
# One fact per sample that shows its feature reached the rendered objects.
declare -A feature=(
  [doriscluster-sample.yaml]='"name": "doriscluster-sample-be"'
  [doriscluster-sample-fe-observer.yaml]='"replicas": 5'
  [doriscluster-sample-broker.yaml]='"name": "doriscluster-sample-broker-broker"'
  [doriscluster-sample-cn.yaml]='"name": "doriscluster-sample-cn-cn"'
  [doriscluster-sample-cn-autoscaler.yaml]='"kind": "HorizontalPodAutoscaler"'
  [doriscluster-sample-configmap.yaml]='"name": "fe-configmap"'
  [doriscluster-sample-secret.yaml]='"mountPath": "/opt/doris"'
  [doriscluster-sample-auth-secret.yaml]='"name": "doriscluster-sample-auth-fe"'
  [doriscluster-sample-storageclass.yaml]='"mountPath": "/opt/apache-doris/fe/doris-meta"'
  [doriscluster-sample-storage-template.yaml]='"mountPath": "/opt/apache-doris/be/storage/cold"'
  [doriscluster-sample-system-params.yaml]='vm.max_map_count=2000000'
  [doriscluster-sample-debug.yaml]='"selectdb.com.doris/runmode": "debug"'
  [doriscluster-sample-shared-pvc.yaml]='"claimName": "doris-shared"'
  [doriscluster-sample-kerberos.yaml]='"secretName": "doris-keytab"'
  [doriscluster-sample-service.yaml]='"nodePort": 31002'
  [doriscluster-sample-pod-options.yaml]='"name": "BE_CPU_LIMIT"'
)
k create namespace samples --dry-run=client -o yaml | k apply -f - >/dev/null 2>&1
samples=("$root"/deploy/samples/*.yaml)
check "every sample has a feature check" "^${#feature[@]}$" "${#samples[@]}"
for f in "${samples[@]}"; do
  base="$(basename "$f")"
  name="$(sed -n '/^kind: DorisCluster/,$ s/^  name: //p' "$f" | head -1)"
  check "kubectl accepts $base" "doriscluster.doris.selectdb.com/$name created" \
    "$(k apply -n samples -f "$f" 2>&1)"
  rendered="$("$dorisctl" render -f "$f" -o json 2>"$work/render.err")"
  check "dorisctl renders $base without errors or warnings" "^0 $" "$? $(cat "$work/render.err")"
  check "$base: ${feature[$base]:-no feature check}" "${feature[$base]:-^no-check-for-this-sample$}" "$rendered"
done
check "every sample's DorisCluster is stored" "^${#samples[@]}$" \
  "$(k get dcr -n samples -o name 2>&1 | wc -l)"

# --- Dockerfile: runtime packages cover what the binaries link ---------------
# Each directly linked library's Debian package must be installed by the
# runtime stage (the stage FROM ${RUNTIME_BASE}), or be part of
# debian:bookworm-slim itself.
runtime_pkgs="$(sed -n '/^FROM ${RUNTIME_BASE}/,$p' "$root/deploy/Dockerfile")"
linked="$(for bin in "$operator" "$dorisctl"; do
  for soname in $(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    # "libx.so.1 => /path (addr)", or "/lib64/ld-linux-x86-64.so.2 (addr)".
    lib="$(ldd "$bin" | awk -v s="$soname" '$1 == s {print $3} $1 ~ ("/" s "$") {print $1}')"
    pkg="$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null)"
    pkg="${pkg%%:*}"
    echo "${pkg:-no-package-found-for-$soname} $soname"
  done
done | sort -u)"
check "the binaries' libraries were found" "librocksdb7.8 librocksdb.so" "$linked"
for pkg in $(echo "$linked" | awk '{print $1}' | sort -u); do
  case "$pkg" in libc6|libstdc++6|libgcc-s1) continue ;; esac
  check "runtime image installs $pkg ($(echo "$linked" | awk -v p="$pkg" '$1 == p' | wc -l) libraries)" \
    "[[:space:]]${pkg//+/\\+}([[:space:]]|$)" "$runtime_pkgs"
done

echo "$((checks - failures)) passed, $failures failed"
[[ $failures == 0 ]]
