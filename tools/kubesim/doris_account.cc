#include "tools/kubesim/doris_account.h"

#include <optional>
#include <variant>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace doris_operator::kubesim {

namespace {

constexpr char kAuthPath[] = "/etc/basic_auth";  // fe_entrypoint.sh AUTH_PATH

// data[key] of Secret `name`, decoded; nullopt when the Secret or key is missing.
std::optional<std::string> SecretValue(const ObjectStore& store, const std::string& ns,
                                       const std::string& name, const std::string& key) {
  const std::optional<ResourceType> secrets = store.Find("", "v1", "secrets");
  if (!secrets || name.empty()) return std::nullopt;
  auto got = store.Get(*secrets, ns, name);
  const Json* s = std::get_if<Json>(&got);
  if (s == nullptr || !s->contains("data") || !(*s)["data"].is_object()) return std::nullopt;
  const Json& data = (*s)["data"];
  if (!data.contains(key) || !data[key].is_string()) return std::nullopt;
  std::string out;
  if (!absl::Base64Unescape(data[key].get<std::string>(), &out)) return std::nullopt;
  return out;
}

// An env var as the kubelet resolves it: value, or valueFrom.secretKeyRef.
std::optional<std::string> EnvValue(const ObjectStore& store, const std::string& ns,
                                    const Json& container, const std::string& name) {
  std::optional<std::string> out;
  for (const Json& e : container.value("env", Json::array())) {
    if (!e.is_object() || e.value("name", "") != name) continue;
    // A later entry of the same name wins (the kubelet builds a map in order).
    if (e.contains("value") && e["value"].is_string()) {
      out = e["value"].get<std::string>();
    } else if (e.contains("valueFrom") && e["valueFrom"].contains("secretKeyRef")) {
      const Json& ref = e["valueFrom"]["secretKeyRef"];
      out = SecretValue(store, ns, ref.value("name", ""), ref.value("key", ""));
    } else {
      out = "";
    }
  }
  return out;
}

// The file `file` under /etc/basic_auth when a Secret volume is mounted
// there: its keys are the files, or `items` maps keys to paths.
std::optional<std::string> AuthFile(const ObjectStore& store, const std::string& ns, const Json& pod,
                                    const Json& container, const std::string& file) {
  std::string volume;
  for (const Json& m : container.value("volumeMounts", Json::array())) {
    if (m.is_object() && m.value("mountPath", "") == kAuthPath) volume = m.value("name", "");
  }
  if (volume.empty()) return std::nullopt;
  for (const Json& v : pod["spec"].value("volumes", Json::array())) {
    if (!v.is_object() || v.value("name", "") != volume || !v.contains("secret")) continue;
    const Json& secret = v["secret"];
    const std::string name = secret.value("secretName", "");
    if (!secret.contains("items")) return SecretValue(store, ns, name, file);
    for (const Json& item : secret["items"]) {
      if (item.value("path", "") == file) return SecretValue(store, ns, name, item.value("key", ""));
    }
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

namespace {

// The account of the FE pods `selector` picks (see AccountOf).
DorisAccount AccountOfFePods(const ObjectStore& store, const std::string& ns, const std::string& selector) {
  DorisAccount account;
  const std::optional<ResourceType> pods = store.Find("", "v1", "pods");
  if (!pods) return account;
  const auto list = store.List(*pods, ns, selector, "", 0, "");
  const Json* founder = nullptr;
  for (const Json& pod : list.items) {
    if (founder == nullptr || pod["metadata"].value("name", "") < (*founder)["metadata"].value("name", "")) {
      founder = &pod;
    }
  }
  if (founder == nullptr || !(*founder)["spec"].contains("containers") ||
      (*founder)["spec"]["containers"].empty()) {
    return account;
  }
  const Json& pod = *founder;
  const Json& container = pod["spec"]["containers"][0];
  // fe_entrypoint.sh: DB_ADMIN_USER=${USER:-"root"}; DB_ADMIN_PASSWD=$PASSWD;
  // then resolve_password_from_secret reads the files when they exist.
  std::string user = EnvValue(store, ns, container, "USER").value_or("");
  std::string password = EnvValue(store, ns, container, "PASSWD").value_or("");
  if (auto f = AuthFile(store, ns, pod, container, "password")) password = *f;
  if (auto f = AuthFile(store, ns, pod, container, "username")) user = *f;
  if (user.empty()) user = "root";
  // create_account: no password, no account; root stays as it was.
  if (password.empty()) return account;
  account.user = user;
  account.password = password;
  return account;
}

}  // namespace

DorisAccount AccountOf(const ObjectStore& store, const std::string& ns, const std::string& cluster) {
  return AccountOfFePods(store, ns, absl::StrCat("app.doris.cluster=", cluster, ",app.kubernetes.io/component=fe"));
}

DorisAccount DisaggregatedAccountOf(const ObjectStore& store, const std::string& ns, const std::string& ddc) {
  return AccountOfFePods(
      store, ns, absl::StrCat("app.doris.disaggregated.cluster=", ddc, ",app.doris.disaggregated.type=fe"));
}

}  // namespace doris_operator::kubesim
