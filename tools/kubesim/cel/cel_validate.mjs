// Evaluates a CRD's x-kubernetes-validations (CEL) rules on an object the
// way kube-apiserver does (apiextensions-apiserver
// pkg/apiserver/schema/cel/validation.go), with a real CEL implementation
// (@bufbuild/cel): each rule with `self` bound to the value at the schema
// node that declares it (per element of arrays and per value of maps),
// `oldSelf` rules only on update where an old value correlates, message or
// messageExpression, fieldPath and reason, and the apiserver's error text.

import { celEnv, isCelError, parse, plan } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";

const env = celEnv({ funcs: strings });
const programs = new Map(); // expression -> program, or {error}

function program(expr) {
  let p = programs.get(expr);
  if (!p) {
    try {
      p = { run: plan(env, parse(expr)) };
    } catch (e) {
      p = { error: String(e.message ?? e) };
    }
    programs.set(expr, p);
  }
  return p;
}

// The CEL value of `v` typed by the structural schema `s`, as the API
// server's UnstructuredToVal does: integers are CEL int, objects with
// properties or additionalProperties are maps keyed by field name.
function toCel(v, s) {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map((e) => toCel(e, s?.items));
  if (typeof v === "object") {
    const m = new Map();
    for (const [k, e] of Object.entries(v)) {
      m.set(k, toCel(e, s?.properties?.[k] ?? (typeof s?.additionalProperties === "object" ? s.additionalProperties : undefined)));
    }
    return m;
  }
  if (typeof v === "number") {
    if (s?.type === "number") return v;
    return Number.isInteger(v) ? BigInt(v) : v;
  }
  return v;
}

// "spec.feSpec" + "replicas" / index 0 / map key "a.b".
function child(path, key) {
  if (typeof key === "number") return `${path}[${key}]`;
  if (path === "") return key;
  return `${path}.${key}`;
}

// A rule's fieldPath (".a.b" or "['a.b']") under `path`.
function withFieldPath(path, fieldPath) {
  if (!fieldPath) return path;
  let out = path;
  for (const m of fieldPath.matchAll(/\.([A-Za-z_][\w-]*)|\['((?:[^'\\]|\\.)*)'\]/g)) {
    out = child(out, m[1] ?? m[2]);
  }
  return out;
}

// field.Error.Error() of k8s.io/apimachinery/pkg/util/validation/field.
function fieldError(path, type, detail, reason) {
  const p = path === "" ? "<nil>" : path;
  switch (reason) {
    case "FieldValueForbidden":
      return { field: p, type: "FieldValueForbidden", message: `${p}: Forbidden: ${detail}` };
    case "FieldValueRequired":
      return { field: p, type: "FieldValueRequired", message: `${p}: Required value: ${detail}` };
    case "FieldValueDuplicate":
      return { field: p, type: "FieldValueDuplicate", message: `${p}: Duplicate value: ${JSON.stringify(type)}` };
    default:
      return {
        field: p,
        type: "FieldValueInvalid",
        message: `${p}: Invalid value: ${JSON.stringify(type)}: ${detail}`,
        detail,
      };
  }
}

function ruleText(rule) {
  return (rule.message ?? "").trim() || rule.rule.trim();
}

function errorText(e) {
  // cel-go's wording for a missing field, which the API server prints.
  return String(e.message).replace(/^field not found: /, "no such key: ");
}

function evalRules(s, value, old, hasOld, path, errs, notes) {
  const type = s.type ?? "";
  for (const rule of s["x-kubernetes-validations"] ?? []) {
    const usesOld = /\boldSelf\b/.test(rule.rule);
    if (usesOld && !hasOld) {
      notes.push(`${path}: transition rule not evaluated without an old value: ${rule.rule}`);
      continue;
    }
    const p = program(rule.rule);
    if (p.error) {
      errs.push(fieldError(path, type, `rule compile error: ${p.error}`));
      continue;
    }
    const vars = { self: toCel(value, s) };
    if (usesOld) vars.oldSelf = toCel(old, s);
    const r = p.run(vars);
    if (isCelError(r)) {
      errs.push(fieldError(path, type, `${errorText(r)} evaluating rule: ${ruleText(rule)}`));
      continue;
    }
    if (r === true) continue;
    const at = withFieldPath(path, rule.fieldPath);
    let detail = (rule.message ?? "").trim() || `failed rule: ${rule.rule.trim()}`;
    if (rule.messageExpression) {
      const m = program(rule.messageExpression);
      const out = m.error ? null : m.run(vars);
      if (typeof out === "string" && out.trim() !== "" && !out.includes("\n")) {
        detail = out.trim();
      }
    }
    errs.push(fieldError(at, type, detail, rule.reason));
  }
}

function walk(s, value, old, hasOld, path, errs, notes) {
  if (!s || value === null || value === undefined) return;
  evalRules(s, value, old, hasOld, path, errs, notes);
  if (Array.isArray(value)) {
    // Old list elements correlate only for listType map/set, which the
    // CRDs here do not use: transition rules inside lists are not run.
    value.forEach((e, i) => walk(s.items, e, undefined, false, child(path, i), errs, notes));
    return;
  }
  if (typeof value !== "object") return;
  for (const [k, v] of Object.entries(value)) {
    const prop = s.properties?.[k];
    const sub = prop ??
      (typeof s.additionalProperties === "object" ? s.additionalProperties : undefined);
    const oldHas = hasOld && old !== null && typeof old === "object" && k in old;
    // field.Path: .name for a property, [key] for a map entry.
    const at = prop ? child(path, k) : `${path}[${k}]`;
    walk(sub, v, oldHas ? old[k] : undefined, oldHas, at, errs, notes);
  }
}

// Errors ({field, type, message}) of every rule under `schema` (a CRD
// version's openAPIV3Schema) for `obj`; `old` is the stored object on an
// update, undefined on a create. `notes` collects rules not evaluated.
export function validate(schema, obj, old, notes = []) {
  const errs = [];
  walk(schema, obj, old, old !== undefined && old !== null, "", errs, notes);
  return errs;
}

// Every rule under `schema` with its path ("spec.feSpec", "x[*]", "m[*]").
export function rules(schema, path = "", out = []) {
  if (!schema) return out;
  for (const r of schema["x-kubernetes-validations"] ?? []) out.push({ path, rule: r });
  for (const [k, sub] of Object.entries(schema.properties ?? {})) rules(sub, child(path, k), out);
  if (schema.items) rules(schema.items, `${path}[*]`, out);
  if (typeof schema.additionalProperties === "object") {
    rules(schema.additionalProperties, `${path}[*]`, out);
  }
  return out;
}

// Fills absent properties with their schema `default`, as the API server
// does before validating (kubesim does it itself; the standalone test
// uses this).
export function applyDefaults(schema, value) {
  if (!schema || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    value.forEach((e) => applyDefaults(schema.items, e));
    return value;
  }
  for (const [k, sub] of Object.entries(schema.properties ?? {})) {
    if (!(k in value) && sub.default !== undefined) value[k] = structuredClone(sub.default);
    if (k in value) applyDefaults(sub, value[k]);
  }
  if (typeof schema.additionalProperties === "object") {
    for (const k of Object.keys(value)) {
      if (!schema.properties?.[k]) applyDefaults(schema.additionalProperties, value[k]);
    }
  }
  return value;
}
