#ifndef DORIS_OPERATOR_TRANSLATOR_ENV_LIST_H_
#define DORIS_OPERATOR_TRANSLATOR_ENV_LIST_H_

// A main container's `env`: the user's variables first and winning, then the
// operator's own (plain values, downward-API fields or Secret keys), for
// every resource's pod templates.

#include <string>
#include <string_view>
#include <vector>

#include "proto/doris_cluster.pb.h"
#include "translator/canonical_json.h"
#include "translator/doris_conf.h"
#include "translator/json_writer.h"

namespace doris_operator::translator::internal {

struct EnvVar {
  std::string_view name;
  std::string value;
  const char* field_path = nullptr;  // valueFrom.fieldRef instead of value
  const char* secret_key = nullptr;  // valueFrom.secretKeyRef {key, name: value} instead
};

// Writes the array: every entry of `user` (the spec's envVars, a JSON array)
// as given, then each of `ours` whose name the user did not set.
void WriteEnvList(JsonWriter& w, const Json& user, const std::vector<EnvVar>& ours);

// The Kerberos variables (KRB5_MOUNT_PATH, KRB5_CONFIG, KEYTAB_MOUNT_PATH,
// KEYTAB_FINAL_USED_PATH): krb5.conf's path comes from FE's java opts or BE's
// kerberos_krb5_conf_path in `conf`, else /etc/krb5.conf.
void AppendKerberosEnv(const model::v1::KerberosInfo& k, bool fe, bool be, const DorisConf& conf,
                       std::vector<EnvVar>* out);

}  // namespace doris_operator::translator::internal

#endif  // DORIS_OPERATOR_TRANSLATOR_ENV_LIST_H_
