#include "translator/validate.h"

#include <cmath>
#include <map>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "translator/canonical_json.h"
#include "translator/check_parts.h"
#include "translator/component.h"
#include "translator/quantity.h"

namespace doris_operator::translator {

namespace {

using internal::CheckClaimSpec;
using internal::CheckMountPath;
using internal::CheckQuantity;
using internal::CheckReplicasAndProbeTimings;
using internal::CheckResourceList;
using internal::CheckServicePortMap;
using internal::CheckServiceType;
using internal::IsDns1123Label;

// Service names are DNS-1035 labels: they must also start with a letter.
constexpr size_t kMaxClusterName = 63 - sizeof("-broker-internal") + 1;

class Validator {
 public:
  explicit Validator(FieldProblems* out) : out_(out) {}

  void Add(std::string path, std::string msg) { out_->push_back({std::move(path), std::move(msg)}); }

  void Cluster(const model::v1::DorisCluster& c) {
    const std::string& name = c.metadata().name();
    if (name.empty()) {
      Add("metadata.name", "required");
    } else if (!IsDns1123Label(name) || !absl::ascii_isalpha(name[0])) {
      Add("metadata.name", absl::StrCat("\"", name,
                                        "\" must start with a letter and contain only lower-case "
                                        "letters, digits and '-' (it names Services)"));
    } else if (name.size() > kMaxClusterName) {
      Add("metadata.name",
          absl::StrCat("must be at most ", kMaxClusterName,
                       " characters so that \"<name>-broker-internal\" fits in 63"));
    }
    const auto& spec = c.spec();
    if (!spec.has_fe_spec() && !spec.has_be_spec() && !spec.has_cn_spec() &&
        !spec.has_broker_spec()) {
      Add("spec", "at least one of feSpec, beSpec, cnSpec, brokerSpec is required");
    }
    internal::CheckAuthAndKerberos(spec.auth_secret(),
                                   spec.has_admin_user() ? &spec.admin_user() : nullptr,
                                   spec.has_kerberos_info() ? &spec.kerberos_info() : nullptr, out_);
    for (int i = 0; i < spec.shared_persistent_volume_claims_size(); ++i) {
      const auto& s = spec.shared_persistent_volume_claims(i);
      const std::string p = absl::StrCat("spec.sharedPersistentVolumeClaims[", i, "]");
      if (s.persistent_volume_claim_name().empty()) {
        Add(p + ".persistentVolumeClaimName", "required");
      }
      if (s.mount_path().empty()) {
        Add(p + ".mountPath", "required");
      } else if (s.mount_path()[0] != '/' && s.mount_path().rfind("$DORIS_HOME", 0) != 0) {
        Add(p + ".mountPath", "must be an absolute path (or start with $DORIS_HOME)");
      }
      for (int j = 0; j < s.support_components_size(); ++j) {
        const std::string& comp = s.support_components(j);
        if (comp != "fe" && comp != "be" && comp != "cn" && comp != "broker") {
          Add(absl::StrCat(p, ".supportComponents[", j, "]"),
              absl::StrCat("\"", comp, "\" is not one of fe, be, cn, broker"));
        }
      }
    }
    if (spec.has_fe_spec()) {
      Base(spec.fe_spec().base(), "spec.feSpec", Component::kFe);
      if (spec.fe_spec().has_election_number()) {
        const int32_t e = spec.fe_spec().election_number();
        const int32_t replicas = Replicas(spec.fe_spec().base());
        if (e < 1 || e % 2 == 0) {
          Add("spec.feSpec.electionNumber",
              absl::StrCat("must be a positive odd number (a quorum needs a majority), got ", e));
        } else if (e > replicas) {
          Add("spec.feSpec.electionNumber",
              absl::StrCat("must not exceed spec.feSpec.replicas (", replicas, "), got ", e));
        }
      }
    }
    if (spec.has_be_spec()) Base(spec.be_spec().base(), "spec.beSpec", Component::kBe);
    if (spec.has_cn_spec()) {
      Base(spec.cn_spec().base(), "spec.cnSpec", Component::kCn);
      if (spec.cn_spec().has_auto_scaling_policy()) {
        const auto& a = spec.cn_spec().auto_scaling_policy();
        const std::string p = "spec.cnSpec.autoScalingPolicy";
        if (!a.version().empty() && a.version() != "v1" && a.version() != "v2") {
          Add(p + ".version", absl::StrCat("must be v1 or v2, got \"", a.version(), "\""));
        }
        if (a.has_hpa_policy() && a.hpa_policy().has_metrics()) {
          Metrics(a.hpa_policy().metrics(), p + ".hpaPolicy.metrics");
        }
        const int32_t min = a.has_min_replicas() ? a.min_replicas() : 1;
        if (min < 1) Add(p + ".minReplicas", "must be at least 1");
        if (a.max_replicas() < 1) {
          Add(p + ".maxReplicas", "must be at least 1");
        } else if (a.max_replicas() < min) {
          Add(p + ".maxReplicas", absl::StrCat("must be at least minReplicas (", min, ")"));
        }
      }
    }
    if (spec.has_broker_spec()) Base(spec.broker_spec().base(), "spec.brokerSpec", Component::kBroker);
  }

 private:
  void MountPath(const std::string& path, const std::string& field,
                 std::map<std::string, std::string>* seen) {
    CheckMountPath(path, field, seen, out_);
  }
  void QuantityValue(const Json& v, const std::string& path) { CheckQuantity(v, path, out_); }
  void ResourceList(bool present, const model::v1::RawJson& raw, const std::string& path) {
    CheckResourceList(present, raw, path, out_);
  }
  void ClaimSpec(const model::v1::RawJson& raw, const std::string& path) {
    CheckClaimSpec(raw, path, out_);
  }

  void Metrics(const model::v1::RawJson& raw, const std::string& path) {
    absl::StatusOr<Json> metrics = ParseJson(raw.json().empty() ? "[]" : raw.json());
    if (!metrics.ok() || !metrics->is_array()) return;
    for (size_t i = 0; i < metrics->size(); ++i) {
      const Json& m = (*metrics)[i];
      if (!m.is_object()) continue;
      for (const auto& [type, source] : m.items()) {
        if (!source.is_object() || !source.contains("target") || !source["target"].is_object()) {
          continue;
        }
        for (const char* key : {"averageValue", "value"}) {
          if (source["target"].contains(key)) {
            QuantityValue(source["target"][key],
                          absl::StrCat(path, "[", i, "].", type, ".target.", key));
          }
        }
      }
    }
  }

  void Base(const model::v1::BaseSpec& b, const std::string& p, Component c) {
    if (b.image().empty()) Add(p + ".image", "required");
    ResourceList(b.has_requests(), b.requests(), p + ".requests");
    ResourceList(b.has_limits(), b.limits(), p + ".limits");
    if (b.has_system_initialization()) {
      const auto& si = b.system_initialization();
      ResourceList(si.has_requests(), si.requests(), p + ".systemInitialization.requests");
      ResourceList(si.has_limits(), si.limits(), p + ".systemInitialization.limits");
    }
    CheckReplicasAndProbeTimings(
        b.has_replicas(), b.replicas(), b.start_timeout(), b.live_timeout(),
        b.has_readiness_probe_policy() ? &b.readiness_probe_policy() : nullptr, p, out_);
    if (b.has_service()) {
      const auto& s = b.service();
      CheckServiceType(s.type(), p + ".service.type", out_);
      for (int i = 0; i < s.service_ports_size(); ++i) {
        CheckServicePortMap(s.service_ports(i).target_port(), s.service_ports(i).node_port(),
                            absl::StrCat(p, ".service.servicePorts[", i, "]"), out_);
      }
    }
    std::map<std::string, std::string> mounts = {
        {"/etc/podinfo", "the operator's downward-API volume"}};
    std::set<std::string> volume_names;
    int templates = 0;
    for (int i = 0; i < b.persistent_volumes_size(); ++i) {
      const auto& v = b.persistent_volumes(i);
      const std::string pp = absl::StrCat(p, ".persistentVolumes[", i, "]");
      if (!v.name().empty() && !IsDns1123Label(v.name())) {
        Add(pp + ".name", absl::StrCat("\"", v.name(),
                                       "\" must be a DNS-1123 label (lower-case letters, digits, "
                                       "'-', at most 63)"));
      }
      if (!v.name().empty() && !volume_names.insert(v.name()).second) {
        Add(pp + ".name", absl::StrCat("volume name \"", v.name(), "\" is used twice"));
      }
      if (v.mount_path().empty()) {
        ++templates;
        if (v.name().empty()) Add(pp + ".name", "required for a template entry (no mountPath)");
      }
      MountPath(v.mount_path(), pp + ".mountPath", &mounts);
      if (!v.has_persistent_volume_claim_spec()) {
        Add(pp + ".persistentVolumeClaimSpec", "required");
      } else {
        ClaimSpec(v.persistent_volume_claim_spec(), pp + ".persistentVolumeClaimSpec");
      }
      if (!v.provisioner().empty() && v.provisioner() != "StatefulSet" &&
          v.provisioner() != "Operator") {
        Add(pp + ".provisioner",
            absl::StrCat("\"", v.provisioner(), "\" is not one of StatefulSet, Operator"));
      }
    }
    if (templates > 1) {
      Add(p + ".persistentVolumes", "at most one entry may omit mountPath (the storage template)");
    }
    if (b.has_config_map_info()) {
      const auto& ci = b.config_map_info();
      for (int i = 0; i < ci.config_maps_size(); ++i) {
        const std::string pp = absl::StrCat(p, ".configMapInfo.configMaps[", i, "]");
        if (ci.config_maps(i).config_map_name().empty()) Add(pp + ".configMapName", "required");
        MountPath(ci.config_maps(i).mount_path(), pp + ".mountPath", &mounts);
      }
    }
    for (int i = 0; i < b.secrets_size(); ++i) {
      const std::string pp = absl::StrCat(p, ".secrets[", i, "]");
      if (b.secrets(i).secret_name().empty()) Add(pp + ".secretName", "required");
      MountPath(b.secrets(i).mount_path(), pp + ".mountPath", &mounts);
    }
    if (b.has_system_initialization() && b.system_initialization().command_size() == 0 &&
        b.system_initialization().args_size() == 0) {
      Add(p + ".systemInitialization.command", "required (what should the init container run?)");
    }
    (void)c;
  }

  FieldProblems* out_;
};

}  // namespace

FieldProblems Validate(const model::v1::DorisCluster& cluster) {
  FieldProblems out;
  Validator(&out).Cluster(cluster);
  return out;
}

}  // namespace doris_operator::translator
