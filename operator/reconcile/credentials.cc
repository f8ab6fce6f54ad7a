#include "operator/reconcile/credentials.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "translator/component.h"

namespace doris_operator::reconcile {

namespace {

using Json = nlohmann::json;

std::string StringAt(const Json& j, std::initializer_list<const char*> path) {
  const Json* cur = &j;
  for (const char* k : path) {
    if (!cur->is_object() || !cur->contains(k)) return "";
    cur = &(*cur)[k];
  }
  return cur->is_string() ? cur->get<std::string>() : "";
}

// The value under data.<key>, decoded; nullopt when absent or not base64.
std::optional<std::string> DataAt(const Json& secret, const char* key) {
  if (!secret.is_object() || !secret.contains("data") || !secret["data"].is_object() ||
      !secret["data"].contains(key) || !secret["data"][key].is_string()) {
    return std::nullopt;
  }
  std::string out;
  if (!absl::Base64Unescape(secret["data"][key].get<std::string>(), &out)) return std::nullopt;
  return out;
}

bool ControlledBy(const Json& object, const std::string& uid) {
  if (uid.empty() || !object.is_object() || !object.contains("metadata")) return false;
  const Json& refs = object["metadata"].value("ownerReferences", Json::array());
  if (!refs.is_array()) return false;
  return std::any_of(refs.begin(), refs.end(), [&](const Json& r) {
    return r.is_object() && r.value("controller", false) && StringAt(r, {"uid"}) == uid;
  });
}

// An API server message may quote what was sent; the password (in clear or
// base64) never goes on to the record.
absl::Status Scrubbed(const absl::Status& s, const std::string& password) {
  if (s.ok() || password.empty()) return s;
  const std::string message = absl::StrReplaceAll(
      s.message(), {{absl::Base64Escape(password), "[redacted]"}, {password, "[redacted]"}});
  return absl::Status(s.code(), message);
}

log::v1::ObjectRef SecretRef(const std::string& ns, const std::string& name) {
  log::v1::ObjectRef ref;
  ref.set_api_version("v1");
  ref.set_kind("Secret");
  ref.set_namespace_(ns);
  ref.set_name(name);
  return ref;
}

}  // namespace

CredentialOwner OwnerOf(const model::v1::DorisCluster& cluster) {
  CredentialOwner o;
  o.kind = "DorisCluster";
  o.ns = cluster.metadata().namespace_();
  o.name = cluster.metadata().name();
  o.uid = cluster.metadata().uid();
  o.live_path = kube::ObjectPath("doris.selectdb.com/v1", o.ns, "dorisclusters", o.name);
  o.auth_secret = cluster.spec().auth_secret();
  o.has_admin_user = cluster.spec().has_admin_user();
  o.generation_applied = cluster.metadata().generation() == cluster.status().observed_generation();
  o.admin_secret_name = translator::AdminUserSecretName(o.name);
  return o;
}

Credentials ReadCredentials(kube::Client& kube, const model::v1::DorisCluster& cluster) {
  return ReadCredentials(kube, OwnerOf(cluster));
}

Credentials ReadCredentials(kube::Client& kube, const CredentialOwner& owner) {
  Credentials c;
  const std::string& ns = owner.ns;
  if (owner.has_admin_user) {
    absl::StatusOr<Json> live = kube.Get(owner.live_path);
    if (live.ok()) {
      Credentials::AdminUser a;
      a.name = StringAt(*live, {"spec", "adminUser", "name"});
      if (a.name.empty()) a.name = "root";  // the images' ${USER:-root}
      a.password = StringAt(*live, {"spec", "adminUser", "password"});
      c.admin_user = std::move(a);
    } else {
      c.admin_user_error = absl::Status(
          live.status().code(), absl::StrCat("reading spec.adminUser from the live ", owner.kind, ": ",
                                             live.status().message()));
    }
  }
  // As the reference: an authSecret that exists with data wins; else adminUser.
  if (!owner.auth_secret.empty()) {
    absl::StatusOr<Json> secret = kube.Get(kube::ObjectPath("v1", ns, "secrets", owner.auth_secret));
    if (secret.ok() && secret->is_object() && secret->contains("data")) {
      const std::string user = DataAt(*secret, "username").value_or("");
      if (!user.empty()) c.user = user;
      c.password = DataAt(*secret, "password").value_or("");
      return c;
    }
  }
  if (c.admin_user) {
    c.user = c.admin_user->name;
    c.password = c.admin_user->password;
  }
  return c;
}

std::vector<CredentialWrite> SyncAdminUserSecret(kube::Client& kube,
                                                 const model::v1::DorisCluster& cluster,
                                                 const Credentials& credentials,
                                                 std::vector<translator::DesiredObject>* objects,
                                                 const std::string& field_manager) {
  return SyncAdminUserSecret(kube, OwnerOf(cluster), credentials, objects, field_manager);
}

std::vector<CredentialWrite> SyncAdminUserSecret(kube::Client& kube, const CredentialOwner& owner,
                                                 const Credentials& credentials,
                                                 std::vector<translator::DesiredObject>* objects,
                                                 const std::string& field_manager) {
  const std::string& ns = owner.ns;
  const std::string& name = owner.admin_secret_name;
  const std::string path = kube::ObjectPath("v1", ns, "secrets", name);
  const log::v1::ObjectRef ref = SecretRef(ns, name);
  auto it = std::find_if(objects->begin(), objects->end(), [&](const translator::DesiredObject& o) {
    return o.kind == "Secret" && o.name == name;
  });
  if (it == objects->end()) {
    // No adminUser: remove ours if an earlier spec had one. Only a spec
    // change can make it go, so it is looked for only until one is applied.
    if (owner.generation_applied) return {};
    absl::StatusOr<Json> live = kube.Get(path);
    if (!live.ok() || !ControlledBy(*live, owner.uid)) return {};
    absl::Status s = kube.Delete(path);
    if (absl::IsNotFound(s)) s = absl::OkStatus();
    return {{"delete", ref, "spec.adminUser was removed", s, true}};
  }
  const translator::DesiredObject shape = std::move(*it);
  objects->erase(it);
  if (!credentials.admin_user) {
    return {{"apply", ref, "not written", credentials.admin_user_error, false}};
  }
  const Credentials::AdminUser& want = *credentials.admin_user;
  absl::StatusOr<Json> live = kube.Get(path);
  if (!live.ok() && !absl::IsNotFound(live.status())) {
    return {{"apply", ref, "not written", live.status(), false}};
  }
  if (live.ok()) {
    if (!ControlledBy(*live, owner.uid)) {
      return {{"apply", ref, "not written",
               absl::FailedPreconditionError(absl::StrCat(
                   "Secret ", name, " exists and is not controlled by ", owner.kind, " ", owner.name,
                   "; the operator keeps spec.adminUser there and does not take over another "
                   "Secret: delete or rename it")),
               false}};
    }
    const std::string live_hash = StringAt(*live, {"metadata", "annotations", translator::kHashAnnotation});
    if (live_hash == shape.hash && StringAt(*live, {"type"}) == "kubernetes.io/basic-auth" &&
        DataAt(*live, "username") == want.name && DataAt(*live, "password") == want.password) {
      return {};  // in step: no write
    }
  }
  Json body = Json::parse(shape.json, nullptr, false);
  if (!body.is_object()) {
    return {{"apply", ref, "not written", absl::InternalError("the translator's Secret is not JSON"), false}};
  }
  body["data"] = {{"username", absl::Base64Escape(want.name)},
                  {"password", absl::Base64Escape(want.password)}};
  absl::StatusOr<Json> applied = kube.Apply(path, body.dump(), field_manager);
  const std::string verb = live.ok() ? "apply" : "create";
  const std::string detail = absl::StrCat(
      "data from the live ", owner.kind, "'s spec.adminUser (never logged)",
      applied.ok() ? absl::StrCat("; resourceVersion ", StringAt(*applied, {"metadata", "resourceVersion"}))
                   : "");
  return {{verb, ref, detail, Scrubbed(applied.status(), want.password), true}};
}

}  // namespace doris_operator::reconcile
