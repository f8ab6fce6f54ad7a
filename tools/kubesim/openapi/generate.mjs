// Writes builtin_schemas.json: the OpenAPI v3 component schemas of the
// built-in kinds kubesim serves, rebuilt from npm's kubernetes-models (the
// type declarations it generated from Kubernetes' own OpenAPI documents:
// field names, types, required fields, enums, descriptions). Run from the
// repository root after tools/bootstrap:
//   node tools/kubesim/openapi/generate.mjs tests/translator/schema/node_modules \
//     > tools/kubesim/openapi/builtin_schemas.json
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join, dirname, resolve } from "node:path";

const nm = resolve(process.argv[2] ?? "tests/translator/schema/node_modules");
const models = join(nm, "kubernetes-models");
const machinery = join(nm, "@kubernetes-models/apimachinery");

// Package directory (relative to kubernetes-models) -> definition prefix.
const GROUPS = {
  "v1": "io.k8s.api.core.v1",
  "apps/v1": "io.k8s.api.apps.v1",
  "autoscaling/v1": "io.k8s.api.autoscaling.v1",
  "autoscaling/v2": "io.k8s.api.autoscaling.v2",
  "coordination.k8s.io/v1": "io.k8s.api.coordination.v1",
  "events.k8s.io/v1": "io.k8s.api.events.v1",
  "policy/v1": "io.k8s.api.policy.v1",
  "rbac.authorization.k8s.io/v1": "io.k8s.api.rbac.v1",
  "apiextensions.k8s.io/v1": "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1",
  "storage.k8s.io/v1": "io.k8s.api.storage.v1",
};

// Definition name of a declaration file.
function defName(file) {
  if (file.startsWith(machinery + "/")) {
    const rel = file.slice(machinery.length + 1).replace(/\.d\.ts$/, "");
    return "io.k8s.apimachinery.pkg." + rel.split("/").join(".");
  }
  const rel = file.slice(models.length + 1).replace(/\.d\.ts$/, "");
  const dir = dirname(rel), name = rel.slice(dir.length + 1);
  if (!GROUPS[dir]) return null;
  return `${GROUPS[dir]}.${name}`;
}

function resolveImport(fromFile, spec) {
  let p;
  if (spec.startsWith("@kubernetes-models/apimachinery/")) {
    p = join(machinery, spec.slice("@kubernetes-models/apimachinery/".length));
  } else if (spec.startsWith("kubernetes-models/")) {
    p = join(models, spec.slice("kubernetes-models/".length));
  } else {
    p = resolve(dirname(fromFile), spec);
  }
  return p.replace(/\.js$/, "") + ".d.ts";
}

// Integer-ness and format of each number property, read from the compiled
// validator the package ships beside the declarations.
function numberFormats(alias) {
  const dirs = [join(models, "_schemas"), join(machinery, "_schemas")];
  const f = dirs.map((d) => join(d, alias + ".js")).find(existsSync);
  const out = {};
  if (!f) return out;
  const src = readFileSync(f, "utf8");
  const fmts = {};
  for (const m of src.matchAll(/let formats(\d+)=formats\.(\w+)/g)) fmts[m[1]] = m[2];
  const fns = {};
  for (const part of src.split(/function validate(?=\d+\()/).slice(1)) {
    fns[part.match(/^(\d+)/)[1]] = part;
  }
  const describe = (n, depth) => {
    const body = fns[n] ?? "";
    let type = /type:"integer"/.test(body) ? "integer" : /type:"number"/.test(body) ? "number" : null;
    let format = null;
    for (const m of body.matchAll(/formats(\d+)\.validate/g)) format = fmts[m[1]];
    if (!type && depth < 2) {
      for (const m of body.matchAll(/validate(\d+)\(data\[/g)) {
        const d = describe(m[1], depth + 1);
        if (d.type) return d;
      }
    }
    return { type, format };
  };
  const mainName = src.match(/export const validate=validate(\d+)/)?.[1];
  const main = fns[mainName] ?? "";
  for (const m of main.matchAll(/void 0!==data(?:\.(\w+)|\["([^"]+)"\])&&\(validate(\d+)\(/g)) {
    out[m[1] ?? m[2]] = describe(m[3], 0);
  }
  return out;
}

function cleanDoc(lines) {
  return lines
    .map((l) => l.replace(/^\s*\/?\*+\/?\s?/, "").replace(/\s*\*\/$/, ""))
    .join("\n")
    .trim();
}

const schemas = {};
const pending = [];
const seen = new Set();
function want(file) {
  if (!seen.has(file)) { seen.add(file); pending.push(file); }
}

const SPECIAL = {
  "io.k8s.apimachinery.pkg.api.resource.Quantity": { oneOf: [{ type: "string" }, { type: "number" }] },
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": { "x-kubernetes-int-or-string": true, format: "int-or-string" },
  "io.k8s.apimachinery.pkg.apis.meta.v1.Time": { type: "string", format: "date-time" },
  "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": { type: "string", format: "date-time" },
  "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": { type: "object", "x-kubernetes-preserve-unknown-fields": true },
  "io.k8s.apimachinery.pkg.runtime.RawExtension": { type: "object", "x-kubernetes-preserve-unknown-fields": true },
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON": { "x-kubernetes-preserve-unknown-fields": true },
  // Decoded by their own UnmarshalJSON: a schema, or a boolean / a list.
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool": { "x-kubernetes-preserve-unknown-fields": true },
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray": { "x-kubernetes-preserve-unknown-fields": true },
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray": { "x-kubernetes-preserve-unknown-fields": true },
};

function parseFile(file) {
  const name = defName(file);
  const src = readFileSync(file, "utf8");
  const lines = src.split("\n");
  const imports = {};
  for (const m of src.matchAll(/^import \{ (\w+) \} from "([^"]+)";/gm)) {
    if (m[2].startsWith("@kubernetes-models/base")) continue;
    imports[m[1]] = resolveImport(file, m[2]);
  }
  let doc = [];
  let i = 0;
  let iface = null;
  for (; i < lines.length; i++) {
    const l = lines[i];
    if (/^\/\*\*/.test(l)) { doc = []; while (!/\*\/\s*$/.test(lines[i])) doc.push(lines[i++]); doc.push(lines[i]); continue; }
    let m;
    if ((m = l.match(/^export interface (\w+)/))) { iface = m[1]; break; }
    if ((m = l.match(/^export type I\w+ = /))) {
      schemas[name] = { ...(SPECIAL[name] ?? { type: "string" }), description: cleanDoc(doc) };
      if (!schemas[name].description) delete schemas[name].description;
      return;
    }
  }
  if (!iface) return;
  const alias = src.match(/as (IoK8s\w+) \}/)?.[1];
  const nums = alias ? numberFormats(alias) : {};
  // A small recursive-descent reader of the TypeScript type expressions the
  // declarations use: unions of literals, Array<T>, { [key: string]: T },
  // inline object literals and references.
  const body = lines.slice(i + 1, lines.findIndex((l, j) => j > i && l === "}")).join("\n");
  let pos = 0;
  const ws = () => { while (pos < body.length && /\s/.test(body[pos])) pos++; };
  const eat = (t) => { ws(); if (!body.startsWith(t, pos)) throw new Error(`${file}: expected ${t} at ${body.slice(pos, pos + 40)}`); pos += t.length; };
  const peek = (t) => { ws(); return body.startsWith(t, pos); };
  const readDoc = () => {
    ws();
    if (!body.startsWith("/**", pos)) return "";
    const end = body.indexOf("*/", pos);
    const d = cleanDoc(body.slice(pos, end + 2).split("\n"));
    pos = end + 2;
    return d;
  };
  const primary = (prop) => {
    ws();
    let m;
    if (peek("Array<")) { eat("Array<"); const it = union(prop); eat(">"); return { type: "array", items: it }; }
    if (peek("{")) return objectLiteral(prop);
    if ((m = body.slice(pos).match(/^"([^"]*)"/))) { pos += m[0].length; return { literal: m[1] }; }
    m = body.slice(pos).match(/^(\w+)(\["\w+"\])?/);
    if (!m) throw new Error(`${file}: cannot read type at ${body.slice(pos, pos + 40)}`);
    pos += m[0].length;
    const t = m[1];
    if (m[2] || t === "string") return { type: "string" };
    if (t === "boolean") return { type: "boolean" };
    if (t === "number") {
      const n = nums[prop] ?? {};
      const s = { type: n.type ?? "number" };
      if (n.format) s.format = n.format;
      return s;
    }
    if (t === iface) return { $ref: `#/components/schemas/${name}` };
    if (imports[t]) { want(imports[t]); return { $ref: `#/components/schemas/${defName(imports[t])}` }; }
    if (t === "any" || t === "unknown" || t === "object") return { "x-kubernetes-preserve-unknown-fields": true };
    throw new Error(`${file}: unknown type ${t}`);
  };
  const union = (prop) => {
    const alts = [primary(prop)];
    while (peek("|")) { eat("|"); alts.push(primary(prop)); }
    if (alts.every((a) => "literal" in a)) {
      return alts.length === 1 ? { type: "string" } : { type: "string", enum: alts.map((a) => a.literal) };
    }
    if (alts.length !== 1) throw new Error(`${file}: mixed union`);
    return alts[0];
  };
  const members = (obj, required, close) => {
    for (;;) {
      const d = readDoc();
      ws();
      if (pos >= body.length || peek(close)) return;
      if (peek("[key: string]:")) {
        eat("[key: string]:");
        obj.additionalProperties = union(null);
      } else {
        ws();
        const m = body.slice(pos).match(/^"([^"]+)"(\??):/);
        if (!m) throw new Error(`${file}: cannot read member at ${body.slice(pos, pos + 60)}`);
        pos += m[0].length;
        obj.properties ??= {};
        let prop = union(m[1]);
        if (d && prop.$ref) prop = { allOf: [prop], description: d };
        else if (d) prop.description = d;
        obj.properties[m[1]] = prop;
        if (!m[2] && m[1] !== "apiVersion" && m[1] !== "kind") required.push(m[1]);
      }
      if (peek(";")) eat(";");
    }
  };
  const objectLiteral = () => {
    eat("{");
    const obj = { type: "object" };
    const req = [];
    members(obj, req, "}");
    eat("}");
    if (req.length) obj.required = req;
    return obj;
  };
  const schema = { type: "object", description: cleanDoc(doc), properties: {} };
  const required = [];
  members(schema, required, "\u0000");
  if (required.length) schema.required = required;
  if (!schema.description) delete schema.description;
  // Types with their own JSON form (FieldsV1, JSON, RawExtension, ...).
  schemas[name] = SPECIAL[name] ? { ...SPECIAL[name], ...(schema.description ? { description: schema.description } : {}) } : schema;
}

// The kinds kubesim serves, with their group-version-kind.
const KINDS = [];
for (const [dir, prefix] of Object.entries(GROUPS)) {
  const [group, version] = dir.includes("/") ? dir.split("/") : ["", dir];
  for (const f of readdirSync(join(models, dir))) {
    if (!f.endsWith(".d.ts") || f === "index.d.ts") continue;
    const path = join(models, dir, f);
    const src = readFileSync(path, "utf8");
    const kind = src.match(/^    "kind": "(\w+)";/m)?.[1];
    if (!kind || kind.endsWith("List")) continue;
    KINDS.push({ path, group, version, kind });
  }
}
for (const k of KINDS) want(k.path);
while (pending.length) parseFile(pending.shift());
// JSONSchemaProps refers to itself, which hides the formats of its numbers
// from the compiled validator: these are int64 counts and float64 bounds.
{
  const p = schemas["io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps"].properties;
  for (const k of ["maxItems", "maxLength", "maxProperties", "minItems", "minLength", "minProperties"]) Object.assign(p[k], { type: "integer", format: "int64" });
  for (const k of ["maximum", "minimum", "multipleOf"]) Object.assign(p[k], { type: "number", format: "double" });
}
for (const k of KINDS) {
  schemas[defName(k.path)]["x-kubernetes-group-version-kind"] = [{ group: k.group, kind: k.kind, version: k.version }];
}
const sorted = Object.fromEntries(Object.keys(schemas).sort().map((k) => [k, schemas[k]]));
const pkg = JSON.parse(readFileSync(join(models, "package.json"), "utf8"));
process.stdout.write(JSON.stringify({
  info: { title: "kubesim built-in schemas", source: `npm kubernetes-models ${pkg.version}` },
  components: { schemas: sorted },
}, null, 1) + "\n");
