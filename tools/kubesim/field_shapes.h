#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_FIELD_SHAPES_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_FIELD_SHAPES_H_

// What kind of node a field of an object is, as the API server's schemas say:
// a struct, a granular map, an atomic value, or a list that merges by keys.
// Server-side apply (field ownership) and strategic merge patch read it.

#include <string>
#include <vector>

#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

enum class ObjectShape { kStruct, kMap, kAtomic };
enum class ListShape { kAtomic, kAssociative, kSet };

// A position in an object's type: the field names from the root (list
// items add none) and, for custom resources, the schema node there.
class FieldType {
 public:
  static FieldType Root(const ResourceType& t);

  FieldType Field(const std::string& name) const;
  FieldType Item() const;

  ObjectShape object_shape() const;
  ListShape list_shape() const;
  // Server-side apply's keys of an associative list (x-kubernetes-list-map-keys),
  // e.g. containerPort and protocol for a container's ports.
  std::vector<std::string> list_keys() const;
  // Strategic merge patch's key (x-kubernetes-patch-merge-key), e.g.
  // containerPort; "" when the list is replaced whole.
  std::string patch_merge_key() const;
  // Strategic merge patch merges primitive lists as sets (finalizers).
  bool patch_merges_primitives() const { return list_shape() == ListShape::kSet; }
  // The value a list-map key has when an item leaves it out (the schema's
  // default, e.g. protocol TCP), or null.
  Json key_default(const std::string& key) const;

 private:
  std::string kind_;
  std::vector<std::string> names_;
  const Json* schema_ = nullptr;  // custom resources only, outside metadata
  bool custom_ = false;           // a custom resource outside metadata
};

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_FIELD_SHAPES_H_
