#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_CREDENTIALS_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_CREDENTIALS_H_

// A cluster's Doris admin credentials, read live because the event log never
// holds them: what the operator's own FE calls send, and the operator-owned
// Secret `<name>-admin-user` that carries the deprecated spec.adminUser to
// the pods (env PASSWD), filled here from the live resource (a DorisCluster
// or a DorisDisaggregatedCluster: CredentialOwner).

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "operator/kube/client.h"
#include "proto/doris_cluster.pb.h"
#include "proto/log.pb.h"
#include "translator/translator.h"

namespace doris_operator::reconcile {

// Held by one reconcile only; never logged, never in an Event or a record.
struct Credentials {
  // For the operator's FE calls (doris-contract §1.4): the authSecret's
  // username/password, else adminUser's, else root without a password.
  std::string user = "root";
  std::string password;
  // spec.adminUser as the live DorisCluster has it (name defaulted to root,
  // as the images do), when the spec has adminUser and it could be read.
  struct AdminUser {
    std::string name;
    std::string password;
  };
  std::optional<AdminUser> admin_user;
  absl::Status admin_user_error;  // why adminUser could not be read
};

// The resource whose credentials these are: a DorisCluster or a
// DorisDisaggregatedCluster (both have authSecret and the deprecated
// adminUser, with the same meaning).
struct CredentialOwner {
  std::string kind;       // for messages: DorisCluster | DorisDisaggregatedCluster
  std::string live_path;  // the resource's API path: spec.adminUser.password is read there
  std::string ns;
  std::string name;
  std::string uid;
  std::string auth_secret;
  bool has_admin_user = false;
  // Its generation is applied (status.observedGeneration): a Secret left
  // from an earlier adminUser is looked for only until then.
  bool generation_applied = false;
  std::string admin_secret_name;  // the operator's Secret for adminUser
};
CredentialOwner OwnerOf(const model::v1::DorisCluster& cluster);

// GETs the authSecret (when named) and, when the spec has adminUser, the
// live resource: the logged one has no password.
Credentials ReadCredentials(kube::Client& kube, const CredentialOwner& owner);
Credentials ReadCredentials(kube::Client& kube, const model::v1::DorisCluster& cluster);

// One write to the API server (or why it was not made), for the reconcile
// record. Holds no credential: details name the object and its
// resourceVersion, and API messages are scrubbed of the password.
struct CredentialWrite {
  std::string verb;  // create | apply | delete
  log::v1::ObjectRef object;
  std::string detail;
  absl::Status status;
  bool wrote = false;  // a write call was made
};

// Takes the adminUser Secret out of `objects` (the diff compares with logged
// objects, and Secrets are not logged) and brings the live one in step: its
// shape as the translator wants it, `data` from `credentials.admin_user`.
// Writes only when the live Secret differs (no write on a no-op resync). A
// Secret of that name that this cluster does not control is never taken
// over. Without adminUser, a Secret of ours left from an earlier spec is
// deleted (looked for only while a spec change is not applied yet).
std::vector<CredentialWrite> SyncAdminUserSecret(kube::Client& kube, const CredentialOwner& owner,
                                                 const Credentials& credentials,
                                                 std::vector<translator::DesiredObject>* objects,
                                                 const std::string& field_manager);
std::vector<CredentialWrite> SyncAdminUserSecret(kube::Client& kube,
                                                 const model::v1::DorisCluster& cluster,
                                                 const Credentials& credentials,
                                                 std::vector<translator::DesiredObject>* objects,
                                                 const std::string& field_manager);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_CREDENTIALS_H_
