#include "translator/admin_user_secret.h"

#include <string>

namespace doris_operator::translator::internal {

// No annotations of its own: Build() splices the hash annotation in.
Written AdminUserSecret(const Ctx& x, JsonWriter& w, const std::string* /*hash*/) {
  Written out{"v1", "Secret", AdminUserSecretName(x.name()), false};
  WriteClusterObjectHead(x, w, out, "admin-user");
  // The images read keys "username" and "password", as of an authSecret.
  w.Field("type", "kubernetes.io/basic-auth");
  w.EndObject();
  return out;
}

}  // namespace doris_operator::translator::internal
