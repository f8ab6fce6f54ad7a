#include "store/object_id.h"

#include <utility>

namespace doris_operator::store {

std::string_view GroupOf(std::string_view api_version) {
  const size_t slash = api_version.find('/');
  if (slash == std::string_view::npos) return {};
  return api_version.substr(0, slash);
}

ObjectId ObjectId::From(const log::v1::ObjectRef& ref) {
  return ObjectId{std::string(GroupOf(ref.api_version())), ref.kind(),
                  ref.namespace_(), ref.name()};
}

ClusterKey ClusterKey::Of(std::string_view kind, std::string ns, std::string name) {
  return ClusterKey{std::move(ns), std::move(name),
                    kind == kDefaultClusterKind ? std::string() : std::string(kind)};
}

ClusterKey ClusterKey::From(const log::v1::ClusterRef& ref) {
  return Of(ref.kind(), ref.namespace_(), ref.name());
}

log::v1::ClusterRef ClusterKey::ToRef() const {
  log::v1::ClusterRef ref;
  ref.set_namespace_(ns);
  ref.set_name(name);
  if (!kind.empty()) ref.set_kind(kind);
  return ref;
}

}  // namespace doris_operator::store
