#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_DORIS_ACCOUNT_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_DORIS_ACCOUNT_H_

// The Doris admin account a cluster's FE accepts in fake Doris: the one the
// images' entrypoints were given, resolved from an FE pod's spec as the
// kubelet and fe_entrypoint.sh would (env USER/PASSWD, each a value or a
// secretKeyRef, then files `username`/`password` of a Secret volume mounted
// at /etc/basic_auth). Nothing is read from the DorisCluster: an operator
// that does not give its pods the credentials cannot use them.

#include <string>

#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

struct DorisAccount {
  std::string user = "root";
  std::string password;
};

// From the FE pod with the smallest name (the founder, ordinal 0, while it
// exists) of DorisCluster `cluster`; root without a password when there is
// none or it was given no password (the entrypoints then create no account).
DorisAccount AccountOf(const ObjectStore& store, const std::string& ns, const std::string& cluster);

// The same for the FE pods of DorisDisaggregatedCluster `ddc`
// (fe_disaggregated_entrypoint.sh resolves the account the same way).
DorisAccount DisaggregatedAccountOf(const ObjectStore& store, const std::string& ns, const std::string& ddc);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_DORIS_ACCOUNT_H_
