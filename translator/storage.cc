#include "translator/storage.h"

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "translator/volume_parts.h"

namespace doris_operator::translator::internal {

namespace {

std::string ResolveSharedPath(std::string path, Component c) {
  const std::string home(DorisHome(c));
  for (const char* var : {"${DORIS_HOME}", "$DORIS_HOME"}) {
    const size_t at = path.find(var);
    if (at != std::string::npos) path.replace(at, std::string(var).size(), home);
  }
  return TrimSlash(path);
}

// Storage paths a template persistentVolume expands into (§2.4).
std::vector<std::string> TemplatePaths(const Ctx& x) {
  if (x.c == Component::kFe) {
    return {TrimSlash(x.conf->Get("meta_dir").value_or("/opt/apache-doris/fe/doris-meta"))};
  }
  const std::string roots =
      x.conf->Get("storage_root_path").value_or("/opt/apache-doris/be/storage");
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(roots, ';', absl::SkipWhitespace())) {
    std::string p(part);
    p = p.substr(0, p.find(','));
    p = p.substr(0, p.find('.'));
    p = TrimSlash(std::string(absl::StripAsciiWhitespace(p)));
    if (!p.empty()) out.push_back(p);
  }
  return out;
}

std::string TemplateSuffix(const std::string& path, const std::vector<std::string>& all) {
  auto last = [](const std::string& p) {
    const size_t slash = p.rfind('/');
    return slash == std::string::npos ? p : p.substr(slash + 1);
  };
  std::string suffix = last(path);
  int same = 0;
  for (const std::string& other : all) same += last(other) == suffix;
  if (same > 1) {
    const std::string parent = path.substr(0, path.rfind('/'));
    suffix = absl::StrCat(last(parent), "-", suffix);
  }
  std::replace(suffix.begin(), suffix.end(), '_', '-');
  return suffix;
}

}  // namespace

Storage BuildStorage(const Ctx& x) {
  Storage s;
  JsonWriter volumes(&s.volumes), mounts(&s.mounts), claims(&s.claim_templates);
  volumes.BeginArray();
  mounts.BeginArray();
  claims.BeginArray();
  const auto& spec = x.cluster->spec();
  // Shared claims win over a persistent volume with the same path.
  std::vector<std::pair<std::string, std::string>> shared;  // (claim, path)
  std::set<std::string> shared_paths;
  for (const auto& sp : spec.shared_persistent_volume_claims()) {
    const bool applies =
        sp.support_components().empty() ||
        std::find(sp.support_components().begin(), sp.support_components().end(), x.comp()) !=
            sp.support_components().end();
    if (!applies) continue;
    const std::string path = ResolveSharedPath(sp.mount_path(), x.c);
    shared.emplace_back(sp.persistent_volume_claim_name(), path);
    shared_paths.insert(path);
  }

  struct Data {
    std::string name, path;
    const model::v1::PersistentVolume* pv;
  };
  std::vector<Data> data;
  const model::v1::PersistentVolume* tmpl = nullptr;
  for (const auto& pv : x.base->persistent_volumes()) {
    if (pv.mount_path().empty()) {
      tmpl = &pv;
      continue;
    }
    const std::string path = TrimSlash(pv.mount_path());
    if (!shared_paths.count(path)) data.push_back({pv.name(), path, &pv});
  }
  if (tmpl != nullptr && x.c != Component::kBroker) {
    const std::vector<std::string> paths = TemplatePaths(x);
    for (const std::string& p : paths) {
      if (shared_paths.count(p)) continue;
      const std::string name =
          paths.size() == 1 ? tmpl->name() : absl::StrCat(tmpl->name(), "-", TemplateSuffix(p, paths));
      data.push_back({name, p, tmpl});
    }
  }

  WriteMount(mounts, "podinfo", "/etc/podinfo");
  if (data.empty()) {
    if (x.c == Component::kFe) {
      WriteEmptyDir(volumes, "fe-meta");
      WriteMount(mounts, "fe-meta", "/opt/apache-doris/fe/doris-meta");
    } else if (x.c != Component::kBroker) {
      WriteEmptyDir(volumes, "be-storage");
      WriteMount(mounts, "be-storage", "/opt/apache-doris/be/storage");
    }
  }
  for (const Data& d : data) {
    claims.BeginObject();
    claims.Key("metadata");
    claims.BeginObject();
    const bool operator_managed = d.pv->provisioner() == "Operator";
    if (!d.pv->annotations().empty() || operator_managed) {
      claims.Key("annotations");
      claims.BeginObject();
      for (const auto& [k, v] : d.pv->annotations()) claims.Field(k, v);
      if (operator_managed) claims.Field("selectdb.doris.com/pvc-manager", "operator");
      claims.EndObject();
    }
    claims.Field("name", d.name);
    claims.EndObject();
    claims.Key("spec");
    claims.Value(CanonicalClaimSpec(RawOr(d.pv->persistent_volume_claim_spec(), Json::object())));
    claims.EndObject();
    ++s.claim_count;
    WriteVolume(volumes, d.name, "persistentVolumeClaim", "claimName", d.name);
    WriteMount(mounts, d.name, d.path);
  }
  // podinfo: the pod's labels and annotations as files (debug mode, hooks).
  WritePodInfoVolume(volumes);
  if (!spec.auth_secret().empty()) {
    WriteVolume(volumes, "basic-auth", "secret", "secretName", spec.auth_secret());
  }
  if (x.base->has_config_map_info()) {
    const auto& ci = x.base->config_map_info();
    std::vector<std::pair<std::string, std::string>> cms;
    if (!ci.config_map_name().empty()) cms.emplace_back(ci.config_map_name(), "");
    for (const auto& m : ci.config_maps()) cms.emplace_back(m.config_map_name(), m.mount_path());
    std::set<std::string> seen;
    for (const auto& [cm, path] : cms) {
      if (!seen.insert(cm).second) continue;
      WriteVolume(volumes, cm, "configMap", "name", cm);
      WriteMount(mounts, cm, path.empty() ? kConfigMountPath : path);
    }
  }
  for (const auto& sec : x.base->secrets()) {
    WriteVolume(volumes, sec.secret_name(), "secret", "secretName", sec.secret_name());
    WriteMount(mounts, sec.secret_name(),
               sec.mount_path().empty() ? kConfigMountPath : sec.mount_path());
  }
  if (spec.has_kerberos_info()) {
    WriteVolume(volumes, "krb5", "configMap", "name", spec.kerberos_info().krb5_config_map());
    WriteVolume(volumes, "keytab", "secret", "secretName",
                spec.kerberos_info().keytab_secret_name());
    WriteMount(mounts, "krb5", "/etc/krb5");
    WriteMount(mounts, "keytab", "/etc/keytab");
  }
  if (!spec.auth_secret().empty()) {
    WriteMount(mounts, "basic-auth", "/etc/basic_auth");
  }
  for (const auto& [claim, path] : shared) {
    WriteVolume(volumes, claim, "persistentVolumeClaim", "claimName", claim);
    WriteMount(mounts, claim, path);
  }
  volumes.EndArray();
  mounts.EndArray();
  claims.EndArray();
  return s;
}

}  // namespace doris_operator::translator::internal
