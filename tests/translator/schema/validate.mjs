// Reads a Kubernetes List (JSON) on stdin and validates every item against
// the OpenAPI schema of its kind (npm kubernetes-models). Exits 1 naming each
// invalid object and field.
import { readFileSync } from "node:fs";

const list = JSON.parse(readFileSync(0, "utf8"));
let bad = 0;
for (const item of list.items) {
  const [group, version] = item.apiVersion.includes("/")
    ? item.apiVersion.split("/")
    : [null, item.apiVersion];
  const path = group ? `kubernetes-models/${group}/${version}/${item.kind}`
                     : `kubernetes-models/${version}/${item.kind}`;
  let Model;
  try {
    Model = (await import(path))[item.kind];
  } catch (e) {
    console.log(`${item.kind}/${item.metadata.name}: no schema for ${item.apiVersion} ${item.kind}`);
    bad++;
    continue;
  }
  try {
    new Model(item).validate();
  } catch (e) {
    console.log(`${item.kind}/${item.metadata.name}: ${e.message}`);
    bad++;
  }
}
console.log(`${list.items.length - bad} valid, ${bad} invalid`);
process.exit(bad ? 1 : 0);
