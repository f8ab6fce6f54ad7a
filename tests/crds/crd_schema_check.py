"""Checks YAML documents against the structural schema of a CRD.

kubesim does not validate custom resources yet, so this stands in for the
API server's schema step: required, type, enum, minimum, unknown fields,
with the API server's wording. CEL rules (x-kubernetes-validations) are not
evaluated; --cel-rules lists them (path and message) so a test can check
that an expected CEL message still exists where it is expected.

usage: crd_schema_check.py CRD.yaml FILE.yaml   (prints one error per line)
       crd_schema_check.py CRD.yaml --cel-rules
"""
import sys

import yaml


def type_name(v):
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return "null"


def go_value(v):
    return '"%s"' % v if isinstance(v, str) else str(v)


def join(path, key):
    return "%s.%s" % (path, key) if path else key


def check(schema, value, path, errors):
    if schema.get("x-kubernetes-int-or-string"):
        if type_name(value) not in ("integer", "string"):
            errors.append('%s: Invalid value: "%s": %s in body must be of type integer,string: "%s"'
                          % (path, type_name(value), path, type_name(value)))
        return
    want = schema.get("type")
    got = type_name(value)
    if want and got != want and not (want == "number" and got == "integer"):
        errors.append('%s: Invalid value: "%s": %s in body must be of type %s: "%s"'
                      % (path, got, path, want, got))
        return
    if "enum" in schema and value not in schema["enum"]:
        errors.append("%s: Unsupported value: %s: supported values: %s"
                      % (path, go_value(value), ", ".join(go_value(e) for e in schema["enum"])))
    if "minimum" in schema and got in ("integer", "number") and value < schema["minimum"]:
        errors.append("%s: Invalid value: %s: %s in body should be greater than or equal to %s"
                      % (path, value, path, schema["minimum"]))
    if got == "object":
        for key in schema.get("required", []):
            if key not in value:
                errors.append("%s: Required value" % join(path, key))
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        for key, v in value.items():
            sub = join(path, key)
            if props is not None and key in props:
                check(props[key], v, sub, errors)
            elif isinstance(extra, dict):
                check(extra, v, sub, errors)
            elif props is not None and not schema.get("x-kubernetes-preserve-unknown-fields"):
                errors.append('unknown field "%s"' % sub)
    elif got == "array" and "items" in schema:
        for i, v in enumerate(value):
            check(schema["items"], v, "%s[%d]" % (path, i), errors)


def cel_rules(schema, path, out):
    for rule in schema.get("x-kubernetes-validations", []):
        out.append("%s: %s" % (path, rule["message"]))
    for key, sub in sorted(schema.get("properties", {}).items()):
        cel_rules(sub, join(path, key), out)
    if "items" in schema:
        cel_rules(schema["items"], path + "[*]", out)


def main():
    with open(sys.argv[1]) as f:
        crd = yaml.safe_load(f)
    schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    if sys.argv[2] == "--cel-rules":
        out = []
        cel_rules(schema, "", out)
        print("\n".join(out))
        return 0
    with open(sys.argv[2]) as f:
        docs = [d for d in yaml.safe_load_all(f) if d and d.get("kind") == crd["spec"]["names"]["kind"]]
    errors = []
    for d in docs:
        # metadata is validated by the API server's own rules, not the schema.
        body = {k: v for k, v in d.items() if k != "metadata"}
        check({k: v for k, v in schema.items() if k != "required"}, body, "", errors)
    if errors:
        print("\n".join(errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
