#include "translator/disaggregated/translator.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "translator/disaggregated/admin_user_secret.h"
#include "translator/disaggregated/context.h"
#include "translator/disaggregated/names.h"
#include "translator/disaggregated/services.h"
#include "translator/disaggregated/stateful_set.h"
#include "translator/disaggregated/storage.h"
#include "translator/disaggregated/validate.h"
#include "translator/hash.h"

namespace doris_operator::translator::disaggregated {

namespace {

std::string OwnerReferences(const dv1::DorisDisaggregatedCluster& ddc) {
  std::string out;
  JsonWriter w(&out);
  w.BeginArray();
  w.BeginObject();
  w.Field("apiVersion", kApiVersion);
  w.Field("blockOwnerDeletion", true);
  w.Field("controller", true);
  w.Field("kind", kKind);
  w.Field("name", ddc.metadata().name());
  w.Field("uid", ddc.metadata().uid());
  w.EndObject();
  w.EndArray();
  return out;
}

DesiredObject Build(Builder build, const Ctx& x, size_t reserve, std::string* all_hashes) {
  return internal::BuildDesired(
      [&](JsonWriter& w, const std::string* hash) { return build(x, w, hash); }, reserve,
      all_hashes);
}

absl::Status Invalid(const FieldProblems& problems) {
  std::vector<std::string> lines;
  for (const FieldProblem& p : problems) lines.push_back(p.ToString());
  return absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
}

}  // namespace

std::vector<NeededConfigMap> NeededConfigMaps(const dv1::DorisDisaggregatedCluster& ddc) {
  std::vector<NeededConfigMap> out;
  const auto& spec = ddc.spec();
  auto component = [&](const dv1::CommonSpec& base, Kind k, const std::string& path) {
    for (int i = 0; i < base.config_maps_size(); ++i) {
      if (base.config_maps(i).name().empty()) continue;
      out.push_back({ddc.metadata().namespace_(), base.config_maps(i).name(), ConfFileKey(k),
                     absl::StrCat(path, ".configMaps[", i, "].name")});
    }
  };
  component(spec.meta_service().base(), Kind::kMs, "spec.metaService");
  const auto& fdb = spec.meta_service().fdb();
  if (fdb.address().empty() && fdb.has_config_map_namespace_name()) {
    out.push_back({fdb.config_map_namespace_name().namespace_(),
                   fdb.config_map_namespace_name().name(), "cluster-file",
                   "spec.metaService.fdb.configMapNamespaceName"});
  }
  component(spec.fe_spec().base(), Kind::kFe, "spec.feSpec");
  for (int i = 0; i < spec.compute_groups_size(); ++i) {
    component(spec.compute_groups(i).base(), Kind::kCg,
              absl::StrCat("spec.computeGroups[", i, "]"));
  }
  return out;
}

absl::StatusOr<DesiredSet> Translate(const dv1::DorisDisaggregatedCluster& ddc,
                                     const TranslateInputs& inputs) {
  FieldProblems problems = Validate(ddc);
  if (!problems.empty()) return Invalid(problems);
  DesiredSet set;
  const auto& spec = ddc.spec();
  const std::string& name = ddc.metadata().name();
  const DorisConf ms_conf = LoadConf(inputs, spec.meta_service().base(), Kind::kMs,
                                     "spec.metaService", &set.warnings);
  const DorisConf fe_conf =
      LoadConf(inputs, spec.fe_spec().base(), Kind::kFe, "spec.feSpec", &set.warnings);
  std::vector<DorisConf> cg_confs;
  cg_confs.reserve(spec.compute_groups_size());
  for (int i = 0; i < spec.compute_groups_size(); ++i) {
    cg_confs.push_back(LoadConf(inputs, spec.compute_groups(i).base(), Kind::kCg,
                                absl::StrCat("spec.computeGroups[", i, "]"), &set.warnings));
  }
  // Claim names follow the paths in the config files, known only now.
  CheckDataVolumes(PlanDataVolumes(spec.meta_service().base(), Kind::kMs, ms_conf,
                                   "spec.metaService"), &problems);
  CheckDataVolumes(PlanDataVolumes(spec.fe_spec().base(), Kind::kFe, fe_conf, "spec.feSpec"),
                   &problems);
  for (int i = 0; i < spec.compute_groups_size(); ++i) {
    CheckDataVolumes(PlanDataVolumes(spec.compute_groups(i).base(), Kind::kCg, cg_confs[i],
                                     absl::StrCat("spec.computeGroups[", i, "]")),
                     &problems);
  }
  if (!problems.empty()) return Invalid(problems);

  const auto& fdb = spec.meta_service().fdb();
  if (fdb.address().empty() && !inputs.fdb_cluster_file) {
    set.warnings.push_back(
        {"spec.metaService.fdb.configMapNamespaceName",
         absl::StrCat("ConfigMap ", fdb.config_map_namespace_name().namespace_(), "/",
                      fdb.config_map_namespace_name().name(),
                      " (key cluster-file) was not read; the meta service gets no FDB_ENDPOINT")});
  }

  const std::string owner_refs = OwnerReferences(ddc);
  std::string all_hashes;
  set.objects.reserve(6 + 3 * spec.compute_groups_size());
  Ctx ms{&ddc, &inputs, Kind::kMs, &spec.meta_service().base(), nullptr,
         &ms_conf, &fe_conf, &ms_conf, &owner_refs, MetaServiceName(name)};
  if (spec.has_admin_user()) {
    // First: FE and BE pods read it when they start.
    set.objects.push_back(Build(AdminUserSecret, ms, 1024, &all_hashes));
  }
  // Apply order is the start order Doris needs: meta service, FE, groups.
  set.objects.push_back(Build(AccessService, ms, 2048, &all_hashes));
  set.objects.push_back(Build(StatefulSet, ms, 8192, &all_hashes));
  Ctx fe{&ddc, &inputs, Kind::kFe, &spec.fe_spec().base(), nullptr,
         &fe_conf, &fe_conf, &ms_conf, &owner_refs, FeName(name)};
  set.objects.push_back(Build(HeadlessService, fe, 2048, &all_hashes));
  set.objects.push_back(Build(AccessService, fe, 2048, &all_hashes));
  set.objects.push_back(Build(StatefulSet, fe, 8192, &all_hashes));
  for (int i = 0; i < spec.compute_groups_size(); ++i) {
    const auto& cg = spec.compute_groups(i);
    Ctx x{&ddc, &inputs, Kind::kCg, &cg.base(), &cg, &cg_confs[i], &fe_conf, &ms_conf,
          &owner_refs, ComputeGroupStatefulSetName(name, cg.unique_id())};
    set.objects.push_back(Build(HeadlessService, x, 2048, &all_hashes));
    set.objects.push_back(Build(AccessService, x, 2048, &all_hashes));
    set.objects.push_back(Build(StatefulSet, x, 8192, &all_hashes));
  }
  set.hash = Sha256Hex(all_hashes);
  return set;
}

}  // namespace doris_operator::translator::disaggregated
