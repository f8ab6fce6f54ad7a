#!/usr/bin/env python3
"""Copies the Kubernetes OpenAPI definitions the DorisCluster CRD embeds.

The spec passes some Kubernetes core types through (affinity, tolerations,
env, PVC specs, security contexts, HPA metrics...). crdgen inlines their
schemas from tools/crdgen/k8s_definitions.json, which this script makes from
the Kubernetes OpenAPI v2 document, unchanged apart from keeping only the
definitions reachable from ROOTS:

  git --git-dir=<kubernetes-client/python> show <commit>:kubernetes/swagger.json.unprocessed \
      > /tmp/swagger.json
  tools/crdgen/extract_k8s_definitions.py /tmp/swagger.json <source description> \
      > tools/crdgen/k8s_definitions.json
"""
import json
import sys

ROOTS = [
    "io.k8s.api.core.v1.Affinity",
    "io.k8s.api.core.v1.EnvVar",
    "io.k8s.api.core.v1.HostAlias",
    "io.k8s.api.core.v1.LocalObjectReference",
    "io.k8s.api.core.v1.PersistentVolumeClaimSpec",
    "io.k8s.api.core.v1.PodSecurityContext",
    "io.k8s.api.core.v1.ResourceClaim",
    "io.k8s.api.core.v1.SecurityContext",
    "io.k8s.api.core.v1.Toleration",
    "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerBehavior",
    "io.k8s.api.autoscaling.v2.MetricSpec",
    "io.k8s.apimachinery.pkg.api.resource.Quantity",
]


def refs(node, out):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if ref:
            out.add(ref.split("/")[-1])
        for v in node.values():
            refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)


def main():
    swagger = json.load(open(sys.argv[1]))["definitions"]
    keep, todo = {}, list(ROOTS)
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        keep[name] = swagger[name]
        found = set()
        refs(keep[name], found)
        todo.extend(sorted(found))
    json.dump({"source": sys.argv[2], "definitions": keep}, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
