#!/usr/bin/env bash
# The container image is real: tools/image builds deploy/Dockerfile's
# runtime stage around the doris-operator and dorisctl Bazel built for this
# test (--prebuilt: no compiling in a container, so a fresh machine pays
# only for the base images and the stage's apt step), then this checks the image
# (every binary finds every library, a non-root user, nothing writable but
# the event log directory) and runs the operator FROM it the way
# deploy/operator.yaml does: as uid 65532, read-only root, the event log on a
# writable mount, in-cluster credentials, the manifest's flags. Against a
# kubesim started here, a sample DorisCluster must reach `available`.
#
# Uses tools/image and deploy/ of the working tree this test was run from
# (found through the Dockerfile's runfile symlink) and buildah's image store,
# which Bazel does not track: the target is tagged external. Needs root,
# buildah and mmdebstrap (tools/bootstrap).
set -uo pipefail
export PATH="$PATH:/usr/sbin:/sbin"  # ip

if [[ ${1:-} != --run-phase ]]; then
  runfiles="$PWD"
  src="$(dirname "$(dirname "$(readlink -f "$runfiles/deploy/Dockerfile")")")"
  work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/image.XXXX")"
else
  runfiles="$2" src="$3" work="$4"
fi
kubesim="$runfiles/tools/kubesim/kubesim"
source "$runfiles/tests/testing/shell_checks.sh"

finish() {
  check_summary
  exit
}
# Runs a command in the image's container as the user and with the
# isolation the operator gets (buildah's chroot isolation; the network
# namespace is this test's).
in_image() { buildah run --isolation chroot --network host "$@"; }

# --- phase 2: in a network namespace of the test's own ---------------------
# (so the manifest's fixed metrics port 8080 cannot meet another process on
# this machine) and a mount namespace (for the read-only root).
if [[ ${1:-} == --run-phase ]]; then
  ctr="$5" mnt="$6"
  ip link set lo up
  export KUBECONFIG="$work/kubeconfig"
  k() { kubectl --cache-dir "$work/kubectl-cache" "$@"; }

  start_kubesim "$kubesim" "$work/kubesim.out" --tls --cluster-network-port 0 --kubeconfig-out "$KUBECONFIG"
  api_port="$(sed -n 's|.*serving on https://127.0.0.1:\([0-9]*\).*|\1|p' "$work/kubesim.out")"
  net_port="$(sed -n 's|.*cluster network on 127.0.0.1:\([0-9]*\).*|\1|p' "$work/kubesim.out")"

  k apply -f "$src/crds/" -f "$src/deploy/namespace.yaml" -f "$src/deploy/rbac.yaml" >/dev/null

  # The pod's service account volume, as the kubelet projects it: token,
  # CA and namespace, readable by the pod's group (fsGroup 65532).
  sa="$work/serviceaccount"
  mkdir -p "$sa"
  /usr/bin/python3 - "$KUBECONFIG" "$sa" <<'PY'
import base64, sys, yaml
cfg = yaml.safe_load(open(sys.argv[1]))
open(sys.argv[2] + "/ca.crt", "wb").write(
    base64.b64decode(cfg["clusters"][0]["cluster"]["certificate-authority-data"]))
open(sys.argv[2] + "/token", "w").write(cfg["users"][0]["user"]["token"])
open(sys.argv[2] + "/namespace", "w").write("doris-operator")
PY
  chgrp -R 65532 "$sa" && chmod 0750 "$sa" && chmod 0640 "$sa"/*
  # The event log's volume: an empty directory the pod's fsGroup can write.
  data="$work/data"
  mkdir -p "$data" && chgrp 65532 "$data" && chmod 2770 "$data"

  # Read-only root: the container's root filesystem is bound read-only over
  # itself in this mount namespace; only the mounts below are writable.
  # (buildah 1.28 then fails to remove its mount points after each run and
  # exits 2 whatever the command did, so no exit status of `buildah run`
  # is used below.)
  mount --bind "$mnt" "$mnt" && mount -o remount,bind,ro "$mnt"
  check "the root is read-only, even for root" "Read-only file system" \
    "$(in_image --user 0:0 "$ctr" -- touch /probe 2>&1)"

  # The manifest's command: the image's entrypoint, the StatefulSet's args.
  mapfile -t cmd < <(
    buildah inspect --type container --format '{{range .OCIv1.Config.Entrypoint}}{{println .}}{{end}}' "$ctr"
    /usr/bin/python3 - "$src/deploy/operator.yaml" <<'PY'
import sys, yaml
for doc in yaml.safe_load_all(open(sys.argv[1])):
    if doc and doc.get("kind") == "StatefulSet":
        for arg in doc["spec"]["template"]["spec"]["containers"][0]["args"]:
            print(arg)
PY
  )
  check "the manifest's flags are the ones this test passes" \
    "^/usr/local/bin/doris-operator --data-dir=/var/lib/doris-operator --metrics-address=0.0.0.0:8080 --doris-access=direct --leader-elect$" \
    "${cmd[*]}"
  # Tests only: direct FE connections go to kubesim's cluster network, which
  # routes them by Host header as cluster DNS would.
  cmd+=("--dial-override=127.0.0.1:$net_port")
  in_image --user 65532:65532 \
    --env KUBERNETES_SERVICE_HOST=127.0.0.1 --env "KUBERNETES_SERVICE_PORT=$api_port" \
    --volume "$sa:/run/secrets/kubernetes.io/serviceaccount:ro" \
    --volume "$data:/var/lib/doris-operator" \
    "$ctr" -- "${cmd[@]}" >"$work/operator.out" 2>&1 &
  pids+=($!)
  # The operator process itself, under buildah's: a pod stop signals it, not
  # the runtime (buildah would SIGKILL it).
  descendants() { local c; for c in $(ps -o pid= --ppid "$1"); do echo "$c"; descendants "$c"; done; }
  operator=""
  alive() { [[ -n $operator ]] && kill -0 "$operator" 2>/dev/null; }
  until [[ -n $operator ]] || ! kill -0 "${pids[-1]}" 2>/dev/null; do
    for p in $(descendants "${pids[-1]}"); do
      [[ $(cat "/proc/$p/comm" 2>/dev/null) == doris-operator ]] && operator=$p
    done
    sleep 0.1
  done
  check "the operator runs as uid 65532 gid 65532" "^65532 65532$" \
    "$(if alive; then ps -o uid=,gid= -p "$operator" | xargs; else cat "$work/operator.out"; fi)"

  # /readyz turns 200 once every watch has listed.
  until [[ $(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/readyz) == 200 ]] || ! alive; do
    sleep 0.2
  done
  check "the operator from the image is ready on the manifest's metrics port" "^200$" \
    "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/readyz)"
  if ! alive; then echo "--- operator output"; head -n 40 "$work/operator.out"; finish; fi

  k create namespace doris >/dev/null
  k -n doris apply -f "$src/deploy/samples/doriscluster-sample.yaml" >/dev/null
  # Waits for the condition itself; the timeout only bounds a hang.
  for c in fe be; do
    check "the sample's ${c^^} reaches available" "condition met" \
      "$(k -n doris wait dcr/doriscluster-sample --timeout=600s \
           --for=jsonpath="{.status.${c}Status.componentCondition.phase}"=available 2>&1)"
  done
  holder="$(k -n doris-operator get lease doris-operator-leader -o jsonpath='{.spec.holderIdentity}' 2>&1)"
  check "it holds the Lease in its service account's namespace (--leader-elect)" \
    "leader election on Lease doris-operator/doris-operator-leader as ${holder:-nobody}" \
    "$(cat "$work/operator.out")"
  check "the event log was written by uid 65532 on its volume" "^65532$" \
    "$(stat -c %u "$data/CURRENT" 2>&1)"

  # A pod stop: SIGTERM ends the operator cleanly; "stopped" is the last
  # thing it prints before exiting 0 once the log is closed.
  [[ -n $operator ]] && kill -TERM "$operator"
  wait "${pids[-1]}"
  check "SIGTERM stops the operator cleanly" "stopping \(signal 15\)"$'\n'"doris-operator: stopped" \
    "$(grep '^doris-operator: ' "$work/operator.out" | tail -n 2)"
  if ((failures)); then echo "--- operator output"; tail -n 40 "$work/operator.out"; fi
  finish
fi

# --- phase 1: build, and check the image ------------------------------------
for tool in buildah mmdebstrap unshare; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: run tools/bootstrap"; exit 1; }
done
[[ $(id -u) == 0 ]] || { echo "needs root (buildah's chroot isolation)"; exit 1; }
# The binaries under test: this test's runfiles, in one directory.
mkdir -p "$work/bin"
ln -s "$runfiles/operator/doris-operator" "$runfiles/tools/dorisctl/dorisctl" "$work/bin/"
start=$SECONDS
"$src/tools/image" --no-bootstrap --tag doris-operator:image-test --no-archive \
  --iidfile "$work/iid" --prebuilt "$work/bin" >"$work/build.out" 2>&1
rc=$?
echo "tools/image: exit $rc in $((SECONDS - start)) s; $(grep -E '^image: (built|size)' "$work/build.out" | tr '\n' ' ')"
if [[ $rc != 0 ]]; then tail -n 60 "$work/build.out"; exit 1; fi
iid="$(cat "$work/iid")"

ctr="$(buildah from --pull=never --quiet --name "doris-operator-image-test-$$" "$iid")"
trap 'buildah rm "$ctr" >/dev/null 2>&1' EXIT

check "the image's user is 65532:65532" "^65532:65532$" \
  "$(buildah inspect --type image --format '{{.OCIv1.Config.User}}' "$iid")"
check "a process started without --user runs as uid 65532 gid 65532" "^65532 65532$" \
  "$(in_image "$ctr" -- sh -c 'echo $(id -u) $(id -g)' 2>&1)"

# Every binary this image adds (all of /usr/local) resolves every library it
# needs, directly or through another library, inside the image. (The rest
# comes from Debian's packages, whose dependencies dpkg keeps whole.)
bins="$(in_image "$ctr" -- find /usr/local -type f -perm -u+x 2>&1)"
check "the image holds doris-operator and dorisctl" \
  "^/usr/local/bin/doris-operator"$'\n'"/usr/local/bin/dorisctl$" "$(echo "$bins" | sort)"
for bin in $bins; do
  out="$(in_image "$ctr" -- ldd "$bin" 2>&1)"
  check "ldd resolves $bin against the image's libraries" "libstdc\+\+.*=> /" "$out"
  check "ldd finds every library of $bin" "^$" "$(echo "$out" | grep -E 'not found|not a dynamic')"
done

# Nothing the operator's user could write, but its event log directory
# (what a read-only root and the data volume leave it in a pod).
check "uid 65532 can write nothing in the image but /var/lib/doris-operator" \
  "^/var/lib/doris-operator$" \
  "$(in_image --user 65532:65532 "$ctr" -- sh -c \
       'find / -xdev \( -path /proc -o -path /sys -o -path /dev \) -prune -o -writable -print 2>/dev/null' \
       2>/dev/null)"
check "the event log directory belongs to 65532, private" "^65532:65532 700$" \
  "$(in_image "$ctr" -- stat -c '%u:%g %a' /var/lib/doris-operator 2>&1)"

# Phase 2, in namespaces of its own; its checks count here. The container
# is mounted out here, in the machine's mount namespace, where buildah keeps
# track of it.
mnt="$(buildah mount "$ctr")"
# A runtime makes its mount points before the root goes read-only. The
# service account's is /var/run/secrets/..., and /var/run links to /run:
# named here by the real path (a path through the image's absolute symlink
# would resolve on this machine instead).
mkdir -p "$mnt/run/secrets/kubernetes.io/serviceaccount"
touch "$mnt/etc/hosts" "$mnt/etc/hostname" "$mnt/etc/resolv.conf" "$mnt/run/.containerenv"
unshare --net --mount --propagation private -- "$0" --run-phase "$runfiles" "$src" "$work" "$ctr" "$mnt"
rc=$?
echo "--- run phase exit $rc"
[[ $rc == 0 ]] || failures=$((failures + 1))
checks=$((checks + 1))
finish
