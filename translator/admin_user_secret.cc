#include "translator/admin_user_secret.h"

#include <string>

namespace doris_operator::translator::internal {

// No annotations of its own: Build() splices the hash annotation in.
Written AdminUserSecret(const Ctx& x, JsonWriter& w, const std::string* /*hash*/) {
  Written out{"v1", "Secret", AdminUserSecretName(x.name()), false};
  w.BeginObject();
  w.Field("apiVersion", out.api_version);
  w.Field("kind", out.kind);
  w.Key("metadata");
  w.BeginObject();
  w.Key("labels");
  w.BeginObject();
  w.Field(kOwnerRefLabel, x.name());
  w.Field(kComponentLabel, "admin-user");
  w.EndObject();
  WriteMetaTail(x, w, out.name);
  w.EndObject();
  // The images read keys "username" and "password", as of an authSecret.
  w.Field("type", "kubernetes.io/basic-auth");
  w.EndObject();
  return out;
}

}  // namespace doris_operator::translator::internal
