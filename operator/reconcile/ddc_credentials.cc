#include "operator/reconcile/ddc_credentials.h"

#include "operator/kube/client.h"
#include "translator/disaggregated/names.h"

namespace doris_operator::reconcile {

namespace dv1 = model::disaggregated::v1;
namespace tdd = translator::disaggregated;

CredentialOwner DdcCredentialOwner(const dv1::DorisDisaggregatedCluster& ddc) {
  CredentialOwner o;
  o.kind = tdd::kKind;
  o.ns = ddc.metadata().namespace_();
  o.name = ddc.metadata().name();
  o.uid = ddc.metadata().uid();
  o.live_path = kube::ObjectPath(tdd::kApiVersion, o.ns, "dorisdisaggregatedclusters", o.name);
  o.auth_secret = ddc.spec().auth_secret();
  o.has_admin_user = ddc.spec().has_admin_user();
  o.generation_applied = ddc.metadata().generation() == ddc.status().observed_generation();
  o.admin_secret_name = tdd::AdminUserSecretName(o.name);
  return o;
}

void ObserveDdcCredentials(Run& run, const dv1::DorisDisaggregatedCluster& ddc) {
  run.credentials = ReadCredentials(*run.services.kube, DdcCredentialOwner(ddc));
  run.fe.user = run.credentials.user;
  run.fe.password = run.credentials.password;
}

void SyncDdcAdminUserSecret(Run& run, const dv1::DorisDisaggregatedCluster& ddc,
                            std::vector<translator::DesiredObject>* objects) {
  for (const CredentialWrite& w : SyncAdminUserSecret(*run.services.kube, DdcCredentialOwner(ddc), run.credentials,
                                                      objects, run.services.options->field_manager)) {
    if (w.wrote) ++run.writes;
    run.Action(w.verb, w.object, w.detail, w.status);
  }
}

}  // namespace doris_operator::reconcile
