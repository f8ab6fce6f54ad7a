#include "translator/translator.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "translator/admin_user_secret.h"
#include "translator/autoscaler.h"
#include "translator/component.h"
#include "translator/doris_conf.h"
#include "translator/hash.h"
#include "translator/json_writer.h"
#include "translator/object_builder.h"
#include "translator/services.h"
#include "translator/stateful_set.h"
#include "translator/validate.h"

// Objects are written as canonical JSON directly (JsonWriter) rather than
// built as nlohmann::json trees and serialised: the trees' allocations were
// most of the translation time. Keys are written in sorted order; the writer
// re-sorts any object that is not (user maps), so the bytes do not depend on
// getting that order right. User-supplied JSON (RawJson) is copied through
// when it is already canonical and parsed only when it must be merged.

namespace doris_operator::translator {

namespace {

using model::v1::BaseSpec;
using model::v1::DorisCluster;
using internal::Builder;
using internal::Ctx;
using internal::Written;
using internal::InternalService;
using internal::ExternalService;
using internal::StatefulSet;
using internal::Autoscaler;
using internal::AdminUserSecret;

std::string OwnerReferences(const DorisCluster& cluster) {
  std::string out;
  JsonWriter w(&out);
  w.BeginArray();
  w.BeginObject();
  w.Field("apiVersion", "doris.selectdb.com/v1");
  w.Field("blockOwnerDeletion", true);
  w.Field("controller", true);
  w.Field("kind", "DorisCluster");
  w.Field("name", cluster.metadata().name());
  w.Field("uid", cluster.metadata().uid());
  w.EndObject();
  w.EndArray();
  return out;
}

DorisConf LoadConf(const TranslateInputs& in, const BaseSpec* b, Component c,
                   FieldProblems* warnings, const std::string& path) {
  if (b == nullptr) return DorisConf();
  const std::string cm = CoreConfigMapName(*b);
  if (cm.empty()) return DorisConf();
  auto it = in.config_maps.find(cm);
  if (it == in.config_maps.end()) {
    warnings->push_back({path + ".configMapInfo",
                         absl::StrCat("ConfigMap \"", cm, "\" was not found; using defaults")});
    return DorisConf();
  }
  auto file = it->second.find(std::string(ConfFileKey(c)));
  if (file == it->second.end()) {
    warnings->push_back({path + ".configMapInfo",
                         absl::StrCat("ConfigMap \"", cm, "\" has no key \"", ConfFileKey(c),
                                      "\"; using defaults")});
    return DorisConf();
  }
  return DorisConf::Parse(file->second, DorisHome(c));
}

DesiredObject Build(Builder build, const Ctx& x, size_t reserve, std::string* all_hashes) {
  return internal::BuildDesired(
      [&](JsonWriter& w, const std::string* hash) { return build(x, w, hash); }, reserve,
      all_hashes);
}

}  // namespace

absl::StatusOr<DesiredSet> Translate(const DorisCluster& cluster, const TranslateInputs& inputs) {
  FieldProblems problems = Validate(cluster);
  if (!problems.empty()) {
    std::vector<std::string> lines;
    for (const FieldProblem& p : problems) lines.push_back(p.ToString());
    return absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
  }
  DesiredSet set;
  const auto& spec = cluster.spec();
  const DorisConf fe_conf =
      LoadConf(inputs, BaseOf(spec, Component::kFe), Component::kFe, &set.warnings, "spec.feSpec");
  const std::string owner_refs = OwnerReferences(cluster);
  std::string all_hashes;
  set.objects.reserve(13);
  if (spec.has_admin_user()) {
    // First: the pods of every component read it when they start.
    const Ctx x{&cluster, &inputs, Component::kFe, nullptr, &fe_conf, &fe_conf, &owner_refs, ""};
    set.objects.push_back(Build(AdminUserSecret, x, 1024, &all_hashes));
  }
  for (Component c : kAllComponents) {
    const BaseSpec* base = BaseOf(spec, c);
    if (base == nullptr) continue;
    const std::string path = absl::StrCat("spec.", ComponentName(c), "Spec");
    const DorisConf own_conf =
        c == Component::kFe ? DorisConf() : LoadConf(inputs, base, c, &set.warnings, path);
    const Ctx x{&cluster,  &inputs,     c, base, c == Component::kFe ? &fe_conf : &own_conf,
                &fe_conf, &owner_refs, StatefulSetName(cluster.metadata().name(), c)};
    set.objects.push_back(Build(InternalService, x, 2048, &all_hashes));
    // The reference creates no access Service for brokers (§2.1).
    if (c != Component::kBroker) set.objects.push_back(Build(ExternalService, x, 2048, &all_hashes));
    set.objects.push_back(Build(StatefulSet, x, 8192, &all_hashes));
    if (c == Component::kCn && spec.cn_spec().has_auto_scaling_policy()) {
      set.objects.push_back(Build(Autoscaler, x, 2048, &all_hashes));
    }
  }
  set.hash = Sha256Hex(all_hashes);
  return set;
}

}  // namespace doris_operator::translator
