#include "translator/disaggregated/validate.h"

#include <map>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "translator/check_parts.h"
#include "translator/disaggregated/context.h"
#include "translator/disaggregated/names.h"
#include "translator/disaggregated/storage.h"

namespace doris_operator::translator::disaggregated {

namespace {

using internal::CheckClaimSpec;
using internal::CheckMountPath;
using internal::CheckResourceList;
using internal::IsDns1123Label;

// Service names are DNS-1035 labels: a DNS-1123 label starting with a letter.
bool IsDns1035Label(const std::string& s) { return IsDns1123Label(s) && absl::ascii_isalpha(s[0]); }

// The longest fixed suffix of a generated name: `<ddc>-fe-internal`.
constexpr size_t kMaxName = 63 - sizeof("-fe-internal") + 1;

bool UniqueIdMatches(const std::string& id) {
  // ^[a-zA-Z][0-9a-zA-Z_-]*$, the CRD's pattern (the reference's, anchored).
  if (id.empty() || !absl::ascii_isalpha(id[0])) return false;
  for (char ch : id) {
    if (!absl::ascii_isalnum(ch) && ch != '_' && ch != '-') return false;
  }
  return true;
}

class Validator {
 public:
  explicit Validator(FieldProblems* out) : out_(out) {}

  void Add(std::string path, std::string msg) { out_->push_back({std::move(path), std::move(msg)}); }

  void Cluster(const dv1::DorisDisaggregatedCluster& ddc) {
    const std::string& name = ddc.metadata().name();
    bool name_ok = false;
    if (name.empty()) {
      Add("metadata.name", "required");
    } else if (!IsDns1035Label(name)) {
      Add("metadata.name", absl::StrCat("\"", name,
                                        "\" must start with a letter and contain only lower-case "
                                        "letters, digits and '-' (it names Services)"));
    } else if (name.size() > kMaxName) {
      Add("metadata.name", absl::StrCat("must be at most ", kMaxName,
                                        " characters so that \"<name>-fe-internal\" fits in 63"));
    } else {
      name_ok = true;
    }
    const auto& spec = ddc.spec();
    internal::CheckAuthAndKerberos(spec.auth_secret(),
                                   spec.has_admin_user() ? &spec.admin_user() : nullptr,
                                   spec.has_kerberos_info() ? &spec.kerberos_info() : nullptr, out_);
    const bool auth = !spec.auth_secret().empty();
    const bool kerberos = spec.has_kerberos_info();
    if (!spec.has_meta_service()) {
      Add("spec.metaService", "required (the meta service every FE and BE registers with)");
    } else {
      Common(spec.meta_service().base(), "spec.metaService", Kind::kMs, false, false);
      const auto& fdb = spec.meta_service().fdb();
      const auto& cm = fdb.config_map_namespace_name();
      if (!spec.meta_service().has_fdb() ||
          (fdb.address().empty() && !fdb.has_config_map_namespace_name())) {
        Add("spec.metaService.fdb",
            "required: set address (the fdb.cluster string) or configMapNamespaceName (the "
            "ConfigMap holding cluster-file)");
      } else if (fdb.address().empty()) {
        if (cm.name().empty()) Add("spec.metaService.fdb.configMapNamespaceName.name", "required");
        if (cm.namespace_().empty()) {
          Add("spec.metaService.fdb.configMapNamespaceName.namespace", "required");
        }
      }
    }
    if (!spec.has_fe_spec()) {
      Add("spec.feSpec", "required");
    } else {
      Common(spec.fe_spec().base(), "spec.feSpec", Kind::kFe, auth, kerberos);
      const int32_t e = ElectionNumber(spec.fe_spec());
      const int32_t replicas = Replicas(spec.fe_spec().base(), Kind::kFe);
      if (e < 1 || e % 2 == 0) {
        Add("spec.feSpec.electionNumber",
            absl::StrCat("must be a positive odd number (a quorum needs a majority), got ", e));
      } else if (e > replicas) {
        Add("spec.feSpec.electionNumber",
            absl::StrCat("must not exceed spec.feSpec.replicas (", replicas, "), got ", e));
      }
    }
    // StatefulSet names already taken, and by which field.
    std::map<std::string, std::string> sts_names = {
        {MetaServiceName(name), "the meta service"},
        {FeName(name), "FE"},
        {FeInternalServiceName(name), "FE's headless Service"}};
    std::map<std::string, int> ids;
    for (int i = 0; i < spec.compute_groups_size(); ++i) {
      const auto& cg = spec.compute_groups(i);
      const std::string p = absl::StrCat("spec.computeGroups[", i, "]");
      const std::string& id = cg.unique_id();
      Common(cg.base(), p, Kind::kCg, auth, kerberos);
      if (id.empty()) {
        Add(p + ".uniqueId", "required");
        continue;
      }
      if (!UniqueIdMatches(id)) {
        Add(p + ".uniqueId", absl::StrCat("\"", id,
                                          "\" must start with a letter and contain only letters, "
                                          "digits, '_' and '-'"));
        continue;
      }
      if (auto [it, inserted] = ids.emplace(id, i); !inserted) {
        Add(p + ".uniqueId", absl::StrCat("\"", id, "\" is already the uniqueId of spec.computeGroups[",
                                          it->second, "]"));
        continue;
      }
      if (id.size() > 63) {
        Add(p + ".uniqueId", "must be at most 63 characters (it is a label value)");
        continue;
      }
      if (!name_ok) continue;
      const std::string sts = ComputeGroupStatefulSetName(name, id);
      const std::string external = ComputeGroupExternalServiceName(name, id);
      if (!IsDns1035Label(sts)) {
        Add(p + ".uniqueId",
            absl::StrCat("names the StatefulSet and Service \"", sts,
                         "\", which must be lower-case letters, digits and '-'; use a lower-case "
                         "uniqueId"));
      } else if (external.size() > 63) {
        Add(p + ".uniqueId", absl::StrCat("names the Service \"", external, "\" (", external.size(),
                                          " characters); together with metadata.name it must "
                                          "leave \"<name>-<uniqueId>-external\" at most 63"));
      } else if (auto [it, inserted] = sts_names.emplace(sts, p + ".uniqueId"); !inserted) {
        Add(p + ".uniqueId", absl::StrCat("names the StatefulSet \"", sts, "\", as ", it->second,
                                          " does ('_' becomes '-' in object names)"));
      }
    }
  }

 private:
  void Common(const dv1::CommonSpec& b, const std::string& p, Kind k, bool auth, bool kerberos) {
    if (b.image().empty()) Add(p + ".image", "required");
    CheckResourceList(b.has_requests(), b.requests(), p + ".requests", out_);
    CheckResourceList(b.has_limits(), b.limits(), p + ".limits", out_);
    if (b.has_system_initialization()) {
      const auto& si = b.system_initialization();
      CheckResourceList(si.has_requests(), si.requests(), p + ".systemInitialization.requests", out_);
      CheckResourceList(si.has_limits(), si.limits(), p + ".systemInitialization.limits", out_);
    }
    internal::CheckReplicasAndProbeTimings(
        b.has_replicas(), b.replicas(), b.start_timeout(), b.live_timeout(),
        b.has_readiness_probe_policy() ? &b.readiness_probe_policy() : nullptr, p, out_);
    if (b.has_service()) {
      const auto& s = b.service();
      internal::CheckServiceType(s.type(), p + ".service.type", out_);
      for (int i = 0; i < s.port_maps_size(); ++i) {
        internal::CheckServicePortMap(s.port_maps(i).target_port(), s.port_maps(i).node_port(),
                                      absl::StrCat(p, ".service.portMaps[", i, "]"), out_);
      }
    }
    // Mount paths of the main container, each taken once.
    std::map<std::string, std::string> mounts = {
        {"/etc/podinfo", "the operator's downward-API volume"}};
    if (k == Kind::kCg) mounts.emplace("/var/run/doris-operator", "the operator's drain sentinel");
    if (auth && k != Kind::kMs) mounts.emplace("/etc/basic_auth", "spec.authSecret");
    if (kerberos && k != Kind::kMs) {
      mounts.emplace("/etc/krb5", "spec.kerberosInfo");
      mounts.emplace("/etc/keytab", "spec.kerberosInfo");
    }
    int templates = 0;
    auto volume = [&](const dv1::PersistentVolume& v, const std::string& pp) {
      if (!v.has_persistent_volume_claim_spec()) {
        Add(pp + ".persistentVolumeClaimSpec", "required");
      } else {
        CheckClaimSpec(v.persistent_volume_claim_spec(), pp + ".persistentVolumeClaimSpec", out_);
      }
      if (!v.provisioner().empty() && v.provisioner() != "operator") {
        Add(pp + ".provisioner", absl::StrCat("\"", v.provisioner(), "\" is not \"\" or operator"));
      }
      for (int j = 0; j < v.mount_paths_size(); ++j) {
        CheckMountPath(v.mount_paths(j), absl::StrCat(pp, ".mountPaths[", j, "]"), &mounts, out_);
      }
    };
    for (int i = 0; i < b.persistent_volumes_size(); ++i) {
      const auto& v = b.persistent_volumes(i);
      if (v.mount_paths().empty()) ++templates;
      volume(v, absl::StrCat(p, ".persistentVolumes[", i, "]"));
    }
    if (templates > 1) {
      Add(p + ".persistentVolumes", "at most one entry may omit mountPaths (the template for the "
                                    "paths Doris writes to)");
    }
    if (b.has_persistent_volume()) {
      if (b.persistent_volumes_size() > 0) {
        Add(p + ".persistentVolume", "give either persistentVolume (deprecated) or persistentVolumes");
      } else {
        volume(b.persistent_volume(), p + ".persistentVolume");
      }
    }
    CheckDataVolumes(PlanDataVolumes(b, k, DorisConf(), p), out_);
    for (int i = 0; i < b.config_maps_size(); ++i) {
      const auto& cm = b.config_maps(i);
      const std::string pp = absl::StrCat(p, ".configMaps[", i, "]");
      if (cm.name().empty()) Add(pp + ".name", "required");
      // Unset means /etc/doris: two ConfigMaps without a mountPath collide.
      CheckMountPath(cm.mount_path().empty() ? "/etc/doris" : cm.mount_path(), pp + ".mountPath",
                     &mounts, out_);
    }
    for (int i = 0; i < b.secrets_size(); ++i) {
      const std::string pp = absl::StrCat(p, ".secrets[", i, "]");
      if (b.secrets(i).secret_name().empty()) Add(pp + ".secretName", "required");
      CheckMountPath(b.secrets(i).mount_path().empty() ? "/etc/doris" : b.secrets(i).mount_path(),
                     pp + ".mountPath", &mounts, out_);
    }
  }

  FieldProblems* out_;
};

}  // namespace

FieldProblems Validate(const dv1::DorisDisaggregatedCluster& ddc) {
  FieldProblems out;
  Validator(&out).Cluster(ddc);
  return out;
}

}  // namespace doris_operator::translator::disaggregated
