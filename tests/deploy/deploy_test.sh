#!/usr/bin/env bash
# The operator's install path, checked with the real kubectl against kubesim:
# `kubectl apply -k deploy/` creates everything (and is idempotent), the
# StatefulSet, Service and Namespace say what docs/install.md promises, the
# RBAC bindings name the operator's service account (what the roles grant is
# tests/operator:rbac_e2e_test's, from the calls the operator is seen to
# make), every flag in the manifest is one the binary knows, every sample in
# deploy/samples is accepted by kubectl and rendered by dorisctl, and the
# Dockerfile's runtime packages provide every library the binaries link.
# Objects are read once as JSON and picked apart with jq: each kubectl run
# costs a process start and a discovery read, seconds on a loaded machine.
set -uo pipefail
source "$PWD/tests/testing/shell_checks.sh"

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

start_kubesim "$kubesim" "$work/kubesim.out" --kubeconfig-out "$KUBECONFIG"


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
# Everything the checks below read, in one call.
k "${ns[@]}" get namespaces,statefulsets,services -o json >"$work/objects.json" 2>&1
obj() {  # obj KIND NAME JQ-FILTER (on that object)
  jq -r --arg kind "$1" --arg name "$2" ".items[] | select(.kind == \$kind and .metadata.name == \$name) | $3" \
    "$work/objects.json" 2>&1
}
check "namespace enforces the restricted pod security standard" "^restricted$" \
  "$(obj Namespace doris-operator '.metadata.labels["pod-security.kubernetes.io/enforce"]')"
sts() { obj StatefulSet doris-operator "$1"; }
pod='.spec.template.spec'
ctr='.spec.template.spec.containers[0]'
check "two replicas, one leader" "^2 .*--leader-elect" "$(sts '"\(.spec.replicas) \(.spec.template.spec.containers[0].args | join(","))"')"
check "runs as its service account" "^doris-operator$" "$(sts "$pod.serviceAccountName")"
check "image from the kustomization" "^doris-operator:latest$" "$(sts "$ctr.image")"
check "pod: non-root uid 65532, RuntimeDefault seccomp" "^true 65532 65532 RuntimeDefault$" \
  "$(sts "$pod.securityContext | \"\(.runAsNonRoot) \(.runAsUser) \(.fsGroup) \(.seccompProfile.type)\"")"
check "container: read-only root, no escalation, no capabilities" '^true false \["ALL"\] true RuntimeDefault$' \
  "$(sts "$ctr.securityContext | \"\(.readOnlyRootFilesystem) \(.allowPrivilegeEscalation) \(.capabilities.drop | tojson) \(.runAsNonRoot) \(.seccompProfile.type)\"")"
check "liveness /healthz, readiness /readyz, startup /healthz on the metrics port" \
  "^/healthz metrics /readyz metrics /healthz metrics$" \
  "$(sts "$ctr | [.livenessProbe, .readinessProbe, .startupProbe] | map(\"\(.httpGet.path) \(.httpGet.port)\") | join(\" \")")"
check "ports: metrics 8080, admin 9443" "^metrics=8080 admin=9443$" \
  "$(sts "$ctr.ports | map(\"\(.name)=\(.containerPort)\") | join(\" \")")"
check "resource requests and limits" "^100m 256Mi 1 1Gi$" \
  "$(sts "$ctr.resources | \"\(.requests.cpu) \(.requests.memory) \(.limits.cpu) \(.limits.memory)\"")"
check "event log on the data volume claim" "^data /var/lib/doris-operator data 10Gi$" \
  "$(sts "\"\($ctr.volumeMounts[0].name) \($ctr.volumeMounts[0].mountPath) \(.spec.volumeClaimTemplates[0].metadata.name) \(.spec.volumeClaimTemplates[0].spec.resources.requests.storage)\"")"
args="$(sts "$ctr.args[]")"
check "--data-dir is the mounted volume" '(^|'$'\n'')--data-dir=/var/lib/doris-operator($|'$'\n'')' "$args"
check "metrics served on all addresses (probes and Prometheus)" '(^|'$'\n'')--metrics-address=0.0.0.0:8080($|'$'\n'')' "$args"
check "the Service is a ClusterIP with metrics and admin ports" "^ClusterIP metrics:8080->metrics admin:9443->admin$" \
  "$(obj Service doris-operator '"\(.spec.type) " + (.spec.ports | map("\(.name):\(.port)->\(.targetPort)") | join(" "))')"

# Every flag in the manifest exists: abseil refuses unknown flags at start.
helpfull="$("$operator" --helpfull 2>&1)"
for flag in $(echo "$args" | sed 's/=.*//'); do
  check "the binary knows $flag" "--${flag:2} " "$(echo "$helpfull" | tr '_' '-')"
done

# kubesim's StatefulSet controller runs the pods (it does not run the image):
# the claims come from the template and the Service selects the pods. Wait
# for every replica the manifest asks for, however many that is: the ready
# count may jump past any intermediate value within one controller tick.
replicas="$(sts '.spec.replicas')"
check "the manifest asks for replicas" "^[1-9][0-9]*$" "$replicas"
check "every pod becomes ready" "condition met" \
  "$(k "${ns[@]}" wait --for=jsonpath='{.status.readyReplicas}'="$replicas" sts/doris-operator --timeout=120s 2>&1)"
want_pods="$(for ((i = 0; i < replicas; i++)); do echo "doris-operator-$i"; done | tr '\n' ' ')"
# The endpoints controller follows readiness on its own tick: read claims
# and endpoints together until the endpoints list every ready pod (bounded
# by wall time).
pods_of() {  # the names jq prints, sorted, on one line
  sort | tr '\n' ' '
}
deadline=$((SECONDS + 60))
until
  k "${ns[@]}" get persistentvolumeclaims,endpoints -o json >"$work/pods.json" 2>&1
  endpoints="$(jq -r '.items[] | select(.kind == "Endpoints" and .metadata.name == "doris-operator")
    | .subsets[]?.addresses[]?.targetRef.name' "$work/pods.json" 2>&1 | pods_of)"
  [[ "$endpoints" == "$want_pods" ]] || ((SECONDS > deadline))
do sleep 0.2; done
check "a claim for every pod exists" "^${want_pods// /-claim }$" \
  "$(jq -r '.items[] | select(.kind == "PersistentVolumeClaim") | .metadata.name' "$work/pods.json" 2>&1 |
     sed -n 's/^data-\(.*\)/\1-claim/p' | pods_of)"
check "the Service's selector finds every operator pod" "^${want_pods}$" "$endpoints"

# --- RBAC: the bindings ----------------------------------------------------------
# What the roles grant is checked against the operator's observed calls in
# every mode by tests/operator:rbac_e2e_test.
check "the bindings name the operator's service account" \
  "^ClusterRoleBinding ServiceAccount/doris-operator/doris-operator RoleBinding ServiceAccount/doris-operator/doris-operator$" \
  "$(k "${ns[@]}" get clusterrolebinding/doris-operator rolebinding/doris-operator-leader-election -o json 2>&1 |
     jq -r '[.items[] | "\(.kind) \(.subjects | map("\(.kind)/\(.name)/\(.namespace)") | join(","))"] | join(" ")' 2>&1)"

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
  [doriscluster-sample-paused.yaml]='"name": "doriscluster-sample-paused-be"'
  [doriscluster-sample-shared-pvc.yaml]='"claimName": "doris-shared"'
  [doriscluster-sample-kerberos.yaml]='"secretName": "doris-keytab"'
  [doriscluster-sample-service.yaml]='"nodePort": 31002'
  [doriscluster-sample-pod-options.yaml]='"name": "BE_CPU_LIMIT"'
  [doriscluster-sample-volume-expansion.yaml]='"storageClassName": "doris-expandable"'
)
k create namespace samples >/dev/null 2>&1
samples=("$root"/deploy/samples/*.yaml)
check "every sample has a feature check" "^${#feature[@]}$" "${#samples[@]}"
# All samples in one kubectl run; it prints one line per object.
applied="$(k apply -n samples $(printf -- '-f %s ' "${samples[@]}") 2>&1)"
for f in "${samples[@]}"; do
  base="$(basename "$f")"
  name="$(sed -n '/^kind: DorisCluster/,$ s/^  name: //p' "$f" | head -1)"
  check "kubectl accepts $base" "(^|"$'\n'")doriscluster.doris.selectdb.com/$name created($|"$'\n'")" "$applied"
  rendered="$("$dorisctl" render -f "$f" -o json 2>"$work/render.err")"
  check "dorisctl renders $base without errors or warnings" "^0 $" "$? $(cat "$work/render.err")"
  check "$base: ${feature[$base]:-no feature check}" "${feature[$base]:-^no-check-for-this-sample$}" "$rendered"
done
check "kubectl created every object of the samples, nothing else" "^0$" "$(echo "$applied" | grep -vc ' created$')"
check "every sample's DorisCluster is stored" "^${#samples[@]}$" \
  "$(k get dcr -n samples -o name 2>&1 | wc -l)"

# --- Dockerfile: runtime packages cover what the binaries link ---------------
# Each directly linked library's Debian package must be installed by the
# runtime stage (the stage FROM ${RUNTIME_BASE}), or be part of
# debian:bookworm-slim itself.
runtime_pkgs="$(sed -n '/^FROM ${RUNTIME_BASE}/,$p' "$root/deploy/Dockerfile")"
# One ldd per binary and one dpkg -S for all libraries: dpkg reads its whole
# file database on every run.
libs="$(for bin in "$operator" "$dorisctl"; do
  deps="$(ldd "$bin")"
  # "libx.so.1 => /path (addr)", or "/lib64/ld-linux-x86-64.so.2 (addr)".
  readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' |
    awk 'NR == FNR { if ($2 == "=>") path[$1] = $3; else { n = split($1, p, "/"); path[p[n]] = $1 }; next }
         { print $1, path[$1] }' <(echo "$deps") -
done | while read -r soname lib; do echo "$soname $lib $(readlink -f "$lib")"; done | sort -u)"
# "package[:arch]: /path" for every path dpkg knows (the resolved path, or
# the link's own, as usr-merge may register either).
owners="$(dpkg -S $(awk '{print $2, $3}' <<<"$libs") 2>/dev/null)"
linked="$(awk 'NR == FNR { sub(/:.*/, "", $1); owner[$2] = $1; next }
  { pkg = ($3 in owner) ? owner[$3] : ($2 in owner) ? owner[$2] : "no-package-found-for-" $1; print pkg, $1 }' \
  <(echo "$owners") <(echo "$libs") | sort -u)"
check "the binaries' libraries were found" "librocksdb7.8 librocksdb.so" "$linked"
for pkg in $(echo "$linked" | awk '{print $1}' | sort -u); do
  case "$pkg" in libc6|libstdc++6|libgcc-s1) continue ;; esac
  check "runtime image installs $pkg ($(echo "$linked" | awk -v p="$pkg" '$1 == p' | wc -l) libraries)" \
    "[[:space:]]${pkg//+/\\+}([[:space:]]|$)" "$runtime_pkgs"
done

check_summary
