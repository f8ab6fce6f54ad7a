#ifndef DORIS_OPERATOR_TRANSLATOR_ADMIN_USER_SECRET_H_
#define DORIS_OPERATOR_TRANSLATOR_ADMIN_USER_SECRET_H_

// The shape of the basic-auth Secret `<name>-admin-user` that carries the
// deprecated spec.adminUser to the pods. The translator never sees the
// password (the log holds none): it writes the Secret without data, and the
// operator fills `data` from the live DorisCluster when it applies it
// (operator/reconcile/admin_user_secret.h).

#include <string>

#include "translator/json_writer.h"
#include "translator/object_builder.h"

namespace doris_operator::translator::internal {

Written AdminUserSecret(const Ctx& x, JsonWriter& w, const std::string* hash);

}  // namespace doris_operator::translator::internal

#endif  // DORIS_OPERATOR_TRANSLATOR_ADMIN_USER_SECRET_H_
