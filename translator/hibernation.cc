#include "translator/hibernation.h"

#include "absl/strings/str_cat.h"
#include "translator/component.h"

namespace doris_operator::translator {

std::vector<std::string> ComponentsWithoutClaims(const model::v1::DorisClusterSpec& spec) {
  std::vector<std::string> out;
  for (Component c : {Component::kFe, Component::kBe}) {
    const model::v1::BaseSpec* base = BaseOf(spec, c);
    if (base != nullptr && base->persistent_volumes_size() == 0) out.push_back(absl::StrCat(ComponentName(c), "Spec"));
  }
  return out;
}

bool Hibernates(const model::v1::DorisCluster& cluster) {
  const auto& annotations = cluster.metadata().annotations();
  auto it = annotations.find(kHibernateAnnotation);
  return it != annotations.end() && it->second == "true" && ComponentsWithoutClaims(cluster.spec()).empty();
}

}  // namespace doris_operator::translator
