// The YAML parser installed beside the evaluator, for tests/crds's CEL test
// (which lives outside this npm package).
export { parseAllDocuments } from "yaml";
