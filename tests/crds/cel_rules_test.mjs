// Evaluates every x-kubernetes-validations (CEL) rule of crds/*.yaml with a
// real CEL implementation on every sample, so a wrong rule fails a test:
//   good samples (deploy/samples, deploy/samples/disaggregated,
//     tests/translator/testdata): every rule holds;
//   bad samples (tests/crds/bad, tests/crds/bad_ddc) with `# apiserver-cel: <error>` headers: the
//     rules produce exactly those errors, in the API server's words;
//   bad samples without one: no rule fails, unless the structural schema
//     refuses them first (`# apiserver:`), when the API server skips CEL or
//     reports it beside the schema errors (bad_samples_test checks that
//     combination through kubesim).
// Also checks each rule compiles and the evaluator refuses what it must.
// usage: node cel_rules_test.mjs REPO_ROOT
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "../../tools/kubesim/cel/yaml.mjs";

import { applyDefaults, rules, validate } from "../../tools/kubesim/cel/cel_validate.mjs";

const root = process.argv[2];
let passed = 0;
let failed = 0;
function check(name, want, got) {
  const w = JSON.stringify(want);
  const g = JSON.stringify(got);
  if (w === g) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}\n     expected: ${w}\n     got:      ${g}`);
  }
}

const yamlFiles = (dir) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith(".yaml") && !f.endsWith(".golden.yaml"))
    .map((f) => join(root, dir, f));
const docs = (file) =>
  parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS()).filter((d) => d);

// Every CRD version's schema, by "group/version Kind".
const schemas = new Map();
let ruleCount = 0;
for (const file of yamlFiles("crds")) {
  for (const crd of docs(file)) {
    if (crd.kind !== "CustomResourceDefinition") continue;
    for (const v of crd.spec.versions) {
      const schema = v.schema?.openAPIV3Schema;
      schemas.set(`${crd.spec.group}/${v.name} ${crd.spec.names.kind}`, schema);
      for (const { path, rule } of rules(schema)) {
        ruleCount++;
        // An object every rule sees: compile errors show up here.
        const errs = validate({ type: "object", "x-kubernetes-validations": [rule] }, {});
        check(`rule at ${path || "<root>"} compiles: ${rule.rule}`, [], errs.filter((e) => /compile error/.test(e.message)).map((e) => e.message));
      }
    }
  }
}
check("the CRDs hold CEL rules", true, ruleCount > 0);

// CEL errors of one custom resource, after the API server's defaulting.
function celErrors(obj) {
  const schema = schemas.get(`${obj.apiVersion} ${obj.kind}`);
  if (!schema) return null;
  const notes = [];
  const errs = validate(schema, applyDefaults(schema, structuredClone(obj)), undefined, notes);
  for (const n of notes) console.log(`note ${n}`);
  return errs.map((e) => e.message);
}

let good = 0;
for (const file of [
  ...yamlFiles("deploy/samples"),
  ...yamlFiles("deploy/samples/disaggregated"),
  ...yamlFiles("tests/translator/testdata"),
]) {
  for (const obj of docs(file)) {
    const errs = celErrors(obj);
    if (errs === null) continue;
    good++;
    check(`${file.slice(root.length + 1)} (${obj.metadata?.name}): every rule holds`, [], errs);
  }
}
check("good samples were evaluated", true, good >= 10);

let celRefused = 0;
for (const file of [...yamlFiles("tests/crds/bad"), ...yamlFiles("tests/crds/bad_ddc")]) {
  const text = readFileSync(file, "utf8");
  const header = (key) =>
    [...text.matchAll(new RegExp(`^# ${key}: (.*)$`, "gm"))].map((m) => m[1]);
  const want = header("apiserver-cel");
  const schemaRefuses = header("apiserver").some((h) => !h.startsWith("accepted"));
  const name = file.slice(root.length + 1);
  for (const obj of docs(file)) {
    const errs = celErrors(obj);
    if (errs === null) continue;
    if (want.length > 0) {
      celRefused++;
      check(`${name}: refused by CEL with the API server's error`, want, errs);
    } else if (!schemaRefuses) {
      check(`${name}: no CEL rule refuses it`, [], errs);
    }
  }
}
check("bad samples refused by CEL", true, celRefused >= 4);

// The evaluator itself: a false rule, an error, messageExpression,
// fieldPath, reason, per-element and per-map-value binding, transition
// rules only with an old value.
const probe = {
  type: "object",
  properties: {
    list: {
      type: "array",
      items: {
        type: "object",
        properties: { n: { type: "integer" } },
        "x-kubernetes-validations": [{ rule: "self.n < 3", messageExpression: "'n is ' + string(self.n)" }],
      },
    },
    m: {
      type: "object",
      additionalProperties: { type: "string", "x-kubernetes-validations": [{ rule: "self != 'x'" }] },
    },
    o: {
      type: "object",
      properties: { a: { type: "integer" } },
      "x-kubernetes-validations": [
        { rule: "self.a > 0", message: "a must be positive", fieldPath: ".a", reason: "FieldValueForbidden" },
        { rule: "self.a >= oldSelf.a", message: "a cannot shrink" },
        { rule: "self.b == 1", message: "b" },
      ],
    },
  },
};
check(
  "evaluator: per element, per map value, fieldPath, reason, errors",
  [
    'list[1]: Invalid value: "object": n is 5',
    'm[k]: Invalid value: "string": failed rule: self != \'x\'',
    "o.a: Forbidden: a must be positive",
    'o: Invalid value: "object": no such key: b evaluating rule: b',
  ],
  validate(probe, { list: [{ n: 1 }, { n: 5 }], m: { k: "x", j: "y" }, o: { a: 0 } }).map((e) => e.message),
);
check(
  "evaluator: oldSelf rules run on update",
  ['o: Invalid value: "object": a cannot shrink'],
  validate(probe, { o: { a: 1, b: 1 } }, { o: { a: 2 } }).map((e) => e.message),
);

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
