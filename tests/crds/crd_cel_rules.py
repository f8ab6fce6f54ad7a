"""Lists a CRD's x-kubernetes-validations (CEL) rules, one "path: message" a line.

kubesim validates custom resources against the structural schema but does
not evaluate CEL, so bad_samples_test checks that a rule with the expected
message still exists where the sample expects it.

usage: crd_cel_rules.py CRD.yaml --cel-rules
"""
import sys

import yaml


def join(path, key):
    return "%s.%s" % (path, key) if path else key


def cel_rules(schema, path, out):
    for rule in schema.get("x-kubernetes-validations", []):
        out.append("%s: %s" % (path, rule["message"]))
    for key, sub in sorted(schema.get("properties", {}).items()):
        cel_rules(sub, join(path, key), out)
    if "items" in schema:
        cel_rules(schema["items"], path + "[*]", out)


def main():
    if len(sys.argv) != 3 or sys.argv[2] != "--cel-rules":
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        crd = yaml.safe_load(f)
    out = []
    for version in crd["spec"]["versions"]:
        cel_rules(version["schema"]["openAPIV3Schema"], "", out)
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
