#include "translator/disaggregated/admin_user_secret.h"

#include "translator/disaggregated/names.h"
#include "translator/object_parts.h"

namespace doris_operator::translator::disaggregated {

// No annotations of its own: BuildDesired splices the hash annotation in.
Written AdminUserSecret(const Ctx& x, JsonWriter& w, const std::string* /*hash*/) {
  Written out{"v1", "Secret", AdminUserSecretName(x.name()), false};
  internal::BeginObjectMeta(w, "v1", "Secret");
  w.Key("labels");
  w.BeginObject();
  w.Field(kClusterLabel, x.name());
  w.Field(kOwnerRefLabel, x.name());
  w.EndObject();
  WriteMetaTail(x, w, out.name);
  w.EndObject();
  // The images read keys "username" and "password", as of an authSecret.
  w.Field("type", "kubernetes.io/basic-auth");
  w.EndObject();
  return out;
}

}  // namespace doris_operator::translator::disaggregated
