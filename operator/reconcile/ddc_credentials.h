#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_CREDENTIALS_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_CREDENTIALS_H_

// A DorisDisaggregatedCluster's (ddc) Doris admin login, as a DorisCluster's
// (credentials.h): the authSecret's username/password, else the deprecated
// adminUser read from the live ddc (the logged one has no password), else
// root; and the operator's `<ddc>-admin-user` Secret that gives adminUser's
// password to the FE and BE pods (env PASSWD). Never logged.

#include <vector>

#include "operator/reconcile/credentials.h"
#include "operator/reconcile/run.h"
#include "proto/doris_disaggregated_cluster.pb.h"
#include "translator/translator.h"

namespace doris_operator::reconcile {

CredentialOwner DdcCredentialOwner(const model::disaggregated::v1::DorisDisaggregatedCluster& ddc);

// Reads the credentials into run.credentials and run.fe.
void ObserveDdcCredentials(Run& run, const model::disaggregated::v1::DorisDisaggregatedCluster& ddc);

// Takes the adminUser Secret out of `objects` and brings the live one in
// step (each write an action of the record; no write when in step).
void SyncDdcAdminUserSecret(Run& run, const model::disaggregated::v1::DorisDisaggregatedCluster& ddc,
                            std::vector<translator::DesiredObject>* objects);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_CREDENTIALS_H_
