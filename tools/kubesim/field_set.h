#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_FIELD_SET_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_FIELD_SET_H_

// Sets of field paths in structured-merge-diff's terms (the fieldsV1 of
// metadata.managedFields: `f:name`, `k:{"name":"x"}`, `v:"x"`), and the typed
// walks over objects that server-side apply is made of: the fields a value
// sets, the comparison of two objects, the apply merge, and removal.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tools/kubesim/field_shapes.h"
#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

using FieldPath = std::vector<std::string>;  // path elements: "f:spec", "k:{...}", "v:..."

class FieldSet {
 public:
  void Insert(const FieldPath& path);
  // The subset under one path element, created when absent.
  FieldSet& Child(const std::string& pe) { return children_[pe]; }
  bool Has(const FieldPath& path) const;
  bool empty() const { return !member_ && children_.empty(); }
  bool member() const { return member_; }
  const std::map<std::string, FieldSet>& children() const { return children_; }

  FieldSet Union(const FieldSet& o) const;
  FieldSet Difference(const FieldSet& o) const;  // path by path, not by prefix
  FieldSet Intersection(const FieldSet& o) const;
  // Keeps the paths `keep` says yes to (given the path).
  FieldSet Filter(const std::function<bool(const FieldPath&)>& keep) const;
  void ForEach(const std::function<void(const FieldPath&)>& fn) const;

  // fieldsV1: {"f:spec":{"f:replicas":{}}, "f:labels":{".":{},"f:a":{}}}.
  Json ToJson() const;
  static std::optional<FieldSet> FromJson(const Json& fields);

 private:
  void ForEachFrom(FieldPath& prefix, const std::function<void(const FieldPath&)>& fn) const;
  FieldSet FilterFrom(FieldPath& prefix, const std::function<bool(const FieldPath&)>& keep) const;
  void Prune();

  bool member_ = false;
  std::map<std::string, FieldSet> children_;
};

// ".spec.template.spec.containers[name=\"x\"].image", as conflicts print paths.
std::string PathString(const FieldPath& path);

// The fields a value sets (typed.ToFieldSet).
FieldSet FieldsOf(const Json& value, const FieldType& type);

// Fields added, removed and changed from `before` to `after` (typed.Compare).
struct Comparison {
  FieldSet added, removed, modified;
};
Comparison Compare(const Json& before, const Json& after, const FieldType& type);

// `config` merged into `live`: maps and structs by key, associative lists by
// their keys, everything else replaced (typed.Merge).
Json MergeApplied(const Json& live, const Json& config, const FieldType& type);

// `value` without the fields, list items and map entries in `remove`
// (typed.RemoveItems); containers left empty go too.
Json RemoveItems(const Json& value, const FieldSet& remove, const FieldType& type);

// Struct fields that have children in `set` become members too
// (fieldpath.Set.EnsureNamedFieldsAreMembers), so removal takes them whole.
FieldSet NamedFieldsAsMembers(const FieldSet& set, const FieldType& type);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_FIELD_SET_H_
