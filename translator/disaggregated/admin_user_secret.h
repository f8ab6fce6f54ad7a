#ifndef DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_ADMIN_USER_SECRET_H_
#define DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_ADMIN_USER_SECRET_H_

// The operator-owned basic-auth Secret `<ddc>-admin-user` that carries the
// deprecated spec.adminUser's password to FE and BE pods (env PASSWD), where
// the reference writes it into the pod template in the clear. The translator
// writes its shape only; the operator fills its data, which never enters the
// log or the desired objects.

#include <string>

#include "translator/disaggregated/context.h"

namespace doris_operator::translator::disaggregated {

Written AdminUserSecret(const Ctx& x, JsonWriter& w, const std::string* hash);

}  // namespace doris_operator::translator::disaggregated

#endif  // DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_ADMIN_USER_SECRET_H_
