#include "translator/check_parts.h"

#include <cmath>
#include <set>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "translator/quantity.h"

namespace doris_operator::translator::internal {

namespace {

void Add(FieldProblems* out, std::string path, std::string msg) {
  out->push_back({std::move(path), std::move(msg)});
}

}  // namespace

// RFC 1123 label: lower-case alphanumerics and '-', alphanumeric at both ends.
bool IsDns1123Label(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  for (char ch : s) {
    if (!(absl::ascii_islower(ch) || absl::ascii_isdigit(ch) || ch == '-')) return false;
  }
  return s.front() != '-' && s.back() != '-';
}

bool IsDns1123Subdomain(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (true) {
    const size_t dot = s.find('.', start);
    if (!IsDns1123Label(s.substr(start, dot - start))) return false;
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

void CheckMountPath(const std::string& path, const std::string& field,
                    std::map<std::string, std::string>* seen, FieldProblems* out) {
  if (path.empty()) return;
  if (path[0] != '/') {
    Add(out, field, absl::StrCat("\"", path, "\" must be an absolute path"));
    return;
  }
  std::string key = path;
  while (key.size() > 1 && key.back() == '/') key.pop_back();
  auto [it, inserted] = seen->emplace(key, field);
  if (!inserted) {
    Add(out, field, absl::StrCat("mount path \"", key, "\" is already used by ", it->second));
  }
}

// As the API server's ValidateResourceQuantityValue: a quantity, and not
// negative. Reported here so `dorisctl render` and the InvalidSpec status
// name the field instead of a failed StatefulSet write.
void CheckQuantity(const Json& v, const std::string& path, FieldProblems* out) {
  absl::StatusOr<Quantity> q = Quantity::FromJson(v);
  const bool fraction = v.is_number_float() && std::trunc(v.get<double>()) != v.get<double>();
  if (fraction) {
    // The CRD (as the reference's) takes integers and strings only.
    Add(out, path, absl::StrCat(Canonical(v), " is not an integer: write the quantity as a string (\"",
                           q.ok() ? q->String() : Canonical(v), "\")"));
  } else if (!q.ok()) {
    Add(out, path, absl::StrCat(Canonical(v), " is not a quantity"));
  } else if (q->IsNegative()) {
    Add(out, path, absl::StrCat(Canonical(v), " must be greater than or equal to 0"));
  }
}

void CheckResourceList(const Json& list, const std::string& path, FieldProblems* out) {
  if (list.is_null()) return;
  if (!list.is_object()) {
    Add(out, path, "must be a map of resource names to quantities");
    return;
  }
  for (const auto& [name, value] : list.items()) CheckQuantity(value, path + "." + name, out);
}

void CheckResourceList(bool present, const model::v1::RawJson& raw, const std::string& path,
                       FieldProblems* out) {
  if (!present || raw.json().empty()) return;
  absl::StatusOr<Json> list = ParseJson(raw.json());
  if (list.ok()) CheckResourceList(*list, path, out);
}

void CheckClaimSpec(const model::v1::RawJson& raw, const std::string& path, FieldProblems* out) {
  absl::StatusOr<Json> spec = ParseJson(raw.json().empty() ? "{}" : raw.json());
  if (!spec.ok() || !spec->is_object()) return;
  auto resources = spec->find("resources");
  if (resources == spec->end() || !resources->is_object()) return;
  for (const char* list : {"limits", "requests"}) {
    auto it = resources->find(list);
    if (it != resources->end()) CheckResourceList(*it, absl::StrCat(path, ".resources.", list), out);
  }
}

void CheckReplicasAndProbeTimings(bool has_replicas, int32_t replicas, int32_t start_timeout,
                                  int32_t live_timeout,
                                  const model::v1::ReadinessProbePolicy* readiness,
                                  const std::string& path, FieldProblems* out) {
  const std::string& p = path;
  if (has_replicas && replicas < 0) {
    Add(out, p + ".replicas", absl::StrCat("must be >= 0, got ", replicas));
  }
  if (start_timeout < 0) Add(out, p + ".startTimeout", "must be >= 0");
  if (live_timeout < 0) Add(out, p + ".liveTimeout", "must be >= 0");
  if (readiness != nullptr) {
    const auto& r = *readiness;
    if (r.timeout_seconds() < 0) Add(out, p + ".readinessProbePolicy.timeoutSeconds", "must be >= 0");
    if (r.failure_threshold() < 0) {
      Add(out, p + ".readinessProbePolicy.failureThreshold", "must be >= 0");
    }
    if (r.period_seconds() < 0) Add(out, p + ".readinessProbePolicy.periodSeconds", "must be >= 0");
  }
}

void CheckServiceType(const std::string& type, const std::string& path, FieldProblems* out) {
  static const std::set<std::string> kTypes = {"", "ClusterIP", "NodePort", "LoadBalancer",
                                               "ExternalName"};
  if (!kTypes.count(type)) {
    Add(out, path,
        absl::StrCat("\"", type, "\" is not one of ClusterIP, NodePort, LoadBalancer, ExternalName"));
  }
}

void CheckServicePortMap(int32_t target_port, int32_t node_port, const std::string& path,
                         FieldProblems* out) {
  if (target_port < 1 || target_port > 65535) {
    Add(out, path + ".targetPort", absl::StrCat("must be a port (1-65535), got ", target_port));
  }
  if (node_port != 0 && (node_port < 1 || node_port > 65535)) {
    Add(out, path + ".nodePort", absl::StrCat("must be a port (1-65535), got ", node_port));
  }
}

void CheckAuthAndKerberos(const std::string& auth_secret, const model::v1::AdminUser* admin_user,
                          const model::v1::KerberosInfo* kerberos, FieldProblems* out) {
  if (!auth_secret.empty() && !IsDns1123Subdomain(auth_secret)) {
    Add(out, "spec.authSecret", "must be a valid Secret name (DNS-1123 subdomain)");
  }
  if (admin_user != nullptr && absl::AsciiStrToLower(admin_user->name()) == "admin") {
    Add(out, "spec.adminUser.name", "\"admin\" is reserved by Doris; use another user name");
  }
  if (kerberos != nullptr) {
    if (kerberos->krb5_config_map().empty()) {
      Add(out, "spec.kerberosInfo.krb5ConfigMap", "required when kerberosInfo is set");
    }
    if (kerberos->keytab_secret_name().empty()) {
      Add(out, "spec.kerberosInfo.keytabSecretName", "required when kerberosInfo is set");
    }
  }
}

}  // namespace doris_operator::translator::internal
