#include "translator/env_list.h"

#include <set>

#include "absl/strings/strip.h"

namespace doris_operator::translator::internal {

void WriteEnvList(JsonWriter& w, const Json& user, const std::vector<EnvVar>& ours) {
  std::set<std::string> user_names;
  for (const Json& e : user) {
    if (e.is_object() && e.contains("name") && e["name"].is_string()) {
      user_names.insert(e["name"].get<std::string>());
    }
  }
  w.BeginArray();
  for (const Json& e : user) w.Value(e);  // user variables first, and they win
  for (const EnvVar& e : ours) {
    if (!user_names.empty() && user_names.count(std::string(e.name))) continue;
    w.BeginObject();
    w.Field("name", e.name);
    if (e.field_path != nullptr) {
      w.Key("valueFrom");
      w.BeginObject();
      w.Key("fieldRef");
      w.BeginObject();
      w.Field("fieldPath", e.field_path);
      w.EndObject();
      w.EndObject();
    } else if (e.secret_key != nullptr) {
      w.Key("valueFrom");
      w.BeginObject();
      w.Key("secretKeyRef");
      w.BeginObject();
      w.Field("key", e.secret_key);
      w.Field("name", e.value);
      w.EndObject();
      w.EndObject();
    } else {
      w.Field("value", e.value);
    }
    w.EndObject();
  }
  w.EndArray();
}

void AppendKerberosEnv(const model::v1::KerberosInfo& k, bool fe, bool be, const DorisConf& conf,
                       std::vector<EnvVar>* out) {
  std::string krb5 = "/etc/krb5.conf";
  if (be) {
    krb5 = conf.Get("kerberos_krb5_conf_path").value_or(krb5);
  } else if (fe) {
    for (const char* key : {"java_opts_for_jdk_17", "java_opts"}) {
      const std::string opts = conf.Get(key).value_or("");
      const std::string flag = "-Djava.security.krb5.conf=";
      const size_t at = opts.find(flag);
      if (at != std::string::npos) {
        krb5 = std::string(absl::StripSuffix(
            opts.substr(at + flag.size(), opts.find(' ', at) - at - flag.size()), "\""));
        break;
      }
    }
  }
  out->push_back({"KRB5_MOUNT_PATH", "/etc/krb5"});
  out->push_back({"KRB5_CONFIG", krb5});
  out->push_back({"KEYTAB_MOUNT_PATH", "/etc/keytab"});
  out->push_back({"KEYTAB_FINAL_USED_PATH", k.keytab_path().empty() ? "/etc/keytab" : k.keytab_path()});
}

}  // namespace doris_operator::translator::internal
