// kubesim's CEL evaluator process: one JSON request a line on stdin, one
// JSON answer a line on stdout, until stdin closes.
//   {"key": K, "schema": S?, "object": O, "old": O?}
//     S (an openAPIV3Schema) is sent once per key and remembered;
//   -> {"errors": [{"field", "type", "message"}]}  or  {"error": "..."}
import { createInterface } from "node:readline";

import { validate } from "./cel_validate.mjs";

const schemas = new Map();
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  let answer;
  try {
    const req = JSON.parse(line);
    if (req.schema) schemas.set(req.key, req.schema);
    const schema = schemas.get(req.key);
    if (!schema) {
      answer = { error: `no schema for ${req.key}` };
    } else {
      answer = { errors: validate(schema, req.object, req.old ?? undefined) };
    }
  } catch (e) {
    answer = { error: String(e?.message ?? e) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
