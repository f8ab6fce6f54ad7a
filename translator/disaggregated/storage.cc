#include "translator/disaggregated/storage.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "translator/canonical_json.h"
#include "translator/check_parts.h"
#include "translator/json_parts.h"
#include "translator/volume_parts.h"

namespace doris_operator::translator::disaggregated {

namespace {

using internal::TrimSlash;
using internal::WriteEmptyDir;
using internal::WriteMount;
using internal::WriteVolume;

struct Required {
  std::string default_name;
  std::string path;
  bool log;
};

// The paths Doris writes to, from the config file or its defaults (§5).
std::vector<Required> RequiredPaths(Kind k, const DorisConf& conf) {
  const std::string home = DorisHome(k);
  const std::string log = TrimSlash(
      conf.Get("log_dir").value_or(conf.Get("sys_log_dir").value_or(home + "/log")));
  std::vector<Required> out;
  switch (k) {
    case Kind::kMs:
      out.push_back({"ms-log", log, true});
      break;
    case Kind::kFe:
      out.push_back({"fe-log", log, true});
      out.push_back({"fe-meta", TrimSlash(conf.Get("meta_dir").value_or(home + "/doris-meta")),
                     false});
      break;
    case Kind::kCg: {
      out.push_back({"be-log", log, true});
      std::vector<std::string> caches;
      if (auto text = conf.Get("file_cache_path")) {
        absl::StatusOr<Json> list = ParseJson(*text);
        if (list.ok() && list->is_array()) {
          for (const Json& e : *list) {
            if (e.is_object() && e.contains("path") && e["path"].is_string()) {
              caches.push_back(TrimSlash(e["path"].get<std::string>()));
            }
          }
        }
      }
      if (caches.empty()) caches.push_back(home + "/file_cache");
      for (size_t i = 0; i < caches.size(); ++i) {
        out.push_back({absl::StrCat("be-storage", i), caches[i], false});
      }
      break;
    }
  }
  return out;
}

// Claim names by path, as the reference names them (so that a ddc it ran
// keeps its PVCs, `<claim>-<pod>`): paths are taken in `order`, each named by
// as few trailing components, joined by '-', as no earlier path took; a path
// listed twice is named again and keeps the later name; '_' becomes '-'
// (contract §5).
std::map<std::string, std::string> ClaimNames(const std::vector<std::string>& order) {
  std::map<std::string, std::string> taken;  // name -> path
  std::map<std::string, std::string> out;    // path -> name
  for (const std::string& path : order) {
    const std::vector<std::string> parts = absl::StrSplit(path, '/', absl::SkipEmpty());
    std::string name;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
      name = name.empty() ? *it : absl::StrCat(*it, "-", name);
      if (!taken.count(name)) break;
    }
    taken[name] = path;
    out[path] = name;
  }
  for (auto& [path, name] : out) std::replace(name.begin(), name.end(), '_', '-');
  return out;
}

}  // namespace

std::vector<DataVolume> PlanDataVolumes(const dv1::CommonSpec& base, Kind k, const DorisConf& conf,
                                        const std::string& path) {
  const std::vector<Required> required = RequiredPaths(k, conf);
  bool log_not_store = base.log_not_store() ||
                       (base.has_persistent_volume() && base.persistent_volume().log_not_store());
  for (const auto& pv : base.persistent_volumes()) log_not_store |= pv.log_not_store();
  std::vector<DataVolume> out;

  if (base.persistent_volumes_size() > 0) {
    std::vector<DataVolume> listed;
    std::set<std::string> listed_paths;
    const dv1::PersistentVolume* tmpl = nullptr;
    std::string tmpl_field;
    for (int i = 0; i < base.persistent_volumes_size(); ++i) {
      const auto& pv = base.persistent_volumes(i);
      if (pv.mount_paths().empty()) {
        if (tmpl == nullptr) {
          tmpl = &pv;
          tmpl_field = absl::StrCat(path, ".persistentVolumes[", i, "]");
        }
        continue;
      }
      for (int j = 0; j < pv.mount_paths_size(); ++j) {
        const std::string p = TrimSlash(pv.mount_paths(j));
        if (!listed_paths.insert(p).second) continue;
        listed.push_back({"", p, &pv, absl::StrCat(path, ".persistentVolumes[", i, "].mountPaths[", j, "]")});
      }
    }
    for (const Required& r : required) {
      if (listed_paths.count(r.path)) {
        for (DataVolume& d : listed) {
          if (d.path == r.path) out.push_back(d);
        }
      } else if (tmpl != nullptr && !(r.log && log_not_store)) {
        out.push_back({"", r.path, tmpl, tmpl_field});
      } else {
        out.push_back({r.default_name, r.path, nullptr, ""});
      }
    }
    for (const DataVolume& d : listed) {
      const bool is_required = std::any_of(required.begin(), required.end(),
                                           [&](const Required& r) { return r.path == d.path; });
      if (!is_required) out.push_back(d);
    }
    // The reference's order: FE meta or BE cache paths, every listed mount
    // path (repeats too), then the log path unless logNotStore.
    std::vector<std::string> order;
    for (const Required& r : required) {
      if (!r.log) order.push_back(r.path);
    }
    for (const auto& pv : base.persistent_volumes()) {
      for (const std::string& p : pv.mount_paths()) order.push_back(TrimSlash(p));
    }
    for (const Required& r : required) {
      if (r.log && !log_not_store) order.push_back(r.path);
    }
    const std::map<std::string, std::string> names = ClaimNames(order);
    for (DataVolume& d : out) {
      if (d.pv != nullptr) d.name = names.at(d.path);
    }
    return out;
  }

  if (base.has_persistent_volume()) {
    // The deprecated single volume: claims named as the emptyDirs would be.
    const auto& pv = base.persistent_volume();
    const std::string field = path + ".persistentVolume";
    int next_storage = 0;
    for (const Required& r : required) {
      if (r.log && log_not_store) {
        out.push_back({r.default_name, r.path, nullptr, ""});
      } else {
        out.push_back({r.default_name, r.path, &pv, field});
      }
      if (r.default_name.rfind("be-storage", 0) == 0) ++next_storage;
    }
    std::vector<std::string> paths;
    for (const std::string& p : pv.mount_paths()) paths.push_back(TrimSlash(p));
    const std::map<std::string, std::string> names = ClaimNames(paths);
    std::vector<std::string> extra;
    for (int j = 0; j < pv.mount_paths_size(); ++j) {
      const std::string p = TrimSlash(pv.mount_paths(j));
      const bool is_required = std::any_of(required.begin(), required.end(),
                                           [&](const Required& r) { return r.path == p; });
      if (is_required || std::find(extra.begin(), extra.end(), p) != extra.end()) continue;
      extra.push_back(p);
      const std::string name =
          k == Kind::kCg
              ? absl::StrCat("be-storage", next_storage++)
              : names.at(p);
      out.push_back({name, p, &pv, absl::StrCat(field, ".mountPaths[", j, "]")});
    }
    return out;
  }

  for (const Required& r : required) out.push_back({r.default_name, r.path, nullptr, ""});
  return out;
}

void CheckDataVolumes(const std::vector<DataVolume>& volumes, FieldProblems* out) {
  for (const DataVolume& d : volumes) {
    if (d.pv == nullptr || internal::IsDns1123Label(d.name)) continue;
    out->push_back({d.field, absl::StrCat("the claim for \"", d.path, "\" would be named \"", d.name,
                                          "\", which is not a DNS-1123 label (lower-case letters, "
                                          "digits, '-', at most 63); choose another path")});
  }
}

Storage BuildStorage(const Ctx& x) {
  Storage s;
  JsonWriter volumes(&s.volumes), mounts(&s.mounts), claims(&s.claim_templates);
  volumes.BeginArray();
  mounts.BeginArray();
  claims.BeginArray();
  const auto& spec = x.ddc->spec();
  const bool fe_or_be = x.kind != Kind::kMs;

  WriteMount(mounts, "podinfo", "/etc/podinfo");
  for (const DataVolume& d : PlanDataVolumes(*x.base, x.kind, *x.conf, "")) {
    if (d.pv == nullptr) {
      WriteEmptyDir(volumes, d.name);
    } else {
      claims.BeginObject();
      claims.Key("metadata");
      claims.BeginObject();
      if (!d.pv->annotations().empty()) {
        claims.Key("annotations");
        internal::WriteStringMap(claims, d.pv->annotations());
      }
      claims.Field("name", d.name);
      claims.EndObject();
      claims.Key("spec");
      claims.Value(internal::CanonicalClaimSpec(
          internal::RawOr(d.pv->persistent_volume_claim_spec(), Json::object())));
      claims.EndObject();
      ++s.claim_count;
      WriteVolume(volumes, d.name, "persistentVolumeClaim", "claimName", d.name);
    }
    WriteMount(mounts, d.name, d.path);
  }
  internal::WritePodInfoVolume(volumes);
  if (x.kind == Kind::kCg) {
    // Where the operator's terminating sentinel lives during a drain (§4.4).
    WriteEmptyDir(volumes, "doris-graceful-runtime");
    WriteMount(mounts, "doris-graceful-runtime", "/var/run/doris-operator");
  }
  std::set<std::string> seen;
  for (const auto& cm : x.base->config_maps()) {
    if (!seen.insert(cm.name()).second) continue;
    WriteVolume(volumes, cm.name(), "configMap", "name", cm.name());
    WriteMount(mounts, cm.name(), cm.mount_path().empty() ? "/etc/doris" : cm.mount_path());
  }
  for (const auto& sec : x.base->secrets()) {
    if (!seen.insert(sec.secret_name()).second) continue;
    WriteVolume(volumes, sec.secret_name(), "secret", "secretName", sec.secret_name());
    WriteMount(mounts, sec.secret_name(),
               sec.mount_path().empty() ? "/etc/doris" : sec.mount_path());
  }
  if (fe_or_be && !spec.auth_secret().empty()) {
    WriteVolume(volumes, "basic-auth", "secret", "secretName", spec.auth_secret());
    WriteMount(mounts, "basic-auth", "/etc/basic_auth");
  }
  if (fe_or_be && spec.has_kerberos_info()) {
    WriteVolume(volumes, "krb5", "configMap", "name", spec.kerberos_info().krb5_config_map());
    WriteVolume(volumes, "keytab", "secret", "secretName",
                spec.kerberos_info().keytab_secret_name());
    WriteMount(mounts, "krb5", "/etc/krb5");
    WriteMount(mounts, "keytab", "/etc/keytab");
  }
  volumes.EndArray();
  mounts.EndArray();
  claims.EndArray();
  return s;
}

}  // namespace doris_operator::translator::disaggregated
